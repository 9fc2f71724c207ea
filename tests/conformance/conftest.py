"""The backend-conformance suite: every core case runs once per storage backend.

To add a backend, add its name to BACKENDS and its URL factory and inspector to
`tests.support.storage.SUPPORT`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

import pytest

from tests.support.core_process import ConfigValue, CoreFactory, CoreProcess, CoreSecrets
from tests.support.grpc_helpers import Api
from tests.support.storage import SUPPORT, BackendSupport, StorageInspector

BACKENDS = ["sqlite", "postgres", "mongodb"]


def only_on(names: Collection[str], reason: str) -> pytest.MarkDecorator:
    """Run a case on the backends `names` only; every other backend's case is marked
    skipped with `reason`, so the report shows what does not apply, and why."""
    skip = pytest.mark.skip(reason=reason)
    params = [
        backend if backend in names else pytest.param(backend, marks=skip) for backend in BACKENDS
    ]
    return pytest.mark.parametrize("backend", params, indirect=True, scope="module")


class StartCore(Protocol):
    def __call__(
        self, *, secrets: CoreSecrets | None = None, **config: ConfigValue
    ) -> CoreProcess: ...


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> BackendSupport:
    return SUPPORT[request.param]


@pytest.fixture(scope="module")
def start_core(core_factory: CoreFactory, backend: BackendSupport) -> StartCore:
    """Start a core on the current backend with config overrides (and other secrets)."""

    def start(*, secrets: CoreSecrets | None = None, **config: ConfigValue) -> CoreProcess:
        settings: dict[str, ConfigValue] = {"storage": backend.name, **config}
        return core_factory.start(settings, secrets=secrets, url_for=backend.url_for)

    return start


@pytest.fixture(scope="module")
def core(start_core: StartCore) -> CoreProcess:
    """A core with the default configuration, shared by a module's tests."""
    return start_core()


@pytest.fixture(scope="module")
def api(core: CoreProcess) -> Api:
    return core.stub()


@pytest.fixture(scope="module")
def inspector(core: CoreProcess, backend: BackendSupport) -> StorageInspector:
    return backend.inspector(core)


@pytest.fixture(scope="module")
def short_core(start_core: StartCore) -> CoreProcess:
    """Access tokens live 1 s (no leeway) and the grace window is 1 s."""
    return start_core(access_token_lifetime_seconds=1, leeway_seconds=0, grace_window_seconds=1)


@pytest.fixture(scope="module")
def short_api(short_core: CoreProcess) -> Api:
    return short_core.stub()
