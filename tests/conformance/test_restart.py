"""Tokens survive a core restart: keys and secrets are persisted (C8)."""

from __future__ import annotations

import json

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.grpc_helpers import (
    assert_outcome,
    create_session,
    refresh_tokens,
    verify_tokens,
)
from tests.support.tokens import decode_jwt, parse_refresh_token


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
