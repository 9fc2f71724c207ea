"""The database server stops and comes back while the core keeps running (C24, B20).

While the server is down (PostgreSQL stopped, FerretDB killed as in a crash), every call
that needs storage answers UNAVAILABLE (a client keeps its tokens and retries), never
UNAUTHORISED or theft, and nothing is written. Once it is back, the very same refresh
token works, without restarting the core. The backends' `ServerControl` hooks (in
`tests.support.storage`) stop and start their servers; SQLite has none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import BACKENDS
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    create_session,
    get_session,
    listed_handles,
    refresh_tokens,
    rpc_error,
    verify_tokens,
)
from tests.support.storage import (
    SUPPORT,
    BackendSupport,
    ServerControl,
    StorageInspector,
    session_row,
)
from tests.support.tokens import parse_refresh_token

RECOVERY_BOUND_SECONDS = 10
# Words of driver or server errors that must never reach a client.
DATABASE_WORDS = ("SQLSTATE", "psycopg", "postgres", "mongo", "refused", "127.0.0.1", "server")
LOAD_SESSIONS = 6
LOAD_OUTAGE_SECONDS = 1.5

pytestmark = pytest.mark.parametrize(
    "backend",
    [
        name
        if SUPPORT[name].server is not None
        else pytest.param(name, marks=pytest.mark.skip(reason="runs inside the core: no server"))
        for name in BACKENDS
    ],
    indirect=True,
    scope="module",
)


def server_of(backend: BackendSupport) -> ServerControl:
    assert backend.server is not None
    return backend.server


@pytest.fixture(scope="module")
def outage_core(core_factory: CoreFactory, backend: BackendSupport) -> CoreProcess:
    url = server_of(backend).fresh_url()
    return core_factory.start({"storage": backend.name, "storage_url": url})


@pytest.fixture(scope="module")
def outage_inspector(outage_core: CoreProcess, backend: BackendSupport) -> StorageInspector:
    return backend.inspector(outage_core)


def assert_unavailable(call: Callable[[Any], Any], request: Any) -> None:
    err = rpc_error(call, request)
    assert err.code() is grpc.StatusCode.UNAVAILABLE, (err.code(), err.details())
    details = err.details() or ""
    assert not [word for word in DATABASE_WORDS if word.lower() in details.lower()], details


def refresh_request(tokens: pb.Tokens) -> pb.RefreshSessionRequest:
    return pb.RefreshSessionRequest(
        refresh_token=tokens.refresh_token.token, anti_csrf_token=tokens.anti_csrf_token
    )


def verify_request(tokens: pb.Tokens) -> pb.VerifySessionRequest:
    return pb.VerifySessionRequest(
        access_token=tokens.access_token.token,
        anti_csrf_token=tokens.anti_csrf_token,
        check_database=True,
    )


def refresh_once_back(api: Api, tokens: pb.Tokens) -> pb.RefreshSessionResponse:
    """Refresh as a client retrying after UNAVAILABLE would, for at most 10 s."""
    give_up = time.monotonic() + RECOVERY_BOUND_SECONDS
    while True:
        try:
            return refresh_tokens(api, tokens)
        except grpc.RpcError as err:
            retry = err.code() is grpc.StatusCode.UNAVAILABLE and time.monotonic() < give_up
            if not retry:
                raise
        time.sleep(0.2)


def test_C24_storage_down_answers_unavailable_and_the_same_token_works_after(
    outage_core: CoreProcess, outage_inspector: StorageInspector, backend: BackendSupport
) -> None:
    api = outage_core.stub()
    created = create_session(api, "c24-user", anti_csrf=True)
    handle = created.session.handle
    before = session_row(outage_inspector, handle).values

    with server_of(backend).outage():
        for _ in range(3):  # retries do not turn into anything worse
            assert_unavailable(api.RefreshSession, refresh_request(created.tokens))
        assert_unavailable(api.VerifySession, verify_request(created.tokens))

    # Nothing revoked or half-rotated.
    assert session_row(outage_inspector, handle).values == before
    again = refresh_once_back(api, created.tokens)
    assert_outcome(again, pb.OUTCOME_OK)
    assert parse_refresh_token(again.tokens.refresh_token.token).generation == 1
    assert_outcome(verify_tokens(api, again.tokens, check_database=True), pb.OUTCOME_OK)
    secret = server_of(backend).secret()
    assert secret is None or secret not in outage_core.stderr_text()


def test_B20_core_recovers_from_a_database_restart_without_being_restarted(
    outage_core: CoreProcess, outage_inspector: StorageInspector, backend: BackendSupport
) -> None:
    api = outage_core.stub()
    created = create_session(api, "b20-user", anti_csrf=True)
    handle = created.session.handle
    first = refresh_tokens(api, created.tokens)  # this rotation commits before the outage
    assert_outcome(first, pb.OUTCOME_OK)
    before = session_row(outage_inspector, handle).values

    with server_of(backend).outage():
        assert_unavailable(api.RefreshSession, refresh_request(first.tokens))
        assert_unavailable(api.RefreshSession, refresh_request(created.tokens))
        assert_unavailable(api.VerifySession, verify_request(first.tokens))
        assert_unavailable(api.GetSession, pb.GetSessionRequest(handle=handle))
        stopped_at = time.monotonic()

    assert session_row(outage_inspector, handle).values == before
    assert before["revoked_at"] is None
    # The old token is still inside the grace window: the same successor, no theft.
    replay = refresh_once_back(api, created.tokens)
    assert time.monotonic() - stopped_at < RECOVERY_BOUND_SECONDS
    assert_outcome(replay, pb.OUTCOME_OK)
    assert replay.tokens.refresh_token.token == first.tokens.refresh_token.token
    moved_on = refresh_tokens(api, first.tokens)
    assert_outcome(moved_on, pb.OUTCOME_OK)
    assert parse_refresh_token(moved_on.tokens.refresh_token.token).generation == 2
    assert_outcome(get_session(api, handle), pb.OUTCOME_OK)
    assert listed_handles(api, "b20-user") == [handle]


class RefreshingClient:
    """Refreshes one session in a loop, retrying UNAVAILABLE with the tokens it holds."""

    def __init__(self, api: Api, user: str) -> None:
        self.api = api
        created = create_session(api, user, anti_csrf=True)
        self.handle = created.session.handle
        self.tokens = created.tokens
        self.answers: list[str] = []

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.step()
            time.sleep(0.01)

    def step(self) -> None:
        try:
            response = refresh_tokens(self.api, self.tokens)
        except grpc.RpcError as err:
            self.answers.append(err.code().name)
            return
        self.answers.append(pb.Outcome.Name(response.outcome))
        if response.outcome == pb.OUTCOME_OK:
            self.tokens = response.tokens


def test_C24_a_crash_under_load_loses_nothing_and_revokes_nothing(
    outage_core: CoreProcess, outage_inspector: StorageInspector, backend: BackendSupport
) -> None:
    api = outage_core.stub()
    clients = [RefreshingClient(api, f"c24-load-{i}") for i in range(LOAD_SESSIONS)]
    stop = threading.Event()
    with ThreadPoolExecutor(LOAD_SESSIONS) as pool:
        running = [pool.submit(client.run, stop) for client in clients]
        time.sleep(0.5)
        with server_of(backend).outage():
            time.sleep(LOAD_OUTAGE_SECONDS)
        time.sleep(0.5)
        stop.set()
        for future in running:
            future.result(timeout=60)
    assert any("UNAVAILABLE" in client.answers for client in clients)
    for client in clients:
        # Every answer was a rotation or "try again": never a lost session or theft.
        assert set(client.answers) <= {"OUTCOME_OK", "UNAVAILABLE"}, client.answers
        assert "OUTCOME_OK" in client.answers
        again = refresh_once_back(api, client.tokens)
        assert_outcome(again, pb.OUTCOME_OK)
        # One lineage: what the client holds is what the store holds, nothing half-rotated.
        held = parse_refresh_token(again.tokens.refresh_token.token).generation
        row = session_row(outage_inspector, client.handle).values
        assert (row["generation"], row["revoked_at"]) == (held, None)
