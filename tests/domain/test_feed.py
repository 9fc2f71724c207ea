"""Revocation-feed rules: cursor encoding, the overlap re-read and when to snapshot."""

from __future__ import annotations

import base64
import math
import struct

import pytest

from core_server.domain import feed
from core_server.domain.models import FeedEntry, FeedKind, TheftEvent
from core_server.errors import InvalidArgument
from core_server.storage.testing import make_record

READ_AT = 1_800_000_000.123456
RETENTION = 930.0


def raw_cursor(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.mark.parametrize("read_at", [READ_AT, 1e-6, 4102444800.999999, 1.0])
def test_a_cursor_round_trips_its_read_time_exactly(read_at: float) -> None:
    cursor = feed.encode_cursor(read_at)
    assert feed.decode_cursor(cursor) == read_at
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "!!!!",
        feed.encode_cursor(READ_AT) + "=",  # padding
        feed.encode_cursor(READ_AT)[:-1],  # truncated
        feed.encode_cursor(READ_AT) + "AA",  # too long
        raw_cursor(struct.pack(">Bd", 2, READ_AT)),  # unknown version
        raw_cursor(struct.pack(">Bd", 1, math.nan)),
        raw_cursor(struct.pack(">Bd", 1, math.inf)),
        raw_cursor(struct.pack(">Bd", 1, 0.0)),
        raw_cursor(struct.pack(">Bd", 1, -5.0)),
        raw_cursor(b'[1800000000.0, "h"]'),  # a page token is not a cursor
    ],
)
def test_anything_but_an_issued_cursor_is_an_invalid_argument(cursor: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        feed.decode_cursor(cursor)
    assert raised.value.field == "cursor"


def test_the_next_read_starts_one_overlap_before_the_previous() -> None:
    assert feed.read_from(READ_AT, 10.0) == READ_AT - 10.0


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        (READ_AT - 1, False),
        (READ_AT - RETENTION, False),  # exactly the retention: nothing pruned yet
        (READ_AT - RETENTION - 0.001, True),
        (READ_AT, False),
        (READ_AT + 0.001, True),  # ahead of the store's clock
    ],
)
def test_a_snapshot_is_needed_for_old_or_future_cursors(previous: float, expected: bool) -> None:
    assert feed.needs_snapshot(previous, READ_AT, RETENTION) is expected


def test_live_entries_drop_those_expired_at_now() -> None:
    entries = [feed.session_entry(f"h{i}", READ_AT - RETENTION + i, RETENTION) for i in (-1, 0, 1)]
    assert [e.subject for e in feed.live_entries(entries, READ_AT)] == ["h1"]


def test_a_session_entry_lasts_the_retention_from_its_revocation() -> None:
    theft = TheftEvent("u", 0, 2)
    assert feed.session_entry("h", READ_AT, RETENTION, theft) == FeedEntry(
        kind=FeedKind.SESSION,
        subject="h",
        revoked_at=READ_AT,
        expires_at=READ_AT + RETENTION,
        theft=theft,
    )


def test_reconciled_entries_cover_only_revoked_records() -> None:
    records = [
        make_record(handle="revoked", revoked_at=READ_AT),
        make_record(handle="live"),
    ]
    assert feed.reconciled_entries(records, RETENTION) == [
        feed.session_entry("revoked", READ_AT, RETENTION)
    ]
