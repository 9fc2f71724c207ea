"""The one table from driver errors to HTTP answers (DESIGN section 4).

| error                                | status | body `message`               | session cookies |
|--------------------------------------|--------|------------------------------|-----------------|
| TryRefreshToken                      | 401    | try refresh token            | kept            |
| Unauthorised (clear_session=True)    | 401    | unauthorised                 | cleared         |
| Unauthorised (no session, anti-CSRF) | 401    | unauthorised                 | kept            |
| TokenTheftDetected                   | 401    | token theft detected         | cleared         |
| InvalidClaims                        | 403    | invalid claims               | kept            |
| InvalidRequest (ValueError)          | 400    | invalid request              | kept            |
| CoreAuthError                        | 500    | session service misconfigured| kept            |
| CoreUnavailable                      | 503    | session service unavailable  | kept            |

Bodies are JSON `{"message": ..., "reason": ...}` (`reason` machine-readable, e.g.
`expired`, `anti_csrf`, `no_session`, `session_ended`), plus `validator` or `field` where
they apply. Every such answer carries `sc-session-error: <message with dashes>` (set only
on the driver's own errors, so a client can tell an application's own 401 from a session
401) and `Cache-Control: no-store`. Cookies are cleared only when the request carried a
session: the caller passes the clearing effects or none.
"""

from __future__ import annotations

from dataclasses import dataclass

from session_core_driver.errors import (
    CoreAuthError,
    CoreUnavailable,
    InvalidClaims,
    InvalidRequest,
    SessionError,
    TokenTheftDetected,
    TryRefreshToken,
    Unauthorised,
)
from session_core_driver.web import names
from session_core_driver.web.messages import NO_STORE, ResponseEffects, WebResponse

TRY_REFRESH_TOKEN = "try refresh token"
UNAUTHORISED = "unauthorised"
TOKEN_THEFT_DETECTED = "token theft detected"
INVALID_CLAIMS = "invalid claims"
INVALID_REQUEST = "invalid request"
CORE_AUTH = "session service misconfigured"
CORE_UNAVAILABLE = "session service unavailable"
RETRY_AFTER_SECONDS = "1"


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    message: str
    reason: str
    clears_session: bool


def classify(exc: SessionError) -> ErrorAnswer:
    """The row of the table for `exc` (any other SessionError answers 500)."""
    if isinstance(exc, TryRefreshToken):
        return ErrorAnswer(401, TRY_REFRESH_TOKEN, exc.reason, False)
    if isinstance(exc, Unauthorised):
        return ErrorAnswer(401, UNAUTHORISED, exc.reason, exc.clear_session)
    if isinstance(exc, TokenTheftDetected):
        return ErrorAnswer(401, TOKEN_THEFT_DETECTED, "token_theft", True)
    if isinstance(exc, InvalidClaims):
        return ErrorAnswer(403, INVALID_CLAIMS, "invalid_claims", False)
    if isinstance(exc, InvalidRequest):
        return ErrorAnswer(400, INVALID_REQUEST, "invalid_request", False)
    if isinstance(exc, CoreUnavailable):
        return ErrorAnswer(503, CORE_UNAVAILABLE, "core_unavailable", False)
    if isinstance(exc, CoreAuthError):
        return ErrorAnswer(500, CORE_AUTH, "core_auth", False)
    return ErrorAnswer(500, "session error", "internal", False)


def error_body(exc: SessionError, answer: ErrorAnswer) -> dict[str, str]:
    body = {"message": answer.message, "reason": answer.reason}
    if isinstance(exc, InvalidClaims):
        body["validator"] = exc.validator
    if isinstance(exc, InvalidRequest):
        body["field"] = exc.field
        body["detail"] = exc.rule
    return body


def error_effects(answer: ErrorAnswer) -> ResponseEffects:
    """The headers every driver error answer carries (marker, no-store, Retry-After)."""
    headers = [
        (names.SESSION_ERROR, answer.message.replace(" ", "-")),
        (names.EXPOSE_HEADERS, ", ".join(names.EXPOSED)),
    ]
    if answer.status == 503:
        headers.append(("retry-after", RETRY_AFTER_SECONDS))
    return ResponseEffects(headers=tuple(headers)) + NO_STORE


def error_response(exc: SessionError, clearing: ResponseEffects) -> WebResponse:
    """The answer for `exc`; `clearing` is applied only if the table says to clear."""
    answer = classify(exc)
    effects = error_effects(answer)
    if answer.clears_session:
        effects = clearing + effects
    return WebResponse(answer.status, error_body(exc, answer), effects)
