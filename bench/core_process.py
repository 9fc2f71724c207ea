"""Start and stop one core process for a benchmark, as an operator would run it.

The core runs `python -m core_server serve` on a free loopback port with default
settings (RS256 signing keys, one worker unless asked otherwise), a random API key and
master secret of this run, and logs at WARNING so logging costs nothing measurable.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

API_KEY = "bench-" + secrets.token_urlsafe(24)
METADATA = (("x-api-key", API_KEY),)
READY = re.compile(r"listening on (\S+)")
STOP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Core:
    """A running core: its gRPC address (host:port) and the pid of its (parent) process."""

    target: str
    pid: int


@contextmanager
def started_core(
    storage: str,
    url: str,
    folder: Path,
    workers: int = 1,
    settings: Mapping[str, str] | None = None,
) -> Iterator[Core]:
    """Run a core on `storage` at `url` until the block ends (then SIGTERM, and wait).

    `folder` holds its zero-config secrets; `settings` are extra SESSION_CORE_*
    variables. Raises SystemExit if it never listens.
    """
    env = dict(os.environ) | dict(settings or {})
    env["SESSION_CORE_API_KEYS"] = API_KEY
    env["SESSION_CORE_MASTER_SECRETS"] = "m1:" + secrets.token_urlsafe(32)
    command = [sys.executable, "-m", "core_server", "serve", "--port", "0"]
    command += ["--workers", str(workers), "--data-dir", str(folder), "--log-level", "WARNING"]
    command += ["--storage", storage, "--storage-url", url]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if match := READY.search(line):
                yield Core(match.group(1), process.pid)
                return
        raise SystemExit(f"the core on {storage} did not start")
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
