"""The import-linter contracts in pyproject.toml hold: the domain imports no adapter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_import_contracts_are_kept(repo_root: Path) -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.fail(f"{lint_imports} is missing: run scripts/test (it installs the dev extras)")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"lint-imports failed:\n{output}"
    assert "KEPT" in output, f"lint-imports checked no contract:\n{output}"
