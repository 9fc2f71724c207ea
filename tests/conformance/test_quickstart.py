"""The quickstart walks a whole session lifecycle against `session-core serve` on each store.

The core is started with the command-line flags an operator would use
(`--storage NAME --storage-url URL`), its secrets generated into its data directory,
where the quickstart finds its API key.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.core_process import environment_without_settings
from tests.support.quickstart import run_quickstart
from tests.support.storage import BackendSupport

READY = re.compile(r"session-core listening on (127\.0\.0\.1:\d+)")
TIMEOUT_SECONDS = 30


@pytest.fixture
def served(backend: BackendSupport, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`session-core serve` on the backend; yields its address and data directory."""
    data_dir = tmp_path / "data"
    command = [
        str(Path(sys.executable).parent / "session-core"),
        "serve",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        "--storage",
        backend.name,
        "--storage-url",
        backend.url_for(data_dir),
    ]
    process = subprocess.Popen(
        command,
        env=environment_without_settings(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if match := READY.search(line):
                yield match.group(1), data_dir
                break
        else:
            raise AssertionError(f"serve exited early: {process.communicate()[1][-3000:]}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=TIMEOUT_SECONDS)
    assert process.returncode == 0


def test_quickstart_shows_the_whole_lifecycle(served: tuple[str, Path], tmp_path: Path) -> None:
    target, data_dir = served
    # The quickstart reads the API key the server generated into its data directory.
    env = {"SESSION_CORE_TARGET": target, "SESSION_CORE_DATA_DIR": str(data_dir)}
    run_quickstart(environment_without_settings() | env, cwd=tmp_path)
