"""Anti-CSRF at the gateway's refresh view: refused without rotating or clearing (A31)."""

from __future__ import annotations

import pytest

from session_core_driver import SessionCoreClient
from tests.driver.flask.checks import assert_session_untouched, jar, session_message
from tests.gateway.conftest import StartDeployment

MODE_HEADERS = {"token": "sc-anti-csrf", "custom_header": "sc-requested-with"}


@pytest.mark.parametrize("mode", ["token", "custom_header"])
def test_A31_gateway_refresh_without_the_anti_csrf_header_rotates_nothing(
    same_host: StartDeployment, client: SessionCoreClient, mode: str
) -> None:
    deployment = same_host(anti_csrf=mode)
    with deployment.server.client() as http:
        login = http.post("/login", json={"user_id": f"a31-{mode}"})
        handle = login.json()["handle"]
        token = login.headers.get("sc-anti-csrf", "")
        before, stored = jar(http), client.get_session(handle)
        refused = http.post("/auth/refresh")
        assert session_message(refused) == (401, "unauthorised", "anti_csrf")
        assert_session_untouched(refused)
        assert jar(http) == before
        assert client.get_session(handle).last_refreshed_at == stored.last_refreshed_at
        # The same refresh token, now with the header, refreshes as if nothing happened...
        header = {MODE_HEADERS[mode]: token if mode == "token" else "fetch"}
        first = http.post("/auth/refresh", headers=header)
        assert first.status_code == 200, first.text
        assert jar(http)["sc_rt"] != before["sc_rt"]
        # ...and its successor too: no theft was recorded on the way.
        header = {MODE_HEADERS[mode]: first.headers.get("sc-anti-csrf", "fetch")}
        second = http.post("/auth/refresh", headers=header)
        assert second.status_code == 200, second.text
        assert http.get("/me").json()["user_id"] == f"a31-{mode}"
    assert deployment.api is not None
    assert deployment.api.calls["/auth/refresh"] == 0  # the gateway answered, not the API
