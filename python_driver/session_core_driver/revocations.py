"""RevocationPoller: the revoked session handles and key ids, kept current by polling the feed.

A daemon thread starts on first use in each process (after a fork the child starts
its own and loads its own snapshot), reads the whole current set first (empty cursor),
then polls `ListRevocations` with the cursor every `interval` seconds, adding entries
not seen before (de-duplicated by sequence). A snapshot answer replaces the set; one
is also requested every `snapshot_interval` seconds, so an entry committed later than
the feed's overlap window is caught within that bound and expired entries leave
memory. An entry stays held until a snapshot no longer contains it (the core keeps a
session entry for one access-token lifetime plus leeway, a key entry while the key's
tokens could still verify).

`healthy` is True while a snapshot has been loaded and a poll succeeded within
`max_staleness` seconds. When it is not, SessionVerifier checks every request with the
core if `fail_closed`, or keeps verifying locally and logs a warning (at most every
30 s) if not. With the default 0.5 s interval, a revocation is rejected about one
interval (plus one RPC) after `RevokeSessions` returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from session_core_driver._process import PerProcess
from session_core_driver._throttle import Throttle
from session_core_driver.errors import InvalidRequest, SessionError
from session_core_driver.sessions import RevocationPage

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.5
DEFAULT_MAX_STALENESS = 5.0
DEFAULT_SNAPSHOT_INTERVAL = 60.0
DEFAULT_STARTUP_WAIT = 2.0
_WARN_EVERY = 30.0


class FeedSource(Protocol):
    """Where entries come from: SessionCoreClient, or anything with `list_revocations`."""

    def list_revocations(self, cursor: str = "") -> RevocationPage: ...


@dataclass
class RevocationState:
    """What one process holds; replaced wholesale in a forked child.

    `handles` and `key_ids` are the revoked session handles and key ids; the feed is
    healthy while `fresh_until` (on the poller's clock) has not passed.
    """

    handles: set[str] = field(default_factory=set)
    key_ids: set[str] = field(default_factory=set)
    sequences: set[int] = field(default_factory=set)
    cursor: str = ""
    snapshot_due: float = float("-inf")  # a snapshot is requested once this has passed
    # Healthy until then: set by each successful read once a snapshot is loaded.
    fresh_until: float = float("-inf")
    loaded: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class RevocationPoller:
    """The set of revoked sessions and signing keys, as the revocation feed reports them.

    Queries never touch the network. `startup_wait` bounds how long the first query in
    a process waits for the first snapshot (once per process; 0 to never wait).
    """

    def __init__(
        self,
        client: FeedSource,
        interval: float = DEFAULT_INTERVAL,
        max_staleness: float = DEFAULT_MAX_STALENESS,
        fail_closed: bool = False,
        *,
        snapshot_interval: float = DEFAULT_SNAPSHOT_INTERVAL,
        startup_wait: float = DEFAULT_STARTUP_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval <= 0 or max_staleness <= 0 or snapshot_interval <= 0 or startup_wait < 0:
            raise ValueError("intervals and bounds must be positive")
        self._client = client
        self.interval = interval
        self.max_staleness = max_staleness
        self.fail_closed = fail_closed
        self._snapshot_interval = snapshot_interval
        self._startup_wait = startup_wait
        self._clock = clock
        self._state: PerProcess[RevocationState] = PerProcess(RevocationState)
        self._start_lock: PerProcess[threading.Lock] = PerProcess(threading.Lock)
        self._warn = Throttle(_WARN_EVERY)

    # -- queries (hot path) ------------------------------------------------------------

    def is_revoked(self, handle: str) -> bool:
        """True when the feed reported the session revoked (starts polling if needed)."""
        return handle in self.live_state().handles

    def is_key_revoked(self, key_id: str) -> bool:
        """True when the feed reported the signing key revoked (starts polling if needed)."""
        return key_id in self.live_state().key_ids

    @property
    def healthy(self) -> bool:
        """A snapshot is loaded and a poll succeeded within `max_staleness` seconds."""
        return self._clock() <= self.live_state().fresh_until

    def live_state(self) -> RevocationState:
        """This process's state (polling starts if needed): for one request's several checks.

        Read its fields at the moment of each check; the poller swaps them on snapshots.
        """
        state = self._state.get()
        if state.thread is None:
            self._start(state)
        return state

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start polling in this process now, rather than on first use (idempotent)."""
        self.live_state()

    def wait_ready(self, timeout: float) -> bool:
        """Start if needed and wait up to `timeout` s for the first snapshot; True once loaded."""
        return self.live_state().loaded.wait(timeout)

    def stop(self) -> None:
        """Stop this process's polling thread (waits up to one interval plus one call)."""
        state = self._state.current()
        if state is None:
            return
        state.stop.set()
        thread = state.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.interval + 10.0)

    def poll_once(self) -> RevocationPage | None:
        """Read the feed once and apply the answer; None if the read failed (logged)."""
        state = self._state.get()
        now = self._clock()
        snapshot = not state.loaded.is_set() or now >= state.snapshot_due
        try:
            page = self._client.list_revocations("" if snapshot else state.cursor)
        except InvalidRequest as exc:
            # A cursor the core no longer accepts: start again from a snapshot.
            state.snapshot_due = float("-inf")
            self._warning("revocation feed refused the cursor (%s); reloading", exc.field)
            return None
        except SessionError as exc:
            self._warning("revocation feed read failed: %s", exc)
            return None
        self._apply(state, page, now)
        return page

    # -- internals -----------------------------------------------------------------------

    def _start(self, state: RevocationState) -> None:
        with self._start_lock.get():
            if state.thread is not None:
                return
            thread = threading.Thread(
                target=self._loop, args=(state,), name="session-core-revocations", daemon=True
            )
            state.thread = thread
            thread.start()
        if self._startup_wait and not state.loaded.wait(self._startup_wait):
            self._warning("no revocation snapshot within %.1f s of start", self._startup_wait)

    def _loop(self, state: RevocationState) -> None:
        while not state.stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the thread must outlive any one bad answer
                log.exception("revocation poll failed unexpectedly")
            state.stop.wait(self.interval)

    def _apply(self, state: RevocationState, page: RevocationPage, now: float) -> None:
        if page.snapshot:
            # Build the new sets aside and swap them in: readers never see a half set.
            state.handles = {e.handle for e in page.entries if e.handle is not None}
            state.key_ids = {e.key_id for e in page.entries if e.key_id is not None}
            state.sequences = {e.sequence for e in page.entries}
            state.snapshot_due = now + self._snapshot_interval
        else:
            for entry in page.entries:
                if entry.sequence in state.sequences:
                    continue
                state.sequences.add(entry.sequence)
                if entry.handle is not None:
                    state.handles.add(entry.handle)
                if entry.key_id is not None:
                    state.key_ids.add(entry.key_id)
        state.cursor = page.next_cursor
        if page.snapshot:
            state.loaded.set()
        if state.loaded.is_set():
            state.fresh_until = now + self.max_staleness

    def _warning(self, message: str, *args: object) -> None:
        if self._warn.allow():
            log.warning(message, *args)
