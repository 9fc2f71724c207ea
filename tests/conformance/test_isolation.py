"""Ten refreshes with one token at once, under each isolation level an operator may set (B2).

On PostgreSQL the database's default isolation is set as an operator would (ALTER
DATABASE); the store retries serialization failures itself. MongoDB has no level to
choose and the store uses no multi-document transaction: its conditional writes decide.
Either way clients see the grace-window answer and never a database error, and the
session row holds one rotation.
"""

from __future__ import annotations

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance import test_concurrency as concurrency
from tests.support import postgres
from tests.support.core_process import CoreFactory
from tests.support.grpc_helpers import assert_outcome, create_session, refresh_tokens
from tests.support.storage import BackendSupport, StoredValue, session_row
from tests.support.tokens import parse_refresh_token

IDLE_LIFETIME_SECONDS = 3600
RACERS = 10
# Driver and server error text that must not reach the core's logs.
DATABASE_WORDS = (
    "SQLSTATE",
    "psycopg",
    "serializ",
    "deadlock",
    "could not",
    "Traceback",
    "pymongo",
    "WriteConflict",
    "E11000",
    "duplicate key",
)
NO_LEVEL = pytest.mark.skip(
    reason="SQLite has no isolation level to choose: BEGIN IMMEDIATE serialises every write"
    " (C13 covers concurrent refreshes there)"
)
# (backend, isolation level): PostgreSQL under each level, MongoDB once (it has none).
CASES = [
    pytest.param("sqlite", None, marks=NO_LEVEL, id="sqlite"),
    pytest.param("postgres", "read committed", id="postgres-read committed"),
    pytest.param("postgres", "serializable", id="postgres-serializable"),
    pytest.param("mongodb", None, id="mongodb"),
]


def seconds_in(value: StoredValue) -> float:
    assert isinstance(value, int | float), value
    return float(value)


def database_url(backend: BackendSupport, isolation: str | None) -> str:
    """A new database for one core; on PostgreSQL, `isolation` is its default level."""
    if isolation is None:  # a backend with no level to choose
        assert backend.server is not None, backend.name
        return backend.server.fresh_url()
    cluster = postgres.shared_cluster()
    database = cluster.create_database(isolation=isolation)
    with cluster.admin(database) as conn, conn.cursor() as cur:
        cur.execute("SHOW default_transaction_isolation")
        assert cur.fetchone() == (isolation,)
    return cluster.url(database)


@pytest.mark.parametrize(("backend", "isolation"), CASES, indirect=["backend"])
def test_B2_concurrent_refreshes_with_one_token_converge(
    isolation: str | None, core_factory: CoreFactory, backend: BackendSupport
) -> None:
    core = core_factory.start(
        {
            "storage": backend.name,
            "storage_url": database_url(backend, isolation),
            "idle_lifetime_seconds": IDLE_LIFETIME_SECONDS,
        }
    )
    api, inspector = core.stub(), backend.inspector(core)
    created = create_session(api, "b2-user", anti_csrf=True)
    handle = created.session.handle

    successor = concurrency.assert_one_successor(
        concurrency.refresh_together(api, created.tokens, RACERS)
    )

    row = session_row(inspector, handle).values
    assert row["generation"] == 1 and row["revoked_at"] is None
    assert row["previous_hash"] is not None
    # The idle expiry moved once, from that one rotation.
    rotated_at, idle, absolute = (
        seconds_in(row[name]) for name in ("rotated_at", "idle_expires_at", "absolute_expires_at")
    )
    assert idle == rotated_at + IDLE_LIFETIME_SECONDS
    assert row["expires_at"] == min(idle, absolute)
    nxt = refresh_tokens(api, successor)
    assert_outcome(nxt, pb.OUTCOME_OK)
    assert parse_refresh_token(nxt.tokens.refresh_token.token).generation == 2
    logs = core.stderr_text()
    assert not [word for word in DATABASE_WORDS if word.lower() in logs.lower()], logs[-3000:]
