"""Claims changed inside a view reach the response (B14) and any user id round-trips
(B17), for plain, async and DRF views, over a real HTTP server."""

from __future__ import annotations

import pytest

from session_core_driver import SessionCoreClient
from session_core_driver.web import decode_front_token
from tests.driver.django.conftest import Serve
from tests.driver.flask.checks import jar, session_message, set_cookies

UNICODE_IDS = [
    "Łukasz Żółć",
    "Ελένη",
    "山田太郎",
    "emoji 🧑‍🚀🎉",
    "עברית مرحبا",
    "x" * 256,  # the longest id the core accepts
    'cookie;special,chars=100% "quoted" id',
]


def test_B14_a_claims_merge_in_a_view_reaches_this_response_and_the_next_request(
    serve: Serve, client: SessionCoreClient, kind: str
) -> None:
    server = serve()
    with server.client() as http:
        login = http.post(f"/{kind}/login", json={"user_id": f"b14-{kind}", "claims": {"a": 1}})
        handle = login.json()["handle"]
        old_at = jar(http)["sc_at"]
        merged = http.post(f"/{kind}/claims", json={"role": "admin"})
        assert merged.status_code == 200, merged.text
        body = merged.json()
        assert body["read_back"] == body["claims"] == {"a": 1, "role": "admin"}  # same request
        assert {"sc_at", "sc_front"} <= set(set_cookies(merged))
        assert jar(http)["sc_at"] != old_at
        front = decode_front_token(jar(http)["sc_front"])
        assert front.claims == {"a": 1, "role": "admin"}
        assert merged.headers["cache-control"] == "no-store"
        assert http.get(f"/{kind}/admin").status_code == 200  # no refresh needed
        removed = http.post(f"/{kind}/claims", json={"role": None})
        assert removed.json()["claims"] == {"a": 1}
        refused = http.get(f"/{kind}/admin")
        assert session_message(refused)[:2] == (403, "invalid claims")
        assert refused.headers["sc-session-error"] == "invalid-claims"
        for reserved in ("sub", "exp", "sid"):
            answer = http.post(f"/{kind}/claims", json={reserved: "x"})
            assert session_message(answer)[:2] == (400, "invalid request"), reserved
            assert answer.headers.get_list("set-cookie") == []
        assert http.get(f"/{kind}/me").json()["claims"] == {"a": 1}
        # Offline, by handle (another process): seen after the next refresh.
        client.update_access_token_claims(handle, {"a": 1, "offline": True})
        assert http.get(f"/{kind}/me").json()["claims"] == {"a": 1}
        assert http.post("/auth/refresh").status_code == 200
        assert http.get(f"/{kind}/me").json()["claims"] == {"a": 1, "offline": True}


@pytest.mark.parametrize("user_id", UNICODE_IDS, ids=range(len(UNICODE_IDS)))
def test_B17_any_user_id_round_trips_through_cookies_front_token_and_listings(
    serve: Serve, client: SessionCoreClient, kind: str, user_id: str
) -> None:
    server = serve()
    claims = {"name": user_id, "note": "Łódź → 東京 🚀"}
    with server.client() as http:
        login = http.post(f"/{kind}/login", json={"user_id": user_id, "claims": claims})
        assert login.status_code == 200, login.text
        handle = login.json()["handle"]
        assert login.json()["user_id"] == user_id
        front = decode_front_token(jar(http)["sc_front"])  # base64url -> UTF-8 -> JSON
        assert (front.user_id, front.claims) == (user_id, claims)
        me = http.get(f"/{kind}/me").json()
        assert (me["user_id"], me["claims"]) == (user_id, claims)
        assert http.post("/auth/refresh").status_code == 200
        assert decode_front_token(jar(http)["sc_front"]).user_id == user_id
    assert [s.handle for s in client.list_user_sessions(user_id)] == [handle]
    assert client.revoke_user_sessions(user_id) == [handle]
    assert list(client.list_user_sessions(user_id)) == []
