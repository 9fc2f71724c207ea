"""The driver's exception tree: one class per row of the outcome table (DESIGN section 4).

    SessionError                    base of everything the driver raises on purpose
    ├── TryRefreshToken             the access token cannot be used now; refresh it
    ├── Unauthorised                no session, or the session ended (`reason` says why)
    ├── TokenTheftDetected          a refresh token was reused; the session is revoked
    ├── InvalidClaims               the session is fine, the app's claim check failed (403)
    ├── InvalidRequest (ValueError) a request field the core refused (`field` named)
    ├── CoreAuthError               the core refused the API key: a misconfiguration
    └── CoreUnavailable             the core or its storage cannot be reached now

Messages never contain token values.
"""

from __future__ import annotations


class SessionError(Exception):
    """Base class of every error the driver raises on purpose."""


class TryRefreshToken(SessionError):
    """The access token is expired, malformed, foreign or fails anti-CSRF: refresh it.

    `reason` is a short machine-readable cause ("expired", "invalid", "anti_csrf", ...).
    """

    def __init__(self, reason: str = "invalid") -> None:
        super().__init__(f"try refresh token ({reason})")
        self.reason = reason


class Unauthorised(SessionError):
    """No session, or one that ended; `reason` says why ("no_session", "anti_csrf", ...).

    `clear_session` tells web layers whether the session's cookies must be cleared:
    False for a request that carried no session at all and for anti-CSRF failures.
    """

    def __init__(self, reason: str = "session_ended", *, clear_session: bool = True) -> None:
        super().__init__(f"unauthorised ({reason})")
        self.reason = reason
        self.clear_session = clear_session


class TokenTheftDetected(SessionError):
    """A refresh token was used after its successor: the session has been revoked."""

    def __init__(self, session_handle: str, user_id: str) -> None:
        super().__init__("token theft detected; the session was revoked")
        self.session_handle = session_handle
        self.user_id = user_id


class InvalidClaims(SessionError):
    """A claim validator refused the session (`validator` names it): answer 403."""

    def __init__(self, validator: str, message: str = "") -> None:
        super().__init__(message or f"claim check {validator!r} failed")
        self.validator = validator


class InvalidRequest(SessionError, ValueError):
    """The core refused a request field (`field`, `rule`): a bug in the caller."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class CoreAuthError(SessionError):
    """The core refused the API key: the driver is misconfigured."""


class CoreUnavailable(SessionError):
    """The core, or its storage, could not be reached within the deadline; retry later."""
