"""Concurrent refreshes with one token converge on one lineage (C13, A20, B1)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    create_session,
    get_session,
    listed_handles,
    refresh_tokens,
    verify_tokens,
)
from tests.support.storage import StorageInspector, rows_for, session_row
from tests.support.tokens import parse_refresh_token

BARRIER_TIMEOUT_SECONDS = 10


def refresh_together(api: Api, tokens: pb.Tokens, count: int) -> list[pb.RefreshSessionResponse]:
    """Send `count` refreshes with the same tokens, released at one instant by a barrier.

    Any error status fails the test with its code and details.
    """
    barrier = threading.Barrier(count, timeout=BARRIER_TIMEOUT_SECONDS)

    def one() -> pb.RefreshSessionResponse:
        barrier.wait()
        return refresh_tokens(api, tokens)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one) for _ in range(count)]
        try:
            return [future.result(timeout=30) for future in futures]
        except grpc.RpcError as err:
            raise AssertionError(f"a refresh failed with {err.code()}: {err.details()}") from err


def assert_one_successor(responses: list[pb.RefreshSessionResponse]) -> pb.Tokens:
    """Every answer is OK and names the same successor RT and anti-CSRF token."""
    for response in responses:
        assert_outcome(response, pb.OUTCOME_OK, pb.REASON_UNSPECIFIED)
    assert len({r.tokens.refresh_token.token for r in responses}) == 1
    assert len({r.tokens.anti_csrf_token for r in responses}) == 1
    assert len({r.session.handle for r in responses}) == 1
    successor = responses[0].tokens
    assert parse_refresh_token(successor.refresh_token.token).generation == 1
    return successor


def test_C13_ten_concurrent_refreshes_leave_one_lineage(
    api: Api, inspector: StorageInspector
) -> None:
    created = create_session(api, "c13-user", anti_csrf=True)
    handle = created.session.handle
    successor = assert_one_successor(refresh_together(api, created.tokens, 10))
    assert session_row(inspector, handle).values["generation"] == 1

    nxt = refresh_tokens(api, successor)
    assert_outcome(nxt, pb.OUTCOME_OK)
    assert parse_refresh_token(nxt.tokens.refresh_token.token).generation == 2
    assert session_row(inspector, handle).values["generation"] == 2
    assert len(rows_for(inspector, handle)) == 1
    assert listed_handles(api, "c13-user") == [handle]
    assert_outcome(verify_tokens(api, nxt.tokens, check_database=True), pb.OUTCOME_OK)


def test_A20_parallel_refreshes_share_one_successor(api: Api) -> None:
    created = create_session(api, "a20-user", anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    successor = assert_one_successor(refresh_together(api, t0, 10))
    assert_outcome(get_session(api, handle), pb.OUTCOME_OK)

    # Exactly one live lineage: the successor moves on, then RT0 is a spent token.
    nxt = refresh_tokens(api, successor)
    assert_outcome(nxt, pb.OUTCOME_OK)
    theft = refresh_tokens(api, t0)
    assert_outcome(theft, pb.OUTCOME_TOKEN_THEFT_DETECTED, pb.REASON_TOKEN_REUSED)


def test_B1_two_tabs_refresh_at_the_same_moment(api: Api) -> None:
    created = create_session(api, "b1-user", claims={"tab": "any"}, anti_csrf=True)
    handle = created.session.handle
    responses = refresh_together(api, created.tokens, 2)
    successor = assert_one_successor(responses)
    assert handle in listed_handles(api, "b1-user")

    for response in responses:
        verified = verify_tokens(api, response.tokens)
        assert_outcome(verified, pb.OUTCOME_OK)
        assert verified.session.handle == handle

    again = refresh_tokens(api, successor)
    assert_outcome(again, pb.OUTCOME_OK)
    assert parse_refresh_token(again.tokens.refresh_token.token).generation == 2
    assert handle in listed_handles(api, "b1-user")
