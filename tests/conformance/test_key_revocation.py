"""Emergency revocation of a signing key: out of the JWKS and of verification, into the feed.

The operator revokes the key that signs with `session-core keys revoke KID` while a core
serves; the core drops the key within a few key polls and signs with a new one at once.
The process that revokes (the CLI, or any process holding a deployment) refuses the
key's tokens from the very next call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from core_server.config_sources import from_settings, merge_sources
from core_server.deployment import Deployment, open_deployment
from core_server.outcomes import Outcome, Reason
from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support import scrape
from tests.support.core_process import CoreProcess
from tests.support.grpc_helpers import (
    assert_outcome,
    create_session,
    new_user,
    refresh_tokens,
    seconds,
    verify,
    verify_tokens,
)
from tests.support.keys import jwks, kid_of, rs256_verifies, run_operator, signing_rows
from tests.support.storage import BackendSupport
from tests.support.waiting import wait_for

KEY_POLL_SECONDS = 0.5  # the default: the bound below is the documented one (2 s)
# Every core drops a revoked key within this long (4 key polls).
REVOKE_BOUND_SECONDS = 4 * KEY_POLL_SECONDS


@pytest.fixture(scope="module")
def polling_core(start_core: StartCore) -> CoreProcess:
    return start_core(key_poll_interval_seconds=KEY_POLL_SECONDS, metrics_port=scrape.free_port())


def key_revocations_counted(core: CoreProcess) -> float:
    samples = scrape.scrape(int(core.config["metrics_port"]))
    return scrape.value(samples, "session_core_revocations_total", kind="key")


@pytest.fixture
def deployment(polling_core: CoreProcess) -> Iterator[Deployment]:
    """The core's deployment opened in this process, as the operator CLI opens it."""
    raw = merge_sources(
        polling_core.config_path,
        polling_core.secrets.environment(),
        {"data_dir": polling_core.data_dir},
    )
    opened = open_deployment(from_settings(raw))
    yield opened
    opened.close()


def refused(api_verify: pb.VerifySessionResponse) -> bool:
    return bool(api_verify.outcome != pb.OUTCOME_OK)


def test_a_key_revoked_with_the_cli_is_retired_everywhere_and_replaced(
    polling_core: CoreProcess, backend: BackendSupport
) -> None:
    api = polling_core.stub()
    created = create_session(api, new_user("revoke-key"))
    kid = kid_of(created.tokens.access_token.token)
    assert_outcome(verify_tokens(api, created.tokens), pb.OUTCOME_OK)
    assert kid in jwks(api)
    counted_before = key_revocations_counted(polling_core)

    run = run_operator(polling_core, "keys", "revoke", kid).ok()
    returned = time.time()
    assert run.single()["revoked_kid"] == kid
    revoked_at = datetime.fromisoformat(run.single()["revoked_at"]).timestamp()
    assert returned - 30 < revoked_at <= returned  # whole seconds, rounded down

    assert wait_for(
        lambda: refused(verify_tokens(api, created.tokens)),
        timeout=REVOKE_BOUND_SECONDS,
        interval=0.02,
    ), f"the core still accepts the revoked key's token {REVOKE_BOUND_SECONDS} s later"
    response = verify_tokens(api, created.tokens)
    assert_outcome(response, pb.OUTCOME_TRY_REFRESH_TOKEN, pb.REASON_INVALID_TOKEN)
    assert kid not in jwks(api)
    # The serving core counts the revocation it noticed (the CLI serves no metrics).
    assert key_revocations_counted(polling_core) == counted_before + 1

    (entry,) = [
        e for e in api.ListRevocations(pb.ListRevocationsRequest()).revocations if e.key_id == kid
    ]
    (row,) = [row for row in signing_rows(backend.inspector(polling_core)) if row.key_id == kid]
    assert row.revoked_at is not None
    assert seconds(entry.revoked_at) == pytest.approx(row.revoked_at, abs=1e-3)
    assert int(row.revoked_at) == int(revoked_at)

    # A new key signs at once: new sessions and refreshed ones get its tokens.
    fresh = create_session(api, new_user("after-revoke")).tokens
    refreshed = refresh_tokens(api, created.tokens)
    assert_outcome(refreshed, pb.OUTCOME_OK)
    published = jwks(api)
    for tokens in (fresh, refreshed.tokens):
        assert kid_of(tokens.access_token.token) != kid
        assert_outcome(verify_tokens(api, tokens), pb.OUTCOME_OK)
        assert rs256_verifies(tokens.access_token.token, published)


def test_the_revoking_process_refuses_the_key_on_the_very_next_verify(
    polling_core: CoreProcess, deployment: Deployment
) -> None:
    api = polling_core.stub()
    token = create_session(api, new_user("in-process"), anti_csrf=False).tokens.access_token.token
    kid = kid_of(token)
    service = deployment.service
    assert service.verify(token, "", False, False).outcome is Outcome.OK
    assert kid in published_kids(deployment)

    revoked = deployment.operations.revoke_signing_key(kid)
    assert revoked is not None
    row, newly = revoked
    assert newly and row.key_id == kid and row.revoked_at is not None
    result = service.verify(token, "", False, False)
    assert (result.outcome, result.reason) == (Outcome.TRY_REFRESH_TOKEN, Reason.INVALID_TOKEN)
    assert kid not in published_kids(deployment)
    assert deployment.keys.keyring.signer(time.time()).key_id != kid

    # The serving core, another process, follows within a few key polls.
    assert wait_for(
        lambda: refused(verify(api, token)), timeout=REVOKE_BOUND_SECONDS, interval=0.02
    )
    assert kid not in jwks(api)


def published_kids(deployment: Deployment) -> set[str]:
    jwks_json, _ = deployment.service.jwks()
    return {key["kid"] for key in json.loads(jwks_json)["keys"]}
