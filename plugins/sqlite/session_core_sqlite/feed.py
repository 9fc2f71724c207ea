"""The revocation feed on SQLite: its statements, run on the store's connections.

Every function takes a connection the store has already prepared: `append` and `prune`
one inside a `BEGIN IMMEDIATE` transaction, `read` any connection. The feed's clock is
this host's `time.time()`: SQLite has no server, so the store's clock is its own.
Because `append` reads it after taking the write lock and commits at once, commit order
equals recorded order and `recorded_at` never lags its commit by more than one insert.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence

from core_server.domain.models import FeedEntry, FeedPage
from core_server.storage import sql_rows

# SQL is assembled only from constants; values are bound parameters.
_INSERT = (
    sql_rows.insert_sql("revocation_feed", f"{sql_rows.FEED_INSERT_COLUMNS}, recorded_at", "?")
    + " ON CONFLICT (kind, subject) DO NOTHING"
)
_SELECT = f"SELECT {sql_rows.FEED_COLUMNS} FROM revocation_feed"  # noqa: S608
_READ_ALL = f"{_SELECT} ORDER BY sequence"
_READ_AFTER = f"{_SELECT} WHERE recorded_at > ? ORDER BY sequence"
_PRUNE = (
    "DELETE FROM revocation_feed WHERE sequence IN"
    " (SELECT sequence FROM revocation_feed WHERE expires_at <= ? LIMIT ?)"
)


def append(conn: sqlite3.Connection, entries: Sequence[FeedEntry]) -> int:
    """Insert the entries not yet in the feed, in the order given; return how many."""
    recorded_at = time.time()
    rows = [(*sql_rows.feed_values(entry), recorded_at) for entry in entries]
    # executemany's rowcount sums the rows each insert added: 0 for a skipped duplicate.
    return max(conn.executemany(_INSERT, rows).rowcount, 0)


def read(conn: sqlite3.Connection, recorded_after: float | None) -> FeedPage:
    """Entries recorded strictly after `recorded_after` (all when None), by sequence.

    One SELECT, hence one consistent snapshot of the feed.
    """
    if recorded_after is None:
        rows = conn.execute(_READ_ALL).fetchall()
    else:
        rows = conn.execute(_READ_AFTER, (recorded_after,)).fetchall()
    # Read after the rows: every entry returned committed, and so was recorded, before
    # it. An entry missed committed after the query began, and was recorded at most one
    # insert before that commit, so it lies within the read's duration of read_at: the
    # caller's overlap covers it.
    return FeedPage(entries=[sql_rows.feed_from_row(row) for row in rows], read_at=time.time())


def prune(conn: sqlite3.Connection, now: float, limit: int) -> int:
    """Delete up to `limit` entries whose `expires_at` is at or before `now`."""
    return conn.execute(_PRUNE, (now, limit)).rowcount
