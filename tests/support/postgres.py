"""A throwaway PostgreSQL cluster for the tests, started from Debian's server binaries.

One cluster serves a whole test run: it is created lazily by the first test that needs
it (`shared_cluster()`), and stopped and deleted when the run ends (`stop_shared_cluster()`,
called from `tests/conftest.py`, with an `atexit` safety net). Each core or store gets a
fresh database cloned from an empty template, which takes milliseconds.

The cluster listens on 127.0.0.1 only, on a free port, with its Unix socket inside its
temporary directory; fsync is off (test data need not survive a power cut). PostgreSQL
refuses to run as root, so as root the server programs run as the `postgres` system user
(`runuser`); otherwise as the current user. Stores connect over TCP as a password role
(scram-sha-256), as in production; the tests' own admin connections use the socket.

Missing binaries fail loudly with what to install: the suite never hides a missing
backend by skipping it.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg2
import psycopg2.extensions

BINDIR_ENV = "SESSION_CORE_PG_BINDIR"
SERVER_USER = "postgres"  # the Debian package's system user, used when we are root
ADMIN_ROLE = "postgres"
APP_ROLE = "session_core"
TEMPLATE_DB = "session_core_template"
COMMAND_TIMEOUT_SECONDS = 60
_PROGRAMS = ("initdb", "pg_ctl", "postgres", "pg_dump")
_VERSION_DIR = re.compile(r"/usr/lib/postgresql/(\d+)/bin")
_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
max_connections = 300
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
"""


class PostgresMissing(RuntimeError):
    """The PostgreSQL server programs are not installed where we looked."""


def find_bindir() -> Path:
    """The directory holding initdb, pg_ctl and postgres; raises PostgresMissing if none."""
    candidates: list[Path] = []
    if override := os.environ.get(BINDIR_ENV):
        candidates.append(Path(override))
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(m.group(1)) if (m := _VERSION_DIR.match(str(path))) else 0,
        reverse=True,
    )
    candidates += debian
    if on_path := shutil.which("pg_ctl"):
        candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if all((bindir / program).is_file() for program in _PROGRAMS):
            return bindir
    raise PostgresMissing(
        "the PostgreSQL server programs (initdb, pg_ctl, postgres, pg_dump) were not found in "
        f"/usr/lib/postgresql/*/bin, on PATH or in ${BINDIR_ENV}; the PostgreSQL tests need "
        "them: on Debian/Ubuntu run `apt-get install -y postgresql`"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresCluster:
    """One running cluster in a temporary directory; `destroy()` stops and deletes it."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.port = 0
        self.password = secrets.token_hex(16)
        self._names = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    @classmethod
    def create(cls) -> PostgresCluster:
        """initdb a new cluster, start it, and create the app role and the template."""
        bindir = find_bindir()
        as_root = os.geteuid() == 0
        root = Path(tempfile.mkdtemp(prefix="session-core-pg-", dir="/tmp" if as_root else None))
        cluster = cls(bindir, root)
        try:
            cluster._init(as_root)
            cluster._start_on_a_free_port()
            cluster._create_roles_and_template()
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    # -- server life -----------------------------------------------------------------

    def start(self) -> None:
        """Start the (stopped) cluster on its port; returns once it accepts connections."""
        self._run(self._pg_ctl("start", "-w", "-t", "30", "-l", str(self.log_path)))

    def stop(self) -> None:
        """Stop the cluster (fast shutdown: open connections are terminated)."""
        self._run(self._pg_ctl("stop", "-w", "-t", "30", "-m", "fast"))

    def is_running(self) -> bool:
        status = subprocess.run(
            self._as_owner([str(self.bindir / "pg_ctl"), "status", "-D", str(self.data_dir)]),
            capture_output=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        return status.returncode == 0

    def destroy(self) -> None:
        """Stop the server if it runs and delete every file of the cluster."""
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._run(self._pg_ctl("stop", "-w", "-t", "30", "-m", "immediate"))
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases -------------------------------------------------------------------

    def create_database(self, isolation: str | None = None) -> str:
        """A new empty database owned by the app role; returns its name.

        `isolation` (e.g. "serializable") becomes the database's default transaction
        isolation level, as an operator would configure it.
        """
        with self._lock:
            name = f"sc_{os.getpid()}_{next(self._names)}"
        with self.admin() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE_DB} OWNER {APP_ROLE}')
            if isolation is not None:
                cur.execute(
                    f'ALTER DATABASE "{name}" SET default_transaction_isolation = %s',
                    (isolation,),
                )
        return name

    def url(self, database: str, **params: str | int | float) -> str:
        """The URL a store opens `database` with, as the app role over TCP."""
        query = f"?{urlencode(params)}" if params else ""
        return f"postgresql://{APP_ROLE}:{self.password}@127.0.0.1:{self.port}/{database}{query}"

    def fresh_url(self, **params: str | int | float) -> str:
        return self.url(self.create_database(), **params)

    @contextlib.contextmanager
    def admin(self, database: str = "postgres") -> Iterator[psycopg2.extensions.connection]:
        """A superuser connection over the Unix socket, in autocommit mode."""
        conn = psycopg2.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=ADMIN_ROLE,
            dbname=database,
            connect_timeout=10,
        )
        conn.autocommit = True
        try:
            yield conn
        finally:
            conn.close()

    def client_connections(self, database: str) -> int:
        """How many client connections are open to `database` right now."""
        with self.admin() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND backend_type = 'client backend'",
                (database,),
            )
            (count,) = cur.fetchone() or (0,)
            return int(count)

    def dump(self, database: str) -> str:
        """pg_dump's plain-text dump of `database`, as an operator's backup would hold it."""
        result = subprocess.run(
            [
                str(self.bindir / "pg_dump"),
                "--host",
                str(self.socket_dir),
                "--port",
                str(self.port),
                "--username",
                ADMIN_ROLE,
                "--no-owner",
                database,
            ],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {result.stderr}")
        return result.stdout

    # -- internals -------------------------------------------------------------------

    def _init(self, as_root: bool) -> None:
        self.socket_dir.mkdir()
        if as_root:
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PostgresMissing(
                    f"running as root, the PostgreSQL tests need the system user "
                    f"{SERVER_USER!r} (created by Debian's postgresql package) to run the server"
                ) from None
            for path in (self.root, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                ADMIN_ROLE,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )

    def _start_on_a_free_port(self) -> None:
        # Another process may take the probed port before the server binds it: try again.
        for attempt in range(3):
            self.port = free_port()
            settings = _SETTINGS.format(port=self.port, socket_dir=self.socket_dir)
            self._run(["sh", "-c", f"cat >> '{self.data_dir}/postgresql.conf'"], settings)
            try:
                self.start()
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def _create_roles_and_template(self) -> None:
        with self.admin() as conn, conn.cursor() as cur:
            cur.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD %s", (self.password,))
            cur.execute(
                f"CREATE DATABASE {TEMPLATE_DB} OWNER {APP_ROLE} TEMPLATE template0"
                " ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
            )

    def _pg_ctl(self, *args: str) -> list[str]:
        return [str(self.bindir / "pg_ctl"), *args, "-D", str(self.data_dir)]

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", SERVER_USER, "--", *command]
        return command

    def _run(self, command: list[str], stdin: str | None = None) -> None:
        result = subprocess.run(
            self._as_owner(command),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
            cwd=self.root,
        )
        if result.returncode != 0:
            log = (
                self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""
            )
            raise RuntimeError(
                f"{' '.join(command[:2])} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}\n--- server log ---\n{log}"
            )


def database_of(url: str) -> str:
    """The database name in a postgresql:// URL."""
    return urlsplit(url).path.lstrip("/")


_shared: PostgresCluster | None = None
_shared_lock = threading.Lock()


def shared_cluster() -> PostgresCluster:
    """The test run's cluster, created on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PostgresCluster.create()
            atexit.register(stop_shared_cluster)
        elif not _shared.is_running():
            _shared.start()  # a test stopped it and failed before starting it again
        return _shared


def stop_shared_cluster() -> None:
    """Stop and delete the run's cluster if one was created; idempotent."""
    global _shared
    with _shared_lock:
        cluster, _shared = _shared, None
    if cluster is not None:
        cluster.destroy()
