"""SessionVerifier beyond the attack table: parity with the core, anti-CSRF, the verified cache."""

from __future__ import annotations

import json
import time

import pytest

from session_core_driver import (
    SessionCoreClient,
    SessionVerifier,
    TryRefreshToken,
    Unauthorised,
)
from tests.conformance.conftest import StartCore
from tests.driver.conftest import MakeVerifier, client_for
from tests.driver.forge import b64, unb64
from tests.support.core_process import CoreProcess
from tests.support.grpc_helpers import new_user
from tests.support.waiting import sleep_past, wait_for


def test_local_verification_agrees_with_the_core(
    client: SessionCoreClient, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier()
    claims = {"role": "editor", "teams": [1, 2], "name": "Zoë 中文", "big": 2**60}
    created = client.create_session(new_user("parity"), access_token_claims=claims, anti_csrf=True)
    refreshed = client.refresh_session(created.tokens.refresh_token, created.tokens.anti_csrf_token)
    for tokens in (created.tokens, refreshed.tokens):
        local = verifier.verify(tokens.access_token, tokens.anti_csrf_token)
        remote = client.verify_session(tokens.access_token, tokens.anti_csrf_token)
        assert local == remote
        assert local.claims == claims and local.anti_csrf_bound
    assert (
        verifier.verify(refreshed.tokens.access_token, refreshed.tokens.anti_csrf_token).generation
        == 1
    )


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA"])
def test_other_signing_algorithms_verify_locally(
    start_core: StartCore, make_verifier: MakeVerifier, algorithm: str
) -> None:
    other = start_core(signing_algorithm=algorithm)
    with client_for(other) as other_client:
        verifier = make_verifier(other_client)
        token = other_client.create_session(new_user(algorithm)).tokens.access_token
        assert verifier.verify(token).user_id.startswith(algorithm)
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBA")
        with pytest.raises(TryRefreshToken):
            verifier.verify(tampered)


def test_anti_csrf_is_checked_against_the_binding_on_every_use(
    client: SessionCoreClient, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier()
    tokens = client.create_session(new_user("csrf"), anti_csrf=True).tokens
    other = client.create_session(new_user("csrf-other"), anti_csrf=True).tokens
    assert verifier.verify(tokens.access_token, tokens.anti_csrf_token).anti_csrf_bound
    for wrong in (None, "", "x", other.anti_csrf_token, tokens.anti_csrf_token + "A"):
        with pytest.raises(TryRefreshToken) as caught:
            verifier.verify(tokens.access_token, wrong)
        assert caught.value.reason == "anti_csrf"
    # Safe methods may skip it; a token without a binding never needs one.
    assert verifier.verify(tokens.access_token, check_anti_csrf=False).user_id
    plain = client.create_session(new_user("no-csrf")).tokens
    assert not verifier.verify(plain.access_token, "anything").anti_csrf_bound


def test_the_verified_cache_still_checks_revocation_on_every_use(
    client: SessionCoreClient, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier(poll=0.25)
    created = client.create_session(new_user("cached"))
    token = created.tokens.access_token
    verifier.verify(token)  # first sighting: only noted
    second = verifier.verify(token)  # verified again, and cached
    assert verifier.verify(token) is second, "the third use is served from the cache"
    client.revoke_sessions([created.session.handle])
    assert wait_for(lambda: _unauthorised(verifier, token), timeout=2.0)


def _unauthorised(verifier: SessionVerifier, token: str) -> bool:
    try:
        verifier.verify(token)
    except Unauthorised:
        return True
    return False


@pytest.fixture(scope="module")
def short_core(start_core: StartCore) -> CoreProcess:
    # Token times are whole seconds: a 1 s token may expire before its first verify.
    return start_core(access_token_lifetime_seconds=3, leeway_seconds=0)


@pytest.mark.parametrize("cache_size", [0, 10])
def test_a_cached_token_still_expires(
    short_core: CoreProcess, make_verifier: MakeVerifier, cache_size: int
) -> None:
    with client_for(short_core) as short:
        verifier = make_verifier(short, leeway=0, verified_cache_size=cache_size)
        tokens = short.create_session(new_user("expiring")).tokens
        assert verifier.verify(tokens.access_token).user_id
        assert verifier.verify(tokens.access_token).user_id
        sleep_past(tokens.access_token_expires_at)
        with pytest.raises(TryRefreshToken) as caught:
            verifier.verify(tokens.access_token)
        assert caught.value.reason == "expired"


def test_the_cache_is_bounded(client: SessionCoreClient) -> None:
    verifier = SessionVerifier(client, revocations=None, verified_cache_size=3)
    tokens = [client.create_session(new_user("lru")).tokens.access_token for _ in range(5)]
    for token in tokens:
        verifier.verify(token)
    cache = verifier._cache.current()
    assert cache is not None and len(cache) == 0, "a first sighting is not cached"
    for token in tokens:
        verifier.verify(token)
    assert len(cache) == 3


def test_a_wrong_leeway_or_cache_size_is_refused(client: SessionCoreClient) -> None:
    with pytest.raises(ValueError):
        SessionVerifier(client, leeway=-1, revocations=None)
    with pytest.raises(ValueError):
        SessionVerifier(client, verified_cache_size=-1, revocations=None)


def test_no_network_call_on_the_hot_path(
    client: SessionCoreClient, core: CoreProcess, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier(poll=60.0)
    tokens = [client.create_session(new_user("hot")).tokens.access_token for _ in range(20)]
    verifier.verify(tokens[0])  # loads the keys and the first snapshot
    fetched = verifier.jwks.fetch_count
    started = time.perf_counter()
    for token in tokens:
        verifier.verify(token)
    assert verifier.jwks.fetch_count == fetched
    assert time.perf_counter() - started < 1.0


def test_a_cached_token_never_vouches_for_a_tampered_copy(
    client: SessionCoreClient, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier()
    token = client.create_session(new_user("tamper"), access_token_claims={"role": "user"})
    original = token.tokens.access_token
    for _ in range(3):  # cached from the second use on
        assert verifier.verify(original).claims == {"role": "user"}
    header, payload, signature = original.split(".")
    claims = json.loads(unb64(payload)) | {"role": "admin"}
    tampered = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    for _ in range(3):
        with pytest.raises(TryRefreshToken) as caught:
            verifier.verify(tampered)
        assert caught.value.reason == "signature"
