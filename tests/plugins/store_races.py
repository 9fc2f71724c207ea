"""Interleavings a naive read-modify-write store fails, run against every store.

Each store's test module subclasses `StoreRaces` beside its `StoreContract` subclass,
with the same `store` fixture. Many threads hammer one session for a bounded time:

- refresh against refresh: every generation has exactly one winner, and the stored
  lineage is the winners' chain;
- refresh against revoke: once a revocation has returned, no rotation succeeds, the
  revocation is never undone, and every rotation answered ROTATED is in the lineage;
- refresh against data and claims updates: no acknowledged update is lost to a
  rotation (or to the other update), and no rotation is lost to an update.

A store that reads a document, changes it in memory and writes it back whole (as
FerretDB v1 does for every update) loses some of these writes within a few rounds.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from core_server.domain.models import RotateResult, SessionRecord
from core_server.storage.base import SessionStore
from core_server.storage.testing_records import NOW, make_record, make_rotation

THREADS = 8
ROUNDS = 5
ROUND_SECONDS = 0.5


class Clock:
    """A global order of events across threads: each tick is later than every earlier one."""

    def __init__(self) -> None:
        self._ticks = itertools.count()
        self._lock = threading.Lock()

    def tick(self) -> int:
        with self._lock:
            return next(self._ticks)


@dataclass(frozen=True)
class Attempt:
    """One rotation attempt: when it started and ended, what it expected and got."""

    started: int
    ended: int
    generation: int  # the generation it moved from
    new_hash: bytes
    result: RotateResult


def rotate_until(
    store: SessionStore, handle: str, stop: threading.Event, clock: Clock, worker: int
) -> list[Attempt]:
    """Refresh as a client would (read, then rotate from what was read) until `stop`."""
    attempts: list[Attempt] = []
    for n in itertools.count():
        if stop.is_set():
            return attempts
        record = store.get_session(handle)
        if record is None or record.revoked_at is not None:
            time.sleep(0.001)
            continue
        new_hash = worker.to_bytes(2, "big") + n.to_bytes(4, "big") + b"\x00" * 26
        started = clock.tick()
        result = store.rotate_refresh_token(make_rotation(record, new_hash=new_hash), NOW)
        attempts.append(Attempt(started, clock.tick(), record.generation, new_hash, result))
    raise AssertionError("unreachable")


def run_for(seconds: float, *jobs: Callable[[threading.Event], Any]) -> list[Any]:
    """Run the jobs in threads until `seconds` passed; their results, in order."""
    stop = threading.Event()
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(job, stop) for job in jobs]
        time.sleep(seconds)
        stop.set()
        return [future.result(timeout=60) for future in futures]


def won(attempts: list[list[Attempt]]) -> list[Attempt]:
    return [a for each in attempts for a in each if a.result is RotateResult.ROTATED]


def assert_one_lineage(stored: SessionRecord, winners: list[Attempt], first: SessionRecord) -> None:
    """Exactly one winner per generation, and the store holds the last one's hash."""
    by_generation = sorted(winners, key=lambda a: a.generation)
    generations = [a.generation for a in by_generation]
    assert generations == list(range(first.generation, first.generation + len(winners)))
    assert stored.generation == first.generation + len(winners)
    if winners:
        assert stored.current_hash == by_generation[-1].new_hash
        previous = by_generation[-2].new_hash if len(winners) > 1 else first.current_hash
        assert stored.previous_hash == previous


class StoreRaces:
    """Refresh, revoke and update interleavings every store must survive."""

    def test_racing_refreshes_leave_one_winner_per_generation(self, store: SessionStore) -> None:
        for round_ in range(ROUNDS):
            first = make_record(handle=f"rr-{round_}")
            store.insert_session(first)
            clock = Clock()
            jobs = [self._rotator(store, first.handle, clock, w) for w in range(THREADS)]
            attempts = run_for(ROUND_SECONDS, *jobs)
            stored = store.get_session(first.handle)
            assert stored is not None
            assert_one_lineage(stored, won(attempts), first)

    def test_a_revoked_session_never_rotates_after_the_revoke_returned(
        self, store: SessionStore
    ) -> None:
        for round_ in range(ROUNDS):
            first = make_record(handle=f"rv-{round_}")
            store.insert_session(first)
            clock = Clock()
            delay = ROUND_SECONDS * (round_ + 1) / (ROUNDS + 1)  # early and late in a round
            jobs = [self._rotator(store, first.handle, clock, w) for w in range(THREADS - 1)]
            revoke = self._revoker(store, first.handle, clock, delay)
            *attempts, (handles, revoked_at) = run_for(ROUND_SECONDS, *jobs, revoke)
            assert handles == [first.handle]
            late = [a for each in attempts for a in each if a.started > revoked_at]
            assert all(a.result is RotateResult.CONFLICT for a in late)
            stored = store.get_session(first.handle)
            assert stored is not None and stored.revoked_at == NOW
            assert_one_lineage(stored, won(attempts), first)

    def test_updates_racing_refreshes_are_never_lost(self, store: SessionStore) -> None:
        for round_ in range(ROUNDS):
            first = make_record(handle=f"ru-{round_}")
            store.insert_session(first)
            clock = Clock()
            jobs = [self._rotator(store, first.handle, clock, w) for w in range(THREADS - 2)]
            data = self._updater(store.update_session_data, first.handle, "data")
            claims = self._updater(store.update_access_token_claims, first.handle, "claims")
            *attempts, last_data, last_claims = run_for(ROUND_SECONDS, *jobs, data, claims)
            stored = store.get_session(first.handle)
            assert stored is not None
            assert (stored.session_data_json, stored.access_token_claims_json) == (
                last_data,
                last_claims,
            )
            assert_one_lineage(stored, won(attempts), first)

    @staticmethod
    def _rotator(
        store: SessionStore, handle: str, clock: Clock, worker: int
    ) -> Callable[[threading.Event], list[Attempt]]:
        return lambda stop: rotate_until(store, handle, stop, clock, worker)

    @staticmethod
    def _revoker(
        store: SessionStore, handle: str, clock: Clock, delay: float
    ) -> Callable[[threading.Event], tuple[list[str], int]]:
        """Revoke the session after `delay`; what it returned and the tick it returned at."""

        def run(stop: threading.Event) -> tuple[list[str], int]:
            stop.wait(delay)
            handles = store.revoke_sessions([handle], NOW)
            return handles, clock.tick()

        return run

    @staticmethod
    def _updater(
        update: Callable[[str, str, float], bool], handle: str, name: str
    ) -> Callable[[threading.Event], str]:
        """Write {"name": n} for n = 1, 2, ... until stopped; the last value written."""

        def run(stop: threading.Event) -> str:
            last = ""
            for n in itertools.count(1):
                if stop.is_set():
                    return last
                value = f'{{"{name}":{n}}}'
                assert update(handle, value, NOW), f"{name} update {n} found no live session"
                last = value
            raise AssertionError("unreachable")

        return run
