"""The storage registry: entry-point discovery, loading by name and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_server.storage import registry
from core_server.storage.errors import PluginImportError, UnknownStorage
from session_core_sqlite import SqliteStore


def test_available_lists_the_bundled_sqlite_plugin() -> None:
    assert "sqlite" in registry.available()
    assert registry.available() == sorted(registry.available())


def test_load_returns_the_store_class() -> None:
    assert registry.load("sqlite") is SqliteStore


def test_unknown_name_lists_what_is_installed() -> None:
    with pytest.raises(UnknownStorage, match="sqlite") as caught:
        registry.load("nope")
    assert caught.value.name == "nope"
    assert "sqlite" in caught.value.available


def test_open_store_returns_an_open_sqlite_store(tmp_path: Path) -> None:
    store = registry.open_store("sqlite", f"sqlite://{tmp_path}/s.db")
    try:
        assert isinstance(store, SqliteStore)
        assert store.get_session("missing") is None
    finally:
        store.close()


def test_a_plugin_that_fails_to_import_names_itself_and_its_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real (if tiny) installed distribution whose plugin module cannot be imported.
    dist_info = tmp_path / "broken_store-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-store\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[session_core.storage]\nbroken = broken_store_module:Store\n"
    )
    (tmp_path / "broken_store_module.py").write_text("import no_such_driver_module\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError, match=r"'broken'.*'broken-store'") as caught:
        registry.load("broken")
    assert (caught.value.name, caught.value.distribution) == ("broken", "broken-store")
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)
