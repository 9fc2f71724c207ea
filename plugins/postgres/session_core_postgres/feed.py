"""The revocation feed on PostgreSQL: its statements, run through the store's `execute`.

Every function takes the store's statement runner (`Execute`), which sends one
statement as its own transaction under a statement timeout and translates errors.
The feed's clock is the database's (`clock_timestamp()`), which every core process
shares. Appends run under a statement timeout of at most FEED_STATEMENT_TIMEOUT_MS, so
no entry commits later than that after it was recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from core_server.domain.models import FeedEntry, FeedPage
from core_server.storage import sql_rows

# The feed's readers re-read an overlap window (2 s at least, 10 s by default); no feed
# write may commit later than that after it was recorded, so appends get a bound well
# inside it. An append cut short is no loss: the sweeper's reconciliation writes the
# entry again, with a fresh recorded_at.
FEED_STATEMENT_TIMEOUT_MS = 1000

# SQL is assembled only from the constants here and in `sql_rows`; every value is a
# bound parameter, hence the S608 ("SQL built from strings") waivers.
# recorded_at is the database's clock, which every core process shares.
_APPEND = (
    f"INSERT INTO revocation_feed ({sql_rows.FEED_INSERT_COLUMNS}, recorded_at)"  # noqa: S608
    " SELECT k, s, r, e, u, p, c, extract(epoch FROM clock_timestamp())"
    " FROM unnest(%s::text[], %s::text[], %s::float8[], %s::float8[], %s::text[],"
    " %s::bigint[], %s::bigint[]) WITH ORDINALITY AS t (k, s, r, e, u, p, c, i)"
    " ORDER BY i ON CONFLICT (kind, subject) DO NOTHING RETURNING sequence"
)
# read_at is the database's clock once the statement's snapshot is taken: every entry
# the read returns committed, and so was recorded, before it. An entry missing from the
# read commits later, within the feed's statement timeout of its recorded_at, so a reader
# asking from read_at - overlap next time finds it. The subquery's volatile clock is
# evaluated once; the LEFT JOIN yields read_at even for an empty feed.
_READ = (
    "SELECT clock.read_at,"  # noqa: S608
    f" {', '.join('f.' + c.strip() for c in sql_rows.FEED_COLUMNS.split(','))}"
    " FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS read_at) AS clock"
    " LEFT JOIN revocation_feed AS f"
    " ON %(after)s::float8 IS NULL OR f.recorded_at > %(after)s::float8"
    " ORDER BY f.sequence"
)
_PRUNE = (
    "DELETE FROM revocation_feed WHERE sequence IN (SELECT sequence FROM revocation_feed"
    " WHERE expires_at <= %s ORDER BY sequence LIMIT %s)"
)


class Execute(Protocol):
    """The store's runner: one statement as one transaction; returns (rows, row count)."""

    def __call__(
        self,
        operation: str,
        sql: str,
        params: Sequence[Any] | dict[str, Any] | None = None,
        timeout_cap_ms: int | None = None,
    ) -> tuple[list[tuple[Any, ...]], int]: ...


def append(execute: Execute, entries: Sequence[FeedEntry]) -> int:
    """One INSERT ... ON CONFLICT DO NOTHING of the entries, in the order given; how many new."""
    rows, _ = execute(
        "append to the revocation feed",
        _APPEND,
        feed_arrays(entries),
        timeout_cap_ms=FEED_STATEMENT_TIMEOUT_MS,
    )
    return len(rows)


def read(execute: Execute, recorded_after: float | None) -> FeedPage:
    """Entries recorded strictly after `recorded_after` (all when None), by sequence."""
    rows, _ = execute("read the revocation feed", _READ, {"after": recorded_after})
    entries = [sql_rows.feed_from_row(row[1:]) for row in rows if row[1] is not None]
    return FeedPage(entries=entries, read_at=rows[0][0])


def prune(execute: Execute, now: float, limit: int) -> int:
    """Delete up to `limit` entries whose `expires_at` is at or before `now`, oldest first."""
    return execute("prune the revocation feed", _PRUNE, (now, limit))[1]


def feed_arrays(entries: Sequence[FeedEntry]) -> tuple[list[Any], ...]:
    """The entries as column arrays for `unnest`, in FEED_INSERT_COLUMNS order.

    Each array lists the entries in the order given.
    """
    rows = [sql_rows.feed_values(entry) for entry in entries]
    width = len(sql_rows.FEED_INSERT_COLUMNS.split(","))
    return tuple([row[column] for row in rows] for column in range(width))
