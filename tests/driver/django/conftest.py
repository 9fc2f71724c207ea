"""Fixtures of the Django tests: Django configured once, a real core, live HTTP servers.

Django's settings are process-global: they are configured here, once per test session,
only when these tests are collected (nothing else in the suite reads them). The app
starts on a placeholder SESSION_CORE; each test's `serve` / `django_client` swaps in the
real one with `override_settings`, which the app reloads through `setting_changed`, and
restores it afterwards. One configuration is live at a time, so a test serves one app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import django
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.test.utils import override_settings

from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess
from tests.support.storage import SUPPORT, BackendSupport

PLACEHOLDER = {
    "TARGET": "127.0.0.1:9",
    "API_KEY": "placeholder",
    "API_ORIGIN": "http://127.0.0.1",
    "REVOCATION_FEED": False,
}

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="tests-only-not-secret",
        ALLOWED_HOSTS=["127.0.0.1", "testserver"],
        INSTALLED_APPS=["rest_framework", "session_core_driver.django"],
        MIDDLEWARE=["session_core_driver.django.SessionCoreMiddleware"],
        ROOT_URLCONF="tests.driver.django.urls",
        DATABASES={},
        USE_TZ=True,
        SESSION_CORE=PLACEHOLDER,
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        },
    )
    django.setup()

KINDS = ("plain", "async", "drf")
DJANGO_BACKENDS = ["sqlite", "postgres"]
Serve = Callable[..., LiveServer]


@pytest.fixture(scope="module", params=DJANGO_BACKENDS)
def backend(request: pytest.FixtureRequest) -> BackendSupport:
    return SUPPORT[request.param]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """The view kind under test: plain, async or DRF (routes under /<kind>/)."""
    return str(request.param)


def options_for(core: CoreProcess, api_origin: str, **overrides: Any) -> dict[str, Any]:
    """SESSION_CORE for `core`; overrides are its keys in lower case."""
    options: dict[str, Any] = {
        "TARGET": core.target,
        "API_KEY": core.secrets.api_keys[0],
        "API_ORIGIN": api_origin,
        "REVOCATION_FEED": False,
        "ANTI_CSRF": "none",
    }
    return options | {key.upper(): value for key, value in overrides.items()}


@pytest.fixture
def configure(core: CoreProcess) -> Iterator[Callable[..., None]]:
    """`configure(api_origin, on_core=None, **options)`: the live SESSION_CORE for this test."""
    active: list[override_settings] = []

    def apply(api_origin: str, *, on_core: CoreProcess | None = None, **options: Any) -> None:
        while active:
            active.pop().disable()
        override = override_settings(
            SESSION_CORE=options_for(on_core or core, api_origin, **options)
        )
        override.enable()
        active.append(override)

    yield apply
    while active:
        active.pop().disable()


@pytest.fixture
def serve(configure: Callable[..., None]) -> Iterator[Serve]:
    """`serve(server={...}, **options)`: the test project on a live HTTP server (WSGI)."""
    started: list[LiveServer] = []

    def start(*, server: dict[str, Any] | None = None, **options: Any) -> LiveServer:
        for live in started:
            live.stop()
        started.clear()
        live = LiveServer(**(server or {}))
        configure(live.url, **options)
        started.append(live.serve(WSGIHandler()))
        return live

    yield start
    for live in started:
        live.stop()


@pytest.fixture
def django_client(configure: Callable[..., None]) -> Client:
    """Django's test client on the test project (served as http://testserver)."""
    configure("http://testserver")
    return Client()
