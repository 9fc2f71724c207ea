"""`session-core serve` with no settings at all, and the quickstart against it.

Each test points the per-user data directory at a temporary folder (XDG_DATA_HOME) and
removes every SESSION_CORE_* variable, as on a newcomer's machine.
"""

from __future__ import annotations

import json
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc
from tests.support.core_process import environment_without_settings
from tests.support.quickstart import run_quickstart

READY = re.compile(r"session-core listening on (127\.0\.0\.1):(\d+)")
SERVE_TIMEOUT = 30


def clean_env(data_home: Path) -> dict[str, str]:
    return environment_without_settings() | {"XDG_DATA_HOME": str(data_home)}


def jwks(target: str, api_key: str) -> dict[str, Any]:
    with grpc.insecure_channel(target) as channel:
        answer = pb_grpc.SessionServiceStub(channel).GetJwks(
            pb.GetJwksRequest(), metadata=(("x-api-key", api_key),), timeout=10
        )
    keys: dict[str, Any] = json.loads(answer.jwks_json)
    return keys


class Serve:
    """`session-core serve --port 0` (port 0 only so parallel runs never collide)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "session-core"), "serve", "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []

    def wait_ready(self) -> Serve:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if match := READY.search(line):
                self.host, self.port = match.group(1), int(match.group(2))
                return self
        raise AssertionError(f"serve exited early: {self.process.stderr.read()}")  # type: ignore[union-attr]

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=SERVE_TIMEOUT)
        return self.process.returncode, stderr


@pytest.fixture
def data_home(tmp_path: Path) -> Path:
    return tmp_path / "xdg-data"


@pytest.fixture
def served(data_home: Path) -> Iterator[Serve]:
    core = Serve(clean_env(data_home)).wait_ready()
    yield core
    if core.process.poll() is None:
        core.stop()


def test_serve_without_settings_binds_loopback_and_writes_secrets(
    served: Serve, data_home: Path
) -> None:
    data_dir = data_home / "session-core"
    assert served.host == "127.0.0.1"
    assert f"session-core: generated api key in {data_dir / 'api-key'}" in served.lines
    assert f"session-core: generated master secret in {data_dir / 'master-secret'}" in served.lines
    for name in ("api-key", "master-secret", "sessions.sqlite3"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_quickstart_shows_the_lifecycle_from_any_directory(
    served: Serve, data_home: Path, tmp_path: Path
) -> None:
    env = clean_env(data_home) | {"SESSION_CORE_TARGET": served.target}
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    run_quickstart(env, cwd=elsewhere)


def test_sigterm_stops_gracefully(served: Serve) -> None:
    code, stderr = served.stop()
    assert code == 0
    assert '"message": "shutting down"' in stderr


def test_second_start_reuses_the_secrets(served: Serve, data_home: Path) -> None:
    api_key = (data_home / "session-core" / "api-key").read_text()
    served.stop()
    again = Serve(clean_env(data_home)).wait_ready()
    try:
        data_dir = data_home / "session-core"
        assert f"session-core: using api key in {data_dir / 'api-key'}" in again.lines
        assert (data_dir / "api-key").read_text() == api_key
    finally:
        again.stop()


def test_processes_starting_together_agree_on_secrets_and_keys(data_home: Path) -> None:
    env = clean_env(data_home)
    first, second = Serve(env), Serve(env)  # both launched before either is ready
    try:
        first.wait_ready(), second.wait_ready()
        created = [line for line in first.lines + second.lines if "generated api key" in line]
        assert len(created) == 1
        key = (data_home / "session-core" / "api-key").read_text().strip()
        first_keys, second_keys = jwks(first.target, key), jwks(second.target, key)
        assert len(first_keys["keys"]) == 1
        assert first_keys == second_keys
    finally:
        first.stop()
        second.stop()
