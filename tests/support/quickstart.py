"""Run `examples/quickstart.py` against a running core and check the lifecycle it prints.

The conformance suite runs it against `session-core serve` on every store, the
zero-config tests against a core started with no settings at all: both expect one walk.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.core_process import REPO_ROOT

QUICKSTART = REPO_ROOT / "examples" / "quickstart.py"
TIMEOUT_SECONDS = 30
CREATED = re.compile(r"created session [A-Za-z0-9_-]{22} for alice")
LIFECYCLE = [
    "verify access token      -> OK",
    "refresh with token 0     -> OK",
    "refresh with token 1     -> OK",
    "replay token 0 (stolen?) -> TOKEN_THEFT_DETECTED",
    "session afterwards       -> UNAUTHORISED (SESSION_ENDED)",
]


def run_quickstart(env: Mapping[str, str], cwd: Path) -> list[str]:
    """Run the quickstart in `cwd`; assert it printed the whole lifecycle; return its lines."""
    result = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert CREATED.fullmatch(lines[0]), lines
    assert lines[1:] == LIFECYCLE
    return lines
