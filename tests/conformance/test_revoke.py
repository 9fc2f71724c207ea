"""Revoking by handle and by user (C16, A26)."""

from __future__ import annotations

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    assert_session_ended,
    create_session,
    get_session,
    listed_handles,
    new_user,
    random_handle,
    refresh_tokens,
    verify_tokens,
)


def sessions_of(api: Api, user_id: str, count: int) -> list[pb.CreateSessionResponse]:
    return [create_session(api, user_id, anti_csrf=True) for _ in range(count)]


def revoke(api: Api, *handles: str) -> list[str]:
    response = api.RevokeSessions(pb.RevokeSessionsRequest(handles=list(handles)))
    return list(response.revoked_handles)


def revoke_user(api: Api, user_id: str, keep_handle: str = "") -> list[str]:
    request = pb.RevokeUserSessionsRequest(user_id=user_id, keep_handle=keep_handle)
    return list(api.RevokeUserSessions(request).revoked_handles)


def test_C16_revoke_answers_exactly_the_handles_that_were_live(api: Api) -> None:
    user = new_user("c16")
    first, second = (s.session.handle for s in sessions_of(api, user, 2))
    missing = random_handle()

    revoked = revoke(api, first, missing, second)
    assert sorted(revoked) == sorted([first, second])
    assert revoke(api, first, second) == []
    for handle in (first, second):
        assert_session_ended(get_session(api, handle))
    assert listed_handles(api, user) == []


def test_C16_revoke_user_ends_only_that_users_sessions(api: Api) -> None:
    user, bystander = new_user("c16-user"), new_user("c16-bystander")
    mine = sessions_of(api, user, 3)
    theirs = create_session(api, bystander, anti_csrf=True)

    revoked = revoke_user(api, user)
    assert sorted(revoked) == sorted(s.session.handle for s in mine)
    assert listed_handles(api, user) == []
    assert listed_handles(api, bystander) == [theirs.session.handle]
    assert_outcome(verify_tokens(api, theirs.tokens, check_database=True), pb.OUTCOME_OK)
    assert revoke_user(api, user) == []


def test_A26_revoke_user_then_refresh_each_token(api: Api) -> None:
    user, other = new_user("a26"), new_user("a26-other")
    mine = sessions_of(api, user, 3)
    theirs = create_session(api, other, anti_csrf=True)

    assert len(revoke_user(api, user)) == 3
    for session in mine:
        assert_session_ended(refresh_tokens(api, session.tokens))
    assert_outcome(refresh_tokens(api, theirs.tokens), pb.OUTCOME_OK)


def test_A26_revoke_user_keeping_one_session(api: Api) -> None:
    user = new_user("a26-keep")
    first, kept, third = sessions_of(api, user, 3)

    revoked = revoke_user(api, user, keep_handle=kept.session.handle)
    assert sorted(revoked) == sorted([first.session.handle, third.session.handle])
    for session in (first, third):
        assert_session_ended(refresh_tokens(api, session.tokens))
    assert_outcome(refresh_tokens(api, kept.tokens), pb.OUTCOME_OK)
    assert listed_handles(api, user) == [kept.session.handle]
