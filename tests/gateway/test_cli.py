"""`session-core-gateway` as a process: starts, reports where it listens, serves, stops
cleanly on SIGTERM; refuses to start without an API key or with a bad setting."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from session_core_gateway.keys import read_api_key
from session_core_gateway.serve import MAX_REQUEST_BODY_BYTES
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


def start_gateway(
    core: CoreProcess, home: Path, started: list[subprocess.Popen[str]]
) -> subprocess.Popen[str]:
    """`session-core-gateway --port 0` for `core`, its key in the environment (stopped at
    the end of the test by the `started` fixture)."""
    env = clean_environment(home) | {
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
    return process


def test_cli_serves_health_and_exits_cleanly_on_sigterm(
    core: CoreProcess, tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    process = start_gateway(core, tmp_path, started)
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


def run_refused(args: list[str], env: dict[str, str]) -> str:
    """Run the command expecting exit 2 with one line on stderr; that line."""
    result = subprocess.run(
        [COMMAND, *args], env=env, capture_output=True, text=True, timeout=EXIT_TIMEOUT_SECONDS * 2
    )
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""  # never "listening"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("session-core-gateway: ")
    return lines[0]


def with_key(home: Path, **variables: str) -> dict[str, str]:
    return clean_environment(home) | {"SESSION_CORE_API_KEY": "sck_unused"} | variables


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "99999"], "--port 99999"),
        (["--port", "65536"], "--port 65536"),
        (["--port", "-1"], "--port -1"),
        (["--threads", "0"], "--threads 0"),
        (["--threads", "-3"], "--threads -3"),
        (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid'"),
        (["--host", "not an address"], "--host 'not an address'"),
        (["--host", "192.0.2.1"], "not one of this machine's"),  # TEST-NET-1: never local
    ],
)
def test_cli_refuses_a_bad_server_flag_with_exit_2_and_one_line(
    tmp_path: Path, args: list[str], says: str
) -> None:
    port = [] if "--port" in args else ["--port", "0"]
    assert says in run_refused([*port, *args, "--core", "127.0.0.1:1"], with_key(tmp_path))


def test_cli_refuses_a_port_in_use_with_exit_2_and_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = run_refused(["--port", str(port), "--core", "127.0.0.1:1"], with_key(tmp_path))
    assert f"127.0.0.1:{port}" in line and "in use" in line


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SESSION_CORE_TIMEOUT", "abc"),
        ("SESSION_CORE_TIMEOUT", "-1"),
        ("SESSION_CORE_CHANNELS", "zero"),
        ("SESSION_CORE_CHANNELS", "0"),
        ("SESSION_CORE_LEEWAY", "-5"),
        ("SESSION_CORE_API_KEY", "sck_caf\u00e9"),
        ("SESSION_CORE_API_KEY", "sck_line\nbreak"),
        ("SESSION_CORE_REFRESH_PATH", "/health"),
    ],
)
def test_cli_refuses_a_bad_setting_with_exit_2_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    line = run_refused(
        ["--port", "0", "--core", "127.0.0.1:1"], with_key(tmp_path, **{variable: value})
    )
    assert variable in line


def test_cli_reads_the_zero_config_key_from_session_core_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "core-data"
    data_dir.mkdir()
    (data_dir / "api-key").write_text("sck_from-the-data-dir\n", encoding="utf-8")
    env = clean_environment(tmp_path) | {"SESSION_CORE_DATA_DIR": str(data_dir)}
    # Found: the next error is the wildcard origin, not the missing key.
    line = run_refused(["--port", "0", "--allowed-origin", "*"], env)
    assert "SESSION_CORE_ALLOWED_ORIGINS" in line
    # Not found there: the message names the data dir's file.
    empty = tmp_path / "empty"
    env = clean_environment(tmp_path) | {"SESSION_CORE_DATA_DIR": str(empty)}
    assert str(empty / "api-key") in run_refused(["--port", "0"], env)


def test_read_api_key_prefers_session_core_data_dir_to_the_user_data_dir(
    tmp_path: Path,
) -> None:
    home = tmp_path / "data" / "session-core"
    home.mkdir(parents=True)
    (home / "api-key").write_text("sck_user-data-dir", encoding="utf-8")
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    (chosen / "api-key").write_text("sck_chosen\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        assert read_api_key(None, {}) == "sck_user-data-dir"
        assert read_api_key(None, {"SESSION_CORE_DATA_DIR": ""}) == "sck_user-data-dir"
        assert read_api_key(None, {"SESSION_CORE_DATA_DIR": str(chosen)}) == "sck_chosen"


def test_cli_answers_a_body_over_the_bound_413_without_reading_it(
    core: CoreProcess, tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    process = start_gateway(core, tmp_path, started)
    match = READY.match(first_line(process))
    assert match
    port = int(match.group(2))
    small = httpx.post(match.group(1) + "/auth/refresh", content=b"x" * 1024, timeout=5.0)
    assert small.status_code == 401  # a small body is let through (and ignored)
    with socket.create_connection(("127.0.0.1", port), timeout=5.0) as connection:
        # Announce 100 MiB, send a little: the answer must come without the rest.
        connection.sendall(
            b"POST /auth/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/octet-stream\r\n"
            + f"Content-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
            + b"x" * 1024
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert MAX_REQUEST_BODY_BYTES == 64 * 1024
