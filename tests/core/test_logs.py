"""The core's logs carry identifiers, never a token, key or secret."""

from __future__ import annotations

import json

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.core_process import CoreFactory


def test_logs_name_the_theft_but_contain_no_token_or_secret(core_factory: CoreFactory) -> None:
    core = core_factory.start({"grace_window_seconds": 0})
    api = core.stub()
    created = api.CreateSession(pb.CreateSessionRequest(user_id="log-user", anti_csrf=True))
    tokens = created.tokens
    first = api.RefreshSession(
        pb.RefreshSessionRequest(
            refresh_token=tokens.refresh_token.token, anti_csrf_token=tokens.anti_csrf_token
        )
    )
    api.VerifySession(pb.VerifySessionRequest(access_token=tokens.access_token.token + "x"))
    theft = api.RefreshSession(
        pb.RefreshSessionRequest(
            refresh_token=tokens.refresh_token.token, anti_csrf_token=tokens.anti_csrf_token
        )
    )
    assert theft.outcome == pb.OUTCOME_TOKEN_THEFT_DETECTED
    pid = core.pid
    core.stop()

    logs = core.stderr_text()
    secrets = [
        tokens.access_token.token,
        tokens.refresh_token.token,
        tokens.anti_csrf_token,
        first.tokens.access_token.token,
        first.tokens.refresh_token.token,
        first.tokens.anti_csrf_token,
        *core.secrets.api_keys,
        core.secrets.master_secret_text,
    ]
    for secret in secrets:
        assert secret and secret not in logs
        # JWT segments and token bodies must not leak piecemeal either.
        for part in secret.split("."):
            assert len(part) < 16 or part not in logs

    events = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    thefts = [event for event in events if event.get("event") == "token_theft"]
    assert thefts == [
        {
            "time": thefts[0]["time"],
            "level": "warning",
            "logger": "core_server.service",
            "pid": pid,
            "message": "refresh token reuse detected; session revoked",
            "event": "token_theft",
            "handle": created.session.handle,
            "user_id": "log-user",
            "presented_generation": 0,
            "current_generation": 1,
        }
    ]
