"""The grace window's end: the predecessor is forgiven only inside it (1 s here)."""

from __future__ import annotations

import time

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    assert_session_ended,
    create_session,
    get_session,
    listed_handles,
    refresh_tokens,
    seconds,
)
from tests.support.waiting import sleep_past

GRACE_SECONDS = 1


def rotate_at(api: Api, tokens: pb.Tokens) -> tuple[pb.RefreshSessionResponse, float]:
    """Refresh once (expecting success) and return the answer with the time it was sent."""
    sent = time.time()
    response = refresh_tokens(api, tokens)
    assert_outcome(response, pb.OUTCOME_OK)
    return response, sent


def test_C11_predecessor_after_the_window_is_theft(short_api: Api) -> None:
    created = create_session(short_api, "c11-late", anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    first, sent = rotate_at(short_api, t0)
    assert seconds(first.session.last_refreshed_at) >= sent - 1
    sleep_past(seconds(first.session.last_refreshed_at) + GRACE_SECONDS, margin=0.5)

    late = refresh_tokens(short_api, t0)
    assert_outcome(late, pb.OUTCOME_TOKEN_THEFT_DETECTED, pb.REASON_TOKEN_REUSED)
    assert (late.session.handle, late.session.user_id) == (handle, "c11-late")
    assert_session_ended(get_session(short_api, handle))
    assert_session_ended(refresh_tokens(short_api, first.tokens))


def test_A22_previous_token_just_after_the_window_is_theft(short_api: Api) -> None:
    created = create_session(short_api, "a22-user", anti_csrf=False)
    handle, t0 = created.session.handle, created.tokens
    inside, _ = rotate_at(short_api, t0)
    replay, _ = rotate_at(short_api, t0)  # Inside the window: forgiven.
    assert replay.tokens.refresh_token.token == inside.tokens.refresh_token.token

    sleep_past(seconds(inside.session.last_refreshed_at) + GRACE_SECONDS, margin=0.3)
    late = refresh_tokens(short_api, t0)
    assert_outcome(late, pb.OUTCOME_TOKEN_THEFT_DETECTED, pb.REASON_TOKEN_REUSED)
    assert handle not in listed_handles(short_api, "a22-user")
    assert_session_ended(refresh_tokens(short_api, inside.tokens))
