"""The session service: domain rules plus the store, and the only caller of the store.

Every public method validates its input (raising `InvalidArgument`), reads the
clock once, and answers a business outcome from `core_server.outcomes`. Storage
errors propagate unchanged; the RPC layer maps them to statuses.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from core_server import metrics, new_sessions, validation
from core_server.config import Config
from core_server.domain import anti_csrf, refresh_tokens, rotation
from core_server.domain.clock import Clock, Random
from core_server.domain.identifiers import new_jti
from core_server.domain.models import KeyKind, RotateResult, Rotation, SessionRecord
from core_server.domain.refresh_tokens import RefreshToken
from core_server.domain.rotation import Verdict
from core_server.errors import ExpiredAccessToken, InvalidAccessToken, InvalidRefreshToken
from core_server.key_manager import KeyManager
from core_server.new_sessions import NewSession
from core_server.outcomes import (
    IssuedTokens,
    Outcome,
    Reason,
    RefreshResult,
    RegenerateResult,
    RevocationPage,
    SessionPage,
    SessionResult,
    VerifyResult,
    ended,
)
from core_server.revocations import RevocationFeed
from core_server.storage.base import SessionStore
from core_server.storage.errors import StorageUnavailable
from core_server.token_issuer import TokenIssuer

log = logging.getLogger(__name__)

# A lost compare-and-set means another refresh won; re-reading then yields a replay.
MAX_ROTATION_ATTEMPTS = 4
_UNAUTHORISED = {
    Verdict.SESSION_ENDED: Reason.SESSION_ENDED,
    Verdict.INVALID: Reason.INVALID_TOKEN,
    Verdict.UNKNOWN_GENERATION: Reason.UNKNOWN_GENERATION,
}


class SessionService:
    """Create, verify, refresh and revoke sessions for one deployment."""

    def __init__(
        self, config: Config, store: SessionStore, keys: KeyManager, clock: Clock, rng: Random
    ) -> None:
        self._config = config
        self._store = store
        self._keys = keys
        self._clock = clock
        self._rng = rng
        self._tokens = TokenIssuer(config, keys, rng)
        self._feed = RevocationFeed(
            store, config.session_feed_retention_seconds, config.feed_overlap_seconds
        )

    # -- create / verify / refresh -------------------------------------------------

    def create(self, request: NewSession) -> tuple[SessionRecord, IssuedTokens]:
        now = self._clock.now()
        record, token = new_sessions.new_record(
            request, self._config, self._keys.keyring.pinned(now), self._rng, now
        )
        self._store.insert_session(record)
        log.info("session created", extra={"handle": record.handle})
        return record, self._tokens.issue(record, token, now)

    def verify(
        self, access_token: str, anti_csrf_token: str, skip_anti_csrf: bool, check_database: bool
    ) -> VerifyResult:
        validation.token(access_token, "access_token")
        now = self._clock.now()
        try:
            claims = self._tokens.verify(access_token, now)
        except ExpiredAccessToken:
            return VerifyResult(Outcome.TRY_REFRESH_TOKEN, Reason.EXPIRED_TOKEN)
        except InvalidAccessToken:
            return VerifyResult(Outcome.TRY_REFRESH_TOKEN, Reason.INVALID_TOKEN)
        if claims.anti_csrf_hash and not skip_anti_csrf:
            presented = anti_csrf.anti_csrf_binding(anti_csrf_token) if anti_csrf_token else ""
            if not anti_csrf.anti_csrf_matches(presented, claims.anti_csrf_hash):
                return VerifyResult(Outcome.TRY_REFRESH_TOKEN, Reason.ANTI_CSRF)
        if not check_database:
            return VerifyResult(Outcome.OK, claims=claims)
        record = self._store.get_session(claims.handle)
        if record is None or not record.is_live(now) or record.user_id != claims.user_id:
            return VerifyResult(Outcome.UNAUTHORISED, Reason.SESSION_ENDED)
        # Stored claims are already canonical JSON (the service writes nothing else).
        outdated = record.access_token_claims_json != validation.canonical_json(claims.app_claims)
        return VerifyResult(Outcome.OK, claims=claims, claims_outdated=outdated)

    def refresh(self, refresh_token: str, anti_csrf_token: str) -> RefreshResult:
        validation.token(refresh_token, "refresh_token")
        result = self._refresh(refresh_token, anti_csrf_token)
        if result.outcome is Outcome.UNAUTHORISED:
            metrics.record_refresh("unauthorised")
        return result

    # -- revoke / list / read / update ---------------------------------------------

    def revoke_sessions(self, handles: list[str]) -> list[str]:
        """Revoke the live sessions among `handles`, then add them to the revocation feed."""
        now = self._clock.now()
        revoked = self._store.revoke_sessions(validation.handles(handles), now)
        self._feed.record_sessions(revoked, now)
        log.info("sessions revoked", extra={"count": len(revoked)})
        return revoked

    def revoke_user_sessions(self, user_id: str, keep_handle: str) -> list[str]:
        validation.user_id(user_id)
        keep = validation.handle(keep_handle, "keep_handle") if keep_handle else None
        now = self._clock.now()
        revoked = self._store.revoke_user_sessions(user_id, keep, now)
        self._feed.record_sessions(revoked, now)
        log.info("user sessions revoked", extra={"count": len(revoked)})
        return revoked

    def list_user_sessions(self, user_id: str, page_size: int, page_token: str) -> SessionPage:
        validation.user_id(user_id)
        size = validation.page_size(page_size)
        after = validation.decode_page_token(page_token)
        rows = self._store.list_user_sessions(user_id, self._clock.now(), after, size + 1)
        # A page also stops short when its answer would outgrow the message limit.
        size = min(size, _rows_within(rows, self._config.max_message_bytes // 2))
        if len(rows) <= size:
            return SessionPage(rows, "")
        last = rows[size - 1]
        return SessionPage(rows[:size], validation.encode_page_token(last.created_at, last.handle))

    def get_session(self, handle: str) -> SessionResult:
        validation.handle(handle)
        record = self._store.get_session(handle)
        if record is None or not record.is_live(self._clock.now()):
            return ended()
        return SessionResult(Outcome.OK, session=record)

    def update_session_data(self, handle: str, data_json: str) -> SessionResult:
        validation.handle(handle)
        data = validation.json_object(
            data_json,
            "session_data_json",
            self._config.max_session_data_bytes,
            empty_means_nothing=False,
        )
        text = validation.canonical_json(data)
        return self._updated(self._store.update_session_data(handle, text, self._clock.now()))

    def update_access_token_claims(self, handle: str, claims_json: str) -> SessionResult:
        validation.handle(handle)
        text = self._claims_text(claims_json, replacing=True)
        return self._updated(
            self._store.update_access_token_claims(handle, text, self._clock.now())
        )

    def regenerate_access_token(
        self, access_token: str, claims_json: str | None
    ) -> RegenerateResult:
        validation.token(access_token, "access_token")
        new_claims = None if claims_json is None else self._claims_text(claims_json, replacing=True)
        now = self._clock.now()
        try:
            claims = self._tokens.verify(access_token, now, allow_expired=True)
        except InvalidAccessToken:
            return RegenerateResult(Outcome.TRY_REFRESH_TOKEN, Reason.INVALID_TOKEN)
        record = self._store.get_session(claims.handle)
        if record is None or not record.is_live(now):
            return RegenerateResult(Outcome.UNAUTHORISED, Reason.SESSION_ENDED)
        if new_claims is not None:
            if not self._store.update_access_token_claims(claims.handle, new_claims, now):
                return RegenerateResult(Outcome.UNAUTHORISED, Reason.SESSION_ENDED)
            record = replace(record, access_token_claims_json=new_claims)
        current = replace(claims, app_claims=json.loads(record.access_token_claims_json))
        if claims.expires_at <= now - self._config.leeway_seconds:
            # Too late for a new token: the stored claims changed and reach the next refresh.
            return RegenerateResult(Outcome.OK, claims=current)
        fresh = replace(current, issued_at=int(now), jti=new_jti(self._rng))
        return RegenerateResult(
            Outcome.OK, access_token=self._tokens.sign(fresh, now), claims=fresh
        )

    def jwks(self) -> tuple[str, int]:
        return self._keys.keyring.jwks(self._clock.now())

    def list_revocations(self, cursor: str) -> RevocationPage:
        """A page of the revocation feed from `cursor`; see `RevocationFeed.page`."""
        return self._feed.page(cursor)

    # -- internals -----------------------------------------------------------------

    def _refresh(self, refresh_token: str, anti_csrf_token: str) -> RefreshResult:
        try:
            presented = refresh_tokens.decode(refresh_token, self._keys.keyring.mac_keys)
        except InvalidRefreshToken:
            return RefreshResult(Outcome.UNAUTHORISED, Reason.INVALID_TOKEN)
        for _ in range(MAX_ROTATION_ATTEMPTS):
            result = self._refresh_once(presented, anti_csrf_token)
            if result is not None:
                return result
        raise StorageUnavailable("refresh kept losing the compare-and-set; try again")

    def _refresh_once(self, presented: RefreshToken, csrf_token: str) -> RefreshResult | None:
        now = self._clock.now()
        record = self._store.get_session(presented.handle)
        if record is None or not record.is_live(now):
            return RefreshResult(Outcome.UNAUTHORISED, Reason.SESSION_ENDED)
        if record.anti_csrf and not self._tokens.csrf_ok(record, presented.generation, csrf_token):
            return RefreshResult(Outcome.UNAUTHORISED, Reason.ANTI_CSRF)
        successor = refresh_tokens.successor(
            presented, self._keys.secret(KeyKind.REFRESH, record.keys.refresh)
        )
        verdict = rotation.decide(
            record,
            presented,
            refresh_tokens.token_hash(presented),
            refresh_tokens.token_hash(successor),
            now,
            self._config.grace_window_seconds,
        )
        return self._apply(verdict, record, presented, successor, now)

    def _apply(
        self,
        verdict: Verdict,
        record: SessionRecord,
        presented: RefreshToken,
        successor: RefreshToken,
        now: float,
    ) -> RefreshResult | None:
        if verdict is Verdict.REPLAY:
            metrics.record_refresh("replayed")
            return RefreshResult(
                Outcome.OK, tokens=self._tokens.issue(record, successor, now), session=record
            )
        if verdict is Verdict.THEFT:
            return self._theft(record, presented, now)
        if verdict is not Verdict.ROTATE:
            return RefreshResult(Outcome.UNAUTHORISED, _UNAUTHORISED[verdict])
        idle = rotation.next_idle_expiry(record, now, self._config.idle_lifetime_seconds)
        change = Rotation(
            handle=record.handle,
            expected_generation=record.generation,
            expected_hash=record.current_hash,
            new_hash=refresh_tokens.token_hash(successor),
            rotated_at=now,
            idle_expires_at=idle,
        )
        if self._store.rotate_refresh_token(change, now) is RotateResult.CONFLICT:
            return None
        rotated = replace(
            record,
            generation=successor.generation,
            previous_hash=change.expected_hash,
            current_hash=change.new_hash,
            rotated_at=now,
            idle_expires_at=idle,
        )
        metrics.record_refresh("rotated")
        return RefreshResult(
            Outcome.OK, tokens=self._tokens.issue(rotated, successor, now), session=rotated
        )

    def _theft(self, record: SessionRecord, presented: RefreshToken, now: float) -> RefreshResult:
        self._store.revoke_sessions([record.handle], now)
        self._feed.record_theft(record, presented.generation, now)
        metrics.record_refresh("theft")
        metrics.record_theft()
        # Identifiers only: a token value must never reach a log.
        log.warning(
            "refresh token reuse detected; session revoked",
            extra={
                "event": "token_theft",
                "handle": record.handle,
                "user_id": record.user_id,
                "presented_generation": presented.generation,
                "current_generation": record.generation,
            },
        )
        return RefreshResult(
            Outcome.TOKEN_THEFT_DETECTED,
            Reason.TOKEN_REUSED,
            session=replace(record, revoked_at=now),
        )

    def _claims_text(self, claims_json: str, *, replacing: bool = False) -> str:
        return new_sessions.claims_text(claims_json, self._config, replacing=replacing)

    @staticmethod
    def _updated(done: bool) -> SessionResult:
        return SessionResult(Outcome.OK) if done else ended()


# Timestamps, handle, key ids and framing of one listed session, generously counted.
_LISTED_SESSION_OVERHEAD = 512


def _rows_within(rows: list[SessionRecord], budget: int) -> int:
    """How many leading rows fit in `budget` bytes of answer (at least one)."""
    used = 0
    for count, row in enumerate(rows):
        texts = (
            row.user_id,
            row.access_token_claims_json,
            row.session_data_json,
            row.client.user_agent,
            row.client.ip_address,
        )
        used += _LISTED_SESSION_OVERHEAD + sum(len(text.encode()) for text in texts)
        if used > budget:
            return max(count, 1)
    return len(rows)
