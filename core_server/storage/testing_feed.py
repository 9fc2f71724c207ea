"""The revocation-feed part of the store contract; `StoreContract` includes it.

`sequence` and `recorded_at` come from the store (its own clock), so these cases never
assume a wall-clock value for them: they compare entries with each other and with a
page's `read_at`. Revocation and expiry times are fixed around `NOW`.
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from core_server.domain.models import FeedEntry, FeedKind, FeedPage, TheftEvent
from core_server.storage.base import SessionStore
from core_server.storage.testing_records import NOW, RACERS, make_record

# What a polling reader subtracts from each read_at; far above any write in these tests.
OVERLAP_SECONDS = 5.0
CONCURRENT_APPENDS = 40


def make_entry(subject: str = "handle-1", **overrides: Any) -> FeedEntry:
    """A session entry revoked just before NOW, as the core appends it (no sequence yet)."""
    entry = FeedEntry(
        kind=FeedKind.SESSION, subject=subject, revoked_at=NOW - 5, expires_at=NOW + 925
    )
    return dataclasses.replace(entry, **overrides)


def unassigned(entry: FeedEntry) -> FeedEntry:
    """The entry without the fields the store assigns, to compare with what was appended."""
    return dataclasses.replace(entry, sequence=0, recorded_at=0.0)


def feed(store: SessionStore) -> list[FeedEntry]:
    return store.read_feed(None).entries


class FeedContract:
    """Revocation-feed behaviour every store must show."""

    def test_feed_round_trips_every_field(self, store: SessionStore) -> None:
        entries = [
            make_entry("plain"),
            make_entry(
                "stolen",
                revoked_at=NOW + 0.123456,
                theft=TheftEvent("Zoë 😀 東京", presented_generation=0, current_generation=2**62),
            ),
            make_entry("key-7", kind=FeedKind.KEY, expires_at=NOW + 86400.25),
        ]
        assert store.append_feed(entries) == 3
        assert [unassigned(entry) for entry in feed(store)] == entries

    def test_append_counts_new_entries_and_skips_known_subjects(self, store: SessionStore) -> None:
        first = make_entry("a")
        assert store.append_feed([first, make_entry("b")]) == 2
        changed = make_entry("a", revoked_at=NOW, theft=TheftEvent("u", 1, 3))
        assert store.append_feed([changed, make_entry("c")]) == 1
        assert store.append_feed([]) == 0
        assert store.append_feed([make_entry("d"), make_entry("d")]) == 1
        # The key is (kind, subject): a key id equal to a handle is another entry.
        assert store.append_feed([make_entry("a", kind=FeedKind.KEY)]) == 1
        stored = [unassigned(entry) for entry in feed(store)]
        assert stored.count(first) == 1 and changed not in stored
        assert len(stored) == 5

    def test_sequences_strictly_increase_in_append_order(self, store: SessionStore) -> None:
        store.append_feed([make_entry("a")])
        store.append_feed([make_entry("b"), make_entry("c")])
        store.append_feed([make_entry("d")])
        entries = feed(store)
        assert [entry.subject for entry in entries] == ["a", "b", "c", "d"]
        sequences = [entry.sequence for entry in entries]
        assert sequences == sorted(set(sequences))
        recorded = [entry.recorded_at for entry in entries]
        assert recorded == sorted(recorded)

    def test_sequences_are_never_reused_after_pruning(self, store: SessionStore) -> None:
        store.append_feed([make_entry("old")])
        store.append_feed([make_entry("newest", expires_at=NOW - 1)])
        pruned_sequence = feed(store)[-1].sequence
        assert store.prune_feed(NOW, 10) == 1
        assert store.append_feed([make_entry("later")]) == 1
        assert feed(store)[-1].sequence > pruned_sequence

    def test_read_after_a_time_returns_exactly_the_entries_recorded_later(
        self, store: SessionStore
    ) -> None:
        for subject in ("a", "b", "c"):
            store.append_feed([make_entry(subject)])
        everything = feed(store)
        for entry in everything:
            later = [e for e in everything if e.recorded_at > entry.recorded_at]
            assert store.read_feed(entry.recorded_at).entries == later
        assert store.read_feed(everything[0].recorded_at - 1).entries == everything
        page = store.read_feed(None)
        assert store.read_feed(page.read_at).entries == []

    def test_read_at_is_not_before_any_entry_returned(self, store: SessionStore) -> None:
        for page in self._pages_read_while_appending(store):
            assert all(entry.recorded_at <= page.read_at for entry in page.entries)

    def test_polling_with_an_overlap_sees_every_entry_exactly_once(
        self, store: SessionStore
    ) -> None:
        seen: dict[int, str] = {}
        for page in self._pages_read_while_appending(store, overlapping=True):
            for entry in page.entries:
                assert seen.setdefault(entry.sequence, entry.subject) == entry.subject
        expected = {f"h-{i}" for i in range(CONCURRENT_APPENDS)}
        assert sorted(seen.values()) == sorted(expected)

    def test_racing_appends_of_one_subject_add_it_once(self, store: SessionStore) -> None:
        barrier = threading.Barrier(RACERS)

        def append(i: int) -> int:
            entry = make_entry("contended", theft=TheftEvent(f"user-{i}", 0, 2))
            barrier.wait(timeout=30)
            return store.append_feed([entry])

        with ThreadPoolExecutor(RACERS) as pool:
            assert sum(pool.map(append, range(RACERS), timeout=60)) == 1
        assert [entry.subject for entry in feed(store)] == ["contended"]

    def test_prune_deletes_exactly_the_expired_entries_up_to_limit(
        self, store: SessionStore
    ) -> None:
        expiring = {"x1": NOW - 100, "x2": NOW - 1, "x3": NOW}  # at NOW counts as expired
        store.append_feed([make_entry(s, expires_at=at) for s, at in expiring.items()])
        store.append_feed([make_entry("kept", expires_at=NOW + 1)])
        assert store.prune_feed(NOW, 0) == 0
        assert store.prune_feed(NOW, 2) == 2
        assert store.prune_feed(NOW, 10) == 1
        assert store.prune_feed(NOW, 10) == 0
        assert [entry.subject for entry in feed(store)] == ["kept"]
        # Pruned subjects are no longer known, so appending one adds it again.
        assert store.append_feed([make_entry("x1")]) == 1

    def test_list_revoked_sessions_filters_and_orders(self, store: SessionStore) -> None:
        revoked = {"r3": NOW - 10, "r1": NOW - 30, "r2": NOW - 20, "before": NOW - 31}
        for handle, at in revoked.items():
            store.insert_session(make_record(handle=handle, revoked_at=at))
        store.insert_session(make_record(handle="live"))
        # Expired since its revocation, not yet swept: still a revoked session.
        expired = make_record(handle="r0", revoked_at=NOW - 30, idle_expires_at=NOW - 1)
        store.insert_session(expired)
        listed = store.list_revoked_sessions((NOW - 30, ""), 10)
        # Ties on revoked_at are ordered by handle.
        assert [record.handle for record in listed] == ["r0", "r1", "r2", "r3"]
        assert listed[-1] == make_record(handle="r3", revoked_at=NOW - 10)
        assert [r.handle for r in store.list_revoked_sessions((NOW - 30, ""), 2)] == ["r0", "r1"]
        assert [r.handle for r in store.list_revoked_sessions((NOW - 30, "r0"), 2)] == ["r1", "r2"]
        assert store.list_revoked_sessions((NOW - 9, ""), 10) == []

    def test_list_revoked_sessions_pages_past_ties(self, store: SessionStore) -> None:
        handles = [f"tie{index:02d}" for index in range(7)]
        for handle in handles:
            store.insert_session(make_record(handle=handle, revoked_at=NOW - 5))
        seen: list[str] = []
        after = (NOW - 60, "")
        while page := store.list_revoked_sessions(after, 3):
            seen += [record.handle for record in page]
            after = (NOW - 5, page[-1].handle)
        assert seen == handles

    @staticmethod
    def _pages_read_while_appending(
        store: SessionStore, overlapping: bool = False
    ) -> list[FeedPage]:
        """Pages read while another thread appends CONCURRENT_APPENDS entries one by one.

        With `overlapping`, each read starts OVERLAP_SECONDS before the previous read_at
        (as the core does); a final read after the writer finished closes the sequence.
        """
        done = threading.Event()

        def write() -> None:
            try:
                for i in range(CONCURRENT_APPENDS):
                    store.append_feed([make_entry(f"h-{i}")])
            finally:
                done.set()

        pages: list[FeedPage] = []
        after: float | None = None
        with ThreadPoolExecutor(1) as pool:
            writer = pool.submit(write)
            while not done.is_set():
                pages.append(store.read_feed(after))
                after = pages[-1].read_at - OVERLAP_SECONDS if overlapping else None
            writer.result(timeout=60)
        pages.append(store.read_feed(after))
        return pages
