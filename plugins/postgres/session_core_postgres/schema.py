"""The PostgreSQL schema and its migration.

`migrate` runs in the caller's READ COMMITTED transaction under a transaction-scoped
advisory lock, so several processes starting together on a new or older database
migrate it exactly once and the others wait for it. It reads the schema version first
and runs DDL only when the schema is missing or older: PostgreSQL checks the CREATE
privilege even for `CREATE ... IF NOT EXISTS` on objects that exist, so a runtime role
without it can start on a migrated database. A new database is built as version 1 and
then migrated like an old one, so both take the same path.

Versions: 1 sessions, keys and the revocation feed; 2 adds `keys.revoked_at`.

Hashes and wrapped keys are BYTEA, times DOUBLE PRECISION (seconds since the epoch,
exactly as the core passed them), JSON is TEXT stored byte for byte as given.
Identifiers use the "C" collation: comparisons and keyset pagination are by bytes,
whatever the database's locale. `expires_at` is min(idle, absolute) expiry, kept by
every write that changes either, so liveness checks, listings and the sweeper use one
indexed column.
"""

from __future__ import annotations

from typing import Any

import psycopg2.extensions

SCHEMA_VERSION = 2
# Any constant works as long as every session-core process uses the same one.
MIGRATION_LOCK_KEY = 0x5E55_10C0_0001

_DDL = (
    """CREATE TABLE IF NOT EXISTS schema_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        handle TEXT COLLATE "C" PRIMARY KEY,
        user_id TEXT COLLATE "C" NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        idle_expires_at DOUBLE PRECISION NOT NULL,
        absolute_expires_at DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL,
        user_agent TEXT NOT NULL,
        ip_address TEXT NOT NULL,
        access_token_claims_json TEXT NOT NULL,
        session_data_json TEXT NOT NULL,
        anti_csrf BOOLEAN NOT NULL,
        mac_key_id TEXT NOT NULL,
        refresh_key_id TEXT NOT NULL,
        anti_csrf_key_id TEXT NOT NULL,
        generation BIGINT NOT NULL,
        current_hash BYTEA NOT NULL,
        previous_hash BYTEA,
        rotated_at DOUBLE PRECISION,
        revoked_at DOUBLE PRECISION
    )""",
    "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id, created_at, handle)",
    "CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at)",
    """CREATE INDEX IF NOT EXISTS sessions_by_revocation ON sessions (revoked_at, handle)
        WHERE revoked_at IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS keys (
        key_id TEXT COLLATE "C" PRIMARY KEY,
        kind TEXT NOT NULL,
        slot TEXT COLLATE "C" NOT NULL UNIQUE,
        algorithm TEXT NOT NULL,
        wrapped_secret BYTEA NOT NULL,
        wrapping_key_id TEXT NOT NULL,
        public_jwk_json TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        sign_from DOUBLE PRECISION,
        sign_until DOUBLE PRECISION,
        verify_until DOUBLE PRECISION,
        delete_at DOUBLE PRECISION
    )""",
    # `sequence` grows in insertion order, not commit order; readers re-read an overlap
    # window by `recorded_at` (the database's clock) to catch late commits.
    """CREATE TABLE IF NOT EXISTS revocation_feed (
        sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT COLLATE "C" NOT NULL,
        revoked_at DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL,
        recorded_at DOUBLE PRECISION NOT NULL,
        theft_user_id TEXT,
        theft_presented_generation BIGINT,
        theft_current_generation BIGINT,
        UNIQUE (kind, subject)
    )""",
    "CREATE INDEX IF NOT EXISTS feed_by_recorded ON revocation_feed (recorded_at)",
    "CREATE INDEX IF NOT EXISTS feed_by_expiry ON revocation_feed (expires_at)",
)

# Each later version's statements, applied in order to a database at the version before.
# The version-1 DDL above never changes; every later change is a new version here. All
# are idempotent and run in the transaction that records the version.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: _DDL,
    # Set by an emergency revocation only; NULL for every key stored before it existed.
    2: ("ALTER TABLE keys ADD COLUMN IF NOT EXISTS revoked_at DOUBLE PRECISION",),
}

# Two statements, so under READ COMMITTED the look-up's snapshot is taken once the lock
# is ours and sees what the migrator that held it before committed.
_LOCK_AND_LOOK = (
    f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY});"
    " SELECT to_regclass('schema_version') IS NOT NULL"
)
_READ_VERSION = "SELECT version FROM schema_version"
_SET_VERSION = (
    "INSERT INTO schema_version (id, version) VALUES (1, %(version)s)"
    " ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version"
)


def migrate(cur: psycopg2.extensions.cursor) -> int:
    """Bring the schema up to SCHEMA_VERSION; return the version the database now has.

    Runs in the caller's transaction, which must be READ COMMITTED and is committed by
    the caller. A newer version than ours is returned untouched, for the caller to refuse.
    """
    cur.execute(_LOCK_AND_LOOK)
    version = 0
    if _first(cur):
        cur.execute(_READ_VERSION)
        version = _first(cur) or 0
    if version < SCHEMA_VERSION:
        # Sent as one query string: one round trip however many versions are applied.
        cur.execute(";\n".join(_statements_after(version)))
        cur.execute(_SET_VERSION, {"version": SCHEMA_VERSION})
        version = SCHEMA_VERSION
    return version


def _statements_after(version: int) -> list[str]:
    """The statements that take a database at `version` (0: none) to SCHEMA_VERSION."""
    targets = range(version + 1, SCHEMA_VERSION + 1)
    return [statement for target in targets for statement in _MIGRATIONS[target]]


def _first(cur: psycopg2.extensions.cursor) -> Any:
    row = cur.fetchone()
    return row[0] if row else None
