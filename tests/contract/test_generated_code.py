"""The committed code in sessioncore/ is exactly what scripts/generate_proto.py writes.

A hand edit, or a .proto change committed without regenerating, fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REGENERATE = ".venv/bin/python scripts/generate_proto.py"


def _files(root: Path) -> dict[str, bytes]:
    """Every file under root by relative path, ignoring bytecode caches."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_committed_code_matches_regenerated(repo_root: Path, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "scripts/generate_proto.py", "--out", str(tmp_path)],
        cwd=repo_root,
        check=True,
    )
    regenerated = _files(tmp_path / "sessioncore")
    committed = _files(repo_root / "sessioncore")
    assert regenerated, "the generator wrote nothing under sessioncore/"

    missing = sorted(regenerated.keys() - committed.keys())
    extra = sorted(committed.keys() - regenerated.keys())
    changed = sorted(
        name
        for name in regenerated.keys() & committed.keys()
        if regenerated[name] != committed[name]
    )
    assert (missing, extra, changed) == ([], [], []), (
        f"sessioncore/ is out of date (missing {missing}, not generated {extra}, "
        f"differing {changed}): run `{REGENERATE}` and commit the result"
    )
