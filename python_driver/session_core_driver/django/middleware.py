"""SessionCoreMiddleware: attaches `request.session_core` and writes its effects.

Each request gets a fresh RequestSessionCore (the session inside is verified lazily);
after the view, the cookies and headers it queued (a new session, a claims change, a
cleared session) are written on the response. A session error a view raises is
answered with the outcome table's JSON. Works under WSGI and ASGI.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from session_core_driver.django.adapter import apply_effects, to_django
from session_core_driver.django.errors import session_error_of
from session_core_driver.django.registry import installed
from session_core_driver.django.state import RequestSessionCore


class SessionCoreMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self._async:
            return self.__acall__(request)
        slot = _attach(request)
        return _finish(self.get_response(request), slot)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        slot = _attach(request)
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        return _finish(await get_response(request), slot)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = session_error_of(exception)
        slot = getattr(request, "session_core", None)
        if error is None or not isinstance(slot, RequestSessionCore):
            return None
        return to_django(slot.error_response(error))


def _attach(request: HttpRequest) -> RequestSessionCore:
    slot = RequestSessionCore(installed(), request)
    request.session_core = slot
    return slot


def _finish(response: HttpResponseBase, slot: RequestSessionCore) -> HttpResponseBase:
    return apply_effects(response, slot.effects) if slot.effects else response
