"""JwksCache: the core's published keys, cached as long as the core says, refetched sparingly.

The first use loads the JWK Set (raising CoreUnavailable if the core cannot be
reached). Afterwards lookups never wait on the network for a known key: once the set is
older than the max-age the core sent, one background thread refetches it while the old
set keeps serving. A key id the cache does not hold triggers at most one refetch per
`min_refetch_interval` (shared by all threads; concurrent callers wait for the one
fetch in flight rather than starting their own), and only the key named by `kid` is
ever consulted: never "try every key". A key id the revocation feed reports revoked is
never served, whatever a refetched set contains.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from session_core_driver import _jwk
from session_core_driver._jwk import PublicKey
from session_core_driver._process import PerProcess
from session_core_driver.errors import CoreUnavailable, SessionError

log = logging.getLogger(__name__)

DEFAULT_MIN_REFETCH_INTERVAL = 5.0
# Used when the core sends no usable max-age.
FALLBACK_MAX_AGE = 60.0


class JwksSource(Protocol):
    """Where keys come from: SessionCoreClient, or anything with the same `get_jwks`."""

    def get_jwks(self) -> tuple[str, int]: ...


class KeyRevocations(Protocol):
    def is_key_revoked(self, key_id: str) -> bool: ...


class JwksCache:
    """Public keys by key id, each bound to the one algorithm its JWK names.

    Thread-safe and fork-safe (locks and the refresh thread are per process; the keys
    themselves are public data a child may reuse). `fetch_count` counts GetJwks calls.
    """

    def __init__(
        self,
        client: JwksSource,
        *,
        min_refetch_interval: float = DEFAULT_MIN_REFETCH_INTERVAL,
        revocations: KeyRevocations | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if min_refetch_interval < 0:
            raise ValueError("min_refetch_interval must not be negative")
        self._client = client
        self._min_interval = min_refetch_interval
        self._revocations = revocations
        self._clock = clock
        self._keys: dict[str, PublicKey] | None = None
        self._stale_at = 0.0
        self._last_attempt = float("-inf")
        self._generation = 0
        self._lock: PerProcess[threading.Lock] = PerProcess(threading.Lock)
        self._refreshing: PerProcess[list[threading.Thread]] = PerProcess(list)
        self.fetch_count = 0

    def attach_revocations(self, revocations: KeyRevocations) -> bool:
        """Never serve a key id `revocations` reports revoked (used by SessionVerifier).

        Returns whether this cache now consults `revocations` (False when it was built
        with another source, which it keeps).
        """
        if self._revocations is None:
            self._revocations = revocations
        return self._revocations is revocations

    def get(self, key_id: str) -> PublicKey | None:
        """The key named `key_id`, or None (unknown after the rate-limited refetch, or revoked).

        Raises only while no key set was ever loaded in this cache: the client's error
        (CoreUnavailable, CoreAuthError...) from the first fetch, then CoreUnavailable
        without a call until `min_refetch_interval` has passed since the last attempt.
        """
        keys = self._keys
        if keys is None:
            keys = self._initial_load()
        elif self._clock() >= self._stale_at:
            self._refresh_in_background()
        key = keys.get(key_id)
        if key is None:
            if self._is_revoked(key_id):
                return None
            key = self._refetch_for(key_id)
            if key is None:
                return None
        return None if self._is_revoked(key_id) else key

    def key_ids(self) -> frozenset[str]:
        """The key ids held now (revoked ones excluded)."""
        return frozenset(k for k in (self._keys or {}) if not self._is_revoked(k))

    def refresh(self) -> None:
        """Fetch the key set now, whatever the max-age and rate limit say.

        Raises CoreUnavailable or SessionError when the core cannot answer.
        """
        with self._lock.get():
            self._fetch()

    # -- internals -------------------------------------------------------------------

    def _is_revoked(self, key_id: str) -> bool:
        revocations = self._revocations
        return revocations is not None and revocations.is_key_revoked(key_id)

    def _initial_load(self) -> dict[str, PublicKey]:
        with self._lock.get():
            if self._keys is None:
                if self._rate_limited():
                    raise CoreUnavailable("no JWKS loaded yet; the last fetch failed just now")
                self._fetch()
        assert self._keys is not None
        return self._keys

    def _rate_limited(self) -> bool:
        return self._clock() - self._last_attempt < self._min_interval

    def _refetch_for(self, key_id: str) -> PublicKey | None:
        """Single-flight, rate-limited refetch for an unknown kid."""
        seen = self._generation
        if self._rate_limited():
            return None
        with self._lock.get():
            # Another thread fetched while we waited: its answer is as fresh as ours.
            if self._generation == seen and not self._rate_limited():
                self._fetch_logged()
        return (self._keys or {}).get(key_id)

    def _refresh_in_background(self) -> None:
        threads = self._refreshing.get()
        if threads and threads[0].is_alive():
            return
        if self._rate_limited():
            return
        thread = threading.Thread(target=self._background, name="session-core-jwks", daemon=True)
        threads[:] = [thread]
        thread.start()

    def _background(self) -> None:
        lock = self._lock.get()
        if lock.acquire(blocking=False):
            try:
                self._fetch_logged()
            finally:
                lock.release()

    def _fetch_logged(self) -> None:
        try:
            self._fetch()
        except SessionError as exc:
            log.warning("could not refresh the JWKS: %s", exc)

    def _fetch(self) -> None:
        """Fetch and install a key set; the caller holds the lock."""
        self._last_attempt = self._clock()
        self.fetch_count += 1
        text, max_age = self._client.get_jwks()
        try:
            keys, refused = _jwk.parse_jwks(text)
        except (ValueError, RecursionError) as exc:
            raise SessionError("the core published a JWKS we cannot read") from exc
        if refused:
            log.warning("ignored %d JWKS member(s) that are not usable public keys", refused)
        self._keys = {kid: key for kid, key in keys.items() if not self._is_revoked(kid)}
        self._stale_at = self._last_attempt + (max_age if max_age > 0 else FALLBACK_MAX_AGE)
        self._generation += 1
