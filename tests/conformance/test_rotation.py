"""Refresh-token rotation inside the grace window: replays, theft, lost responses."""

from __future__ import annotations

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    assert_session_ended,
    create_session,
    get_session,
    listed_handles,
    refresh_tokens,
    verify_tokens,
)
from tests.support.tokens import parse_refresh_token


def rotate(api: Api, tokens: pb.Tokens) -> pb.Tokens:
    """Refresh once, expecting success; return the new tokens."""
    response = refresh_tokens(api, tokens)
    assert_outcome(response, pb.OUTCOME_OK, pb.REASON_UNSPECIFIED)
    return response.tokens


def assert_theft(response: pb.RefreshSessionResponse, handle: str, user_id: str) -> None:
    assert_outcome(response, pb.OUTCOME_TOKEN_THEFT_DETECTED, pb.REASON_TOKEN_REUSED)
    assert (response.session.handle, response.session.user_id) == (handle, user_id)
    assert not response.HasField("tokens")


def assert_revoked(api: Api, handle: str, user_id: str, *live: pb.Tokens) -> None:
    """The session is gone everywhere and none of the given tokens works any more."""
    assert_session_ended(get_session(api, handle))
    assert handle not in listed_handles(api, user_id)
    for tokens in live:
        assert_session_ended(refresh_tokens(api, tokens))
        assert_session_ended(verify_tokens(api, tokens, check_database=True))


def test_C10_replaying_a_token_whose_successor_was_used_is_theft(api: Api) -> None:
    created = create_session(api, "c10-user", anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    t1 = rotate(api, t0)
    t2 = rotate(api, t1)
    assert parse_refresh_token(t2.refresh_token.token).generation == 2

    assert_theft(refresh_tokens(api, t0), handle, "c10-user")
    assert_revoked(api, handle, "c10-user", t2)


def test_C11_predecessor_twice_inside_the_window_yields_one_successor(api: Api) -> None:
    created = create_session(api, "c11-user", anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    first = rotate(api, t0)
    second = rotate(api, t0)
    assert second.refresh_token.token == first.refresh_token.token
    assert second.anti_csrf_token == first.anti_csrf_token
    assert parse_refresh_token(first.refresh_token.token).generation == 1
    assert handle in listed_handles(api, "c11-user")
    assert_outcome(verify_tokens(api, second), pb.OUTCOME_OK)

    rotate(api, first)  # RT1 used: from now on RT0 is a replay of a spent token.
    assert_theft(refresh_tokens(api, t0), handle, "c11-user")
    assert_session_ended(get_session(api, handle))


def test_C12_only_the_immediate_predecessor_is_forgiven(api: Api) -> None:
    created = create_session(api, "c12-user", anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    t1 = rotate(api, t0)
    t2 = rotate(api, t1)
    t3 = rotate(api, t2)
    # RT1 is two generations behind, though well inside any grace window.
    assert_theft(refresh_tokens(api, t1), handle, "c12-user")
    assert_revoked(api, handle, "c12-user", t3, t2, t0)


def test_C12_generation_zero_after_two_rotations_is_theft(api: Api) -> None:
    created = create_session(api, "c12-other", anti_csrf=False)
    handle, t0 = created.session.handle, created.tokens
    t2 = rotate(api, rotate(api, t0))
    assert_theft(refresh_tokens(api, t0), handle, "c12-other")
    assert_revoked(api, handle, "c12-other", t2)


def test_A19_replayed_rt0_after_rt1_was_used(api: Api) -> None:
    created = create_session(api, "a19-user", anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    t1 = rotate(api, t0)
    t2 = rotate(api, t1)
    assert_outcome(verify_tokens(api, t2, check_database=True), pb.OUTCOME_OK)

    assert_theft(refresh_tokens(api, t0), handle, "a19-user")
    assert_session_ended(refresh_tokens(api, t2))
    for tokens in (t1, t2):
        assert_session_ended(verify_tokens(api, tokens, check_database=True))
    assert_session_ended(get_session(api, handle))


def test_B3_lost_refresh_response_is_retried_then_replay_is_theft(api: Api) -> None:
    created = create_session(api, "b3-user", anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    refresh_tokens(api, t0)  # The answer never reaches the client.

    retried = refresh_tokens(api, t0)
    assert_outcome(retried, pb.OUTCOME_OK, pb.REASON_UNSPECIFIED)
    t1 = retried.tokens
    assert parse_refresh_token(t1.refresh_token.token).generation == 1
    assert_outcome(verify_tokens(api, t1), pb.OUTCOME_OK)
    assert handle in listed_handles(api, "b3-user")

    t2 = rotate(api, t1)  # The client goes on with the newest token.
    assert parse_refresh_token(t2.refresh_token.token).generation == 2
    assert_theft(refresh_tokens(api, t0), handle, "b3-user")
    assert_revoked(api, handle, "b3-user", t2)
