"""The PostgreSQL schema, its migration and the mapping between rows and records.

`MIGRATE` runs as one implicit transaction under a transaction-scoped advisory lock, so
several processes starting together on a new database create the schema exactly once
and the others wait for it. Hashes and wrapped keys are BYTEA, times DOUBLE PRECISION
(seconds since the epoch, exactly as the core passed them), JSON is TEXT stored byte for
byte as given. Identifiers use the "C" collation: comparisons and keyset pagination are
by bytes, whatever the database's locale. `expires_at` is min(idle, absolute) expiry,
kept by every write that changes either, so liveness checks, listings and the sweeper
use one indexed column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core_server.domain.models import (
    ClientInfo,
    FeedEntry,
    FeedKind,
    KeyKind,
    PinnedKeys,
    SessionRecord,
    StoredKey,
    TheftEvent,
)

SCHEMA_VERSION = 1
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

# One query string: the lock, the DDL and the version check commit (or fail) together.
MIGRATE = ";\n".join(
    (
        f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})",
        *_DDL,
        "INSERT INTO schema_version (id, version) VALUES (1, %(version)s) ON CONFLICT DO NOTHING",
        "SELECT version FROM schema_version",
    )
)

SESSION_COLUMNS = (
    "handle, user_id, created_at, idle_expires_at, absolute_expires_at, user_agent, ip_address, "
    "access_token_claims_json, session_data_json, anti_csrf, mac_key_id, refresh_key_id, "
    "anti_csrf_key_id, generation, current_hash, previous_hash, rotated_at, revoked_at"
)
KEY_COLUMNS = (
    "key_id, kind, slot, algorithm, wrapped_secret, wrapping_key_id, public_jwk_json, "
    "created_at, sign_from, sign_until, verify_until, delete_at"
)
FEED_COLUMNS = (
    "sequence, kind, subject, revoked_at, expires_at, recorded_at, theft_user_id, "
    "theft_presented_generation, theft_current_generation"
)


def session_values(record: SessionRecord) -> tuple[Any, ...]:
    """The row for `record`, in SESSION_COLUMNS order followed by `expires_at`."""
    return (
        record.handle,
        record.user_id,
        record.created_at,
        record.idle_expires_at,
        record.absolute_expires_at,
        record.client.user_agent,
        record.client.ip_address,
        record.access_token_claims_json,
        record.session_data_json,
        record.anti_csrf,
        record.keys.mac,
        record.keys.refresh,
        record.keys.anti_csrf,
        record.generation,
        record.current_hash,
        record.previous_hash,
        record.rotated_at,
        record.revoked_at,
        record.expires_at,
    )


def session_from_row(row: Sequence[Any]) -> SessionRecord:
    """The record for a row selected with SESSION_COLUMNS (BYTEA arrives as memoryview)."""
    return SessionRecord(
        handle=row[0],
        user_id=row[1],
        created_at=row[2],
        idle_expires_at=row[3],
        absolute_expires_at=row[4],
        client=ClientInfo(user_agent=row[5], ip_address=row[6]),
        access_token_claims_json=row[7],
        session_data_json=row[8],
        anti_csrf=row[9],
        keys=PinnedKeys(mac=row[10], refresh=row[11], anti_csrf=row[12]),
        generation=row[13],
        current_hash=bytes(row[14]),
        previous_hash=None if row[15] is None else bytes(row[15]),
        rotated_at=row[16],
        revoked_at=row[17],
    )


def key_values(key: StoredKey) -> tuple[Any, ...]:
    """The row for `key`, in KEY_COLUMNS order."""
    return (
        key.key_id,
        key.kind.value,
        key.slot,
        key.algorithm,
        key.wrapped_secret,
        key.wrapping_key_id,
        key.public_jwk_json,
        key.created_at,
        key.sign_from,
        key.sign_until,
        key.verify_until,
        key.delete_at,
    )


def key_from_row(row: Sequence[Any]) -> StoredKey:
    """The key for a row selected with KEY_COLUMNS."""
    return StoredKey(
        key_id=row[0],
        kind=KeyKind(row[1]),
        slot=row[2],
        algorithm=row[3],
        wrapped_secret=bytes(row[4]),
        wrapping_key_id=row[5],
        public_jwk_json=row[6],
        created_at=row[7],
        sign_from=row[8],
        sign_until=row[9],
        verify_until=row[10],
        delete_at=row[11],
    )


def feed_arrays(entries: Sequence[FeedEntry]) -> tuple[list[Any], ...]:
    """The entries as column arrays for `unnest`, in the order given."""
    thefts = [entry.theft for entry in entries]
    return (
        [entry.kind.value for entry in entries],
        [entry.subject for entry in entries],
        [entry.revoked_at for entry in entries],
        [entry.expires_at for entry in entries],
        [None if theft is None else theft.user_id for theft in thefts],
        [None if theft is None else theft.presented_generation for theft in thefts],
        [None if theft is None else theft.current_generation for theft in thefts],
    )


def feed_from_row(row: Sequence[Any]) -> FeedEntry:
    """The entry for a row selected with FEED_COLUMNS."""
    theft = None
    if row[6] is not None:
        theft = TheftEvent(user_id=row[6], presented_generation=row[7], current_generation=row[8])
    return FeedEntry(
        kind=FeedKind(row[1]),
        subject=row[2],
        revoked_at=row[3],
        expires_at=row[4],
        theft=theft,
        sequence=row[0],
        recorded_at=row[5],
    )
