"""One core binary, three stores, chosen by configuration alone.

The same `python -m core_server serve` is pointed at SQLite, PostgreSQL and MongoDB
(FerretDB) in each of the three ways an operator can say which store to use: the
`--storage`/`--storage-url` flags, `storage`/`storage_url` in the config file, and the
`SESSION_CORE_STORAGE`/`SESSION_CORE_STORAGE_URL` environment variables. Each time a
session is created, verified and refreshed, and the session is then read back from that
store directly (with the tests' inspectors), not through the core.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core_server.config import ENV_PREFIX
from sessioncore.v1 import session_service_pb2 as pb
from tests.support import ferretdb, postgres
from tests.support.core_process import DEFAULT_DB_NAME, CoreProcess, CoreSecrets
from tests.support.grpc_helpers import create_session, refresh_tokens, verify_tokens
from tests.support.storage import (
    SUPPORT,
    PostgresInspector,
    SqliteInspector,
    StorageInspector,
    rows_for,
    session_row,
)

STORES = ["sqlite", "postgres", "mongodb"]
SOURCES = ["flags", "config_file", "environment"]


@dataclass
class ConfiguredCore(CoreProcess):
    """A core process with extra `SESSION_CORE_*` variables in its environment."""

    extra_environment: dict[str, str] = field(default_factory=dict)

    def _environment(self) -> dict[str, str]:
        return super()._environment() | self.extra_environment


def inspector_for(store: str, url: str) -> StorageInspector:
    """Read the store at `url` directly, whichever way the core was told about it."""
    if store == "sqlite":
        return SqliteInspector(Path(url.removeprefix("sqlite://")))
    if store == "postgres":
        return PostgresInspector(postgres.shared_cluster(), postgres.database_of(url))
    # Imported here, as tests.support.storage does: mongo_rows imports that module.
    from tests.support.mongo_rows import MongoInspector

    return MongoInspector(ferretdb.shared_server(), ferretdb.database_of(url))


@pytest.fixture
def configured_core(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ConfiguredCore, str, str]]:
    """A core told its store through one source; yields it, the store's name and URL."""
    store, source = request.param
    url = SUPPORT[store].url_for(tmp_path / "data")
    settings = {"storage": store, "storage_url": url}
    core = ConfiguredCore(root=tmp_path, config={}, secrets=CoreSecrets.generate())
    if source == "flags":
        core.args = ("--storage", store, "--storage-url", url)
    elif source == "config_file":
        core.config = settings
    else:
        core.extra_environment = {ENV_PREFIX + k.upper(): v for k, v in settings.items()}
    core.start()
    try:
        yield core, store, url
    finally:
        code = core.stop()
    assert code == 0, core.stderr_text()[-2000:]


@pytest.mark.parametrize(
    "configured_core",
    [
        pytest.param((store, source), id=f"{store}-{source}")
        for store in STORES
        for source in SOURCES
    ],
    indirect=True,
)
def test_the_same_core_serves_each_store_chosen_by_configuration_only(
    configured_core: tuple[ConfiguredCore, str, str],
) -> None:
    core, store, url = configured_core
    api = core.stub()

    created = create_session(api, "swap-user", data={"plan": "pro"})
    handle = created.session.handle
    assert verify_tokens(api, created.tokens, check_database=True).outcome == pb.OUTCOME_OK
    refreshed = refresh_tokens(api, created.tokens)
    assert refreshed.outcome == pb.OUTCOME_OK
    assert verify_tokens(api, refreshed.tokens, check_database=True).outcome == pb.OUTCOME_OK

    # The session is in the store the configuration named, one rotation on.
    inspector = inspector_for(store, url)
    assert rows_for(inspector, handle)
    assert session_row(inspector, handle).values["generation"] == 1
    if store != "sqlite":
        # Nothing fell back to the default SQLite file in the data directory.
        assert not (core.data_dir / DEFAULT_DB_NAME).exists()
