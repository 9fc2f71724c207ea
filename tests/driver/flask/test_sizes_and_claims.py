"""Claims: a change reaches the client in the same response, and tokens too large for
browsers are refused before any cookie is written (B18)."""

from __future__ import annotations

import httpx
import pytest

from session_core_driver import SessionCoreClient
from session_core_driver.web import decode_front_token
from tests.driver.flask.checks import jar, session_message, set_cookies
from tests.driver.flask.conftest import Serve, StartCore
from tests.support.core_process import CoreProcess

KB = 1024


@pytest.fixture(scope="module")
def roomy_core(start_core: StartCore) -> CoreProcess:
    """A core accepting claims up to 8 KiB: only the driver's cookie limit stops them."""
    return start_core(max_claims_bytes=8192)


def claims_of(size: int) -> dict[str, str]:
    return {"blob": "x" * (size - 12)}  # {"blob":"..."} is about `size` bytes of JSON


def login(http: httpx.Client, user: str, claims: dict[str, str]) -> httpx.Response:
    return http.post("/login", json={"user_id": user, "claims": claims})


@pytest.mark.parametrize(("size", "core_limit"), [(1 * KB, "default"), (1 * KB, "roomy")])
def test_B18_a_1_kb_payload_fits_in_the_cookies(
    serve: Serve, roomy_core: CoreProcess, size: int, core_limit: str
) -> None:
    server, _ = serve(on_core=roomy_core if core_limit == "roomy" else None)
    with server.client() as http:
        response = login(http, f"b18-ok-{core_limit}", claims_of(size))
        assert response.status_code == 200
        assert all(len(h) <= 4096 for h in set_cookies(response).values())
        assert http.get("/me").json()["claims"] == claims_of(size)


@pytest.mark.parametrize("size", [int(3.5 * KB), 5 * KB])
@pytest.mark.parametrize("core_limit", ["default", "roomy"])
def test_B18_oversized_payloads_are_refused_at_creation_without_a_cookie(
    serve: Serve,
    roomy_core: CoreProcess,
    core: CoreProcess,
    size: int,
    core_limit: str,
) -> None:
    on_core = roomy_core if core_limit == "roomy" else core
    server, _ = serve(on_core=on_core)
    user = f"b18-big-{core_limit}-{size}"
    with server.client() as http:
        response = login(http, user, claims_of(size))
    assert session_message(response) == (400, "invalid request", "invalid_request")
    # The core refuses claims over its cap; under a roomy cap the driver's cookie limit does.
    expected = "access_token_claims" if core_limit == "roomy" else "access_token_claims_json"
    assert response.json()["field"] == expected
    assert response.headers.get_list("set-cookie") == []
    with SessionCoreClient(on_core.target, on_core.secrets.api_keys[0]) as client:
        assert list(client.list_user_sessions(user)) == []  # none left behind


@pytest.mark.parametrize("core_limit", ["default", "roomy"])
def test_B18_merging_a_large_value_is_refused_and_changes_nothing(
    serve: Serve, roomy_core: CoreProcess, core_limit: str
) -> None:
    server, _ = serve(on_core=roomy_core if core_limit == "roomy" else None)
    with server.client() as http:
        assert login(http, f"b18-merge-{core_limit}", {"role": "reader"}).status_code == 200
        before = jar(http)
        response = http.post("/claims", json=claims_of(int(3.5 * KB)))
        assert session_message(response)[:2] == (400, "invalid request")
        if core_limit == "roomy":
            assert "session data" in response.json()["detail"]
        assert response.headers.get_list("set-cookie") == []
        assert jar(http) == before
        assert http.get("/me").json()["claims"] == {"role": "reader"}
        assert http.post("/auth/refresh").status_code == 200  # the stored claims: unchanged
        assert http.get("/me").json()["claims"] == {"role": "reader"}


def test_claims_merge_reaches_the_client_in_the_same_response(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        login(http, "claims-user", {"role": "reader", "team": "blue"})
        assert http.get("/admin").status_code == 403
        merged = http.post("/claims", json={"role": "admin"})
        assert merged.json()["claims"] == {"role": "admin", "team": "blue"}  # same request
        assert {"sc_at", "sc_front"} == set(set_cookies(merged))
        front = decode_front_token(jar(http)["sc_front"])
        assert front.claims == {"role": "admin", "team": "blue"}
        assert http.get("/admin").status_code == 200  # no refresh needed
        removed = http.post("/claims", json={"team": None})
        assert removed.json()["claims"] == {"role": "admin"}
        reserved = http.post("/claims", json={"sub": "someone-else"})
        assert session_message(reserved)[:2] == (400, "invalid request")
        assert reserved.headers.get_list("set-cookie") == []
        assert http.get("/me").json()["user_id"] == "claims-user"


def test_a_claim_validator_refusal_is_403_and_keeps_cookies(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        login(http, "validator-user", {"role": "reader"})
        response = http.get("/admin")
    assert session_message(response) == (403, "invalid claims", "invalid_claims")
    assert response.json()["validator"] == "claim_equals('role')"
    assert response.headers.get_list("set-cookie") == []
