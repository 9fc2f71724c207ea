"""Sessions on MongoDB, correct where every update is a read-modify-write.

Real MongoDB updates one document atomically, but FerretDB v1 (our test server) reads a
document, changes it and overwrites it whole by `_id`: two writers to one document can
lose each other's changes, and two conditional updates can both "succeed". So nothing
here relies on an update. Every arbitration is an insert into a unique index, which
both servers enforce atomically, and no document is written by two kinds of operation:

- Rotation inserts the record of generation g+1 into `rotations` (its `_id` names the
  handle and the generation): of racing rotations exactly one insert succeeds. The
  current state is the record with the highest generation. A crash after the insert
  leaves the new generation in force, so a retry sees it and replays (grace window).
- Revocation inserts a tombstone (`revocations`, _id = handle). A rotation that won its
  insert then reads the tombstone and answers CONFLICT (withdrawing its record) if one
  exists: so no rotation succeeds once a revocation has returned.
- Data and claims each live in a document of their own that rotation never writes.
- The sweeper claims the next generation with a marker record, the same insert a
  rotation makes, so a session is deleted only if no rotation extended it meanwhile.

Records a newer one replaced are marked `superseded` (so the sweeper skips them) and
deleted PRUNE_AFTER_SECONDS after they were written, as are the sweeper's markers:
far longer than any store call may last (see `_connections`), so a rotation that read
an old state can never insert a generation whose record was already deleted.

Reading, rotating, updating and revoking one session look documents up by `_id` only
(`rotations` says how the current record is found that way and why it is exact): on
FerretDB, which decodes a whole collection in Go for any other filter, that is many
times cheaper, though still a scan inside SQLite. The only writes to a head after its
create are the rotations' `$max` of its `hint`, which may be lost without harm.

Layout 2 (this one) gave rotation records their `_id`s and heads their `hint`. A
database of layout 1 needs no migration: its heads have no hint, so their sessions are
read by the (h, g) query until their first rotation here, and their old records stay
until the sweeper deletes the session. It is a clean break for processes, though: stop
every process of layout 1 before starting one of layout 2 (which marks the database so
that a layout-1 process then refuses to open it), since a layout-1 rotation writes a
record the probe cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pymongo
from pymongo.errors import DuplicateKeyError

from core_server.domain.models import RotateResult, Rotation, SessionRecord
from session_core_mongodb import documents as docs
from session_core_mongodb import rotations
from session_core_mongodb._connections import Db, insert_new
from session_core_mongodb.rotations import PRUNE_AFTER_SECONDS

Doc = Mapping[str, Any]


def insert(db: Db, record: SessionRecord) -> None:
    """The head first: its unique _id decides whether the handle is free."""
    db[docs.SESSIONS].insert_one(docs.head(record))
    db[docs.ROTATIONS].insert_one(docs.first_rotation(record))
    absolute = record.absolute_expires_at
    db[docs.SESSION_CLAIMS].insert_one(
        docs.value(record.handle, record.access_token_claims_json, absolute)
    )
    db[docs.SESSION_DATA].insert_one(docs.value(record.handle, record.session_data_json, absolute))
    if record.revoked_at is not None:
        db[docs.REVOCATIONS].insert_one(docs.tombstone(record.handle, record.revoked_at, absolute))


def load(db: Db, handles: Sequence[str]) -> dict[str, SessionRecord]:
    """The sessions among `handles` that exist (live or not), by handle.

    A session whose documents are incomplete (a create or a sweep cut short) or whose
    newest record is the sweeper's marker does not exist.
    """
    heads = _by_id(db, docs.SESSIONS, handles)
    if not heads:
        return {}
    found = list(heads)
    latest = rotations.newest_of(db, heads)
    claims = _by_id(db, docs.SESSION_CLAIMS, found)
    data = _by_id(db, docs.SESSION_DATA, found)
    tombstones = _by_id(db, docs.REVOCATIONS, found)
    records = {}
    for handle in found:
        record = latest.get(handle)
        if record is None or record.get("swept") or handle not in claims or handle not in data:
            continue
        revoked = tombstones.get(handle)
        values = (claims[handle]["json"], data[handle]["json"])
        records[handle] = docs.session_record(
            heads[handle], record, values, None if revoked is None else revoked["revoked_at"]
        )
    return records


def rotate(db: Db, rotation: Rotation, now: float) -> RotateResult:
    """Insert generation g+1 if g is current and live; see the module doc."""
    handle, generation = docs.text(rotation.handle), rotation.expected_generation
    latest = _current(db, handle)
    if latest is None or not _rotatable(db, latest, rotation, now):
        return RotateResult.CONFLICT
    low, doomed = rotations.prunable(db, latest, now)
    record = docs.rotation(
        handle,
        generation + 1,
        (rotation.new_hash, rotation.expected_hash),
        (rotation.rotated_at, rotation.idle_expires_at, latest["absolute_expires_at"]),
        now,
        low,
    )
    try:
        db[docs.ROTATIONS].insert_one(record)
    except DuplicateKeyError:
        return RotateResult.CONFLICT  # another rotation (or the sweeper) took g+1
    if _revoked(db, handle):
        db[docs.ROTATIONS].delete_one(rotations.by_id(handle, generation + 1))
        return RotateResult.CONFLICT
    rotations.advance(db, latest, doomed)
    return RotateResult.ROTATED


def update_value(db: Db, collection: str, handle: str, json_text: str, now: float) -> bool:
    """Replace a live session's data or claims document; False if none is live."""
    handle = docs.text(handle)
    latest = _current(db, handle)
    if not _live(latest, now) or _revoked(db, handle):
        return False
    result = db[collection].update_one({"_id": handle}, {"$set": {"json": docs.text(json_text)}})
    return result.matched_count == 1


def revoke(db: Db, handles: Sequence[str], now: float) -> list[str]:
    """Insert a tombstone for each live session; the handles whose insert succeeded."""
    unique = [docs.text(handle) for handle in dict.fromkeys(handles)]
    if not unique:
        return []
    heads = _by_id(db, docs.SESSIONS, unique, {"absolute_expires_at": 1, "hint": 1})
    latest = rotations.newest_of(db, heads)
    tombstones = _by_id(db, docs.REVOCATIONS, list(heads), {"_id": 1})
    live = [h for h in unique if h in heads and _live(latest.get(h), now) and h not in tombstones]
    stones = [docs.tombstone(h, now, heads[h]["absolute_expires_at"]) for h in live]
    lost = insert_new(db, docs.REVOCATIONS, stones)
    return [handle for index, handle in enumerate(live) if index not in lost]


def user_handles(db: Db, user_id: str, now: float) -> list[str]:
    """Handles of the user's sessions that are not past their absolute expiry."""
    query = {"user_id": docs.text(user_id), "absolute_expires_at": {"$gt": now}}
    return [doc["_id"] for doc in db[docs.SESSIONS].find(query, {"_id": 1})]


def list_user(
    db: Db, user_id: str, now: float, after: tuple[float, str] | None, limit: int
) -> list[SessionRecord]:
    """Live sessions by (created_at, handle) after `after`, read in batches of the heads."""
    found: list[SessionRecord] = []
    while len(found) < limit:
        query: dict[str, Any] = {"user_id": docs.text(user_id), "absolute_expires_at": {"$gt": now}}
        if after is not None:
            query["$or"] = _after_created(after)
        order = [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]
        batch = list(db[docs.SESSIONS].find(query, {"created_at": 1}).sort(order).limit(limit))
        records = load(db, [doc["_id"] for doc in batch])
        found += [r for doc in batch if (r := records.get(doc["_id"])) and r.is_live(now)]
        if len(batch) < limit:
            break
        after = (batch[-1]["created_at"], batch[-1]["_id"])
    return found[:limit]


def delete_expired(db: Db, now: float, limit: int) -> int:
    """Delete up to `limit` sessions whose newest record expired; then headless leftovers."""
    query = {"expires_at": {"$lte": now}, "superseded": {"$ne": True}, "swept": {"$ne": True}}
    candidates = db[docs.ROTATIONS].find(query, {"h": 1}).sort("expires_at", 1).limit(limit)
    handles = list(dict.fromkeys(doc["h"] for doc in candidates))
    latest = rotations.exact_newest(db, handles)
    deleted = 0
    for handle in handles:
        record = latest.get(handle)
        if record is not None and record["expires_at"] <= now and _claim(db, record, now):
            deleted += _delete_all(db, handle)
    if deleted < limit:  # heads a cut-short create left without records
        gone = db[docs.SESSIONS].find({"absolute_expires_at": {"$lte": now}}, {"_id": 1})
        for doc in gone.limit(limit - deleted):
            deleted += _delete_all(db, doc["_id"])
    old_markers = {"swept": True, "since": {"$lt": now - PRUNE_AFTER_SECONDS}}
    db[docs.ROTATIONS].delete_many(old_markers)
    return deleted


def list_revoked(db: Db, after: tuple[float, str], limit: int) -> list[SessionRecord]:
    """Revoked sessions by (revoked_at, handle) after `after`, skipping tombstones alone."""
    found: list[SessionRecord] = []
    while len(found) < limit:
        order = [("revoked_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]
        query = {"$or": _after_revoked(after)}
        batch = list(db[docs.REVOCATIONS].find(query).sort(order).limit(limit))
        records = load(db, [doc["_id"] for doc in batch])
        found += [records[doc["_id"]] for doc in batch if doc["_id"] in records]
        if len(batch) < limit:
            break
        after = (batch[-1]["revoked_at"], batch[-1]["_id"])
    return found[:limit]


def _current(db: Db, handle: str) -> Doc | None:
    """The session's newest record, probed from its head's hint (`rotations`)."""
    head = db[docs.SESSIONS].find_one({"_id": handle}, {"hint": 1})
    return rotations.newest_of(db, {handle: head} if head else {}).get(handle)


def _rotatable(db: Db, latest: Doc, rotation: Rotation, now: float) -> bool:
    if not _live(latest, now):
        return False
    if latest["g"] != rotation.expected_generation:
        return False
    if bytes(latest["current_hash"]) != rotation.expected_hash:
        return False
    return not _revoked(db, rotation.handle)


def _live(record: Doc | None, now: float) -> bool:
    return record is not None and not record.get("swept") and now < record["expires_at"]


def _revoked(db: Db, handle: str) -> bool:
    return db[docs.REVOCATIONS].find_one({"_id": handle}, {"_id": 1}) is not None


def _claim(db: Db, latest: Doc, now: float) -> bool:
    """Insert the sweeper's marker as generation g+1; False if a rotation took it."""
    if latest.get("swept"):
        return True  # a sweep claimed it and was cut short: finish it
    try:
        db[docs.ROTATIONS].insert_one(docs.sweep_marker(latest, now))
    except DuplicateKeyError:
        return False
    return True


def _delete_all(db: Db, handle: str) -> int:
    """Delete a session's documents, the head first; 1 if it had a head.

    The sweeper's marker stays until it is old, so no late rotation can reuse its
    generation; the records go last, so a sweep cut short is found and finished.
    """
    deleted = db[docs.SESSIONS].delete_one({"_id": handle}).deleted_count
    for collection in (docs.SESSION_DATA, docs.SESSION_CLAIMS, docs.REVOCATIONS):
        db[collection].delete_one({"_id": handle})
    rotations.delete_all(db, handle)
    return deleted


def _by_id(
    db: Db, collection: str, ids: Iterable[str], projection: dict[str, int] | None = None
) -> dict[str, Doc]:
    """Documents by _id; one id is an equality, which FerretDB looks up without a scan."""
    wanted = list(ids)
    if not wanted:
        return {}
    query: dict[str, Any] = {"_id": wanted[0]} if len(wanted) == 1 else {"_id": {"$in": wanted}}
    return {doc["_id"]: doc for doc in db[collection].find(query, projection)}


def _after_created(after: tuple[float, str]) -> list[dict[str, Any]]:
    created_at, handle = after
    return [
        {"created_at": {"$gt": created_at}},
        {"created_at": created_at, "_id": {"$gt": docs.text(handle)}},
    ]


def _after_revoked(after: tuple[float, str]) -> list[dict[str, Any]]:
    revoked_at, handle = after
    return [
        {"revoked_at": {"$gt": revoked_at}},
        {"revoked_at": revoked_at, "_id": {"$gt": docs.text(handle)}},
    ]
