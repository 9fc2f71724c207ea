"""The revocation feed as clients see it: revocations, theft events, cursors (C15, C26, B13).

Latency of each way to learn of a revocation, as documented in docs/revocation.md:
local verification alone accepts the access token until its expiry plus leeway, the
feed has the entry as soon as RevokeSessions answered, the database check is immediate.
"""

from __future__ import annotations

import time

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support import scrape
from tests.support.core_process import CoreProcess
from tests.support.feed import Poller, assert_recent, handles_in, revoke
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    assert_session_ended,
    bad_request_field,
    create_session,
    new_user,
    random_handle,
    refresh_tokens,
    rpc_error,
    seconds,
    verify_tokens,
)
from tests.support.storage import BackendSupport
from tests.support.storage_writes import writer_for
from tests.support.tokens import decode_jwt, parse_refresh_token
from tests.support.waiting import sleep_past, sleep_until

OVERLAP_SECONDS = 2
# Retention (AT lifetime + leeway) well above the overlap, so waiting out the overlap
# never turns a poll into a snapshot.
CURSOR_AT_LIFETIME_SECONDS = 4
# Past the overlap by a margin that covers scheduling between the calls.
PAST_OVERLAP_SECONDS = OVERLAP_SECONDS + 0.3


@pytest.fixture(scope="module")
def cursor_api(start_core: StartCore) -> Api:
    core = start_core(
        feed_overlap_seconds=OVERLAP_SECONDS,
        access_token_lifetime_seconds=CURSOR_AT_LIFETIME_SECONDS,
        leeway_seconds=0,
    )
    return core.stub()


@pytest.fixture(scope="module")
def b13_core(start_core: StartCore) -> CoreProcess:
    return start_core(access_token_lifetime_seconds=2, leeway_seconds=0)


def rotate(api: Api, tokens: pb.Tokens) -> pb.Tokens:
    response = refresh_tokens(api, tokens)
    assert_outcome(response, pb.OUTCOME_OK)
    return response.tokens


def test_C15_revoked_session_is_in_the_feed_at_once(api: Api) -> None:
    created = create_session(api, new_user("c15"), anti_csrf=True)
    handle, tokens = created.session.handle, created.tokens
    poller = Poller(api)
    assert poller.poll().snapshot  # the cursor a client held before the revocation

    assert revoke(api, handle) == [handle]
    # Local verification is stateless: the access token stays valid until it expires.
    assert_outcome(verify_tokens(api, tokens), pb.OUTCOME_OK)
    assert_session_ended(verify_tokens(api, tokens, check_database=True))
    response = poller.poll()
    assert not response.snapshot
    assert handle in handles_in(response)
    entry = poller.entry(handle)
    assert not entry.HasField("theft") and entry.sequence > 0
    assert_recent(entry)
    assert_session_ended(refresh_tokens(api, tokens))


def test_revoking_a_users_sessions_adds_each_to_the_feed(api: Api) -> None:
    user = new_user("feed-user")
    first, kept, third = (create_session(api, user).session.handle for _ in range(3))
    poller = Poller(api)
    poller.poll()

    request = pb.RevokeUserSessionsRequest(user_id=user, keep_handle=kept)
    assert sorted(api.RevokeUserSessions(request).revoked_handles) == sorted([first, third])
    assert {first, third} <= set(handles_in(poller.poll()))
    assert revoke(api, random_handle(), first) == []  # nothing live: nothing added
    ours = {first, kept, third}
    # Answered again within the overlap, yet held once each.
    assert {first, third} <= set(handles_in(poller.poll()))
    assert sorted(h for h in poller.handles() if h in ours) == sorted([first, third])


def test_C26_theft_is_in_the_feed_with_its_generations(api: Api) -> None:
    user = new_user("c26")
    created = create_session(api, user, anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    poller = Poller(api)
    poller.poll()
    t2 = rotate(api, rotate(api, t0))
    assert parse_refresh_token(t2.refresh_token.token).generation == 2

    theft = refresh_tokens(api, t0)
    assert_outcome(theft, pb.OUTCOME_TOKEN_THEFT_DETECTED, pb.REASON_TOKEN_REUSED)
    assert handle in handles_in(poller.poll())
    entry = poller.entry(handle)
    assert entry.theft == pb.TheftEvent(user_id=user, presented_generation=0, current_generation=2)
    assert_recent(entry)
    assert_session_ended(refresh_tokens(api, t2))


def test_B13_revoked_session_fails_at_once_with_the_database_check(b13_core: CoreProcess) -> None:
    api = b13_core.stub()
    created = create_session(api, new_user("b13-revoke"), anti_csrf=True)
    tokens = created.tokens
    poller = Poller(api)
    poller.poll()

    assert revoke(api, created.session.handle) == [created.session.handle]
    assert_session_ended(verify_tokens(api, tokens, check_database=True))
    assert_session_ended(refresh_tokens(api, tokens))
    assert created.session.handle in handles_in(poller.poll())


@pytest.mark.slow
def test_B13_deleted_session_row_verifies_locally_until_expiry(
    b13_core: CoreProcess, backend: BackendSupport
) -> None:
    api = b13_core.stub()
    created = create_session(api, new_user("b13-delete"), anti_csrf=True)
    handle, tokens = created.session.handle, created.tokens
    expires = decode_jwt(tokens.access_token.token).payload["exp"]
    poller = Poller(api)
    poller.poll()

    writer_for(backend.name, b13_core).delete_session(handle)
    assert_session_ended(verify_tokens(api, tokens, check_database=True))
    assert_session_ended(refresh_tokens(api, tokens))
    # A row deleted by hand writes no feed entry: only the database check sees it.
    assert handle not in handles_in(poller.poll())
    assert_outcome(verify_tokens(api, tokens), pb.OUTCOME_OK)
    if time.time() < expires - 0.4:
        sleep_until(expires - 0.3)
        assert_outcome(verify_tokens(api, tokens), pb.OUTCOME_OK)
    sleep_past(expires, margin=0.3)  # leeway 0: rejected from `exp` on
    assert_outcome(
        verify_tokens(api, tokens), pb.OUTCOME_TRY_REFRESH_TOKEN, pb.REASON_EXPIRED_TOKEN
    )
    assert_session_ended(refresh_tokens(api, tokens))


def test_polls_answer_new_entries_again_within_the_overlap(cursor_api: Api) -> None:
    handle = create_session(cursor_api, new_user("cursor")).session.handle
    poller = Poller(cursor_api)
    first = poller.poll()
    assert first.snapshot and handle not in handles_in(first)

    revoke(cursor_api, handle)
    fresh = poller.poll()
    assert not fresh.snapshot and handles_in(fresh) == [handle]
    again = poller.poll()  # within the overlap: the same entry, the same sequence
    assert not again.snapshot and list(again.revocations) == list(fresh.revocations)
    assert poller.handles().count(handle) == 1

    time.sleep(PAST_OVERLAP_SECONDS)
    # This read starts one overlap before the previous read, so the entry is still there.
    assert handle in handles_in(poller.poll())
    after = poller.poll()  # now one overlap after the entry: never answered again
    assert not after.snapshot and handle not in handles_in(after)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "AQ",  # too short
        "AUHa0nSAAAAA=",  # a well-formed cursor, padded
        "x" * 12,  # the right length, not ours
        "AkHa0nSAAAAA",  # an unknown version
        "AX_4AAAAAAAA",  # version 1 holding NaN
    ],
)
def test_a_malformed_cursor_is_an_invalid_argument(api: Api, cursor: str) -> None:
    request = pb.ListRevocationsRequest(cursor=cursor)
    err = rpc_error(api.ListRevocations, request)
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT, (err.code(), err.details())
    assert bad_request_field(err) == "cursor"


def test_a_cursor_older_than_the_retention_gets_a_snapshot(short_api: Api) -> None:
    user = new_user("stale")
    expired, recent = (create_session(short_api, user).session.handle for _ in range(2))
    poller = Poller(short_api)
    poller.poll()
    revoke(short_api, expired)
    poller.poll()
    revoked_at = seconds(poller.entry(expired).revoked_at)
    stale_cursor = poller.cursor

    sleep_past(revoked_at + 1, margin=0.5)  # retention: 1 s AT lifetime, no leeway
    revoke(short_api, recent)
    poller.cursor = stale_cursor
    response = poller.poll()
    assert response.snapshot
    # A snapshot holds only entries still in force: the expired one is left out.
    assert handles_in(response) == [recent]
    assert poller.handles() == [recent]


def test_C26_a_theft_also_increments_the_theft_metric(start_core: StartCore) -> None:
    port = scrape.free_port()
    api = start_core(metrics_port=port).stub()
    t0 = create_session(api, new_user("c26-metric"), anti_csrf=True).tokens
    rotate(api, rotate(api, t0))
    before = scrape.scrape(port)

    theft = refresh_tokens(api, t0)
    assert_outcome(theft, pb.OUTCOME_TOKEN_THEFT_DETECTED, pb.REASON_TOKEN_REUSED)
    after = scrape.scrape(port)
    for name, labels in (
        ("session_core_thefts_total", {}),
        ("session_core_refreshes_total", {"result": "theft"}),
        ("session_core_revocations_total", {"kind": "session"}),
    ):
        assert scrape.value(after, name, **labels) == scrape.value(before, name, **labels) + 1
