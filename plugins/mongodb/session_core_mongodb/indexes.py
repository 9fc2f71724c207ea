"""The indexes the store needs, created idempotently at start, and the schema version.

Creating an index that exists with the same options is a no-op on the server, so every
process starting creates them all; several starting together are fine. TTL indexes on
`expire_at` (a session's absolute expiry) are a best-effort safety net: real MongoDB
deletes a session's documents with them once nothing could still use them (the sweeper
deletes sessions as they expire, idle expiry included); FerretDB v1 answers "not
implemented", which is taken quietly, since the sweeper does the work either way.

For a sharded cluster, shard each session collection on the handle (`_id`, or `h` for
`rotations`): no operation needs a transaction. A record's `_id` names its handle, so
`_id`s stay unique across shards; lookups of a record by `_id` alone (see `rotations`)
are then sent to every shard, correct but not targeted.

Versions: 1 is the first layout; 2 gives rotation records `_id`s made of handle and
generation, and heads a `hint` (see `sessions` for the switch: no migration, but no
process of version 1 may run beside one of version 2). Opening raises the stored
version to this plugin's; a database written by a newer plugin is refused.
"""

from __future__ import annotations

import logging

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError, OperationFailure

from core_server.storage.errors import StorageError
from session_core_mongodb import documents as docs
from session_core_mongodb._connections import Db

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
_NOT_IMPLEMENTED = 238


def _index(*fields: str, name: str, unique: bool = False) -> IndexModel:
    return IndexModel([(field, ASCENDING) for field in fields], name=name, unique=unique)


INDEXES: dict[str, list[IndexModel]] = {
    docs.SESSIONS: [
        _index("user_id", "created_at", "_id", name="by_user"),
        _index("absolute_expires_at", name="by_absolute_expiry"),
    ],
    docs.ROTATIONS: [
        _index("h", "g", name="one_record_per_generation", unique=True),
        _index("expires_at", name="by_expiry"),
    ],
    docs.REVOCATIONS: [_index("revoked_at", "_id", name="by_revocation")],
    docs.KEYS: [_index("slot", name="one_key_per_slot", unique=True)],
    docs.KEY_WRAPS: [
        _index("key_id", "wrap_version", name="one_wrapping_per_version", unique=True)
    ],
    docs.FEED: [
        _index("kind", "subject", name="one_entry_per_subject", unique=True),
        _index("recorded_at", name="by_recorded"),
        _index("expires_at", name="by_expiry"),
    ],
}
TTL_COLLECTIONS = (
    docs.SESSIONS,
    docs.ROTATIONS,
    docs.SESSION_DATA,
    docs.SESSION_CLAIMS,
    docs.REVOCATIONS,
)


def ensure(db: Db) -> None:
    """Create every index (TTL ones where the server has them) and check the version."""
    for collection, models in INDEXES.items():
        # One per command: FerretDB v1 drops the connection when a command creating
        # several indexes finds them all there already.
        for model in models:
            db[collection].create_indexes([model])
    for collection in TTL_COLLECTIONS:
        _ensure_ttl(db, collection)
    _check_version(db)


def _ensure_ttl(db: Db, collection: str) -> None:
    try:
        db[collection].create_index("expire_at", name="expire_at_ttl", expireAfterSeconds=0)
    except OperationFailure as exc:
        if exc.code != _NOT_IMPLEMENTED:
            raise
        log.debug("the server has no TTL indexes; the sweeper deletes expired sessions")


def _check_version(db: Db) -> None:
    try:
        db[docs.SCHEMA].insert_one({"_id": "version", "version": SCHEMA_VERSION})
    except DuplicateKeyError:
        stored = db[docs.SCHEMA].find_one({"_id": "version"})
        version = int(stored["version"]) if stored is not None else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"mongodb: database schema version {version} is newer than this plugin's "
                f"({SCHEMA_VERSION})"
            ) from None
        if version < SCHEMA_VERSION:  # so that a plugin of the older version refuses it
            db[docs.SCHEMA].update_one({"_id": "version"}, {"$max": {"version": SCHEMA_VERSION}})
