"""Fixtures shared by every test folder: real core processes on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.core_process import CoreFactory, CoreSecrets


@pytest.fixture(scope="module")
def core_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CoreFactory]:
    """Start cores with fresh secrets for this module; all are stopped at its end."""
    factory = CoreFactory(lambda: tmp_path_factory.mktemp("core"), CoreSecrets.generate())
    yield factory
    factory.stop_all()
