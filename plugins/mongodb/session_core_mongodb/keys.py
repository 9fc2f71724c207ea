"""Stored keys on MongoDB: every race decided by a unique insert, as in `sessions`.

- `insert` is one insert into `keys`, whose _id (the key id) and unique `slot` refuse a
  second key for either.
- `revoke` inserts into `key_revocations` (_id = key id): of racing revocations exactly
  one insert succeeds, and its time is the one kept. A time given at insert lives on the
  key's own document and wins over any later revocation.
- `rewrap` inserts the key's next wrapping, version n+1, into `key_wraps` (unique
  (key_id, version)) once it has read version n with the expected wrapping key; of racing
  re-wraps from one version exactly one insert succeeds. The key's current wrapping is
  its highest version, on its document or in `key_wraps`. The winner then copies it onto
  the key's document and deletes the wrappings the document holds a newer one than, so
  a secret wrapped under the old master secret does not outlive the re-wrap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bson.binary import Binary
from pymongo.errors import DuplicateKeyError

from core_server.domain.models import StoredKey
from session_core_mongodb import documents as docs
from session_core_mongodb._connections import Db

Doc = Mapping[str, Any]
# Attempts to copy a won wrapping onto the key's document, should a racing copy of an
# older one land after ours (a read-modify-write server can do that).
_COPY_ATTEMPTS = 3


def insert(db: Db, key: StoredKey) -> bool:
    try:
        db[docs.KEYS].insert_one(docs.key(key))
    except DuplicateKeyError:
        return False
    return True


def list_all(db: Db) -> list[StoredKey]:
    revoked = {doc["_id"]: doc["revoked_at"] for doc in db[docs.KEY_REVOCATIONS].find()}
    wraps = _newest_wraps(db[docs.KEY_WRAPS].find())
    found = []
    for doc in db[docs.KEYS].find():
        wrap = _current_wrap(doc, wraps.get(doc["_id"]))
        revoked_at = doc["revoked_at"] if doc["revoked_at"] is not None else revoked.get(doc["_id"])
        found.append(docs.stored_key(doc, wrap, revoked_at))
    return found


def revoke(db: Db, key_id: str, now: float) -> bool:
    key_id = docs.text(key_id)
    doc = db[docs.KEYS].find_one({"_id": key_id}, {"revoked_at": 1})
    if doc is None or doc["revoked_at"] is not None:
        return False
    try:
        db[docs.KEY_REVOCATIONS].insert_one({"_id": key_id, "revoked_at": now})
    except DuplicateKeyError:
        return False
    if db[docs.KEYS].find_one({"_id": key_id}, {"_id": 1}) is None:
        db[docs.KEY_REVOCATIONS].delete_one({"_id": key_id})  # deleted meanwhile
    return True


def rewrap(db: Db, key_id: str, expected: str, secret: bytes, wrapping_key_id: str) -> bool:
    key_id = docs.text(key_id)
    doc = db[docs.KEYS].find_one({"_id": key_id})
    if doc is None:
        return False
    wraps = _newest_wraps(db[docs.KEY_WRAPS].find({"key_id": key_id}))
    current = _current_wrap(doc, wraps.get(key_id))
    if current["wrapping_key_id"] != expected:
        return False
    version = current["wrap_version"] + 1
    wrap = {
        "key_id": key_id,
        "wrap_version": version,
        "wrapped_secret": Binary(secret),
        "wrapping_key_id": wrapping_key_id,
    }
    try:
        db[docs.KEY_WRAPS].insert_one(wrap)
    except DuplicateKeyError:
        return False
    if _stale(db, key_id, version):
        db[docs.KEY_WRAPS].delete_one({"_id": wrap["_id"]})
        return False
    _copy_onto_key(db, key_id, wrap)
    return True


def delete(db: Db, key_ids: Sequence[str]) -> int:
    unique = [docs.text(key_id) for key_id in dict.fromkeys(key_ids)]
    if not unique:
        return 0
    deleted = db[docs.KEYS].delete_many({"_id": {"$in": unique}}).deleted_count
    db[docs.KEY_REVOCATIONS].delete_many({"_id": {"$in": unique}})
    db[docs.KEY_WRAPS].delete_many({"key_id": {"$in": unique}})
    return deleted


def _stale(db: Db, key_id: str, version: int) -> bool:
    """True when a newer wrapping than `version` exists: ours was inserted too late."""
    doc = db[docs.KEYS].find_one({"_id": key_id}, {"wrap_version": 1})
    newer = {"key_id": key_id, "wrap_version": {"$gt": version}}
    if doc is None or doc["wrap_version"] >= version:
        return True
    return db[docs.KEY_WRAPS].find_one(newer, {"_id": 1}) is not None


def _copy_onto_key(db: Db, key_id: str, wrap: Doc) -> None:
    """Best effort: put the won wrapping on the key's document, then drop older copies."""
    version = wrap["wrap_version"]
    fields = {name: wrap[name] for name in ("wrap_version", "wrapped_secret", "wrapping_key_id")}
    for _ in range(_COPY_ATTEMPTS):
        query = {"_id": key_id, "wrap_version": {"$lt": version}}
        db[docs.KEYS].update_one(query, {"$set": fields})
        doc = db[docs.KEYS].find_one({"_id": key_id}, {"wrap_version": 1})
        if doc is None:
            return
        if doc["wrap_version"] >= version:
            query = {"key_id": key_id, "wrap_version": {"$lte": doc["wrap_version"]}}
            db[docs.KEY_WRAPS].delete_many(query)
            return


def _newest_wraps(wraps: Iterable[Doc]) -> dict[str, Doc]:
    newest: dict[str, Doc] = {}
    for wrap in wraps:
        held = newest.get(wrap["key_id"])
        if held is None or wrap["wrap_version"] > held["wrap_version"]:
            newest[wrap["key_id"]] = wrap
    return newest


def _current_wrap(doc: Doc, newest_wrap: Doc | None) -> Doc:
    """The key's highest wrapping version: its document's own or a newer one's."""
    if newest_wrap is not None and newest_wrap["wrap_version"] > doc["wrap_version"]:
        return newest_wrap
    return doc
