"""Each public package re-exports exactly its `__all__`, kept sorted."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

PACKAGES = [
    "core_server.storage",
    "session_core_driver",
    "session_core_driver.django",
    "session_core_driver.flask",
    "session_core_driver.web",
    "session_core_postgres",
]


def _public_names(module: ModuleType) -> list[str]:
    """Names a reader sees in the package namespace, without submodules or `__future__` flags."""
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, ModuleType)
        and type(value).__module__ != "__future__"
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_sorted_and_unique(package: str) -> None:
    exported = importlib.import_module(package).__all__
    assert list(exported) == sorted(set(exported))


@pytest.mark.parametrize("package", PACKAGES)
def test_public_names_equal_all(package: str) -> None:
    module = importlib.import_module(package)
    assert _public_names(module) == sorted(module.__all__)
