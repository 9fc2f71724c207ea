"""Fixtures for the gRPC-surface tests: one default SQLite core per module."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.grpc_helpers import Api, create_session


@dataclass(frozen=True)
class LiveSession:
    """A session the tests can name in well-formed requests."""

    user_id: str
    handle: str
    access_token: str
    refresh_token: str
    anti_csrf_token: str


@pytest.fixture(scope="module")
def live_core(core_factory: CoreFactory) -> CoreProcess:
    return core_factory.start({"storage": "sqlite"})


@pytest.fixture(scope="module")
def live_api(live_core: CoreProcess) -> Api:
    return live_core.stub()


@pytest.fixture(scope="module")
def live(live_api: Api) -> LiveSession:
    created = create_session(live_api, claims={"k": 1}, anti_csrf=True)
    tokens = created.tokens
    return LiveSession(
        user_id=created.session.user_id,
        handle=created.session.handle,
        access_token=tokens.access_token.token,
        refresh_token=tokens.refresh_token.token,
        anti_csrf_token=tokens.anti_csrf_token,
    )
