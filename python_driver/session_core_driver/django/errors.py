"""Session errors as Django's own exceptions, where Django has one.

`request.session_core.require()` raises these, so code outside the middleware's reach
(a view without it, Django's own handlers) still gets the right status and logging:

    InvalidClaims   -> SessionPermissionDenied (PermissionDenied: 403, django.security)
    InvalidRequest  -> SessionBadRequest       (BadRequest: 400, django.security)

With the middleware installed every session error, these included, is answered with
the driver's JSON body and headers (outcome table in docs/python-driver.md).
"""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied

from session_core_driver.errors import InvalidClaims, InvalidRequest, SessionError


class SessionPermissionDenied(PermissionDenied):
    """A claim validator refused the session (403)."""

    def __init__(self, error: InvalidClaims) -> None:
        super().__init__(f"invalid claims: {error.validator}")
        self.error: SessionError = error


class SessionBadRequest(BadRequest):
    """The core refused a field of the request (400)."""

    def __init__(self, error: InvalidRequest) -> None:
        super().__init__(f"invalid request: {error.field}")
        self.error: SessionError = error


def as_django(error: SessionError) -> Exception:
    """The Django exception for `error`, or `error` itself when Django has none."""
    if isinstance(error, InvalidClaims):
        return SessionPermissionDenied(error)
    if isinstance(error, InvalidRequest):
        return SessionBadRequest(error)
    return error


def session_error_of(exc: BaseException) -> SessionError | None:
    """The session error `exc` is or carries, if any."""
    if isinstance(exc, SessionError):
        return exc
    if isinstance(exc, SessionPermissionDenied | SessionBadRequest):
        return exc.error
    return None
