"""SessionCoreClient against a real core: every method, and the translation of its errors."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from session_core_driver import (
    CoreAuthError,
    CoreUnavailable,
    InvalidRequest,
    SessionCoreClient,
    SessionError,
    TokenTheftDetected,
    TryRefreshToken,
    Unauthorised,
)
from session_core_driver._channels import CHANNEL_OPTIONS
from tests.conformance.conftest import StartCore
from tests.driver.conftest import client_for
from tests.support.core_process import CoreProcess
from tests.support.grpc_helpers import new_user, random_handle


def test_create_session_returns_the_session_and_its_tokens(client: SessionCoreClient) -> None:
    user = new_user("create")
    before = time.time()
    created = client.create_session(
        user,
        access_token_claims={"role": "admin", "n": 2**53 + 1},
        session_data={"cart": [1, 2], "name": "Łukasz 🎉"},
        anti_csrf=True,
        user_agent="Mozilla/5.0 test",
        ip_address="192.0.2.7",
        absolute_lifetime_seconds=3600,
    )
    session, tokens = created.session, created.tokens
    assert session.user_id == user and len(session.handle) == 22
    assert session.access_token_claims == {"role": "admin", "n": 2**53 + 1}
    assert session.session_data == {"cart": [1, 2], "name": "Łukasz 🎉"}
    assert (session.user_agent, session.ip_address, session.anti_csrf) == (
        "Mozilla/5.0 test",
        "192.0.2.7",
        True,
    )
    assert before - 1 <= session.created_at <= time.time() + 1
    assert session.absolute_expires_at == pytest.approx(session.created_at + 3600, abs=1)
    assert session.expires_at <= session.absolute_expires_at
    assert tokens.access_token.count(".") == 2 and tokens.refresh_token.startswith("scr1_")
    assert tokens.anti_csrf_token and tokens.access_token_expires_at > time.time()
    assert tokens.refresh_token_expires_at == pytest.approx(session.expires_at, abs=1)
    assert tokens.access_token not in repr(created) and tokens.refresh_token not in repr(created)


def test_create_without_anti_csrf_has_an_empty_anti_csrf_token(client: SessionCoreClient) -> None:
    created = client.create_session(new_user("plain"))
    assert created.tokens.anti_csrf_token == ""
    assert created.session.access_token_claims == {} and created.session.session_data == {}


def test_verify_session_remotely(client: SessionCoreClient) -> None:
    created = client.create_session(
        new_user("verify"), access_token_claims={"a": 1}, anti_csrf=True
    )
    tokens = created.tokens
    verified = client.verify_session(tokens.access_token, tokens.anti_csrf_token)
    assert (verified.handle, verified.claims, verified.generation) == (
        created.session.handle,
        {"a": 1},
        0,
    )
    assert verified.anti_csrf_bound and verified.expires_at == int(tokens.access_token_expires_at)
    with pytest.raises(TryRefreshToken) as caught:
        client.verify_session(tokens.access_token, "wrong")
    assert caught.value.reason == "anti_csrf"
    assert client.verify_session(tokens.access_token, skip_anti_csrf=True).handle
    checked = client.verify_session(
        tokens.access_token, tokens.anti_csrf_token, check_database=True
    )
    assert not checked.claims_outdated
    client.update_access_token_claims(created.session.handle, {"a": 2})
    stale = client.verify_session(tokens.access_token, tokens.anti_csrf_token, check_database=True)
    assert stale.claims_outdated and stale.claims == {"a": 1}
    with pytest.raises(TryRefreshToken) as caught:
        client.verify_session("not.a.token")
    assert caught.value.reason == "invalid"


def test_refresh_rotates_and_replaying_after_the_successor_was_used_is_theft(
    client: SessionCoreClient,
) -> None:
    created = client.create_session(new_user("refresh"), anti_csrf=True)
    first = client.refresh_session(created.tokens.refresh_token, created.tokens.anti_csrf_token)
    assert first.tokens.refresh_token != created.tokens.refresh_token
    assert first.session.handle == created.session.handle
    assert (
        client.verify_session(first.tokens.access_token, first.tokens.anti_csrf_token).generation
        == 1
    )
    with pytest.raises(Unauthorised) as caught:
        client.refresh_session(first.tokens.refresh_token, "wrong")
    assert (caught.value.reason, caught.value.clear_session) == ("anti_csrf", False)
    second = client.refresh_session(first.tokens.refresh_token, first.tokens.anti_csrf_token)
    with pytest.raises(TokenTheftDetected) as theft:
        client.refresh_session(created.tokens.refresh_token, created.tokens.anti_csrf_token)
    assert (theft.value.session_handle, theft.value.user_id) == (
        created.session.handle,
        created.session.user_id,
    )
    with pytest.raises(Unauthorised) as ended:
        client.refresh_session(second.tokens.refresh_token, second.tokens.anti_csrf_token)
    assert (ended.value.reason, ended.value.clear_session) == ("session_ended", True)
    with pytest.raises(Unauthorised) as forged:
        client.refresh_session("scr1_" + "A" * 128)
    assert forged.value.reason == "invalid"


def test_revoke_list_get_and_update(client: SessionCoreClient) -> None:
    user = new_user("many")
    handles = [client.create_session(user, session_data={"i": i}).session.handle for i in range(7)]
    listed = list(client.list_user_sessions(user, page_size=3))  # three pages
    assert [s.handle for s in listed] == handles
    assert [s.session_data for s in listed] == [{"i": i} for i in range(7)]

    client.update_session_data(handles[0], {"cart": ["book"]})
    client.update_access_token_claims(handles[0], {"tier": "gold"})
    info = client.get_session(handles[0])
    assert (info.session_data, info.access_token_claims) == ({"cart": ["book"]}, {"tier": "gold"})

    assert client.revoke_sessions([handles[1], random_handle()]) == [handles[1]]
    assert client.revoke_sessions([handles[1]]) == []
    with pytest.raises(Unauthorised) as caught:
        client.get_session(handles[1])
    assert caught.value.reason == "session_ended"
    with pytest.raises(Unauthorised):
        client.update_session_data(handles[1], {"x": 1})
    with pytest.raises(Unauthorised):
        client.update_access_token_claims(handles[1], {"x": 1})

    others = set(client.revoke_user_sessions(user, keep_handle=handles[0]))
    assert others == set(handles[2:])
    assert [s.handle for s in client.list_user_sessions(user)] == [handles[0]]
    assert client.revoke_user_sessions(user) == [handles[0]]
    assert list(client.list_user_sessions(user)) == []


def test_regenerate_access_token(client: SessionCoreClient) -> None:
    created = client.create_session(new_user("regen"), access_token_claims={"role": "user"})
    token, session = client.regenerate_access_token(created.tokens.access_token, {"role": "admin"})
    assert token is not None and token != created.tokens.access_token
    assert session.claims == {"role": "admin"} and session.handle == created.session.handle
    assert client.verify_session(token).claims == {"role": "admin"}
    again, same = client.regenerate_access_token(token)
    assert again is not None and same.claims == {"role": "admin"}
    with pytest.raises(TryRefreshToken):
        client.regenerate_access_token("a.b.c")


def test_jwks_and_revocation_feed(client: SessionCoreClient) -> None:
    jwks_json, max_age = client.get_jwks()
    keys = json.loads(jwks_json)["keys"]
    assert keys and all(k["alg"] == "RS256" for k in keys) and max_age > 0

    snapshot = client.list_revocations()
    assert snapshot.snapshot and snapshot.next_cursor
    created = client.create_session(new_user("feed"))
    client.revoke_sessions([created.session.handle])
    page = client.list_revocations(snapshot.next_cursor)
    assert not page.snapshot
    (entry,) = [e for e in page.entries if e.handle == created.session.handle]
    assert entry.key_id is None and entry.theft is None and entry.sequence > 0
    assert abs(entry.revoked_at - time.time()) < 30
    with pytest.raises(InvalidRequest) as caught:
        client.list_revocations("not-a-cursor")
    assert caught.value.field == "cursor"


def test_theft_reaches_the_feed_with_its_details(client: SessionCoreClient) -> None:
    created = client.create_session(new_user("thief"))
    client.refresh_session(
        client.refresh_session(created.tokens.refresh_token).tokens.refresh_token
    )
    with pytest.raises(TokenTheftDetected):
        client.refresh_session(created.tokens.refresh_token)
    (entry,) = [e for e in client.list_revocations().entries if e.handle == created.session.handle]
    assert entry.theft is not None and entry.theft.user_id == created.session.user_id
    assert (entry.theft.presented_generation, entry.theft.current_generation) == (0, 2)


# -- error translation ------------------------------------------------------------------------


def test_no_or_wrong_api_key_is_core_auth_error(core: CoreProcess) -> None:
    for key in ("", "sck-wrong"):
        with client_for(core, api_key=key) as anonymous, pytest.raises(CoreAuthError):
            anonymous.create_session(new_user())
    # Every configured key works (rotation keeps two valid at once).
    with client_for(core, api_key=core.secrets.api_keys[1]) as second:
        assert second.get_jwks()[0]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.create_session(""), "user_id"),
        (
            lambda c: c.create_session("u", access_token_claims={"sub": "x"}),
            "access_token_claims_json",
        ),
        (
            lambda c: c.create_session("u", access_token_claims={"x": float("nan")}),
            "access_token_claims_json",
        ),
        (lambda c: c.create_session("u", absolute_lifetime_seconds=-5), "absolute_lifetime"),
        (lambda c: c.verify_session(""), "access_token"),
        (lambda c: c.refresh_session(""), "refresh_token"),
        (lambda c: c.get_session("not a handle"), "handle"),
        (lambda c: c.revoke_sessions([]), "handles"),
        (lambda c: list(c.list_user_sessions("")), "user_id"),
        (
            lambda c: c.update_access_token_claims(random_handle(), {"exp": 1}),
            "access_token_claims_json",
        ),
    ],
)
def test_invalid_fields_are_invalid_request_naming_the_field(
    client: SessionCoreClient, call: object, field: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call(client)  # type: ignore[operator]
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_a_stopped_core_is_core_unavailable_within_the_deadline(start_core: StartCore) -> None:
    doomed = start_core()
    with client_for(doomed, timeout=2.0) as short:
        assert short.get_jwks()[0]
        doomed.stop()
        for call in (short.get_jwks, lambda: short.create_session(new_user())):
            started = time.monotonic()
            with pytest.raises(CoreUnavailable):
                call()
            assert time.monotonic() - started < 2.0 + 1.0


def test_an_address_nothing_listens_on_is_core_unavailable() -> None:
    with SessionCoreClient("127.0.0.1:1", api_key="k", timeout=1.0) as nowhere:
        with pytest.raises(CoreUnavailable):
            nowhere.get_jwks()
        with pytest.raises(SessionError):
            nowhere.list_revocations()


def test_channels_spread_over_a_pool_with_local_subchannel_pools(core: CoreProcess) -> None:
    assert ("grpc.use_local_subchannel_pool", 1) in CHANNEL_OPTIONS
    with client_for(core, channels=3) as pooled:
        for _ in range(6):
            assert pooled.get_jwks()[0]
        pool = pooled._pool._pool.current()
        assert pool is not None and len(pool.channels) == 3
        pooled.close()
        assert pooled._pool._pool.current() is None
        assert pooled.get_jwks()[0], "a closed client reopens its channels on the next call"
    with pytest.raises(ValueError, match="channels"):
        SessionCoreClient(core.target, api_key="k", channels=0)
    assert core.secrets.api_keys[0] not in repr(client_for(core))


def test_one_client_serves_many_threads(client: SessionCoreClient) -> None:
    user = new_user("threads")
    barrier = threading.Barrier(8)

    def work(_: int) -> list[str]:
        barrier.wait(timeout=10)
        return [client.create_session(user).session.handle for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        handles = [h for batch in pool.map(work, range(8)) for h in batch]
    assert len(set(handles)) == 40
    assert {s.handle for s in client.list_user_sessions(user, page_size=7)} == set(handles)
