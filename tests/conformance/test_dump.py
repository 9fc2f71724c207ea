"""A storage dump reveals no token, API key, private key or token key (C25, A29)."""

from __future__ import annotations

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.core_process import CoreProcess
from tests.support.dump_checks import Harvest, assert_dump_is_clean
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    create_session,
    new_user,
    refresh_tokens,
)
from tests.support.storage import BackendSupport, StorageInspector


@pytest.fixture(scope="module")
def dump_core(start_core: StartCore) -> CoreProcess:
    """A core of its own, so the dump holds only what these tests put there."""
    return start_core()


@pytest.fixture
def dump_api(dump_core: CoreProcess) -> Api:
    return dump_core.stub()


@pytest.fixture
def dump_inspector(dump_core: CoreProcess, backend: BackendSupport) -> StorageInspector:
    return backend.inspector(dump_core)


def rotate(api: Api, harvest: Harvest, tokens: pb.Tokens) -> pb.Tokens:
    response = refresh_tokens(api, tokens)
    assert_outcome(response, pb.OUTCOME_OK)
    return harvest.add(response.tokens)


def test_C25_dump_after_every_kind_of_write(
    dump_core: CoreProcess, dump_api: Api, dump_inspector: StorageInspector
) -> None:
    harvest = Harvest(dump_core.secrets)
    user = new_user("c25")
    for index in range(3):
        created = create_session(dump_api, user, claims={"i": index}, data={"note": "n"})
        tokens = rotate(dump_api, harvest, harvest.add(created.tokens))
        request = pb.RegenerateAccessTokenRequest(access_token=tokens.access_token.token)
        harvest.access_tokens.append(dump_api.RegenerateAccessToken(request).access_token.token)
        data = pb.UpdateSessionDataRequest(handle=created.session.handle, session_data_json="{}")
        assert_outcome(dump_api.UpdateSessionData(data), pb.OUTCOME_OK)
    # A theft revocation and a plain revocation are writes too.
    theft = create_session(dump_api, user)
    rotate(dump_api, harvest, rotate(dump_api, harvest, harvest.add(theft.tokens)))
    refresh_tokens(dump_api, theft.tokens)
    dump_api.RevokeSessions(pb.RevokeSessionsRequest(handles=[created.session.handle]))

    assert_dump_is_clean(dump_inspector, harvest)


def test_A29_dump_after_sessions_were_created_and_refreshed(
    dump_core: CoreProcess, dump_api: Api, dump_inspector: StorageInspector
) -> None:
    harvest = Harvest(dump_core.secrets)
    for anti_csrf in (True, False, True):
        tokens = harvest.add(create_session(dump_api, anti_csrf=anti_csrf).tokens)
        for _ in range(3):
            tokens = rotate(dump_api, harvest, tokens)

    assert_dump_is_clean(dump_inspector, harvest)
