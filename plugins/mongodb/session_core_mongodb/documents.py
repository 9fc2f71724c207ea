"""Documents of the MongoDB store: their collections, their fields, and the port's records.

A session is five kinds of document, so that every write is an insert, a delete or the
overwrite of a document no other operation writes (see `sessions` for why):

    sessions        the head: who and when, fixed at create, plus the   _id = handle
                    `hint` where to start looking for the current record
    rotations       the refresh-token state of one generation, insert-only; the highest
                    generation is the current one          _id = record_id(h, g)
    session_data    the server-side data                                _id = handle
    session_claims  the access-token claims                             _id = handle
    revocations     the tombstone of a revoked session                  _id = handle

Keys are `keys` (_id = key id, unique slot) plus insert-only `key_revocations` and
`key_wraps`; the feed is `revocation_feed` and `feed_high_water` (see `feed`).

Times are BSON doubles (seconds since the epoch, exactly as the core passed them), hashes
and wrapped secrets BSON binary, JSON a string stored as given. Every session document
carries `expire_at`, the session's absolute expiry as a BSON date, for the TTL indexes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from bson.binary import Binary

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

SESSIONS = "sessions"
ROTATIONS = "rotations"
SESSION_DATA = "session_data"
SESSION_CLAIMS = "session_claims"
REVOCATIONS = "revocations"
KEYS = "keys"
KEY_REVOCATIONS = "key_revocations"
KEY_WRAPS = "key_wraps"
FEED = "revocation_feed"
FEED_HIGH_WATER = "feed_high_water"
SCHEMA = "schema"

Document = dict[str, Any]
_KEY_TIMES = ("sign_from", "sign_until", "verify_until", "delete_at")


def text(value: object) -> str:
    """`value` if it is a str; anything else (a query document above all) is refused.

    Filters compare caller-given values with plain equality, which a str can never turn
    into an operator: a user id such as "$where" or '{"$ne": ""}' is just text.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    return value


def expire_at(seconds: float) -> datetime.datetime:
    """The BSON date a TTL index reads: the session's absolute expiry."""
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def head(record: SessionRecord) -> Document:
    return {
        "_id": text(record.handle),
        "user_id": text(record.user_id),
        "created_at": record.created_at,
        "absolute_expires_at": record.absolute_expires_at,
        "user_agent": record.client.user_agent,
        "ip_address": record.client.ip_address,
        "anti_csrf": record.anti_csrf,
        "mac_key_id": record.keys.mac,
        "refresh_key_id": record.keys.refresh,
        "anti_csrf_key_id": record.keys.anti_csrf,
        "expire_at": expire_at(record.absolute_expires_at),
        "hint": record.generation,
    }


def record_id(handle: str, generation: int) -> str:
    """A rotation record's `_id`: the handle, ":" and the generation as 20 digits.

    One string per (handle, generation), so the unique `_id` arbitrates racing inserts
    of a generation exactly as the unique (h, g) index does; the fixed width keeps a
    handle's records in generation order among `_id`s.
    """
    return f"{text(handle)}:{generation:020d}"


def rotation(
    handle: str,
    generation: int,
    hashes: tuple[bytes, bytes | None],
    times: tuple[float | None, float, float],
    since: float,
    low: int,
) -> Document:
    """One generation's record: (current, previous) hashes; (rotated_at, idle, absolute).

    `since` is when it was written (the core's clock), which pruning goes by; `low` is
    the lowest generation pruning had not deleted when it was written (see `rotations`).
    """
    rotated_at, idle, absolute = times
    return {
        "_id": record_id(handle, generation),
        "h": handle,
        "g": generation,
        "low": low,
        "since": since,
        "current_hash": Binary(hashes[0]),
        "previous_hash": None if hashes[1] is None else Binary(hashes[1]),
        "rotated_at": rotated_at,
        "idle_expires_at": idle,
        "absolute_expires_at": absolute,
        "expires_at": min(idle, absolute),
        "expire_at": expire_at(absolute),
    }


def first_rotation(record: SessionRecord) -> Document:
    """The record of the generation a session is created with."""
    hashes = (record.current_hash, record.previous_hash)
    times = (record.rotated_at, record.idle_expires_at, record.absolute_expires_at)
    since = record.created_at if record.rotated_at is None else record.rotated_at
    return rotation(record.handle, record.generation, hashes, times, since, record.generation)


def sweep_marker(latest: Mapping[str, Any], now: float) -> Document:
    """The record the sweeper claims the next generation with: the session is gone."""
    return {
        "_id": record_id(latest["h"], latest["g"] + 1),
        "h": latest["h"],
        "g": latest["g"] + 1,
        "since": now,
        "swept": True,
        "absolute_expires_at": latest["absolute_expires_at"],
        "expires_at": latest["expires_at"],
        "expire_at": latest["expire_at"],
    }


def value(handle: str, json_text: str, absolute: float) -> Document:
    """A session's data or claims document."""
    return {"_id": handle, "json": text(json_text), "expire_at": expire_at(absolute)}


def tombstone(handle: str, revoked_at: float, absolute: float) -> Document:
    """The document that says a session is revoked, and since when."""
    return {"_id": handle, "revoked_at": revoked_at, "expire_at": expire_at(absolute)}


def session_record(
    head_doc: Mapping[str, Any],
    latest: Mapping[str, Any],
    values: tuple[str, str],
    revoked_at: float | None,
) -> SessionRecord:
    """The port's record from a head, its latest rotation, (claims, data) and tombstone."""
    return SessionRecord(
        handle=head_doc["_id"],
        user_id=head_doc["user_id"],
        created_at=head_doc["created_at"],
        idle_expires_at=latest["idle_expires_at"],
        absolute_expires_at=head_doc["absolute_expires_at"],
        client=ClientInfo(head_doc["user_agent"], head_doc["ip_address"]),
        access_token_claims_json=values[0],
        session_data_json=values[1],
        anti_csrf=head_doc["anti_csrf"],
        keys=PinnedKeys(
            head_doc["mac_key_id"], head_doc["refresh_key_id"], head_doc["anti_csrf_key_id"]
        ),
        generation=latest["g"],
        current_hash=bytes(latest["current_hash"]),
        previous_hash=_bytes(latest["previous_hash"]),
        rotated_at=latest["rotated_at"],
        revoked_at=revoked_at,
    )


def key(stored: StoredKey) -> Document:
    doc: Document = {
        "_id": text(stored.key_id),
        "kind": stored.kind.value,
        "slot": text(stored.slot),
        "algorithm": stored.algorithm,
        "wrapped_secret": Binary(stored.wrapped_secret),
        "wrapping_key_id": stored.wrapping_key_id,
        "wrap_version": 0,
        "public_jwk_json": stored.public_jwk_json,
        "created_at": stored.created_at,
        "revoked_at": stored.revoked_at,
    }
    doc.update({name: getattr(stored, name) for name in _KEY_TIMES})
    return doc


def stored_key(
    doc: Mapping[str, Any], wrap: Mapping[str, Any], revoked_at: float | None
) -> StoredKey:
    """The port's key from its document, its current wrapping and its revocation time."""
    return StoredKey(
        key_id=doc["_id"],
        kind=KeyKind(doc["kind"]),
        slot=doc["slot"],
        algorithm=doc["algorithm"],
        wrapped_secret=bytes(wrap["wrapped_secret"]),
        wrapping_key_id=wrap["wrapping_key_id"],
        public_jwk_json=doc["public_jwk_json"],
        created_at=doc["created_at"],
        revoked_at=revoked_at,
        **{name: doc[name] for name in _KEY_TIMES},
    )


def feed_entry_doc(entry: FeedEntry, sequence: int, recorded_at: float) -> Document:
    theft = entry.theft
    return {
        "_id": sequence,
        "kind": entry.kind.value,
        "subject": text(entry.subject),
        "revoked_at": entry.revoked_at,
        "expires_at": entry.expires_at,
        "recorded_at": recorded_at,
        "theft_user_id": None if theft is None else theft.user_id,
        "theft_presented_generation": None if theft is None else theft.presented_generation,
        "theft_current_generation": None if theft is None else theft.current_generation,
    }


def feed_entry(doc: Mapping[str, Any]) -> FeedEntry:
    theft = None
    if doc["theft_user_id"] is not None:
        theft = TheftEvent(
            doc["theft_user_id"], doc["theft_presented_generation"], doc["theft_current_generation"]
        )
    return FeedEntry(
        kind=FeedKind(doc["kind"]),
        subject=doc["subject"],
        revoked_at=doc["revoked_at"],
        expires_at=doc["expires_at"],
        theft=theft,
        sequence=doc["_id"],
        recorded_at=doc["recorded_at"],
    )


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)
