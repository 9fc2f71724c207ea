"""Guarding views and starting sessions: `session_required`, `current_session`,
`create_new_session`.

`session_required` verifies the request's access token before the view runs and answers
any session error itself (it returns the response rather than raising), so neither a
blueprint's nor the app's own `errorhandler(Exception)`, nor a REST framework's error
routing, can turn a session 401 into a 500. Session errors the view raises (a claims
update refused by the core, say) are answered the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from flask import current_app
from werkzeug.local import LocalProxy

from session_core_driver.errors import SessionError
from session_core_driver.flask.adapter import web_request
from session_core_driver.flask.registry import installed
from session_core_driver.flask.session import FlaskSession
from session_core_driver.flask.state import request_state
from session_core_driver.web.csrf import origin_allowed
from session_core_driver.web.validators import ClaimValidator, run_validators

F = TypeVar("F", bound=Callable[..., Any])


def session_required(
    view: F | None = None,
    *,
    anti_csrf_check: bool | None = None,
    check_database: bool | None = None,
    validators: Iterable[ClaimValidator] = (),
) -> Any:
    """Decorate a view so it runs only with a verified session (`@session_required` or
    `@session_required(check_database=True, validators=[...])`).

    `anti_csrf_check=None` checks state-changing methods only; `check_database=None`
    uses SESSION_CORE_CHECK_DATABASE; a validator that refuses answers 403.
    """
    checks = tuple(validators)

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _run_protected(fn, args, kwargs, anti_csrf_check, check_database, checks)

        return cast(F, wrapper)

    return decorate(view) if view is not None else decorate


def _run_protected(
    view: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    anti_csrf_check: bool | None,
    check_database: bool | None,
    validators: tuple[ClaimValidator, ...],
) -> Any:
    ext = installed()
    database = ext.settings.check_database if check_database is None else check_database
    try:
        verified, token = ext.web.verify(
            web_request(), anti_csrf_check=anti_csrf_check, check_database=database
        )
        run_validators(verified.claims, validators)
        state = request_state()
        state.session = FlaskSession(ext.web, state, verified, token)
        return current_app.ensure_sync(view)(*args, **kwargs)
    except SessionError as exc:
        return ext.core.error_response(exc)


def origin_is_allowed() -> bool:
    """False when the current request comes from a foreign origin (Origin header not in the
    allow-list, or `Sec-Fetch-Site: cross-site`): check it in login views (login CSRF)."""
    return origin_allowed(installed().web.config, web_request())


def get_current_session() -> FlaskSession | None:
    """The session of this request: verified by `session_required` or just created."""
    return request_state().session


def _current_session() -> FlaskSession:
    session = get_current_session()
    if session is None:
        raise RuntimeError(
            "no session in this request: guard the view with @session_required "
            "(or call create_new_session first)"
        )
    return session


current_session: FlaskSession = cast(FlaskSession, LocalProxy(_current_session))


def create_new_session(
    user_id: str,
    *,
    access_token_claims: Mapping[str, Any] | None = None,
    session_data: Mapping[str, Any] | None = None,
    absolute_lifetime_seconds: int | None = None,
) -> FlaskSession:
    """Start a session for a user the app has just authenticated (in a login view).

    Session cookies or headers the request carries are ignored: the response overwrites
    them with the new session's. Raises InvalidRequest for a bad user id or claims and
    SessionTooLarge for claims that would not fit in a cookie.
    """
    ext = installed()
    created, effects = ext.web.create(
        web_request(),
        user_id,
        access_token_claims=access_token_claims,
        session_data=session_data,
        absolute_lifetime_seconds=absolute_lifetime_seconds,
    )
    verified = created.verified()
    state = request_state()
    state.replace(effects)
    state.session = FlaskSession(ext.web, state, verified, created.tokens.access_token)
    return state.session
