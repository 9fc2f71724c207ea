"""Fixtures of the browser tests: headless Chromium, a short-lived-token core, live apps.

Chromium is Debian's (`/usr/bin/chromium`, or SESSION_CORE_CHROMIUM); Playwright only
drives it and never downloads a browser. A missing browser fails the tests with a
message saying what to install: a skip would hide that the suite did not run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from session_core_driver import SessionCoreClient
from tests.browser.pages import AT_LIFETIME_SECONDS, BrowserSite, serve_test_site
from tests.driver.flask.live import LiveServer
from tests.support.core_process import REPO_ROOT, ConfigValue, CoreFactory, CoreProcess
from tests.support.storage import SUPPORT

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP *.test 127.0.0.1",
]

ServeSite = Callable[..., BrowserSite]


def chromium_path() -> Path:
    return Path(os.environ.get("SESSION_CORE_CHROMIUM", DEFAULT_CHROMIUM))


# Package scope, not session: Playwright's sync API runs an event loop in this thread for
# as long as it is started, and later tests (Django's async views) need the thread free.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the browser tests (each context gets a fresh profile)."""
    executable = chromium_path()
    if not executable.is_file():
        pytest.fail(
            f"no Chromium at {executable}: install Debian's `chromium` package "
            "(scripts/test does) or point SESSION_CORE_CHROMIUM at a Chromium binary",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (cookies, storage) for one test: several tabs share it."""
    made = browser.new_context()
    made.set_default_timeout(10_000)
    yield made
    made.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (never committed: .artifacts/ is ignored)."""
    root = Path(os.environ.get("SESSION_CORE_ARTIFACTS") or REPO_ROOT / ".artifacts")
    folder = root / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def core(core_factory: CoreFactory) -> CoreProcess:
    """A core whose access tokens live AT_LIFETIME_SECONDS, with no leeway."""
    sqlite = SUPPORT["sqlite"]
    config: dict[str, ConfigValue] = {
        "storage": sqlite.name,
        "access_token_lifetime_seconds": AT_LIFETIME_SECONDS,
        "leeway_seconds": 0,
    }
    return core_factory.start(config, url_for=sqlite.url_for)


@pytest.fixture(scope="module")
def client(core: CoreProcess) -> Iterator[SessionCoreClient]:
    """A driver client of `core`, for inspecting sessions and the revocation feed."""
    with SessionCoreClient(core.target, core.secrets.api_keys[0], timeout=5.0) as made:
        yield made


@pytest.fixture
def serve_site(core: CoreProcess) -> Iterator[ServeSite]:
    """Start the test app plus its session.js test page: `serve_site(**options)`.

    Options are session.js options (camelCase), e.g. maxRefreshAttempts=2; `driver=`
    passes SESSION_CORE_* settings (lower case) to the app. Servers and pollers stop at
    the end of the test.
    """
    started: list[BrowserSite] = []

    def start(*, driver: dict[str, Any] | None = None, **options: Any) -> BrowserSite:
        site = serve_test_site(LiveServer(), core, options, driver or {})
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()
