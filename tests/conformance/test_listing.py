"""ListUserSessions: fields of each live session and pagination (C27)."""

from __future__ import annotations

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    create_session,
    new_user,
    refresh_tokens,
    seconds,
)

DEFAULT_IDLE_SECONDS = 1_209_600


def pages(api: Api, user_id: str, page_size: int) -> list[pb.ListUserSessionsResponse]:
    collected: list[pb.ListUserSessionsResponse] = []
    page_token = ""
    while len(collected) < 20:
        request = pb.ListUserSessionsRequest(
            user_id=user_id, page_size=page_size, page_token=page_token
        )
        collected.append(api.ListUserSessions(request))
        page_token = collected[-1].next_page_token
        if not page_token:
            return collected
    raise AssertionError("more than 20 pages")


def create_devices(api: Api, user_id: str, count: int) -> list[pb.Session]:
    return [
        create_session(
            api,
            user_id,
            anti_csrf=index % 2 == 0,
            client=pb.ClientMetadata(user_agent=f"agent/{index}", ip_address=f"192.0.2.{index}"),
        ).session
        for index in range(count)
    ]


def test_C27_pages_cover_every_session_once_oldest_first(api: Api) -> None:
    user = new_user("c27")
    created = create_devices(api, user, 5)
    create_session(api, new_user("c27-other"))

    listing = pages(api, user, page_size=2)
    assert [len(page.sessions) for page in listing] == [2, 2, 1]
    assert all(page.next_page_token for page in listing[:-1])
    listed = [session for page in listing for session in page.sessions]
    assert [s.handle for s in listed] == [s.handle for s in created]

    (single,) = pages(api, user, page_size=0)
    assert [s.handle for s in single.sessions] == [s.handle for s in created]
    (large,) = pages(api, user, page_size=1000)
    assert len(large.sessions) == 5


def test_C27_each_listed_session_carries_its_metadata(api: Api) -> None:
    user = new_user("c27-fields")
    created = create_devices(api, user, 3)
    (page,) = pages(api, user, page_size=0)
    for listed, original in zip(page.sessions, created, strict=True):
        assert listed.user_id == user
        assert listed.client == original.client
        assert listed.client.user_agent.startswith("agent/")
        assert listed.anti_csrf == original.anti_csrf
        assert listed.created_at == original.created_at
        assert listed.last_refreshed_at == original.created_at
        assert listed.absolute_expires_at == original.absolute_expires_at
        idle = seconds(listed.idle_expires_at) - seconds(listed.created_at)
        assert idle == pytest.approx(DEFAULT_IDLE_SECONDS, abs=1e-3)


def test_C27_listing_shows_the_last_refresh(api: Api) -> None:
    user = new_user("c27-refresh")
    created = create_session(api, user, anti_csrf=True)
    refreshed = refresh_tokens(api, created.tokens)
    assert_outcome(refreshed, pb.OUTCOME_OK)

    (page,) = pages(api, user, page_size=0)
    (listed,) = page.sessions
    assert listed.created_at == created.session.created_at
    assert listed.last_refreshed_at == refreshed.session.last_refreshed_at
    assert seconds(listed.last_refreshed_at) > seconds(listed.created_at)
    idle = seconds(listed.idle_expires_at) - seconds(listed.last_refreshed_at)
    assert idle == pytest.approx(DEFAULT_IDLE_SECONDS, abs=1e-3)


def test_C27_pages_stay_within_the_message_limit(start_core: StartCore) -> None:
    # 64 KiB messages and 16 KiB of data per session: a page of 100 would be ~160 KiB.
    small = start_core(max_message_bytes=65_536, max_session_data_bytes=16_384).stub()
    user_id = new_user("big-data")
    data = '{"blob": "' + "x" * 16_000 + '"}'
    handles = [
        small.CreateSession(
            pb.CreateSessionRequest(user_id=user_id, session_data_json=data)
        ).session.handle
        for _ in range(10)
    ]
    listed = pages(small, user_id, page_size=100)
    assert len(listed) > 1
    assert [s.handle for page in listed for s in page.sessions] == handles
    for page in listed:
        assert page.ByteSize() <= 65_536 // 2
