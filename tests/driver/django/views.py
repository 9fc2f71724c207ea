"""The Django views the tests run, in three kinds: plain, async and DRF.

Under /<kind>/ for kind in KINDS:
    POST login            {"user_id", "claims"?} -> request.session_core.create
    GET|POST me           guarded: the session's user id, handle and claims
    GET me/db             guarded with check_database=True
    POST claims           guarded: merge the JSON body into the claims, read them back
    GET admin             guarded with a claim validator (role == admin)
    GET slow-me           waits for RELEASE (bounded), then answers as `me`
/plain/require-admin and /plain/peek check the session without a guard.
Plain views use `session_required`, async views the same decorator on coroutines, DRF
views `SessionRequiredMixin` on APIView. Every request path is counted in CALLS.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from session_core_driver.django import (
    DjangoSession,
    SessionRequiredMixin,
    claim_equals,
    session_required,
)

KINDS = ("plain", "async", "drf")
SLOW_WAIT_SECONDS = 10.0
RELEASE = threading.Event()
CALLS: Counter[str] = Counter()
# Whether the async views' checks ran on a thread with a running event loop (they must not).
LOOP_THREADS: list[bool] = []
ADMIN = claim_equals("role", "admin")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def recording_admin(claims: Mapping[str, Any]) -> bool:
    LOOP_THREADS.append(_loop_running())
    return ADMIN(claims)


def described(session: DjangoSession | None) -> dict[str, Any]:
    assert session is not None
    return {"user_id": session.user_id, "handle": session.handle, "claims": session.claims}


def _body(request: HttpRequest) -> Any:
    return json.loads(request.body or b"{}")


# Plain views.
def plain_login(request: HttpRequest) -> JsonResponse:
    body = _body(request)
    session = request.session_core.create(body["user_id"], access_token_claims=body.get("claims"))
    return JsonResponse({"handle": session.handle, "user_id": session.user_id})


@session_required
def plain_me(request: HttpRequest) -> JsonResponse:
    return JsonResponse(described(request.session_core.session))


@session_required(check_database=True)
def plain_me_db(request: HttpRequest) -> JsonResponse:
    return JsonResponse(described(request.session_core.session))


@session_required
def plain_claims(request: HttpRequest) -> JsonResponse:
    session = request.session_core.session
    read_back = session.merge_claims(_body(request))
    return JsonResponse({**described(session), "read_back": read_back})


@session_required(validators=[ADMIN])
def plain_admin(request: HttpRequest) -> JsonResponse:
    return JsonResponse(described(request.session_core.session))


def plain_slow_me(request: HttpRequest) -> JsonResponse:
    assert RELEASE.wait(SLOW_WAIT_SECONDS), "the test never released slow-me"
    return plain_me(request)  # type: ignore[no-any-return]


def plain_require_admin(request: HttpRequest) -> JsonResponse:
    """Unguarded: checks the session itself; the middleware answers what it raises."""
    return JsonResponse(described(request.session_core.require(validators=[ADMIN])))


def plain_peek(request: HttpRequest) -> JsonResponse:
    """Unguarded: the lazily verified session, or null."""
    session = request.session_core.session
    return JsonResponse({"user_id": session.user_id if session else None})


# Async views.
async def async_login(request: HttpRequest) -> JsonResponse:
    body = _body(request)
    session = await request.session_core.acreate(
        body["user_id"], access_token_claims=body.get("claims")
    )
    return JsonResponse({"handle": session.handle, "user_id": session.user_id})


@session_required
async def async_me(request: HttpRequest) -> JsonResponse:
    return JsonResponse(described(request.session_core.session))


@session_required(check_database=True)
async def async_me_db(request: HttpRequest) -> JsonResponse:
    return JsonResponse(described(request.session_core.session))


@session_required
async def async_claims(request: HttpRequest) -> JsonResponse:
    session = request.session_core.session
    read_back = await session.amerge_claims(_body(request))
    return JsonResponse({**described(session), "read_back": read_back})


@session_required(validators=[recording_admin])
async def async_admin(request: HttpRequest) -> JsonResponse:
    return JsonResponse(described(request.session_core.session))


async def async_slow_me(request: HttpRequest) -> JsonResponse:
    released = await asyncio.to_thread(RELEASE.wait, SLOW_WAIT_SECONDS)
    assert released, "the test never released slow-me"
    return await async_me(request)  # type: ignore[no-any-return]


# DRF views.
class DrfLogin(APIView):
    def post(self, request: Request) -> Response:
        session = request.session_core.create(
            request.data["user_id"], access_token_claims=request.data.get("claims")
        )
        return Response({"handle": session.handle, "user_id": session.user_id})


class DrfMe(SessionRequiredMixin, APIView):
    def get(self, request: Request) -> Response:
        return Response(described(request.session_core.session))

    post = get


class DrfMeDb(DrfMe):
    session_check_database = True


class DrfClaims(SessionRequiredMixin, APIView):
    def post(self, request: Request) -> Response:
        session = request.session_core.session
        read_back = session.merge_claims(request.data)
        return Response({**described(session), "read_back": read_back})


class DrfAdmin(DrfMe):
    session_validators = (ADMIN,)


class DrfSlowMe(APIView):
    def get(self, request: Request) -> Any:
        assert RELEASE.wait(SLOW_WAIT_SECONDS), "the test never released slow-me"
        return DrfMe.as_view()(request._request)
