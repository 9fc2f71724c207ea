"""Rows of SQL stores: column order and conversion to the port's records.

Every SQL plugin names its columns alike and selects and inserts them in the orders
given here, so one mapping serves them all; each plugin keeps its DDL and every
statement its dialect words differently.
Driver differences end here: BLOB and BYTEA values may arrive as `memoryview`
(psycopg2) and are returned as `bytes`, booleans may arrive as integers (SQLite) and
are returned as `bool`, NULL is None both ways. Values written are plain Python values
that every DB-API driver binds as they are (SQLite stores a bool as the integer 0 or 1).
"""

from __future__ import annotations

import math
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

SESSION_COLUMNS = (
    "handle, user_id, created_at, idle_expires_at, absolute_expires_at, user_agent, ip_address, "
    "access_token_claims_json, session_data_json, anti_csrf, mac_key_id, refresh_key_id, "
    "anti_csrf_key_id, generation, current_hash, previous_hash, rotated_at, revoked_at"
)
# An insert also writes `expires_at`, which is derived and so never read back.
SESSION_INSERT_COLUMNS = f"{SESSION_COLUMNS}, expires_at"
KEY_COLUMNS = (
    "key_id, kind, slot, algorithm, wrapped_secret, wrapping_key_id, public_jwk_json, "
    "created_at, sign_from, sign_until, verify_until, delete_at, revoked_at"
)
FEED_COLUMNS = (
    "sequence, kind, subject, revoked_at, expires_at, recorded_at, theft_user_id, "
    "theft_presented_generation, theft_current_generation"
)
# What an append supplies; the store assigns `sequence` and `recorded_at` itself.
FEED_INSERT_COLUMNS = (
    "kind, subject, revoked_at, expires_at, theft_user_id, theft_presented_generation, "
    "theft_current_generation"
)

# SQL is assembled only from the constants here and the plugins' own; every value is a
# bound parameter, hence the S608 ("SQL built from strings") waivers.
SELECT_SESSIONS = f"SELECT {SESSION_COLUMNS} FROM sessions"  # noqa: S608
SELECT_KEYS = f"SELECT {KEY_COLUMNS} FROM keys"  # noqa: S608


def insert_sql(table: str, columns: str, mark: str) -> str:
    """`INSERT INTO table (columns) VALUES (...)` with one parameter `mark` per column.

    `mark` is the driver's positional parameter: `?` for sqlite3, `%s` for psycopg2.
    """
    values = ", ".join([mark] * len(columns.split(",")))
    return f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608


def keyset_after(after: tuple[float, str] | None) -> tuple[float, str]:
    """The (created_at, handle) a user's listing continues strictly after.

    (-inf, "") sorts before every row, so the first page runs the same query.
    """
    return after if after is not None else (-math.inf, "")


def session_values(record: SessionRecord) -> tuple[Any, ...]:
    """The row for `record`, in SESSION_INSERT_COLUMNS order."""
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
    """The record for a row selected with SESSION_COLUMNS."""
    return SessionRecord(
        handle=row[0],
        user_id=row[1],
        created_at=row[2],
        idle_expires_at=row[3],
        absolute_expires_at=row[4],
        client=ClientInfo(user_agent=row[5], ip_address=row[6]),
        access_token_claims_json=row[7],
        session_data_json=row[8],
        anti_csrf=bool(row[9]),
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
        key.revoked_at,
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
        revoked_at=row[12],
    )


def feed_values(entry: FeedEntry) -> tuple[Any, ...]:
    """The row for `entry`, in FEED_INSERT_COLUMNS order (NULL theft columns if no theft)."""
    theft = entry.theft
    return (
        entry.kind.value,
        entry.subject,
        entry.revoked_at,
        entry.expires_at,
        None if theft is None else theft.user_id,
        None if theft is None else theft.presented_generation,
        None if theft is None else theft.current_generation,
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
