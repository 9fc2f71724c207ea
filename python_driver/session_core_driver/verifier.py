"""SessionVerifier: checks access tokens locally, with the revocation feed, on every request.

No network call on the hot path: the signature is checked with `cryptography` against
the JwksCache's key named by `kid` (that key's own algorithm only), the claims against
the configured issuer, audience and clock leeway, the anti-CSRF binding against the
presented token, and the session handle and key id against the RevocationPoller.

Outcomes (DESIGN section 4): a token that is malformed, foreign, expired, signed with
an unknown or revoked key, or fails anti-CSRF raises TryRefreshToken(reason); a
session the feed reports revoked raises Unauthorised("session_ended"). TryRefreshToken
reasons: "malformed", "unknown_key", "algorithm", "signature", "claims", "issuer",
"audience", "not_yet_valid", "expired", "key_revoked", "anti_csrf". With
`check_database=True`, or when the feed is unhealthy and the poller fails closed, the
core verifies instead (one RPC: `SessionCoreClient.verify_session`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

from cryptography.exceptions import InvalidSignature

from session_core_driver import _jws
from session_core_driver._jwk import PublicKey
from session_core_driver._process import PerProcess
from session_core_driver._throttle import Throttle
from session_core_driver._token_cache import TokenCache
from session_core_driver.client import SessionCoreClient
from session_core_driver.errors import InvalidRequest, TryRefreshToken, Unauthorised
from session_core_driver.jwks import JwksCache
from session_core_driver.revocations import RevocationPoller
from session_core_driver.sessions import VerifiedSession

log = logging.getLogger(__name__)

DEFAULT_ISSUER = "session-core"
DEFAULT_AUDIENCE = "session-core"
DEFAULT_LEEWAY = 30
DEFAULT_CACHE_SIZE = 10_000
_WARN_EVERY = 30.0

# A verified token as cached: the session, its key id and its anti-CSRF binding.
_Entry = tuple[VerifiedSession, str, str | None]


class SessionVerifier:
    """Verifies access tokens of one deployment.

    `revocations="auto"` builds a RevocationPoller on `client` (polling starts on first
    use in each process); None verifies without the feed, so a revoked session's
    tokens are accepted until they expire (exp + leeway). `jwks=None` builds a
    JwksCache on `client`. `verified_cache_size` bounds the LRU cache of tokens already
    verified (keyed by SHA-256 of the token, admitted on a token's second use so that a
    first sighting costs next to nothing; 0 disables it): a cached token skips the
    signature and parsing, never the expiry, key, revocation and anti-CSRF checks.
    Returned sessions may be shared between calls for the same token: treat them,
    their `claims` included, as read-only.
    """

    def __init__(
        self,
        client: SessionCoreClient,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        leeway: float = DEFAULT_LEEWAY,
        jwks: JwksCache | None = None,
        revocations: RevocationPoller | Literal["auto"] | None = "auto",
        verified_cache_size: int = DEFAULT_CACHE_SIZE,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if leeway < 0 or verified_cache_size < 0:
            raise ValueError("leeway and verified_cache_size must not be negative")
        self._client = client
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.revocations = RevocationPoller(client) if revocations == "auto" else revocations
        self.jwks = jwks if jwks is not None else JwksCache(client, revocations=self.revocations)
        self._check_keys_here = self.revocations is not None and not self.jwks.attach_revocations(
            self.revocations
        )
        self._clock = clock
        self._cache_size = verified_cache_size
        self._cache: PerProcess[TokenCache[_Entry]] = PerProcess(
            lambda: TokenCache(verified_cache_size)
        )
        self._warn = Throttle(_WARN_EVERY)

    def verify(
        self,
        access_token: str,
        anti_csrf_token: str | None = None,
        *,
        check_anti_csrf: bool = True,
        check_database: bool = False,
    ) -> VerifiedSession:
        """The session `access_token` proves, or raise TryRefreshToken / Unauthorised.

        `check_anti_csrf=False` skips the anti-CSRF comparison (safe methods such as
        GET). `check_database=True` asks the core, which also checks that the session
        is live in storage (raises Unauthorised at once for an ended session). An empty
        `access_token` is a caller's bug, refused as the core refuses it:
        InvalidRequest("access_token").
        """
        if not access_token:
            raise InvalidRequest("access_token", "must not be empty")
        revocations = self.revocations
        if check_database or (
            revocations is not None and not revocations.healthy and self._fail_closed(revocations)
        ):
            return self._client.verify_session(
                access_token,
                anti_csrf_token or "",
                check_database=True,
                skip_anti_csrf=not check_anti_csrf,
            )
        session, _, binding = self._verified(access_token)
        if revocations is not None and revocations.is_revoked(session.handle):
            raise Unauthorised("session_ended")
        if (
            binding is not None
            and check_anti_csrf
            and not _jws.anti_csrf_matches(anti_csrf_token, binding)
        ):
            raise TryRefreshToken("anti_csrf")
        return session

    def _verified(self, token: str) -> _Entry:
        """Signature and claims, or the cached result of an earlier check of the same token."""
        if not self._cache_size or type(token) is not str:
            return self._check(token)
        cache = self._cache.get()
        digest, entry = cache.lookup(token)
        if entry is None:
            entry = self._check(token)
            if digest is not None:
                cache.store(digest, entry)
            return entry
        assert digest is not None
        if entry[0].expires_at <= self._clock() - self.leeway:
            cache.forget(digest)
            raise TryRefreshToken("expired")
        try:
            self._key(entry[1])  # revoked, or gone from the JWKS, since it was cached
        except TryRefreshToken:
            cache.forget(digest)
            raise
        return entry

    def _check(self, token: str) -> _Entry:
        key_id, algorithm, payload, signature, signing_input = _jws.split(token)
        key = self.jwks.get(key_id)
        if key is None or self._check_keys_here:
            key = self._key(key_id)
        if algorithm != key.algorithm:
            raise TryRefreshToken("algorithm")
        try:
            key.verify(signature, signing_input)
        except InvalidSignature:
            raise TryRefreshToken("signature") from None
        session, binding = _jws.read_claims(
            payload, self.issuer, self.audience, self._clock(), self.leeway
        )
        return session, key_id, binding

    def _key(self, key_id: str) -> PublicKey:
        """The key `kid` names; TryRefreshToken("key_revoked" / "unknown_key") otherwise."""
        revocations = self.revocations
        key = self.jwks.get(key_id)
        if key is None:
            revoked = revocations is not None and revocations.is_key_revoked(key_id)
            raise TryRefreshToken("key_revoked" if revoked else "unknown_key")
        # A cache sharing our poller already refused revoked keys; ask only otherwise.
        if self._check_keys_here and revocations and revocations.is_key_revoked(key_id):
            raise TryRefreshToken("key_revoked")
        return key

    def _fail_closed(self, revocations: RevocationPoller) -> bool:
        """For an unhealthy feed: True to ask the core, False (with a warning) to go on locally."""
        if revocations.fail_closed:
            return True
        if self._warn.allow():
            log.warning(
                "revocation feed unhealthy; verifying locally without it (fail-open): "
                "revoked sessions are accepted until their access tokens expire"
            )
        return False
