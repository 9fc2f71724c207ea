"""The revocation feed on MongoDB: entries in `revocation_feed`, _id = sequence.

- The feed's clock is the server's: the `localTime` of a `hello` command (millisecond
  precision), which every core process connected to it shares. On a sharded cluster
  each router answers with its own clock; keep them in sync well inside the overlap.
- `append` is idempotent per (kind, subject) through a unique index. Sequences come
  from the highest one ever used (the feed's, or the high-water mark pruning leaves in
  `feed_high_water`) plus one; the entry's unique _id arbitrates, so of two appends
  that picked one sequence only one gets it and the other takes the next. No counter is
  updated in place, which a read-modify-write server could lose.
- `recorded_at` is the clock read before the insert, `read_at` the clock read after the
  find: every entry a read returns was recorded before its `read_at`, and an entry a
  read missed commits within FEED_BOUND_SECONDS of its `recorded_at` (appends run under
  that timeout), so a reader asking from `read_at - overlap` next time finds it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pymongo

from core_server.domain.models import FeedEntry, FeedPage
from session_core_mongodb import documents as docs
from session_core_mongodb._connections import Db, insert_new

# Far inside the readers' overlap window (2 s at least, 10 s by default). An append cut
# short is no loss: the sweeper's reconciliation writes the entry again.
FEED_BOUND_SECONDS = 1.0
_HIGHEST = [("_id", pymongo.DESCENDING)]


def server_clock(db: Db) -> float:
    """The server's time in seconds since the epoch, from `hello`."""
    local: datetime.datetime = db.command("hello")["localTime"]
    if local.tzinfo is None:  # pymongo returns naive UTC datetimes unless told otherwise
        local = local.replace(tzinfo=datetime.UTC)
    return local.timestamp()


def append(db: Db, entries: Sequence[FeedEntry]) -> int:
    """Insert the entries whose (kind, subject) is new, in the order given; how many."""
    pending = list({(e.kind, e.subject): e for e in reversed(entries)}.values())[::-1]
    recorded_at = server_clock(db)
    added = 0
    while pending:
        start = _next_sequence(db)
        batch = [docs.feed_entry_doc(e, start + i, recorded_at) for i, e in enumerate(pending)]
        refused = insert_new(db, docs.FEED, batch)
        added += len(batch) - len(refused)
        retry = [pending[index] for index in sorted(refused)]
        known = _known_subjects(db, retry)
        # Refused for its subject: already in the feed. Otherwise its sequence was taken.
        pending = [entry for entry in retry if (entry.kind.value, entry.subject) not in known]
    return added


def read(db: Db, recorded_after: float | None) -> FeedPage:
    """Entries recorded strictly after `recorded_after` (all when None), by sequence."""
    query: dict[str, Any] = (
        {} if recorded_after is None else {"recorded_at": {"$gt": recorded_after}}
    )
    entries = [docs.feed_entry(doc) for doc in db[docs.FEED].find(query).sort("_id", 1)]
    return FeedPage(entries=entries, read_at=server_clock(db))


def prune(db: Db, now: float, limit: int) -> int:
    """Delete up to `limit` expired entries, oldest first, keeping their highest sequence."""
    expired = db[docs.FEED].find({"expires_at": {"$lte": now}}, {"_id": 1})
    doomed = [doc["_id"] for doc in expired.sort("_id", 1).limit(limit)]
    if not doomed:
        return 0
    _raise_high_water(db, max(doomed))
    return db[docs.FEED].delete_many({"_id": {"$in": doomed}}).deleted_count


def _next_sequence(db: Db) -> int:
    highest = 0
    for collection in (docs.FEED, docs.FEED_HIGH_WATER):
        doc = db[collection].find_one({}, {"_id": 1}, sort=_HIGHEST)
        if doc is not None:
            highest = max(highest, int(doc["_id"]))
    return highest + 1


def _raise_high_water(db: Db, sequence: int) -> None:
    """Record that `sequence` was used, so pruning it never lets it be reused.

    An insert, then a delete of lower marks: the highest mark is never deleted, however
    many prunes race.
    """
    insert_new(db, docs.FEED_HIGH_WATER, [{"_id": sequence}])
    db[docs.FEED_HIGH_WATER].delete_many({"_id": {"$lt": sequence}})


def _known_subjects(db: Db, entries: Sequence[FeedEntry]) -> set[tuple[str, str]]:
    if not entries:
        return set()
    wanted = [{"kind": e.kind.value, "subject": docs.text(e.subject)} for e in entries]
    found = db[docs.FEED].find({"$or": wanted}, {"kind": 1, "subject": 1})
    return {(doc["kind"], doc["subject"]) for doc in found}
