"""Issues and checks the tokens of a session: access tokens, refresh tokens, anti-CSRF.

Holds the keyring and the token settings so the service only decides *when* to issue;
this module knows *how*. No storage access happens here.
"""

from __future__ import annotations

import json

from core_server.config import Config
from core_server.domain import access_tokens, anti_csrf
from core_server.domain.access_tokens import AccessTokenClaims
from core_server.domain.clock import Random
from core_server.domain.identifiers import new_jti
from core_server.domain.models import KeyKind, SessionRecord
from core_server.domain.refresh_tokens import RefreshToken
from core_server.errors import InvalidAccessToken, KeyUnavailable
from core_server.key_manager import KeyManager
from core_server.keyring import Keyring
from core_server.outcomes import IssuedAccessToken, IssuedTokens


class TokenIssuer:
    """Signs and verifies with one deployment's keys and token settings."""

    def __init__(self, config: Config, keys: KeyManager, rng: Random) -> None:
        self._config = config
        self._keys = keys
        self._rng = rng

    def csrf_ok(self, record: SessionRecord, generation: int, presented: str) -> bool:
        expected = anti_csrf.anti_csrf_token(
            self._keys.secret(KeyKind.ANTI_CSRF, record.keys.anti_csrf), record.handle, generation
        )
        return anti_csrf.anti_csrf_matches(presented, expected)

    def issue(self, record: SessionRecord, token: RefreshToken, now: float) -> IssuedTokens:
        csrf = ""
        if record.anti_csrf:
            key = self._keys.secret(KeyKind.ANTI_CSRF, record.keys.anti_csrf)
            csrf = anti_csrf.anti_csrf_token(key, record.handle, token.generation)
        claims = AccessTokenClaims(
            handle=record.handle,
            user_id=record.user_id,
            issued_at=int(now),
            expires_at=int(
                min(now + self._config.access_token_lifetime_seconds, record.absolute_expires_at)
            ),
            generation=token.generation,
            anti_csrf_hash=anti_csrf.anti_csrf_binding(csrf) if csrf else None,
            jti=new_jti(self._rng),
            app_claims=json.loads(record.access_token_claims_json),
        )
        mac_key = self._keys.secret(KeyKind.MAC, record.keys.mac)
        return IssuedTokens(
            access_token=self.sign(claims, now),
            refresh_token=token.encode(mac_key),
            refresh_expires_at=record.expires_at,
            anti_csrf_token=csrf,
        )

    def sign(self, claims: AccessTokenClaims, now: float) -> IssuedAccessToken:
        try:
            key = self._keys.keyring.signer(now)
        except KeyUnavailable:
            # Nothing signs: every process missed a rotation, or the signer was revoked
            # elsewhere; re-reading creates or finds the key that signs from the moment
            # of the re-read (a new key is stamped after this call's `now`).
            keyring = self._keys.refresh()
            key = keyring.signer(self._keys.refreshed_at)
        token = access_tokens.issue(
            key, claims, issuer=self._config.issuer, audience=self._config.audience
        )
        return IssuedAccessToken(token, claims.expires_at)

    def verify(self, token: str, now: float, allow_expired: bool = False) -> AccessTokenClaims:
        try:
            return self._verify(token, self._keys.keyring, now, allow_expired)
        except InvalidAccessToken as exc:
            if exc.reason != access_tokens.UNKNOWN_KEY or not self._keys.may_refresh(now):
                raise
        # A key this process has not read yet (an emergency replacement made elsewhere).
        return self._verify(token, self._keys.refresh(), now, allow_expired)

    def _verify(
        self, token: str, keyring: Keyring, now: float, allow_expired: bool
    ) -> AccessTokenClaims:
        return access_tokens.verify(
            token,
            keyring.verification(now),
            issuer=self._config.issuer,
            audience=self._config.audience,
            now=now,
            leeway=self._config.leeway_seconds,
            allow_expired=allow_expired,
        )
