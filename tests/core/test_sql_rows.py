"""The row mapping both SQL plugins share: round trips and driver normalisation."""

from __future__ import annotations

import math

from core_server.domain.models import FeedEntry, FeedKind, TheftEvent
from core_server.storage import sql_rows
from core_server.storage.testing_records import NEW_HASH, NOW, make_key, make_record


def test_a_session_row_comes_back_as_the_record_whatever_the_driver_returns() -> None:
    record = make_record(previous_hash=NEW_HASH, rotated_at=NOW, revoked_at=NOW + 1)
    values = sql_rows.session_values(record)
    assert len(values) == len(sql_rows.SESSION_INSERT_COLUMNS.split(","))
    assert values[-1] == record.expires_at
    row = list(values[:-1])
    # psycopg2 returns BYTEA as memoryview; SQLite returns booleans as integers.
    row[9], row[14], row[15] = 1, memoryview(row[14]), memoryview(row[15])
    back = sql_rows.session_from_row(row)
    assert back == record
    assert type(back.anti_csrf) is bool
    assert type(back.current_hash) is bytes
    assert type(back.previous_hash) is bytes


def test_a_null_previous_hash_stays_none() -> None:
    record = make_record()
    assert sql_rows.session_from_row(sql_rows.session_values(record)[:-1]) == record


def test_a_key_row_comes_back_as_the_key() -> None:
    key = make_key()
    row = list(sql_rows.key_values(key))
    assert len(row) == len(sql_rows.KEY_COLUMNS.split(","))
    row[4] = memoryview(row[4])
    back = sql_rows.key_from_row(row)
    assert back == key
    assert type(back.wrapped_secret) is bytes


def test_feed_rows_come_back_as_entries_with_and_without_theft() -> None:
    theft = TheftEvent(user_id="user-1", presented_generation=1, current_generation=3)
    for entry in (
        FeedEntry(FeedKind.SESSION, "handle-1", NOW, NOW + 60, theft, sequence=7, recorded_at=NOW),
        FeedEntry(FeedKind.KEY, "key-1", NOW, NOW + 60, None, sequence=8, recorded_at=NOW + 1),
    ):
        values = sql_rows.feed_values(entry)
        assert len(values) == len(sql_rows.FEED_INSERT_COLUMNS.split(","))
        row = (entry.sequence, *values[:4], entry.recorded_at, *values[4:])
        assert sql_rows.feed_from_row(row) == entry


def test_insert_sql_binds_one_parameter_per_column() -> None:
    assert (
        sql_rows.insert_sql("t", "a, b, c", "%s") == "INSERT INTO t (a, b, c) VALUES (%s, %s, %s)"
    )


def test_a_listing_without_a_cursor_starts_before_every_row() -> None:
    assert sql_rows.keyset_after(None) == (-math.inf, "")
    assert sql_rows.keyset_after((NOW, "h")) == (NOW, "h")
