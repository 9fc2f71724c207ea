"""What this test run's core processes wrote, and the secrets they were started with.

`tests.support.core_process` records here every log file a core writes (its stdout and
stderr) and every `CoreSecrets` made, so the last test of the run can scan every log
line for tokens and secrets (`tests/operations/test_logs_hold_no_tokens.py`). The
registry lives in the pytest process: cores are started from it, never elsewhere.
"""

from __future__ import annotations

import threading
from pathlib import Path

_lock = threading.Lock()
_log_files: dict[Path, None] = {}  # insertion-ordered set
_secrets: dict[str, None] = {}


def record_log_file(path: Path) -> None:
    with _lock:
        _log_files[path] = None


def record_secret(value: str) -> None:
    """A value that must never appear in a log (an API key, a master secret's text)."""
    if value:
        with _lock:
            _secrets[value] = None


def log_files() -> list[Path]:
    with _lock:
        return list(_log_files)


def secrets() -> list[str]:
    with _lock:
        return list(_secrets)
