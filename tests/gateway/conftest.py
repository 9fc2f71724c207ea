"""Fixtures of the gateway tests: a real core (SQLite), the gateway on live servers.

`same_host(**settings)` serves the gateway and the test API app behind one host, as one
reverse proxy would (/auth/*, /.well-known/*, /session.js and /health go to the
gateway, everything else to the API app); `gateway(**settings)` serves the gateway alone.
Settings are SESSION_CORE_* keys in lower case (gateway keys as `gateway_refresh_limit`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from session_core_driver import SessionCoreClient
from session_core_gateway import create_gateway
from tests.driver.flask.apps import GuardedApp, build_app, settings_for
from tests.driver.flask.live import LiveServer, self_signed_certificate
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.storage import SUPPORT

GATEWAY_PREFIXES = ("/auth/", "/.well-known/", "/session.js", "/health")


@dataclass
class Deployment:
    """One live host: the gateway, and the API app when served beside it."""

    server: LiveServer
    gateway: Flask
    api: GuardedApp | None = None


StartDeployment = Callable[..., Deployment]


def start_core(core_factory: CoreFactory) -> CoreProcess:
    sqlite = SUPPORT["sqlite"]
    return core_factory.start({"storage": sqlite.name}, url_for=sqlite.url_for)


@pytest.fixture(scope="module")
def core(core_factory: CoreFactory) -> CoreProcess:
    return start_core(core_factory)


@pytest.fixture(scope="module")
def client(core: CoreProcess) -> Iterator[SessionCoreClient]:
    """A driver client of `core`, for arranging and checking from outside the gateway."""
    with SessionCoreClient(core.target, core.secrets.api_keys[0], timeout=5.0) as made:
        yield made


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def gateway_config(core: CoreProcess, api_origin: str, **overrides: Any) -> dict[str, Any]:
    """The gateway's config: the test app's settings (no feed, anti-CSRF none) + overrides."""
    return settings_for(core, api_origin, **overrides)


def dispatcher(gateway: Flask, api: Flask) -> Callable[..., Any]:
    """A WSGI app sending the gateway's paths to the gateway and the rest to the API."""

    def route(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        to_gateway = path.startswith(GATEWAY_PREFIXES) or path in ("/health", "/session.js")
        return (gateway if to_gateway else api).wsgi_app(environ, start_response)

    return route


@pytest.fixture
def deployments(core: CoreProcess) -> Iterator[Callable[..., Deployment]]:
    started: list[Deployment] = []

    def start(
        *,
        with_api: bool,
        on_core: CoreProcess | None = None,
        server: dict[str, Any] | None = None,
        **settings: Any,
    ) -> Deployment:
        live = LiveServer(**(server or {}))
        target = on_core or core
        gateway = create_gateway(gateway_config(target, live.url, **settings))
        api = build_app(target, live.url, **settings) if with_api else None
        deployment = Deployment(live, gateway, api)
        live.serve(dispatcher(gateway, api.app) if api else gateway)
        started.append(deployment)
        return deployment

    yield start
    for deployment in started:
        deployment.server.stop()
        if deployment.api is not None:
            deployment.api.stop()


@pytest.fixture
def same_host(deployments: Callable[..., Deployment]) -> StartDeployment:
    """Start the gateway and the API app behind one live host."""
    return lambda **settings: deployments(with_api=True, **settings)


@pytest.fixture
def gateway(deployments: Callable[..., Deployment]) -> StartDeployment:
    """Start the gateway alone on a live host."""
    return lambda **settings: deployments(with_api=False, **settings)
