"""Guarding views: the `session_required` decorator and `SessionRequiredMixin`.

Both verify the request's access token before the view runs and answer any session
error themselves (the outcome table's JSON, status and cookie effects), so neither
Django's exception handling nor DRF's can turn a session 401 into something else.
Session errors the view raises (a claims update the core refused, say) are answered
the same way. Async views verify in a worker thread: the event loop never waits on
the core.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from session_core_driver.django.adapter import django_request, to_django
from session_core_driver.django.errors import session_error_of
from session_core_driver.django.state import RequestSessionCore
from session_core_driver.web.validators import ClaimValidator

F = TypeVar("F", bound=Callable[..., Any])


def session_core_of(request: HttpRequest) -> RequestSessionCore:
    """`request.session_core`; ImproperlyConfigured when the middleware is not installed."""
    slot = getattr(request, "session_core", None)
    if not isinstance(slot, RequestSessionCore):
        raise ImproperlyConfigured(
            'add "session_core_driver.django.SessionCoreMiddleware" to MIDDLEWARE'
        )
    return slot


def session_required(
    view: F | None = None,
    *,
    anti_csrf_check: bool | None = None,
    check_database: bool | None = None,
    validators: Iterable[ClaimValidator] = (),
) -> Any:
    """Decorate a view (function, async function, or a DRF / class-based view method) so
    it runs only with a verified session: `@session_required` or
    `@session_required(check_database=True, validators=[claim_equals("role", "admin")])`.

    `anti_csrf_check=None` checks state-changing methods only; `check_database=None`
    uses SESSION_CORE["CHECK_DATABASE"]; a validator that refuses answers 403.
    """
    checks: dict[str, Any] = {
        "anti_csrf_check": anti_csrf_check,
        "check_database": check_database,
        "validators": tuple(validators),
    }

    def decorate(fn: F) -> F:
        if iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def awrapper(*args: Any, **kwargs: Any) -> Any:
                slot = _slot(args)
                try:
                    await slot.arequire(**checks)
                    return await fn(*args, **kwargs)
                except Exception as exc:
                    return _answer(slot, exc)

            return cast(F, awrapper)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            slot = _slot(args)
            try:
                slot.require(**checks)
                return fn(*args, **kwargs)
            except Exception as exc:
                return _answer(slot, exc)

        return cast(F, wrapper)

    return decorate(view) if view is not None else decorate


class SessionRequiredMixin:
    """For class-based views and DRF `APIView`s (put it first among the bases):

        class Me(SessionRequiredMixin, APIView):
            session_validators = [claim_equals("role", "admin")]

    Options as `session_required`: `session_anti_csrf_check`, `session_check_database`,
    `session_validators`. Async class-based views verify in a worker thread.
    """

    session_anti_csrf_check: bool | None = None
    session_check_database: bool | None = None
    session_validators: Sequence[ClaimValidator] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        parent = cast(Any, super()).dispatch
        guard = session_required(
            anti_csrf_check=self.session_anti_csrf_check,
            check_database=self.session_check_database,
            validators=self.session_validators,
        )
        if getattr(type(self), "view_is_async", False):

            async def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                return await parent(request, *args, **kwargs)

            return guard(run)(request, *args, **kwargs)
        return guard(parent)(request, *args, **kwargs)


def _slot(args: tuple[Any, ...]) -> RequestSessionCore:
    for arg in args:
        request = django_request(arg)
        if request is not None:
            return session_core_of(request)
    raise TypeError("session_required: the view was not given a request")


def _answer(slot: RequestSessionCore, exc: Exception) -> HttpResponse:
    error = session_error_of(exc)
    if error is None:
        raise exc
    return to_django(slot.error_response(error))
