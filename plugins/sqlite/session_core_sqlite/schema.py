"""The SQLite schema and its version.

`create_schema` is idempotent and runs in the caller's `BEGIN IMMEDIATE` transaction, so
several processes opening the same new file at once create it exactly once. A new file is
built as version 1 and then migrated like an old one, so both take the same path.
`expires_at` is min(idle, absolute) expiry, kept by every write that changes either, so
liveness checks, listings and the sweeper all use one indexed column.

Versions: 1 sessions and keys; 2 adds the revocation feed; 3 adds `keys.revoked_at`.
"""

from __future__ import annotations

import sqlite3

from core_server.storage.errors import StorageError

SCHEMA_VERSION = 3

_DDL = (
    """CREATE TABLE IF NOT EXISTS schema_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        handle TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        idle_expires_at REAL NOT NULL,
        absolute_expires_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        user_agent TEXT NOT NULL,
        ip_address TEXT NOT NULL,
        access_token_claims_json TEXT NOT NULL,
        session_data_json TEXT NOT NULL,
        anti_csrf INTEGER NOT NULL CHECK (anti_csrf IN (0, 1)),
        mac_key_id TEXT NOT NULL,
        refresh_key_id TEXT NOT NULL,
        anti_csrf_key_id TEXT NOT NULL,
        generation INTEGER NOT NULL,
        current_hash BLOB NOT NULL,
        previous_hash BLOB,
        rotated_at REAL,
        revoked_at REAL
    )""",
    "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id, created_at, handle)",
    "CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at)",
    """CREATE TABLE IF NOT EXISTS keys (
        key_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        slot TEXT NOT NULL UNIQUE,
        algorithm TEXT NOT NULL,
        wrapped_secret BLOB NOT NULL,
        wrapping_key_id TEXT NOT NULL,
        public_jwk_json TEXT NOT NULL,
        created_at REAL NOT NULL,
        sign_from REAL,
        sign_until REAL,
        verify_until REAL,
        delete_at REAL
    )""",
)

# Each version's statements, applied in order to a file at the version before, in the
# transaction that then records the version: SQLite's DDL is transactional, so a migration
# commits whole with its version or not at all (which is why ALTER TABLE ... ADD COLUMN,
# having no IF NOT EXISTS, is safe here). The version-1 DDL above never changes; every
# later change is a new version here.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    # AUTOINCREMENT: a sequence is never reused, even after the newest entry was pruned,
    # since readers de-duplicate by it.
    2: (
        """CREATE TABLE IF NOT EXISTS revocation_feed (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            revoked_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            recorded_at REAL NOT NULL,
            theft_user_id TEXT,
            theft_presented_generation INTEGER,
            theft_current_generation INTEGER,
            UNIQUE (kind, subject)
        )""",
        "CREATE INDEX IF NOT EXISTS revocation_feed_by_recorded ON revocation_feed (recorded_at)",
        "CREATE INDEX IF NOT EXISTS revocation_feed_by_expiry ON revocation_feed (expires_at)",
        # Partial: the sweeper's reconciliation reads only the (few) revoked sessions.
        "CREATE INDEX IF NOT EXISTS sessions_by_revocation ON sessions (revoked_at)"
        " WHERE revoked_at IS NOT NULL",
    ),
    # Set by an emergency revocation only; NULL for every key stored before it existed.
    3: ("ALTER TABLE keys ADD COLUMN revoked_at REAL",),
}


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables and indexes if missing and migrate the file to SCHEMA_VERSION.

    Must run inside a write (`BEGIN IMMEDIATE`) transaction, so processes racing to
    create or upgrade a file serialise and the upgrade commits whole or not at all.
    Raises `StorageError` when the file was written by a newer schema, which this code
    must not touch; sqlite3 errors propagate.
    """
    for statement in _DDL:
        conn.execute(statement)
    conn.execute("INSERT INTO schema_version (id, version) VALUES (1, 1) ON CONFLICT DO NOTHING")
    (version,) = conn.execute("SELECT version FROM schema_version").fetchone()
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"database schema version {version} is newer than this plugin's ({SCHEMA_VERSION})"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for statement in _MIGRATIONS[target]:
            conn.execute(statement)
        conn.execute("UPDATE schema_version SET version = ?", (target,))
