"""What the service answers: business outcomes as values, never as exceptions."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core_server.domain.access_tokens import AccessTokenClaims
from core_server.domain.models import FeedEntry, SessionRecord


class Outcome(enum.Enum):
    OK = "ok"
    TRY_REFRESH_TOKEN = "try_refresh_token"
    UNAUTHORISED = "unauthorised"
    TOKEN_THEFT_DETECTED = "token_theft_detected"


class Reason(enum.Enum):
    NONE = "none"
    INVALID_TOKEN = "invalid_token"
    EXPIRED_TOKEN = "expired_token"
    ANTI_CSRF = "anti_csrf"
    SESSION_ENDED = "session_ended"
    UNKNOWN_GENERATION = "unknown_generation"
    TOKEN_REUSED = "token_reused"


@dataclass(frozen=True)
class IssuedAccessToken:
    token: str
    expires_at: int


@dataclass(frozen=True)
class IssuedTokens:
    """Tokens handed to a client; `anti_csrf_token` is empty when the session has none."""

    access_token: IssuedAccessToken
    refresh_token: str
    refresh_expires_at: float
    anti_csrf_token: str


@dataclass(frozen=True)
class VerifyResult:
    outcome: Outcome
    reason: Reason = Reason.NONE
    claims: AccessTokenClaims | None = None
    claims_outdated: bool = False


@dataclass(frozen=True)
class RefreshResult:
    outcome: Outcome
    reason: Reason = Reason.NONE
    tokens: IssuedTokens | None = None
    session: SessionRecord | None = None


@dataclass(frozen=True)
class SessionResult:
    """The answer of reads and updates addressed by session handle."""

    outcome: Outcome
    reason: Reason = Reason.NONE
    session: SessionRecord | None = None


@dataclass(frozen=True)
class RegenerateResult:
    outcome: Outcome
    reason: Reason = Reason.NONE
    access_token: IssuedAccessToken | None = None
    claims: AccessTokenClaims | None = None


@dataclass(frozen=True)
class SessionPage:
    sessions: list[SessionRecord]
    next_page_token: str


@dataclass(frozen=True)
class RevocationPage:
    """Feed entries for a poller; with `snapshot` they are the whole set, to replace its own."""

    entries: list[FeedEntry]
    next_cursor: str
    snapshot: bool


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did: sessions and keys deleted, feed entries added back and pruned."""

    deleted_sessions: int = 0
    reconciled_entries: int = 0
    pruned_entries: int = 0
    deleted_keys: int = 0


def ended(reason: Reason = Reason.SESSION_ENDED) -> SessionResult:
    return SessionResult(Outcome.UNAUTHORISED, reason)
