"""Look into a core's MongoDB database from outside, as an operator's shell would.

The store keeps a session in several documents (a head, its data, its claims, one
record per recent generation and a tombstone once revoked; see
`session_core_mongodb.documents`), and a key in its document plus its revocation and
re-wrappings. `rows()` shows each session as the one row the SQL stores hold, with
their column names: the head, data and claims, the newest generation's record (the
current one) and the tombstone's time; a key likewise, with its newest wrapping and
its revocation time; every other document as a row of its own collection. A session
the sweeper deleted (only its marker record left, for a while) has no row.
`dump_text()` holds every document as it is stored (Extended JSON, as an export would).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Mapping
from typing import Any

from bson import json_util

from tests.support.ferretdb import FerretDBServer
from tests.support.storage import StoredRow, StoredValue

SESSION_PARTS = ("sessions", "rotations", "session_data", "session_claims", "revocations")
KEY_PARTS = ("keys", "key_revocations", "key_wraps")
_HEAD_FIELDS = (
    "user_id",
    "created_at",
    "absolute_expires_at",
    "user_agent",
    "ip_address",
    "anti_csrf",
    "mac_key_id",
    "refresh_key_id",
    "anti_csrf_key_id",
)
_RECORD_FIELDS = ("current_hash", "previous_hash", "rotated_at", "idle_expires_at", "expires_at")
Documents = dict[str, list[dict[str, Any]]]


class MongoInspector:
    """Reads one database of the run's FerretDB server."""

    def __init__(self, server: FerretDBServer, database: str) -> None:
        self.server = server
        self.database = database

    def rows(self) -> list[StoredRow]:
        found = self._documents()
        rows = _session_rows(found) + _key_rows(found)
        for collection, documents in found.items():
            if collection not in SESSION_PARTS + KEY_PARTS:
                rows += [StoredRow(collection, _plain(doc)) for doc in documents]
        return rows

    def dump_text(self) -> str:
        return json_util.dumps(self._documents(), indent=1)

    def write_lock(self) -> contextlib.AbstractContextManager[None]:
        """Hold the database file's write lock, as a stuck writer would (see FerretDBServer)."""
        return self.server.write_lock(self.database)

    def _documents(self) -> Documents:
        with self.server.client() as client:
            db = client[self.database]
            return {name: list(db[name].find()) for name in sorted(db.list_collection_names())}


def _session_rows(found: Documents) -> list[StoredRow]:
    def by_id(collection: str) -> dict[str, dict[str, Any]]:
        return {doc["_id"]: doc for doc in found.get(collection, [])}

    newest: dict[str, dict[str, Any]] = {}
    for doc in found.get("rotations", []):
        if doc["h"] not in newest or doc["g"] > newest[doc["h"]]["g"]:
            newest[doc["h"]] = doc
    data, claims, tombstones = by_id("session_data"), by_id("session_claims"), by_id("revocations")
    rows = []
    for handle, head in by_id("sessions").items():
        record = newest.get(handle)
        if record is None or record.get("swept"):
            continue
        values: dict[str, Any] = {"handle": handle, "generation": record["g"]}
        values |= {name: head[name] for name in _HEAD_FIELDS}
        values |= {name: record[name] for name in _RECORD_FIELDS}
        values["access_token_claims_json"] = claims.get(handle, {}).get("json")
        values["session_data_json"] = data.get(handle, {}).get("json")
        values["revoked_at"] = tombstones.get(handle, {}).get("revoked_at")
        rows.append(StoredRow("sessions", _plain(values)))
    return rows


def _key_rows(found: Documents) -> list[StoredRow]:
    revoked = {doc["_id"]: doc["revoked_at"] for doc in found.get("key_revocations", [])}
    wraps: dict[str, dict[str, Any]] = {}
    for wrap in found.get("key_wraps", []):
        held = wraps.get(wrap["key_id"])
        if held is None or wrap["wrap_version"] > held["wrap_version"]:
            wraps[wrap["key_id"]] = wrap
    rows = []
    for doc in found.get("keys", []):
        values = {("key_id" if name == "_id" else name): value for name, value in doc.items()}
        newer = wraps.get(doc["_id"])
        if newer is not None and newer["wrap_version"] > doc["wrap_version"]:
            values |= {name: newer[name] for name in ("wrapped_secret", "wrapping_key_id")}
        if values["revoked_at"] is None:
            values["revoked_at"] = revoked.get(doc["_id"])
        rows.append(StoredRow("keys", _plain(values)))
    return rows


def _plain(doc: Mapping[str, Any]) -> dict[str, StoredValue]:
    """BSON values as the SQL stores' rows hold them: bytes, numbers, text, None."""
    return {name: _value(value) for name, value in doc.items()}


def _value(value: Any) -> StoredValue:
    if isinstance(value, bytes):  # bson.Binary is a bytes subclass
        return bytes(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=datetime.UTC).timestamp()
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)  # ObjectId
