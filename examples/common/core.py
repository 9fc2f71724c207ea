"""Find the core the example talks to, or start one for it.

With SESSION_CORE_TARGET set, that core is used, with the first key of
SESSION_CORE_API_KEYS or the key in the core's data directory (SESSION_CORE_DATA_DIR, or
the per-user default), as examples/quickstart.py does. Without it, a zero-config core is
started as a child process on a free loopback port, with that same data directory (so it
reuses, or writes, the generated API key there), and stopped when the example exits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from core_server.credentials import API_KEY_FILE, default_data_dir

READY = re.compile(r"session-core listening on (127\.0\.0\.1:\d+)")
START_TIMEOUT_SECONDS = 30.0


@dataclass
class Core:
    target: str
    api_key: str
    process: subprocess.Popen[str] | None = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def data_dir() -> Path:
    return Path(os.environ.get("SESSION_CORE_DATA_DIR") or default_data_dir())


def api_key(folder: Path) -> str:
    if keys := os.environ.get("SESSION_CORE_API_KEYS", "").strip():
        return keys.split(",")[0].strip()
    try:
        return (folder / API_KEY_FILE).read_text().strip()
    except FileNotFoundError:
        sys.exit(
            f"no API key: set SESSION_CORE_API_KEYS, or start the core with its data in {folder}"
        )


def find_or_start() -> Core:
    folder = data_dir()
    if target := os.environ.get("SESSION_CORE_TARGET"):
        return Core(target, api_key(folder))
    return _start(folder)


def _start(folder: Path) -> Core:
    command = [sys.executable, "-m", "core_server", "serve", "--host", "127.0.0.1", "--port", "0"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [*command, "--data-dir", str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    found: list[str] = []
    ready = threading.Event()
    threading.Thread(target=_drain, args=(process, found, ready), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            Core("", "", process).stop()
            sys.exit("the session-core child process did not start; see its output above")
    print(f"started session-core at {found[0]} (data in {folder})", flush=True)
    return Core(found[0], api_key(folder), process)


def _drain(process: subprocess.Popen[str], found: list[str], ready: threading.Event) -> None:
    """Echo the core's output and note its address, for as long as it runs."""
    assert process.stdout is not None
    for line in process.stdout:
        print(f"[core] {line}", end="", flush=True)
        match = READY.search(line)
        if match and not ready.is_set():
            found.append(match.group(1))
            ready.set()
