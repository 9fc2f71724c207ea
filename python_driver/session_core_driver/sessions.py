"""The values the driver hands back: sessions, tokens, verified sessions, feed pages.

All are frozen dataclasses built from what the core answered (or, for a locally verified
session, from a token whose signature checked out). Times are seconds since the Unix
epoch. None of them is ever written to a log by the driver; `Tokens` keeps its secrets
out of `repr` so an accidental log line cannot leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tokens:
    """What a client holds after create or refresh.

    `anti_csrf_token` is "" when the session does not use anti-CSRF tokens. Token values
    are excluded from `repr`.
    """

    access_token: str = field(repr=False)
    access_token_expires_at: float
    refresh_token: str = field(repr=False)
    refresh_token_expires_at: float
    anti_csrf_token: str = field(repr=False)


@dataclass(frozen=True)
class SessionInfo:
    """The stored state of one session, as the core reported it.

    `expires_at` is when the session ends unless it is refreshed: the earlier of its
    idle expiry (which each refresh slides) and `absolute_expires_at` (fixed at create).
    `session_data` is None only when the core sent no data document.
    """

    handle: str
    user_id: str
    created_at: float
    last_refreshed_at: float
    expires_at: float
    absolute_expires_at: float
    access_token_claims: dict[str, Any]
    session_data: dict[str, Any] | None
    user_agent: str
    ip_address: str
    anti_csrf: bool = False


@dataclass(frozen=True)
class NewSession:
    """A session just created and its first tokens."""

    session: SessionInfo
    tokens: Tokens

    def verified(self) -> VerifiedSession:
        """What its first access token proves, without verifying a token just issued."""
        return VerifiedSession(
            handle=self.session.handle,
            user_id=self.session.user_id,
            claims=dict(self.session.access_token_claims),
            expires_at=int(self.tokens.access_token_expires_at),
            generation=0,
            anti_csrf_bound=bool(self.tokens.anti_csrf_token),
        )


@dataclass(frozen=True)
class RefreshedSession:
    """A session after a refresh (or a replay inside the grace window) and its new tokens."""

    session: SessionInfo
    tokens: Tokens


@dataclass(frozen=True, slots=True)
class VerifiedSession:
    """What a valid access token proves.

    `claims` holds the application claims only (never `sub`, `sid`, `exp`, `sc_*`...).
    `expires_at` is the token's `exp`; `generation` the refresh-token generation it was
    issued with; `anti_csrf_bound` whether it is bound to an anti-CSRF token.
    `claims_outdated` is only ever True after a database check that found newer stored
    claims (regenerate the access token, or refresh, to pick them up).
    """

    handle: str
    user_id: str
    claims: dict[str, Any]
    expires_at: int
    generation: int
    anti_csrf_bound: bool
    claims_outdated: bool = False


@dataclass(frozen=True)
class TheftEvent:
    """A detected refresh-token reuse, as the revocation feed records it."""

    user_id: str
    presented_generation: int
    current_generation: int


@dataclass(frozen=True)
class Revocation:
    """One revocation-feed entry: exactly one of `handle` and `key_id` is set.

    `sequence` is unique per entry; the same entry can be answered again (the feed's
    overlap window) with the same sequence.
    """

    handle: str | None
    key_id: str | None
    revoked_at: float
    sequence: int
    theft: TheftEvent | None = None


@dataclass(frozen=True)
class RevocationPage:
    """One answer of the revocation feed.

    When `snapshot` is True the entries are the complete set in force and replace
    whatever a reader held; otherwise they are increments to add. Pass `next_cursor` to
    the next read.
    """

    entries: tuple[Revocation, ...]
    next_cursor: str
    snapshot: bool
