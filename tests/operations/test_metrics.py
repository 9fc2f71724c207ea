"""The Prometheus endpoint of one core process: every documented name, exact counts."""

from __future__ import annotations

import time
from collections import Counter

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.support import scrape
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    create_session,
    random_handle,
    refresh_tokens,
    rpc_error,
    verify,
    verify_tokens,
)

BOGUS_METHODS = [f"/sessioncore.v1.SessionService/Bogus{i}" for i in range(3)] + [
    "/no.such.Service/Call"
]
Calls = Counter[tuple[str, str]]


def metrics_core(core_factory: CoreFactory) -> tuple[CoreProcess, int]:
    port = scrape.free_port()
    return core_factory.start({"metrics_port": port}), port


@pytest.fixture(scope="module")
def served(core_factory: CoreFactory) -> tuple[CoreProcess, int]:
    return metrics_core(core_factory)


def session_calls(api: Api) -> Calls:
    """Creates, verifies, a rotation, a grace replay, a theft and a revoke."""
    created = [create_session(api, anti_csrf=True) for _ in range(3)]
    assert_outcome(verify_tokens(api, created[0].tokens), pb.OUTCOME_OK)
    assert_outcome(verify(api, "not-a-token"), pb.OUTCOME_TRY_REFRESH_TOKEN)
    t0 = created[1].tokens
    t1 = refresh_tokens(api, t0).tokens  # rotated
    replayed = refresh_tokens(api, t0).tokens  # inside the grace window: the same successor
    assert replayed.refresh_token.token == t1.refresh_token.token
    t2 = refresh_tokens(api, t1).tokens  # rotated
    assert_outcome(refresh_tokens(api, t0), pb.OUTCOME_TOKEN_THEFT_DETECTED)
    assert_outcome(refresh_tokens(api, t2), pb.OUTCOME_UNAUTHORISED)  # revoked by the theft
    revoked = api.RevokeSessions(
        pb.RevokeSessionsRequest(handles=[created[2].session.handle, random_handle()])
    )
    assert list(revoked.revoked_handles) == [created[2].session.handle]
    api.GetJwks(pb.GetJwksRequest())
    return Counter(
        {
            ("CreateSession", "OK"): 3,
            ("VerifySession", "OK"): 1,
            ("VerifySession", "TRY_REFRESH_TOKEN"): 1,
            ("RefreshSession", "OK"): 3,
            ("RefreshSession", "TOKEN_THEFT_DETECTED"): 1,
            ("RefreshSession", "UNAUTHORISED"): 1,
            ("RevokeSessions", "OK"): 1,
            ("GetJwks", "OK"): 1,
        }
    )


def failing_calls(core: CoreProcess) -> Calls:
    """Wrong and missing API keys, an invalid argument, methods nobody serves."""
    wrong, missing, good = core.stub("x" * 24), Api(core.channel(), None), core.stub()
    for api in (wrong, missing):
        err = rpc_error(api.CreateSession, pb.CreateSessionRequest(user_id="u"))
        assert err.code() is grpc.StatusCode.UNAUTHENTICATED
    err = rpc_error(good.CreateSession, pb.CreateSessionRequest(user_id=""))
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    channel = core.channel()
    for method in BOGUS_METHODS:
        call = channel.unary_unary(method)
        with pytest.raises(grpc.RpcError) as raised:
            call(b"", metadata=(("x-api-key", core.secrets.api_keys[0]),), timeout=10)
        assert raised.value.code() is grpc.StatusCode.UNIMPLEMENTED
    return Counter(
        {
            ("CreateSession", "UNAUTHENTICATED"): 2,
            ("CreateSession", "INVALID_ARGUMENT"): 1,
            ("unknown", "UNIMPLEMENTED"): len(BOGUS_METHODS),
        }
    )


def rpc_series(samples: scrape.Samples, name: str) -> Calls:
    return Counter(
        {
            (dict(labels)["method"], dict(labels)["outcome"]): int(v)
            for labels, v in scrape.series(samples, name).items()
        }
    )


def test_every_metric_is_exposed_with_exactly_the_counts_the_calls_produce(
    served: tuple[CoreProcess, int],
) -> None:
    core, port = served
    expected = session_calls(core.stub()) + failing_calls(core)
    samples = scrape.scrape(port)

    assert scrape.names(samples) >= scrape.DOCUMENTED
    assert rpc_series(samples, "session_core_rpc_requests_total") == expected
    assert rpc_series(samples, "session_core_rpc_duration_seconds_count") == expected
    refreshes = {
        r: scrape.value(samples, "session_core_refreshes_total", result=r)
        for r in ("rotated", "replayed", "theft", "unauthorised")
    }
    assert refreshes == {"rotated": 2, "replayed": 1, "theft": 1, "unauthorised": 1}
    assert scrape.value(samples, "session_core_thefts_total") == 1
    # One session revoked by RevokeSessions, one by the theft.
    assert scrape.value(samples, "session_core_revocations_total", kind="session") == 2
    assert scrape.value(samples, "session_core_revocations_total", kind="key") == 0
    assert scrape.value(samples, "session_core_feed_append_failures_total") == 0


def test_key_gauges_describe_a_fresh_deployment(served: tuple[CoreProcess, int]) -> None:
    _, port = served
    samples = scrape.scrape(port)
    states = {
        s: scrape.value(samples, "session_core_signing_keys", state=s)
        for s in ("published", "signing", "revoked")
    }
    assert states == {"published": 0, "signing": 1, "revoked": 0}
    # Keys are re-read every 0.5 s by default: the view is never more than a few s old.
    assert 0 <= scrape.value(samples, "session_core_feed_lag_seconds") < 5
    age = scrape.value(samples, "session_core_signing_key_age_seconds")
    assert 0 < age < 120, "the first key started signing when this core first started"


def test_the_key_age_grows_between_scrapes(served: tuple[CoreProcess, int]) -> None:
    _, port = served
    before = scrape.value(scrape.scrape(port), "session_core_signing_key_age_seconds")
    time.sleep(1.1)
    after = scrape.value(scrape.scrape(port), "session_core_signing_key_age_seconds")
    assert after - before >= 1.0


def test_without_a_metrics_port_nothing_listens_and_calls_still_work(
    core_factory: CoreFactory,
) -> None:
    core = core_factory.start()
    create_session(core.stub())
    assert not any("metrics on" in line for line in core.stdout_path.read_text().splitlines())
