"""User ids and claims with any Unicode text survive every hop exactly (B17)."""

from __future__ import annotations

import base64
import json
import re
import unicodedata

import httpx
import pytest

from session_core_driver import SessionCoreClient
from tests.driver.flask.checks import jar, set_cookies
from tests.driver.flask.conftest import Serve

AWKWARD_IDS = {
    "polish": "Łukasz Żółć",
    "greek": "Ελένη",
    "cjk": "山田太郎",
    "emoji": "dev 🦄👩‍💻",
    "rtl": "שלום مرحبا",
    "cookie-special": 'a;b,c=d%20e f"g',
    "long": "ł" + "x" * 254 + "😀",  # 256 characters, the longest id the core accepts
}
# Every value we put in a cookie: base64url, JWT dots, never anything needing quotes.
COOKIE_SAFE = re.compile(r"^[A-Za-z0-9._~-]*$")


def browser_decode(front: str) -> dict[str, object]:
    """atob -> bytes -> TextDecoder('utf-8') -> JSON.parse, as a page script decodes it."""
    raw = base64.urlsafe_b64decode(front + "=" * (-len(front) % 4))
    decoded: dict[str, object] = json.loads(raw.decode("utf-8"))
    return decoded


def sign_in(http: httpx.Client, user: str) -> httpx.Response:
    response = http.post("/login", json={"user_id": user, "claims": {"name": user}})
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("kind", sorted(AWKWARD_IDS))
def test_B17_awkward_user_ids_round_trip_in_cookies_front_token_and_listings(
    serve: Serve, client: SessionCoreClient, kind: str
) -> None:
    user = AWKWARD_IDS[kind]
    server, _ = serve()
    with server.client() as http:
        login = sign_in(http, user)
        for header in set_cookies(login).values():
            assert COOKIE_SAFE.match(header.split("=", 1)[1].split(";", 1)[0])
        front = browser_decode(jar(http)["sc_front"])
        assert (front["uid"], front["claims"]) == (user, {"name": user})
        me = http.get("/me").json()
        assert (me["user_id"], me["claims"]["name"]) == (user, user)
    handle = login.json()["handle"]
    assert [s.handle for s in client.list_user_sessions(user)] == [handle]
    assert client.revoke_user_sessions(user) == [handle]
    assert list(client.list_user_sessions(user)) == []


def test_B17_header_transport_front_token_decodes_as_a_browser_would(serve: Serve) -> None:
    user = AWKWARD_IDS["emoji"] + AWKWARD_IDS["rtl"]
    server, _ = serve(transport="header")
    with server.client() as http:
        login = sign_in(http, user)
    assert browser_decode(login.headers["sc-front-token"])["uid"] == user
    assert login.headers.get_list("set-cookie") == []


def test_B17_ids_are_not_normalised_nfc_and_nfd_are_two_users(
    serve: Serve, client: SessionCoreClient
) -> None:
    nfc = unicodedata.normalize("NFC", "José b17")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    server, _ = serve()
    handles = {}
    for user in (nfc, nfd):
        with server.client() as http:
            handles[user] = sign_in(http, user).json()["handle"]
            assert http.get("/me").json()["user_id"] == user
    for user in (nfc, nfd):
        assert [s.handle for s in client.list_user_sessions(user)] == [handles[user]]
