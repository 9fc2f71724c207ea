"""Revocation-feed rules: cursors, the overlap re-read and when to answer a snapshot.

A cursor is the store's clock reading of the previous read, opaque to clients (a
version byte and an IEEE double, base64url). Reading from `previous - overlap` answers
entries that committed out of order again instead of skipping them; clients
de-duplicate by sequence. A cursor older than the retention, or ahead of the store's
clock, may have missed pruned entries or comes from elsewhere: the reader then gets a
snapshot and must replace its whole set.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

from core_server.domain.encoding import b64url_decode, b64url_encode
from core_server.domain.models import FeedEntry, FeedKind, SessionRecord, TheftEvent
from core_server.errors import InvalidArgument

CURSOR_FIELD = "cursor"
_CURSOR = struct.Struct(">Bd")
_CURSOR_VERSION = 1
_CURSOR_RULE = "must be empty or a next_cursor from a previous response"


def encode_cursor(read_at: float) -> str:
    """The cursor a client sends back to continue after the read taken at `read_at`."""
    return b64url_encode(_CURSOR.pack(_CURSOR_VERSION, read_at))


def decode_cursor(cursor: str) -> float:
    """The `read_at` inside a cursor; InvalidArgument("cursor") for anything we did not issue.

    Only the canonical encoding of a finite, positive time under the current version is
    accepted, so each cursor has exactly one spelling.
    """
    try:
        version, read_at = _CURSOR.unpack(b64url_decode(cursor))
    except (ValueError, struct.error) as exc:
        raise InvalidArgument(CURSOR_FIELD, _CURSOR_RULE) from exc
    if version != _CURSOR_VERSION or not math.isfinite(read_at) or read_at <= 0:
        raise InvalidArgument(CURSOR_FIELD, _CURSOR_RULE)
    return float(read_at)


def read_from(previous_read_at: float, overlap: float) -> float:
    """Where the next incremental read starts: `overlap` seconds before the previous one.

    An entry recorded before the previous read but committed after it is read now.
    """
    return previous_read_at - overlap


def needs_snapshot(previous_read_at: float, read_at: float, retention: float) -> bool:
    """True when an incremental page from `previous_read_at` cannot be trusted.

    Older than the retention: entries the client never saw may have been pruned. Ahead
    of the store's clock: the cursor comes from another deployment or the clock stepped
    back, so "later than the cursor" means nothing.
    """
    return read_at - previous_read_at > retention or previous_read_at > read_at


def live_entries(entries: Iterable[FeedEntry], now: float) -> list[FeedEntry]:
    """The entries still worth holding at `now` (pruning may lag behind expiry)."""
    return [entry for entry in entries if entry.expires_at > now]


def session_entry(
    handle: str, revoked_at: float, retention: float, theft: TheftEvent | None = None
) -> FeedEntry:
    """The feed entry for a revoked session, kept for `retention` after the revocation.

    No access token of the session verifies past revoked_at + AT lifetime + leeway,
    which is what `retention` must be, so the entry is useless after that.
    """
    return FeedEntry(
        kind=FeedKind.SESSION,
        subject=handle,
        revoked_at=revoked_at,
        expires_at=revoked_at + retention,
        theft=theft,
    )


def key_entry(key_id: str, revoked_at: float, expires_at: float) -> FeedEntry:
    """The feed entry for a revoked signing key (`key_schedule.revocation_expires_at`)."""
    return FeedEntry(
        kind=FeedKind.KEY, subject=key_id, revoked_at=revoked_at, expires_at=expires_at
    )


def reconciled_entries(records: Iterable[SessionRecord], retention: float) -> list[FeedEntry]:
    """Feed entries for revoked sessions found in storage (theft details are not stored)."""
    return [
        session_entry(record.handle, record.revoked_at, retention)
        for record in records
        if record.revoked_at is not None
    ]
