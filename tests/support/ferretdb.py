"""A throwaway FerretDB server: the real MongoDB-wire server the MongoDB store's tests use.

No MongoDB server can be installed on our machines; FerretDB v1.24.2 speaks the same
wire protocol and stores documents in SQLite files (one per database). It is built once
per machine by `scripts/ferretdb/build` (which `scripts/test` runs) and found here by the
same content hash, or through $SESSION_CORE_FERRETDB.

One server serves a whole test run: it is started lazily by the first test that needs
it (`shared_server()`) and stopped and deleted when the run ends (`stop_shared_server()`,
called from `tests/conftest.py`, with an `atexit` safety net). Each store or core gets a
database of its own (`fresh_url()`); FerretDB creates it on first write. The server
listens on 127.0.0.1 on a free port, keeps its data in a temporary directory and its
state in memory, and sends no telemetry. `kill()` and `start()` stand for a crash and a
restart on the same port and data, for fault tests.

A missing binary fails loudly with what to run: the suite never hides a missing backend
by skipping it.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import itertools
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import psutil  # type: ignore[import-untyped, unused-ignore]
import pymongo

from tests.support.postgres import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO_ROOT / "scripts" / "ferretdb"
BINARY_ENV = "SESSION_CORE_FERRETDB"
VERSION = "v1.24.2"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
# What scripts/ferretdb/build hashes into the binary's cache path, in this order.
_SOURCES = ("go.mod", "go.sum", "main.go")


class FerretDBMissing(RuntimeError):
    """The FerretDB binary was not built (or not where $SESSION_CORE_FERRETDB says)."""


def binary_path() -> Path:
    """The built server: $SESSION_CORE_FERRETDB, or where `scripts/ferretdb/build` puts it."""
    if override := os.environ.get(BINARY_ENV):
        path = Path(override)
    else:
        sources = b"".join((SOURCE_DIR / name).read_bytes() for name in _SOURCES)
        key = hashlib.sha256(sources).hexdigest()[:16]
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        path = cache / "session-core" / f"ferretdb-{VERSION}" / key / "ferretdb"
    if not os.access(path, os.X_OK):
        raise FerretDBMissing(
            f"no FerretDB server at {path}: the MongoDB tests need it; build it with "
            "`bash scripts/ferretdb/build` (`bash scripts/test` does) or point "
            f"${BINARY_ENV} at a built one"
        )
    return path


class FerretDBServer:
    """One FerretDB process on a free loopback port, its data in a temporary directory."""

    def __init__(self, binary: Path, root: Path) -> None:
        self.binary = binary
        self.root = root
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    @classmethod
    def create(cls) -> FerretDBServer:
        root = Path(tempfile.mkdtemp(prefix="session-core-ferretdb-"))
        server = cls(binary_path(), root)
        server.data_dir.mkdir()
        try:
            server.start()
        except BaseException:
            server.destroy()
            raise
        return server

    # -- server life -----------------------------------------------------------------

    def start(self) -> None:
        """Start the (stopped) server on its port and data; returns once it answers."""
        assert not self.is_running(), "already running"
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    str(self.binary),
                    f"--listen-addr=127.0.0.1:{self.port}",
                    f"--sqlite-url=file:{self.data_dir}/",
                ],
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                cwd=self.root,
            )
        self._wait_until_answering()

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), killing it if it lingers."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        self._end(signal.SIGKILL)

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def destroy(self) -> None:
        """Kill the server if it runs and delete every file of it."""
        with contextlib.suppress(OSError):
            self.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases -------------------------------------------------------------------

    def create_database(self) -> str:
        """A name no store of this run has used; FerretDB creates it on first write."""
        with self._lock:
            return f"sc_{os.getpid()}_{next(self._names)}"

    def url(self, database: str, **params: str | int | float) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"mongodb://127.0.0.1:{self.port}/{database}{query}"

    def fresh_url(self, **params: str | int | float) -> str:
        return self.url(self.create_database(), **params)

    @contextlib.contextmanager
    def client(self) -> Iterator[pymongo.MongoClient[dict[str, Any]]]:
        """A client of our own, as an operator's shell would be."""
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            f"mongodb://127.0.0.1:{self.port}/", serverSelectionTimeoutMS=5000
        )
        try:
            yield client
        finally:
            client.close()

    def connections_from(self, pid: int) -> int:
        """How many TCP connections process `pid` has established to this server."""
        connections = psutil.Process(pid).net_connections(kind="tcp")
        return sum(
            1
            for conn in connections
            if conn.status == psutil.CONN_ESTABLISHED and conn.raddr and conn.raddr[1] == self.port
        )

    def sqlite_path(self, database: str) -> Path:
        """The SQLite file FerretDB keeps `database` in."""
        return self.data_dir / f"{database}.sqlite"

    @contextlib.contextmanager
    def write_lock(self, database: str) -> Iterator[None]:
        """Hold the write lock of the database's SQLite file, as a stuck writer would.

        FerretDB's writes to `database` wait (up to its 10 s busy timeout); its reads go on,
        since the file is in WAL mode.
        """
        path = self.sqlite_path(database)
        assert path.exists(), f"no database file at {path}"
        with contextlib.closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as conn:
            conn.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                conn.rollback()

    # -- internals -------------------------------------------------------------------

    def _end(self, sig: signal.Signals) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def _wait_until_answering(self) -> None:
        give_up = time.monotonic() + START_TIMEOUT_SECONDS
        with self.client() as client:
            while True:
                if not self.is_running():
                    raise RuntimeError(f"FerretDB exited at start:\n{self._log_tail()}")
                try:
                    client.admin.command("ping")
                    return
                except pymongo.errors.PyMongoError:
                    if time.monotonic() > give_up:
                        raise RuntimeError(
                            f"FerretDB did not answer in {START_TIMEOUT_SECONDS:g} s:\n"
                            f"{self._log_tail()}"
                        ) from None
                time.sleep(0.05)

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


def database_of(url: str) -> str:
    """The database name in a mongodb:// URL."""
    return urlsplit(url).path.lstrip("/")


_shared: FerretDBServer | None = None
_shared_lock = threading.Lock()


def shared_server() -> FerretDBServer:
    """The test run's server, started on first use (and again if a test left it stopped)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FerretDBServer.create()
            atexit.register(stop_shared_server)
        elif not _shared.is_running():
            _shared.start()
        return _shared


def stop_shared_server() -> None:
    """Stop and delete the run's server if one was started; idempotent."""
    global _shared
    with _shared_lock:
        server, _shared = _shared, None
    if server is not None:
        server.destroy()
