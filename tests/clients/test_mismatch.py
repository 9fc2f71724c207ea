"""Each interop program fails, saying what differed, when an answer breaks its expectations.

A green interop run means something only if the programs can go red: told to expect
another audience than the core puts in its tokens, each must exit 1 at the local JWT
check and name the step.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.clients.programs import LANGUAGES, TEST_TIMEOUT_SECONDS, run_interop
from tests.support.core_process import CoreFactory, CoreProcess

pytestmark = [pytest.mark.clients, pytest.mark.slow, pytest.mark.timeout(TEST_TIMEOUT_SECONDS)]


@pytest.fixture(scope="module")
def core(core_factory: CoreFactory) -> CoreProcess:
    return core_factory.start()


@pytest.mark.parametrize("language", LANGUAGES)
def test_client_reports_a_wrong_audience(
    language: str, build: Callable[[str], None], core: CoreProcess
) -> None:
    build(language)
    result = run_interop(language, core, SESSION_CORE_AUDIENCE="another-api")
    assert result.returncode == 1, f"exit {result.returncode}, want 1:\n{result.stdout}"
    assert "FAIL JWT library verifies the access token from CreateSession" in result.stdout, (
        result.stdout
    )
