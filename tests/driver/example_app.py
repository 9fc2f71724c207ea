"""An example app (examples/flask_app, examples/django_app) started with its one command,
as a child process, and driven as a browser would."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading

import httpx

from tests.support.core_process import REPO_ROOT

READY = re.compile(r"example app on (http://127\.0\.0\.1:\d+)/login")
START_SECONDS = 30.0
STOP_SECONDS = 15.0
PASSWORD = "wonderland-2024"


class Example:
    """`python -m <module> --port 0` as a child process."""

    def __init__(self, env: dict[str, str], module: str = "examples.flask_app") -> None:
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.url = ""
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--port", "0"],
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


def sign_in(browser: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    return browser.post("/login", data={"username": "alice", "password": password})


def handles_on_page(browser: httpx.Client) -> list[str]:
    page = browser.get("/sessions")
    assert page.status_code == 200, page.text
    return re.findall(r'data-handle="([^"]+)"', page.text)
