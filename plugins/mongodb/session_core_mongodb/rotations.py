"""Rotation records, found on the hot paths by `_id` equality alone.

FerretDB v1 (SQLite) hands SQLite only a filter that is exactly one `_id` equality
(nothing else, not even the handle beside it); any other filter (another field, `$in`,
a range, a sort) makes it read and decode every document of the collection in Go, some
20 times slower per document. (Even an `_id` equality is a table scan inside SQLite,
whose index on `_id` is on another expression, but a cheap one.) A record's `_id` is
therefore `documents.record_id(h, g)`, and reading, rotating, updating and revoking one
session use only `_id` lookups (on MongoDB they are point reads). Batch reads and the
sweeper keep the queries on the (h, g) index.

Which record is current, the one with the highest generation, is found by probing
forward from the head's `hint`: records hint, hint+1, ... until one is missing; the
last found is the newest. That is exact because, from the hint up, a live session's
records have no gap:

- Generation g+1 is inserted only by a caller that read g as the newest, and the unique
  `_id` lets exactly one in (the compare-and-set); records are never rewritten.
- A rotation raises the hint (`$max`) after its insert won and before it prunes, and
  pruning deletes only records below the pruner's own generation written over
  PRUNE_AFTER_SECONDS ago. FerretDB can lose a concurrent `$max` and leave the hint at
  an older value, but only at the generation of a rotation still running (younger
  than any store call may last), whose record and every later one are far younger
  than PRUNE_AFTER_SECONDS: none of them can have been pruned.
- A rotation withdraws its record only when the session is revoked, which is for good.
- The sweeper inserts its marker as the newest record and deletes the others lowest
  first, so whatever a probe sees from the hint up still ends at the marker.

Where the hint's own record is missing (a create or a sweep cut short, or a head
without a hint), `newest` falls back to the query on (h, g), exact whatever the hint.

Pruning walks up from the `low` the newest record names (the lowest generation kept
when it was written), deleting records written over PRUNE_AFTER_SECONDS ago until it
meets a younger one, lowest first; the new record names where it stopped. A pruning cut
short (or a layout-1 record, which names no `low`) leaves records below that `low`,
below every hint, never read again: the sweeper deletes them with the session (and TTL
indexes on MongoDB). Each rotation marks only its predecessor `superseded`; one left
unmarked by a crash delays the sweeper's candidates only until it is pruned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pymongo

from session_core_mongodb import documents as docs
from session_core_mongodb._connections import Db

Doc = Mapping[str, Any]
# Two hours: past any store call's longest life (MAX_CALL_SECONDS) by far, clock skew included.
PRUNE_AFTER_SECONDS = 7200.0
_NEWEST = [("g", pymongo.DESCENDING)]


def by_id(handle: str, generation: int) -> dict[str, Any]:
    """The filter for one record: its `_id` alone (FerretDB scans for any other filter)."""
    return {"_id": docs.record_id(handle, generation)}


def get(db: Db, handle: str, generation: int) -> Doc | None:
    """One generation's record."""
    return db[docs.ROTATIONS].find_one(by_id(handle, generation))


def newest(db: Db, handle: str, hint: object) -> Doc | None:
    """The handle's record with the highest generation, probing forward from `hint`."""
    found = get(db, handle, hint) if isinstance(hint, int) else None
    if found is None:
        return exact_newest(db, [handle]).get(handle)
    while (following := get(db, handle, found["g"] + 1)) is not None:
        found = following
    return found


def newest_of(db: Db, heads: Mapping[str, Doc]) -> dict[str, Doc]:
    """The newest record of each head's session: probed for one, one query for several."""
    if len(heads) != 1:
        return exact_newest(db, list(heads))
    handle, head = next(iter(heads.items()))
    found = newest(db, handle, head.get("hint"))
    return {} if found is None else {handle: found}


def exact_newest(db: Db, handles: Sequence[str]) -> dict[str, Doc]:
    """Each handle's record with the highest generation, by the (h, g) index."""
    if len(handles) == 1:
        doc = db[docs.ROTATIONS].find_one({"h": handles[0]}, sort=_NEWEST)
        return {} if doc is None else {handles[0]: doc}
    newest_by_handle: dict[str, Doc] = {}
    for doc in db[docs.ROTATIONS].find({"h": {"$in": list(handles)}}) if handles else ():
        if doc["h"] not in newest_by_handle or doc["g"] > newest_by_handle[doc["h"]]["g"]:
            newest_by_handle[doc["h"]] = doc
    return newest_by_handle


def prunable(db: Db, latest: Doc, now: float) -> tuple[int, list[Doc]]:
    """From the newest record's `low` up: (the lowest generation kept, the records to delete).

    Reads only; the caller deletes them with `advance` once its own record is in.
    """
    handle, generation = latest["h"], latest.get("low", latest["g"])
    doomed: list[Doc] = []
    while generation <= latest["g"]:
        record = latest if generation == latest["g"] else get(db, handle, generation)
        if record is not None and record["since"] >= now - PRUNE_AFTER_SECONDS:
            break
        if record is not None:
            doomed.append(record)
        generation += 1
    return generation, doomed


def advance(db: Db, previous: Doc, doomed: Sequence[Doc]) -> None:
    """After the successor of `previous` won: raise the hint, mark `previous`, prune.

    The hint is raised before anything is pruned, so no probe starts below a deletion.
    `previous` is marked by its own `_id`, which a layout-1 record has too.
    """
    handle = previous["h"]
    db[docs.SESSIONS].update_one({"_id": handle}, {"$max": {"hint": previous["g"] + 1}})
    db[docs.ROTATIONS].update_one({"_id": previous["_id"]}, {"$set": {"superseded": True}})
    for record in doomed:
        db[docs.ROTATIONS].delete_one({"_id": record["_id"]})


def delete_all(db: Db, handle: str) -> None:
    """Delete a session's records lowest first, all but the sweeper's markers."""
    query = {"h": handle, "swept": {"$ne": True}}
    for doc in db[docs.ROTATIONS].find(query, {"g": 1}).sort("g", pymongo.ASCENDING):
        db[docs.ROTATIONS].delete_one({"_id": doc["_id"]})
