"""Run a real core process on loopback, the way an operator would start it.

The process is started with `python -m core_server serve`, a flat TOML config file and
its secrets in the environment; it is ready once it prints its listening line.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from tests.support import run_logs
from tests.support.grpc_helpers import Api

ConfigValue = str | int | float | bool
Config = Mapping[str, ConfigValue]

READY_TIMEOUT_SECONDS = 30.0
# A core drains in-flight calls for up to 10 s (core_server.app.SHUTDOWN_GRACE_SECONDS),
# then waits up to 2 s per background task and closes storage: on a loaded machine that
# can pass 10 s, so the harness allows twice the drain before it calls a stop hung.
STOP_TIMEOUT_SECONDS = 20.0
DEFAULT_DB_NAME = "sessions.sqlite3"
REPO_ROOT = Path(__file__).resolve().parents[2]
_READY_LINE = re.compile(r"session-core listening on 127\.0\.0\.1:(\d+)")


@dataclass(frozen=True)
class CoreSecrets:
    """The API keys and master secret one deployment is started with."""

    api_keys: tuple[str, str]
    master_secret: bytes
    master_secret_id: str = "m1"

    def __post_init__(self) -> None:
        # Every deployment's secrets, so the run's last test can look for them in the logs.
        for key in self.api_keys:
            run_logs.record_secret(key)
        run_logs.record_secret(self.master_secret_text)
        run_logs.record_secret(self.master_secret.hex())

    @classmethod
    def generate(cls) -> CoreSecrets:
        keys = (f"sck-{secrets.token_urlsafe(24)}", f"sck-{secrets.token_urlsafe(24)}")
        return cls(api_keys=keys, master_secret=secrets.token_bytes(32))

    @property
    def master_secret_text(self) -> str:
        return base64.urlsafe_b64encode(self.master_secret).rstrip(b"=").decode("ascii")

    def environment(self) -> dict[str, str]:
        return {
            "SESSION_CORE_API_KEYS": ",".join(self.api_keys),
            "SESSION_CORE_MASTER_SECRETS": f"{self.master_secret_id}:{self.master_secret_text}",
        }


def environment_without_settings() -> dict[str, str]:
    """This process's environment without any SESSION_CORE_* variable, output unbuffered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSION_CORE_")}
    return env | {"PYTHONUNBUFFERED": "1"}


def toml_text(config: Config) -> str:
    """Render a flat config mapping as TOML (strings, numbers and booleans only)."""
    lines = []
    for key, value in sorted(config.items()):
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, int | float):
            rendered = repr(value)
        else:
            rendered = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.append(f"{key} = {rendered}")
    return "\n".join(lines) + "\n"


@dataclass
class CoreProcess:
    """One core process; `start()` blocks until it listens, `stop()` ends it."""

    root: Path
    config: Config
    secrets: CoreSecrets
    args: Sequence[str] = ()  # extra `serve` flags, e.g. ("--log-level", "DEBUG")
    port: int = field(default=0, init=False)
    _process: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)
    _stdout: list[str] = field(default_factory=list, init=False, repr=False)
    _channels: list[grpc.Channel] = field(default_factory=list, init=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def config_path(self) -> Path:
        return self.root / "core.toml"

    @property
    def stderr_path(self) -> Path:
        return self.root / "stderr.log"

    @property
    def stdout_path(self) -> Path:
        """Everything the process printed on stdout, kept for the run's log scan."""
        return self.root / "stdout.log"

    @property
    def pid(self) -> int:
        """The pid of the running `serve` process (with --workers, the parent's)."""
        assert self._process is not None, "the core is not running"
        return self._process.pid

    def wait_exit(self, timeout: float) -> int:
        """Wait up to `timeout` s for the process to exit on its own; its exit code."""
        assert self._process is not None, "the core is not running"
        code = self._process.wait(timeout=timeout)
        self._process = None
        return code

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        """The SQLite file the core uses (storage_url's path, else the data-dir default)."""
        url = str(self.config.get("storage_url", ""))
        if url.startswith("sqlite:///"):
            # Accept both "sqlite:///abs" and "sqlite:////abs"; tests always pass absolute paths.
            return Path("/" + url.removeprefix("sqlite:///").lstrip("/"))
        return self.data_dir / DEFAULT_DB_NAME

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(toml_text(self.config), encoding="utf-8")
        self._stdout = []
        run_logs.record_log_file(self.stdout_path)
        run_logs.record_log_file(self.stderr_path)
        ready = threading.Event()
        with self.stderr_path.open("a", encoding="utf-8") as stderr:
            self._process = subprocess.Popen(
                self._command(),
                cwd=REPO_ROOT,
                env=self._environment(),
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        reader = threading.Thread(
            target=self._read_stdout, args=(self._process, self._stdout, ready), daemon=True
        )
        reader.start()
        self._wait_ready(ready)

    def stop(self) -> int | None:
        """SIGTERM, wait up to 20 s, then kill; returns the exit code (None if never started)."""
        for channel in self._channels:
            channel.close()
        self._channels.clear()
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(
                f"the core did not stop within {STOP_TIMEOUT_SECONDS:.0f} s of SIGTERM"
            ) from None

    def restart(self) -> None:
        """Stop and start again with the same data dir, config and environment."""
        self.stop()
        self.start()

    def channel(self, options: Sequence[tuple[str, int | str]] = ()) -> grpc.Channel:
        channel = grpc.insecure_channel(self.target, options=list(options))
        self._channels.append(channel)
        return channel

    def stub(self, api_key: str | None = None) -> Api:
        """A SessionService stub that sends `api_key` (default: the first valid key)."""
        key = self.secrets.api_keys[0] if api_key is None else api_key
        return Api(self.channel(), key)

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "core_server",
            "serve",
            "--config",
            str(self.config_path),
            "--data-dir",
            str(self.data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *self.args,
        ]

    def _environment(self) -> dict[str, str]:
        return environment_without_settings() | self.secrets.environment()

    def _read_stdout(
        self, process: subprocess.Popen[str], lines: list[str], ready: threading.Event
    ) -> None:
        """Drain stdout for the process's whole life, so it never blocks on a full pipe."""
        assert process.stdout is not None
        with self.stdout_path.open("a", encoding="utf-8") as kept:
            for line in process.stdout:
                kept.write(line)
                kept.flush()
                lines.append(line)
                match = _READY_LINE.search(line)
                if match and not ready.is_set():
                    self.port = int(match.group(1))
                    ready.set()

    def _wait_ready(self, ready: threading.Event) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        process = self._process
        assert process is not None
        while not ready.wait(0.05):
            if process.poll() is not None or time.monotonic() > deadline:
                self._fail_start(process)

    def _fail_start(self, process: subprocess.Popen[str]) -> None:
        exited = process.poll()
        if exited is None:
            process.kill()
            process.wait()
        self._process = None
        raise RuntimeError(
            f"the core did not become ready (exit code {exited}, bound "
            f"{READY_TIMEOUT_SECONDS:.0f} s)\n--- stdout ---\n{''.join(self._stdout)}"
            f"\n--- stderr ---\n{self.stderr_text()[-8000:]}"
        )


class CoreFactory:
    """Starts cores for one test module and stops every one of them at its end.

    All cores of a module share the module's secrets unless a test passes its own
    (for example to stand for another deployment).
    """

    def __init__(self, make_root: Callable[[], Path], secrets: CoreSecrets) -> None:
        self._make_root = make_root
        self.secrets = secrets
        self._cores: list[CoreProcess] = []

    def start(
        self,
        config: Config | None = None,
        *,
        secrets: CoreSecrets | None = None,
        url_for: Callable[[Path], str] | None = None,
        args: Sequence[str] = (),
    ) -> CoreProcess:
        root = self._make_root()
        settings = dict(config or {})
        if url_for is not None:
            settings["storage_url"] = url_for(root / "data")
        core = CoreProcess(
            root=root, config=settings, secrets=secrets or self.secrets, args=tuple(args)
        )
        self._cores.append(core)
        core.start()
        return core

    def stop_all(self) -> None:
        """Stop every core; fail if one did not exit cleanly (0) on SIGTERM."""
        problems = []
        for core in self._cores:
            try:
                code = core.stop()
            except AssertionError as err:
                problems.append(f"{core.target}: {err}")
                continue
            if code not in (0, None):
                problems.append(f"{core.target} exited {code}:\n{core.stderr_text()[-2000:]}")
        assert not problems, "\n".join(problems)
