"""The example project's views: sign in, list and revoke sessions, sign out.

Pages answer session errors as pages: no session (or an ended one) redirects to the
login page, theft to the login page with a notice, and an access token that needs
renewing gets a one-button form that POSTs to /auth/refresh/continue (under the refresh
path, so the refresh cookie is sent) and comes back. The cookies are still cleared or
kept as the driver's outcome table says (`error_response` queues that).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from examples.common.users import demo_store
from session_core_driver import TokenTheftDetected, TryRefreshToken, Unauthorised

REFRESH_PAGE_PATH = "/auth/refresh/continue"
USERS = demo_store()
View = Callable[..., HttpResponse]


def _see_other(location: str) -> HttpResponse:
    response = HttpResponseRedirect(location)
    response.status_code = 303
    return response


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/sessions"


def _when(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def page_session_required(view: View) -> View:
    """Like `session_required`, answering session errors with pages instead of JSON."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sessions = request.session_core
        try:
            sessions.require()
        except (TryRefreshToken, Unauthorised, TokenTheftDetected) as exc:
            sessions.error_response(exc)  # clears or keeps the cookies per the table
            if isinstance(exc, TryRefreshToken):
                back = request.path if request.method == "GET" else "/sessions"
                context = {"action": REFRESH_PAGE_PATH, "next": back}
                return render(request, "refresh.html", context, status=401)
            notice = "?notice=theft" if isinstance(exc, TokenTheftDetected) else ""
            return _see_other(f"/login{notice}")
        return view(request, *args, **kwargs)

    return guarded


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _see_other("/sessions")


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "login.html", {"notice": request.GET.get("notice")})
    sessions = request.session_core
    if not sessions.origin_is_allowed():
        return HttpResponse("forbidden", status=403)  # login CSRF: only our own pages
    user = USERS.authenticate(request.POST.get("username", ""), request.POST.get("password", ""))
    if user is None:
        context = {"error": "Wrong username or password."}
        return render(request, "login.html", context, status=401)
    sessions.create(user.username, access_token_claims={"name": user.display_name})
    return _see_other("/sessions")


@require_POST
def refresh_page(request: HttpRequest) -> HttpResponse:
    answer = request.session_core.refresh()
    if answer.status == 200:
        return _see_other(_safe_next(request.POST.get("next")))
    return _see_other("/login")


@require_GET
@page_session_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    session = request.session_core.session
    client = request.session_core.web.client
    rows = [
        {
            "handle": s.handle,
            "device": s.user_agent or "unknown device",
            "ip": s.ip_address or "-",
            "signed_in": _when(s.created_at),
            "last_used": _when(s.last_refreshed_at),
            "current": s.handle == session.handle,
        }
        for s in client.list_user_sessions(session.user_id)
    ]
    name = session.claims.get("name", session.user_id)
    return render(request, "sessions.html", {"name": name, "sessions": rows})


@require_POST
@page_session_required
def revoke(request: HttpRequest, handle: str) -> HttpResponse:
    session = request.session_core.session
    client = request.session_core.web.client
    try:
        owner: str | None = client.get_session(handle).user_id
    except Unauthorised:
        owner = None  # already ended: nothing to do
    if owner is not None and owner != session.user_id:
        raise Http404  # never reveal or touch another user's session
    if handle == session.handle:
        session.revoke()
        return _see_other("/login")
    if owner is not None:
        client.revoke_sessions([handle])
    return _see_other("/sessions")


@require_POST
@page_session_required
def revoke_others(request: HttpRequest) -> HttpResponse:
    request.session_core.session.revoke_other_sessions()
    return _see_other("/sessions")


@require_POST
@page_session_required
def logout(request: HttpRequest) -> HttpResponse:
    request.session_core.session.revoke()
    return _see_other("/login?notice=signed-out")
