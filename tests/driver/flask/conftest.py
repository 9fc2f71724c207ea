"""Fixtures of the Flask tests: a real core per backend, live HTTP servers, the test app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from session_core_driver import SessionCoreClient
from tests.driver.flask.apps import GuardedApp, build_app
from tests.driver.flask.live import LiveServer
from tests.support.core_process import ConfigValue, CoreFactory, CoreProcess
from tests.support.storage import SUPPORT, BackendSupport

WEB_BACKENDS = ["sqlite", "postgres"]

StartCore = Callable[..., CoreProcess]
Serve = Callable[..., tuple[LiveServer, GuardedApp]]


@pytest.fixture(scope="module", params=WEB_BACKENDS)
def backend(request: pytest.FixtureRequest) -> BackendSupport:
    return SUPPORT[request.param]


@pytest.fixture(scope="module")
def start_core(core_factory: CoreFactory, backend: BackendSupport) -> StartCore:
    def start(**config: ConfigValue) -> CoreProcess:
        settings: dict[str, ConfigValue] = {"storage": backend.name, **config}
        return core_factory.start(settings, url_for=backend.url_for)

    return start


@pytest.fixture(scope="module")
def core(start_core: StartCore) -> CoreProcess:
    return start_core()


@pytest.fixture(scope="module")
def client(core: CoreProcess) -> Iterator[SessionCoreClient]:
    """A driver client of `core`, for arranging and inspecting from outside the app."""
    with SessionCoreClient(core.target, core.secrets.api_keys[0], timeout=5.0) as made:
        yield made


@pytest.fixture
def serve(core: CoreProcess) -> Iterator[Serve]:
    """Start the test app on a live server: `serve(**settings)` -> (server, app).

    Settings are SESSION_CORE_* keys in lower case; `on_core=` picks another core and
    `server=` passes options to LiveServer (tls, threaded, on_thread_start). Servers and
    revocation pollers stop at the end of the test.
    """
    started: list[tuple[LiveServer, GuardedApp]] = []

    def start(
        *,
        on_core: CoreProcess | None = None,
        server: dict[str, Any] | None = None,
        **settings: Any,
    ) -> tuple[LiveServer, GuardedApp]:
        live = LiveServer(**(server or {}))
        built = build_app(on_core or core, live.url, **settings)
        live.serve(built.app)
        started.append((live, built))
        return live, built

    yield start
    for live, built in started:
        live.stop()
        built.stop()
