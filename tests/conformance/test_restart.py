"""Tokens survive a core restart: keys and secrets are persisted (C8).

Also across the operator's rotations made while the core is down: `secrets rotate` (new
refresh, MAC and anti-CSRF keys for new sessions) and `keys rotate` (a new signing key,
published at once, signing one JWKS max-age later). Sessions keep the secrets they pinned
and tokens of the old signing key keep verifying.
"""

from __future__ import annotations

import json

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.grpc_helpers import (
    assert_outcome,
    create_session,
    new_user,
    refresh_tokens,
    verify_tokens,
)
from tests.support.keys import jwks, kid_of, run_operator, session_pins, signing_rows
from tests.support.storage import BackendSupport
from tests.support.tokens import decode_jwt, parse_refresh_token
from tests.support.waiting import sleep_until


def jwks_kids(jwks_json: str) -> set[str]:
    return {key["kid"] for key in json.loads(jwks_json)["keys"]}


def test_C8_tokens_issued_before_a_restart_still_work(start_core: StartCore) -> None:
    core = start_core()
    api = core.stub()
    created = create_session(api, "c8-user", claims={"k": 1}, anti_csrf=True)
    first = refresh_tokens(api, created.tokens)
    assert_outcome(first, pb.OUTCOME_OK)
    untouched = create_session(api, "c8-user", anti_csrf=False).tokens
    kids_before = jwks_kids(api.GetJwks(pb.GetJwksRequest()).jwks_json)

    assert core.stop() == 0  # SIGTERM is a graceful stop.
    core.start()
    api = core.stub()

    assert kids_before <= jwks_kids(api.GetJwks(pb.GetJwksRequest()).jwks_json)
    for tokens in (first.tokens, untouched):
        assert_outcome(verify_tokens(api, tokens, check_database=True), pb.OUTCOME_OK)
    second = refresh_tokens(api, first.tokens)
    assert_outcome(second, pb.OUTCOME_OK)
    assert parse_refresh_token(second.tokens.refresh_token.token).generation == 2
    assert decode_jwt(second.tokens.access_token.token).app_claims == {"k": 1}
    assert_outcome(refresh_tokens(api, untouched), pb.OUTCOME_OK)
    # The predecessor still gets the grace-window answer: rotation state was persisted too.
    replay = refresh_tokens(api, first.tokens)
    assert replay.tokens.refresh_token.token == second.tokens.refresh_token.token


def test_C8_tokens_survive_a_restart_after_a_secrets_rotate_and_a_keys_rotate(
    start_core: StartCore, backend: BackendSupport
) -> None:
    core = start_core(jwks_max_age_seconds=1, key_poll_interval_seconds=0.1)
    api, inspector = core.stub(), backend.inspector(core)
    created = create_session(api, new_user("c8-rotate"), claims={"k": 2})
    first = refresh_tokens(api, created.tokens)
    assert_outcome(first, pb.OUTCOME_OK)
    untouched = create_session(api, new_user("c8-rotate"), anti_csrf=False).tokens
    old_kid = kid_of(first.tokens.access_token.token)
    old_pins = session_pins(inspector, created.session.handle)

    assert core.stop() == 0
    rotated_secrets = run_operator(core, "secrets", "rotate").ok().single()
    next_kid = run_operator(core, "keys", "rotate").ok().single()["next_kid"]
    core.start()
    api = core.stub()

    assert rotated_secrets["rewrapped"] is False  # one master secret: nothing to re-wrap
    assert {old_kid, next_kid} <= set(jwks(api))
    for tokens in (first.tokens, untouched):
        assert_outcome(verify_tokens(api, tokens, check_database=True), pb.OUTCOME_OK)
    second = refresh_tokens(api, first.tokens)
    assert_outcome(second, pb.OUTCOME_OK)
    assert parse_refresh_token(second.tokens.refresh_token.token).generation == 2
    assert_outcome(refresh_tokens(api, untouched), pb.OUTCOME_OK)
    replay = refresh_tokens(api, first.tokens)
    assert replay.tokens.refresh_token.token == second.tokens.refresh_token.token
    assert session_pins(inspector, created.session.handle) == old_pins

    (scheduled,) = [row for row in signing_rows(inspector) if row.key_id == next_kid]
    assert scheduled.sign_from is not None
    sleep_until(scheduled.sign_from + 0.05)
    fresh = create_session(api, new_user("c8-rotate"))
    assert kid_of(fresh.tokens.access_token.token) == next_kid
    pinned = session_pins(inspector, fresh.session.handle)
    assert set(pinned.values()) == set(rotated_secrets["new_secret_kids"])
    third = refresh_tokens(api, second.tokens)
    assert_outcome(third, pb.OUTCOME_OK)
    assert kid_of(third.tokens.access_token.token) == next_kid
    assert decode_jwt(third.tokens.access_token.token).app_claims == {"k": 2}
    for tokens in (second.tokens, third.tokens, fresh.tokens):
        assert_outcome(verify_tokens(api, tokens, check_database=True), pb.OUTCOME_OK)
