"""The gRPC contract passes `buf lint` (STANDARD rules) and builds with `buf build`.

buf is pinned in package-lock.json and installed into node_modules by scripts/test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def _run_buf(repo_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    buf = repo_root / "node_modules" / ".bin" / "buf"
    if not buf.exists():
        # Never a skip: a missing linter must not turn into a green run.
        pytest.fail(f"{buf} is missing: run scripts/test (it runs `npm ci`)")
    return subprocess.run(
        [str(buf), *args],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_buf_lint_passes(repo_root: Path) -> None:
    result = _run_buf(repo_root, "lint")
    assert result.returncode == 0, f"buf lint failed:\n{result.stdout}{result.stderr}"


def test_buf_build_passes(repo_root: Path, tmp_path: Path) -> None:
    image = tmp_path / "sessioncore.binpb"
    result = _run_buf(repo_root, "build", "-o", str(image))
    assert result.returncode == 0, f"buf build failed:\n{result.stdout}{result.stderr}"
    assert image.stat().st_size > 0
