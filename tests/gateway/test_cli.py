"""`session-core-gateway` as a process: starts, reports where it listens, serves, stops
cleanly on SIGTERM; refuses to start without an API key or with a bad setting."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.core_process import CoreProcess

COMMAND = str(Path(sys.executable).parent / "session-core-gateway")
READY = re.compile(r"^session-core gateway listening on (http://127\.0\.0\.1:(\d+))$")
READY_TIMEOUT_SECONDS = 20.0
EXIT_TIMEOUT_SECONDS = 10.0


def clean_environment(home: Path) -> dict[str, str]:
    """The environment minus every SESSION_CORE_* setting, with an empty home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSION_CORE_")}
    return env | {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}


def first_line(process: subprocess.Popen[str]) -> str:
    """The process's first stdout line, waited for at most READY_TIMEOUT_SECONDS."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=READY_TIMEOUT_SECONDS).rstrip("\n")
    except queue.Empty:
        pytest.fail("the gateway did not report that it listens within 20 s")


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(EXIT_TIMEOUT_SECONDS)


def test_cli_serves_health_and_exits_cleanly_on_sigterm(
    core: CoreProcess, tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    env = clean_environment(tmp_path) | {
        "SESSION_CORE_API_KEY": core.secrets.api_keys[0],
        "SESSION_CORE_REVOCATION_FEED": "false",
    }
    process = subprocess.Popen(
        [COMMAND, "--port", "0", "--core", core.target],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started.append(process)
    line = first_line(process)
    match = READY.match(line)
    assert match, line
    assert int(match.group(2)) > 0
    health = httpx.get(match.group(1) + "/health", timeout=5.0)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    process.send_signal(signal.SIGTERM)
    assert process.wait(EXIT_TIMEOUT_SECONDS) == 0
    assert process.stderr is not None
    assert core.secrets.api_keys[0] not in process.stderr.read()


def test_cli_without_an_api_key_exits_2_saying_how_to_give_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [COMMAND, "--port", "0", "--core", "127.0.0.1:1"],
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT_SECONDS * 2,
    )
    assert result.returncode == 2
    assert "SESSION_CORE_API_KEY" in result.stderr and "--api-key-file" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("key_source", ["--api-key-file", "zero-config data dir"])
def test_cli_finds_the_key_file_then_refuses_a_wildcard_origin_with_exit_2(
    tmp_path: Path, key_source: str
) -> None:
    # Past the key look-up, the wildcard is the first error: exit 2 naming it shows the
    # key was found (without one the message would name SESSION_CORE_API_KEY).
    if key_source == "--api-key-file":
        key_file = tmp_path / "key"
        key_args = ["--api-key-file", str(key_file)]
    else:  # where a zero-config core writes it for this user (Linux: $XDG_DATA_HOME)
        key_file = tmp_path / "data" / "session-core" / "api-key"
        key_args = []
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text("sck_from-a-file\n", encoding="utf-8")
    result = subprocess.run(
        [COMMAND, "--port", "0", *key_args, "--allowed-origin", "*"],
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT_SECONDS * 2,
    )
    assert result.returncode == 2
    assert "SESSION_CORE_ALLOWED_ORIGINS" in result.stderr, result.stderr
    assert "SESSION_CORE_API_KEY" not in result.stderr
    assert "Traceback" not in result.stderr
