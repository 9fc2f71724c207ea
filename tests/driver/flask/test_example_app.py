"""The example app (examples/flask_app), started with its one command, used as a browser
would: sign in with a wrong and a right password, list sessions, revoke another device,
sign out everywhere else, sign out."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from session_core_driver import SessionCoreClient
from tests.driver.example_app import PASSWORD, Example, handles_on_page, sign_in
from tests.support.core_process import CoreProcess, environment_without_settings
from tests.support.waiting import wait_for


@pytest.fixture
def example(core: CoreProcess) -> Iterator[Example]:
    env = environment_without_settings() | {
        "SESSION_CORE_TARGET": core.target,
        "SESSION_CORE_API_KEYS": core.secrets.api_keys[0],
    }
    started = Example(env)
    yield started
    code = started.stop()
    print("".join(started.lines))
    assert code == 0


def test_example_app_whole_flow(example: Example, client: SessionCoreClient) -> None:
    client.revoke_user_sessions("alice")  # a clean slate on the module's core
    with example.browser("Laptop") as laptop, example.browser("Phone") as phone:
        assert laptop.get("/login").status_code == 200
        wrong = sign_in(laptop, "not-the-password")
        assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
        assert wrong.headers.get_list("set-cookie") == []
        assert laptop.get("/sessions").headers["location"] == "/login"  # not signed in
        right = sign_in(laptop)
        assert (right.status_code, right.headers["location"]) == (303, "/sessions")
        assert len(handles_on_page(laptop)) == 1
        assert (
            "Laptop" in laptop.get("/sessions").text
            and "(this device)" in laptop.get("/sessions").text
        )
        assert sign_in(phone).status_code == 303
        laptop_handle, phone_handle = handles_on_page(laptop)  # oldest first
        # Revoke the phone from the laptop; the phone is signed out within the feed bound.
        assert laptop.post(f"/sessions/{phone_handle}/revoke").status_code == 303
        assert handles_on_page(laptop) == [laptop_handle]
        assert wait_for(lambda: phone.get("/sessions").status_code == 303, 3.0)
        # Sign out everywhere else.
        sign_in(phone)
        with example.browser("Tablet") as tablet:
            sign_in(tablet)
        assert len(handles_on_page(laptop)) == 3
        assert laptop.post("/sessions/revoke-others").status_code == 303
        assert handles_on_page(laptop) == [laptop_handle]
        assert [s.handle for s in client.list_user_sessions("alice")] == [laptop_handle]
        # Sign out.
        out = laptop.post("/logout")
        assert (out.status_code, out.headers["location"]) == (303, "/login?notice=signed-out")
        assert {h.split("=")[0] for h in out.headers.get_list("set-cookie")} == {
            "sc_at",
            "sc_rt",
            "sc_front",
        }
        assert laptop.get("/sessions").status_code == 303
    assert list(client.list_user_sessions("alice")) == []


def test_example_app_refreshes_an_unusable_access_token_through_a_form(
    example: Example,
) -> None:
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


def test_example_app_refuses_other_users_sessions_and_foreign_logins(
    example: Example, client: SessionCoreClient
) -> None:
    bob = client.create_session("bob")
    with example.browser("Laptop") as laptop:
        sign_in(laptop)
        assert laptop.post(f"/sessions/{bob.session.handle}/revoke").status_code == 404
        foreign = laptop.post(
            "/login",
            data={"username": "alice", "password": PASSWORD},
            headers={"origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
    assert client.get_session(bob.session.handle).user_id == "bob"


def test_example_app_starts_its_own_core_with_one_command(tmp_path: Path) -> None:
    env = environment_without_settings() | {"SESSION_CORE_DATA_DIR": str(tmp_path / "data")}
    started = Example(env)
    try:
        assert any("started session-core at 127.0.0.1:" in line for line in started.lines)
        with started.browser("Laptop") as laptop:
            assert sign_in(laptop).status_code == 303
            assert len(handles_on_page(laptop)) == 1
    finally:
        assert started.stop() == 0, "".join(started.lines)
    assert (tmp_path / "data" / "api-key").exists()
    assert os.environ.get("SESSION_CORE_DATA_DIR") != str(tmp_path / "data")


@pytest.mark.parametrize(
    "target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "https://evil.example"]
)
def test_example_app_next_never_leaves_the_site(example: Example, target: str) -> None:
    with example.browser("Laptop") as laptop:
        assert sign_in(laptop).status_code == 303
        back = laptop.post("/auth/refresh/continue", data={"next": target})
        assert (back.status_code, back.headers["location"]) == (303, "/sessions")


def test_example_app_answers_a_cross_site_post_403_without_a_refresh_page(
    example: Example,
) -> None:
    with example.browser("Laptop") as laptop:
        assert sign_in(laptop).status_code == 303
        forged = laptop.post("/logout", headers={"origin": "https://evil.example"})
        assert forged.status_code == 403
        assert "refresh" not in forged.text and forged.headers.get_list("set-cookie") == []
        assert laptop.get("/sessions").status_code == 200  # still signed in


def test_A27_example_app_never_shows_a_planted_session(
    example: Example, client: SessionCoreClient
) -> None:
    bob = client.create_session("bob")
    with example.browser("Laptop") as laptop:
        laptop.cookies.set("sc_at", bob.tokens.access_token, domain="127.0.0.1", path="/sessions")
        assert sign_in(laptop).status_code == 303
        page = laptop.get("/sessions")
        assert page.status_code != 200 and "bob" not in page.text
        assert laptop.get("/sessions").status_code == 303  # signed out, never as bob
