"""Fixtures for the driver's tests: real cores on SQLite and PostgreSQL, clients, verifiers.

Every test module runs once per backend, against core processes started like the
conformance suite's (`tests.support.core_process`), over loopback gRPC. `signer` is the
core's own signing key, unwrapped from storage with the master secret (what a thief
with a dump and the secret could do), so tests can forge tokens the real keys verify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from session_core_driver import (
    JwksCache,
    RevocationPoller,
    SessionCoreClient,
    SessionVerifier,
)
from tests.conformance.conftest import StartCore
from tests.driver.forge import Signer
from tests.support.core_process import ConfigValue, CoreFactory, CoreProcess, CoreSecrets
from tests.support.keys import key_rows, kid_of, master_of, unwrap_signing_key
from tests.support.storage import SUPPORT, BackendSupport

DRIVER_BACKENDS = ["sqlite", "postgres"]
TIMEOUT_SECONDS = 5.0


@pytest.fixture(scope="module", params=DRIVER_BACKENDS)
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
    return start_core()


def client_for(core: CoreProcess, **options: Any) -> SessionCoreClient:
    """A driver client of `core` with its first API key (overridable) and a 5 s deadline."""
    settings: dict[str, Any] = {"api_key": core.secrets.api_keys[0], "timeout": TIMEOUT_SECONDS}
    return SessionCoreClient(core.target, **(settings | options))


@pytest.fixture(scope="module")
def client(core: CoreProcess) -> Iterator[SessionCoreClient]:
    with client_for(core) as made:
        yield made


MakeVerifier = Callable[..., SessionVerifier]


@pytest.fixture
def make_verifier(client: SessionCoreClient) -> Iterator[MakeVerifier]:
    """Build verifiers (default: on `client`, no feed); their pollers stop at teardown.

    Keyword arguments go to SessionVerifier; `poll=SECONDS` adds a RevocationPoller
    polling that often (and `fail_closed`, `max_staleness` go to it).
    """
    pollers: list[RevocationPoller] = []

    def make(on: SessionCoreClient | None = None, **options: Any) -> SessionVerifier:
        source = on or client
        poll = options.pop("poll", None)
        feed = {k: options.pop(k) for k in ("fail_closed", "max_staleness") if k in options}
        if poll is not None:
            options["revocations"] = RevocationPoller(source, interval=poll, **feed)
        options.setdefault("revocations", None)
        verifier = SessionVerifier(source, **options)
        if verifier.revocations is not None:
            pollers.append(verifier.revocations)
        return verifier

    yield make
    for poller in pollers:
        poller.stop()


@pytest.fixture
def fresh_jwks(client: SessionCoreClient) -> JwksCache:
    """A JwksCache that has fetched nothing yet."""
    return JwksCache(client)


def signer_of(core: CoreProcess, backend: BackendSupport, key_id: str) -> Signer:
    """The private key `key_id` of `core`, unwrapped from its storage."""
    key = unwrap_signing_key(key_rows(backend.inspector(core)), key_id, master_of(core.secrets))
    private = key.private_key
    assert isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey), key.algorithm
    return Signer(key_id, private)


@pytest.fixture(scope="module")
def signer(core: CoreProcess, backend: BackendSupport, client: SessionCoreClient) -> Signer:
    """The key `core` signs with now."""
    token = client.create_session("signer-probe").tokens.access_token
    return signer_of(core, backend, kid_of(token))
