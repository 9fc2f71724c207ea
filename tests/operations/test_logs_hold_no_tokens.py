"""No core log line of the whole test run holds a token or a secret.

`tests/conftest.py` runs this module after every other test, so the scan covers every
line written by every core the run started (their stdout and stderr). The first test
also runs a debug-logging core through a whole session lifecycle, so the scan covers
every token kind even when this module runs alone.
"""

from __future__ import annotations

from sessioncore.v1 import session_service_pb2 as pb
from tests.support import run_logs
from tests.support.core_process import CoreFactory
from tests.support.grpc_helpers import (
    assert_outcome,
    create_session,
    get_session,
    refresh_tokens,
    verify_tokens,
)
from tests.support.log_scan import scan_files


def test_a_debug_logging_core_serves_a_whole_session_lifecycle(
    core_factory: CoreFactory,
) -> None:
    core = core_factory.start(args=("--log-level", "DEBUG"))
    api = core.stub()
    created = create_session(api, claims={"role": "admin"}, data={"k": 1}, anti_csrf=True)
    handle, t0 = created.session.handle, created.tokens
    assert_outcome(verify_tokens(api, t0, check_database=True), pb.OUTCOME_OK)
    t1 = refresh_tokens(api, t0).tokens
    refresh_tokens(api, t0)  # a replay inside the grace window
    refresh_tokens(api, t1)
    assert_outcome(refresh_tokens(api, t0), pb.OUTCOME_TOKEN_THEFT_DETECTED)
    other = create_session(api, anti_csrf=False)
    request = pb.RegenerateAccessTokenRequest(access_token=other.tokens.access_token.token)
    assert_outcome(api.RegenerateAccessToken(request), pb.OUTCOME_OK)
    api.RevokeUserSessions(pb.RevokeUserSessionsRequest(user_id=other.session.user_id))
    api.ListRevocations(pb.ListRevocationsRequest())
    assert_outcome(get_session(api, handle), pb.OUTCOME_UNAUTHORISED)
    assert core.stop() == 0  # its shutdown lines are part of the scan too


def test_no_core_log_line_of_the_run_holds_a_token_or_a_secret() -> None:
    result = scan_files(run_logs.log_files(), run_logs.secrets())
    # Without lines the scan could never fail: then something stopped keeping the logs.
    assert result.lines > 0, f"no core log lines found in {result.files} files"
    assert not result.findings, "token or secret in core logs:\n" + "\n".join(
        str(f) for f in result.findings[:50]
    )
