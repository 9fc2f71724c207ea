"""Django idioms: the AppConfig refuses bad settings naming the key, Django's test client,
Django's own exceptions, lazy sessions, async views that never block the event loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import BadRequest, ImproperlyConfigured, PermissionDenied
from django.test import AsyncClient, Client
from django.test.utils import override_settings

from session_core_driver.django import SessionBadRequest, SessionPermissionDenied
from session_core_driver.django.errors import as_django
from session_core_driver.errors import InvalidClaims, InvalidRequest
from tests.driver.django import views
from tests.driver.django.conftest import Serve

GOOD = {"API_KEY": "k", "API_ORIGIN": "https://example.com", "REVOCATION_FEED": False}


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"API_ORIGIN": "https://example.com"}, 'SESSION_CORE["API_KEY"]'),
        ({"API_KEY": "k"}, 'SESSION_CORE["API_ORIGIN"]'),
        ({**GOOD, "COOKIE_SAMESITE": "lax"}, 'SESSION_CORE["COOKIE_SAMESITE"]: unknown'),
        ({**GOOD, "TRANSPORT": "pigeon"}, 'SESSION_CORE["TRANSPORT"]'),
        ({**GOOD, "REFRESH_PATH": "auth/refresh"}, 'SESSION_CORE["REFRESH_PATH"]'),
        ({**GOOD, "TIMEOUT": "soon"}, 'SESSION_CORE["TIMEOUT"]: .* > 0'),
        ({**GOOD, "TIMEOUT": 0}, 'SESSION_CORE["TIMEOUT"]'),
        ({**GOOD, "CHANNELS": 0}, 'SESSION_CORE["CHANNELS"]: .* from 1'),
        ({**GOOD, "CHANNELS": "many"}, 'SESSION_CORE["CHANNELS"]'),
        ({**GOOD, "LEEWAY": -1}, 'SESSION_CORE["LEEWAY"]: .* >= 0'),
        ({**GOOD, "API_KEY": "sck_key\n"}, 'SESSION_CORE["API_KEY"]: .*gRPC metadata'),
        ({**GOOD, "API_KEY": "sck_clé"}, 'SESSION_CORE["API_KEY"]'),
        ("not a dict", "SESSION_CORE: set it to a dict"),
    ],
)
def test_bad_settings_fail_at_start_naming_the_key(options: object, key: str) -> None:
    expected = pytest.raises(ImproperlyConfigured, match=key.replace("[", r"\["))
    with expected, override_settings(SESSION_CORE=options):
        pass


def test_session_errors_are_djangos_own_exceptions() -> None:
    denied = as_django(InvalidClaims("claim_equals('role')"))
    assert isinstance(denied, SessionPermissionDenied | PermissionDenied)
    assert isinstance(as_django(InvalidRequest("user_id", "empty")), SessionBadRequest | BadRequest)


def login(http: Client, kind: str, user: str, **claims: object) -> None:
    body = json.dumps({"user_id": user, "claims": claims})
    response = http.post(f"/{kind}/login", body, content_type="application/json")
    assert response.status_code == 200, response.content


def test_test_client_login_guard_claims_and_sign_out(django_client: Client, kind: str) -> None:
    login(django_client, kind, f"client-{kind}")
    assert django_client.get(f"/{kind}/me").json()["user_id"] == f"client-{kind}"
    denied = django_client.get(f"/{kind}/admin")
    assert denied.status_code == 403 and denied.json()["message"] == "invalid claims"
    merged = django_client.post(
        f"/{kind}/claims", json.dumps({"role": "admin"}), content_type="application/json"
    )
    assert merged.json()["read_back"] == {"role": "admin"}
    assert merged.cookies["sc_at"].value  # a new access token on this very response
    assert django_client.get(f"/{kind}/admin").status_code == 200
    signout = django_client.post("/auth/signout")
    assert signout.status_code == 200 and str(signout.cookies["sc_at"]["max-age"]) == "0"
    assert django_client.get(f"/{kind}/me").status_code == 401


def test_unguarded_views_read_the_session_lazily_and_raise_djangos_exceptions(
    django_client: Client,
) -> None:
    assert django_client.get("/plain/peek").json() == {"user_id": None}
    login(django_client, "plain", "lazy-user")
    assert django_client.get("/plain/peek").json() == {"user_id": "lazy-user"}
    refused = django_client.get("/plain/require-admin")  # SessionPermissionDenied, answered
    assert (refused.status_code, refused.json()["reason"]) == (403, "invalid_claims")
    assert refused.headers["sc-session-error"] == "invalid-claims"


def test_async_views_check_sessions_off_the_event_loop(serve: Serve) -> None:
    server = serve()
    views.LOOP_THREADS.clear()
    with server.client() as http:
        login = http.post("/async/login", json={"user_id": "loop", "claims": {"role": "admin"}})
        assert login.status_code == 200
        response = http.get("/async/admin")
    assert response.status_code == 200
    assert views.LOOP_THREADS == [False]  # the checks ran where no event loop runs


def test_asgi_handler_runs_the_middleware_and_views_async(
    configure: Callable[..., None], kind: str
) -> None:
    """Through Django's ASGI handler (AsyncClient): the middleware's async path."""
    configure("http://testserver")

    async def flow() -> tuple[int, int, int]:
        http = AsyncClient()
        body = json.dumps({"user_id": f"asgi-{kind}", "claims": {"role": "admin"}})
        login = await http.post(f"/{kind}/login", body, content_type="application/json")
        me = await http.get(f"/{kind}/me")
        signout = await http.post("/auth/signout")
        assert me.json()["user_id"] == f"asgi-{kind}"
        return login.status_code, me.status_code, signout.status_code

    assert asyncio.run(flow()) == (200, 200, 200)
