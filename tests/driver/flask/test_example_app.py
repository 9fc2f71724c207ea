"""The example app (examples/flask_app), started with its one command, used as a browser
would: sign in with a wrong and a right password, list sessions, revoke another device,
sign out everywhere else, sign out."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from session_core_driver import SessionCoreClient
from tests.support.core_process import REPO_ROOT, CoreProcess, environment_without_settings
from tests.support.waiting import wait_for

READY = re.compile(r"example app on (http://127\.0\.0\.1:\d+)/login")
START_SECONDS = 30.0
STOP_SECONDS = 15.0
PASSWORD = "wonderland-2024"


class Example:
    """`python -m examples.flask_app --port 0` as a child process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.url = ""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "examples.flask_app", "--port", "0"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(START_SECONDS):
            self.stop()
            raise AssertionError("the example did not start:\n" + "".join(self.lines))

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if (match := READY.search(line)) and not self._ready.is_set():
                self.url = match.group(1)
                self._ready.set()

    def browser(self, agent: str) -> httpx.Client:
        """A client sending what a browser sends on this site's form POSTs."""
        headers = {"user-agent": agent, "origin": self.url}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10.0)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_SECONDS)


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


def sign_in(browser: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    return browser.post("/login", data={"username": "alice", "password": password})


def handles_on_page(browser: httpx.Client) -> list[str]:
    page = browser.get("/sessions")
    assert page.status_code == 200, page.text
    return re.findall(r'data-handle="([^"]+)"', page.text)


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
