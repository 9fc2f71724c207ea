"""The `build` fixture: each interop program is built once per test run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.clients.programs import BUILD_TIMEOUT_SECONDS, run_script


@pytest.fixture(scope="session")
def build() -> Callable[[str], None]:
    """Build one language's interop program, once per test run."""
    built: set[str] = set()

    def build_language(language: str) -> None:
        if language not in built:
            run_script("build", language, timeout=BUILD_TIMEOUT_SECONDS)
            built.add(language)

    return build_language
