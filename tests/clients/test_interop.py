"""Each generated client runs the interop scenario against a real core (docs/clients.md).

Per language, `scripts/clients build LANG` builds the interop program (from the
registries' packages, cached between runs) and `scripts/clients interop LANG` runs it
with the core's address and an API key in its environment. The program creates a
session, verifies its access token with the language's own JWT library against
GetJwks and through VerifySession, refreshes twice, replays the first refresh token
(theft), finds the theft in ListRevocations, and checks the UNAUTHENTICATED and
INVALID_ARGUMENT statuses; it exits 0 only when every answer matched.

Two cores: the default (RS256, issuer and audience `session-core`) and one signing with
ES256 under another issuer and audience, which the programs are told through
SESSION_CORE_ISSUER and SESSION_CORE_AUDIENCE.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from tests.clients.programs import TEST_TIMEOUT_SECONDS, run_interop
from tests.support.core_process import CoreFactory, CoreProcess

pytestmark = [pytest.mark.clients, pytest.mark.slow, pytest.mark.timeout(TEST_TIMEOUT_SECONDS)]

ES256_ISSUER = "https://sessions.interop.test"
ES256_AUDIENCE = "interop-api"

# Core settings, and what the interop programs must then expect in access tokens.
CORES: Mapping[str, tuple[dict[str, str], dict[str, str]]] = {
    "RS256": ({}, {}),
    "ES256": (
        {"signing_algorithm": "ES256", "issuer": ES256_ISSUER, "audience": ES256_AUDIENCE},
        {"SESSION_CORE_ISSUER": ES256_ISSUER, "SESSION_CORE_AUDIENCE": ES256_AUDIENCE},
    ),
}


@pytest.fixture(scope="module", params=sorted(CORES))
def core_and_expectations(
    request: pytest.FixtureRequest, core_factory: CoreFactory
) -> tuple[CoreProcess, dict[str, str]]:
    config, expectations = CORES[request.param]
    return core_factory.start(config), expectations


def assert_interop_passes(
    language: str,
    build: Callable[[str], None],
    core_and_expectations: tuple[CoreProcess, dict[str, str]],
) -> None:
    core, expectations = core_and_expectations
    build(language)
    result = run_interop(language, core, **expectations)
    assert result.returncode == 0, (
        f"the {language} interop program exited {result.returncode}:\n{result.stdout}"
        f"\n--- core stderr (last lines) ---\n{core.stderr_text()[-3000:]}"
    )
    assert f"interop {language}: all " in result.stdout, result.stdout


def test_go_client_interop(
    build: Callable[[str], None], core_and_expectations: tuple[CoreProcess, dict[str, str]]
) -> None:
    assert_interop_passes("go", build, core_and_expectations)


def test_typescript_client_interop(
    build: Callable[[str], None], core_and_expectations: tuple[CoreProcess, dict[str, str]]
) -> None:
    assert_interop_passes("typescript", build, core_and_expectations)


def test_java_client_interop(
    build: Callable[[str], None], core_and_expectations: tuple[CoreProcess, dict[str, str]]
) -> None:
    assert_interop_passes("java", build, core_and_expectations)


def test_rust_client_interop(
    build: Callable[[str], None], core_and_expectations: tuple[CoreProcess, dict[str, str]]
) -> None:
    assert_interop_passes("rust", build, core_and_expectations)
