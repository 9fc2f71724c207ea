"""The test project's URLs: the views of tests.driver.django.views and the driver's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path

from tests.driver.django import views


def counted(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count each call of `view` by path (before the view runs)."""
    if views.asyncio.iscoroutinefunction(view):

        async def acount(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            views.CALLS[request.path] += 1
            return await view(request, *args, **kwargs)

        return acount

    def count(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        views.CALLS[request.path] += 1
        return view(request, *args, **kwargs)

    return count


def public(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def _kind(prefix: str, routes: dict[str, Callable[..., Any]]) -> list[URLPattern]:
    return [path(f"{prefix}/{name}", counted(view)) for name, view in routes.items()]


urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("session_core_driver.django.urls")),
    path("public", public),
    *_kind(
        "plain",
        {
            "login": views.plain_login,
            "me": views.plain_me,
            "me/db": views.plain_me_db,
            "claims": views.plain_claims,
            "admin": views.plain_admin,
            "slow-me": views.plain_slow_me,
            "require-admin": views.plain_require_admin,
            "peek": views.plain_peek,
        },
    ),
    *_kind(
        "async",
        {
            "login": views.async_login,
            "me": views.async_me,
            "me/db": views.async_me_db,
            "claims": views.async_claims,
            "admin": views.async_admin,
            "slow-me": views.async_slow_me,
        },
    ),
    *_kind(
        "drf",
        {
            "login": views.DrfLogin.as_view(),
            "me": views.DrfMe.as_view(),
            "me/db": views.DrfMeDb.as_view(),
            "claims": views.DrfClaims.as_view(),
            "admin": views.DrfAdmin.as_view(),
            "slow-me": views.DrfSlowMe.as_view(),
        },
    ),
]
