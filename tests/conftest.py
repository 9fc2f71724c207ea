"""Fixtures shared by every test folder: real core processes, PostgreSQL and FerretDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import ferretdb, postgres
from tests.support.core_process import CoreFactory, CoreSecrets


@pytest.fixture(scope="module")
def core_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CoreFactory]:
    """Start cores with fresh secrets for this module; all are stopped at its end."""
    factory = CoreFactory(lambda: tmp_path_factory.mktemp("core"), CoreSecrets.generate())
    yield factory
    factory.stop_all()


@pytest.fixture(scope="session")
def postgres_cluster() -> postgres.PostgresCluster:
    """The run's throwaway PostgreSQL cluster, started by the first test that needs it."""
    return postgres.shared_cluster()


@pytest.fixture(scope="session")
def ferretdb_server() -> ferretdb.FerretDBServer:
    """The run's FerretDB server (MongoDB's wire protocol), started when first needed."""
    return ferretdb.shared_server()


# Runs after every other test, so it scans every line the run's cores wrote.
LAST_MODULE = "tests/operations/test_logs_hold_no_tokens.py"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    is_last = [item.nodeid.startswith(LAST_MODULE + "::") for item in items]
    first = [item for item, last in zip(items, is_last, strict=True) if not last]
    items[:] = first + [item for item, last in zip(items, is_last, strict=True) if last]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Whoever started the cluster (this fixture or a backend's URL factory), it ends here.
    postgres.stop_shared_cluster()
    ferretdb.stop_shared_server()
