"""The Django example project (examples/django_app), started with its one command, used as
a browser would: sign in with a wrong and a right password, list sessions, revoke another
device, sign out everywhere else, sign out; refresh through the form; foreign logins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from session_core_driver import SessionCoreClient
from tests.driver.example_app import PASSWORD, Example, handles_on_page, sign_in
from tests.support.core_process import CoreProcess, environment_without_settings
from tests.support.waiting import wait_for

MODULE = "examples.django_app"


@pytest.fixture
def example(core: CoreProcess) -> Iterator[Example]:
    env = environment_without_settings() | {
        "SESSION_CORE_TARGET": core.target,
        "SESSION_CORE_API_KEYS": core.secrets.api_keys[0],
    }
    started = Example(env, MODULE)
    yield started
    code = started.stop()
    print("".join(started.lines))
    assert code == 0


def test_django_example_whole_flow(example: Example, client: SessionCoreClient) -> None:
    client.revoke_user_sessions("alice")
    with example.browser("Laptop") as laptop, example.browser("Phone") as phone:
        assert laptop.get("/login").status_code == 200
        wrong = sign_in(laptop, "not-the-password")
        assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
        assert wrong.headers.get_list("set-cookie") == []
        assert laptop.get("/sessions").headers["location"] == "/login"  # not signed in
        right = sign_in(laptop)
        assert (right.status_code, right.headers["location"]) == (303, "/sessions")
        page = laptop.get("/sessions").text
        assert "Hello, Alice Liddell" in page and "Laptop" in page and "(this device)" in page
        assert sign_in(phone).status_code == 303
        laptop_handle, phone_handle = handles_on_page(laptop)  # oldest first
        assert laptop.post(f"/sessions/{phone_handle}/revoke").status_code == 303
        assert handles_on_page(laptop) == [laptop_handle]
        assert wait_for(lambda: phone.get("/sessions").status_code == 303, 3.0)
        sign_in(phone)
        with example.browser("Tablet") as tablet:
            sign_in(tablet)
        assert len(handles_on_page(laptop)) == 3
        assert laptop.post("/sessions/revoke-others").status_code == 303
        assert handles_on_page(laptop) == [laptop_handle]
        assert [s.handle for s in client.list_user_sessions("alice")] == [laptop_handle]
        out = laptop.post("/logout")
        assert (out.status_code, out.headers["location"]) == (303, "/login?notice=signed-out")
        assert {h.split("=")[0] for h in out.headers.get_list("set-cookie")} == {
            "sc_at",
            "sc_rt",
            "sc_front",
        }
        assert laptop.get("/sessions").status_code == 303
    assert list(client.list_user_sessions("alice")) == []


def test_django_example_refreshes_through_a_form_and_refuses_foreign_requests(
    example: Example, client: SessionCoreClient
) -> None:
    bob = client.create_session("bob")
    with example.browser("Laptop") as laptop:
        assert sign_in(laptop).status_code == 303
        laptop.cookies.set("sc_at", "x.y.z", domain="127.0.0.1", path="/")
        page = laptop.get("/sessions")
        assert page.status_code == 401 and 'action="/auth/refresh/continue"' in page.text
        back = laptop.post("/auth/refresh/continue", data={"next": "/sessions"})
        assert (back.status_code, back.headers["location"]) == (303, "/sessions")
        assert laptop.get("/sessions").status_code == 200
        evil = laptop.post("/auth/refresh/continue", data={"next": "//evil.example/"})
        assert evil.headers["location"] == "/sessions"  # never redirected off-site
        assert laptop.post(f"/sessions/{bob.session.handle}/revoke").status_code == 404
        foreign = laptop.post(
            "/login",
            data={"username": "alice", "password": PASSWORD},
            headers={"origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
    assert client.get_session(bob.session.handle).user_id == "bob"


def test_django_example_starts_its_own_core_with_one_command(tmp_path: Path) -> None:
    env = environment_without_settings() | {"SESSION_CORE_DATA_DIR": str(tmp_path / "data")}
    started = Example(env, MODULE)
    try:
        assert any("started session-core at 127.0.0.1:" in line for line in started.lines)
        with started.browser("Laptop") as laptop:
            assert sign_in(laptop).status_code == 303
            assert len(handles_on_page(laptop)) == 1
    finally:
        assert started.stop() == 0, "".join(started.lines)
    assert (tmp_path / "data" / "api-key").exists()
