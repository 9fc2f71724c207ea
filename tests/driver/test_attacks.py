"""Attack cases against the driver's local verifier (layer V of the attack table).

Each test first checks that the genuine token verifies, so a rejection is the attack's
doing. "Rejected" means TryRefreshToken; the reason says which check refused it.
Tokens are forged with `cryptography` directly (tests/driver/forge.py); where the
attack needs a valid signature, the core's own signing key (unwrapped from storage)
signs it.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from session_core_driver import (
    InvalidRequest,
    JwksCache,
    NewSession,
    SessionCoreClient,
    SessionVerifier,
    TryRefreshToken,
)
from tests.conformance.conftest import StartCore
from tests.driver.conftest import MakeVerifier, client_for, signer_of
from tests.driver.forge import (
    Signer,
    claims,
    hs256,
    parts,
    resigned,
    segment,
    stranger,
    unb64,
)
from tests.support.core_process import CoreProcess, CoreSecrets
from tests.support.grpc_helpers import new_user
from tests.support.keys import kid_of
from tests.support.storage import BackendSupport


def rejected(verifier: SessionVerifier, token: str, reason: str | None = None) -> str:
    """Assert `token` is refused with TryRefreshToken (and `reason`); return the reason."""
    with pytest.raises(TryRefreshToken) as caught:
        verifier.verify(token)
    if reason is not None:
        assert caught.value.reason == reason, token[:40]
    return caught.value.reason


@pytest.fixture
def verifier(make_verifier: MakeVerifier) -> SessionVerifier:
    return make_verifier()


@pytest.fixture
def genuine(client: SessionCoreClient, verifier: SessionVerifier) -> NewSession:
    created = client.create_session(new_user("attack"), access_token_claims={"role": "user"})
    assert verifier.verify(created.tokens.access_token).handle == created.session.handle
    return created


def published_public_key(client: SessionCoreClient, kid: str) -> tuple[rsa.RSAPublicKey, str]:
    """Our RSA public key as published, and its JWK exactly as the JWKS spells it."""
    jwks_text, _ = client.get_jwks()
    (jwk,) = [k for k in json.loads(jwks_text)["keys"] if k["kid"] == kid]
    n = int.from_bytes(unb64(jwk["n"]), "big")
    e = int.from_bytes(unb64(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key(), json.dumps(jwk, separators=(",", ":"))


# -- A1: alg none -----------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_A1_alg_none_with_an_empty_signature_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, alg: str
) -> None:
    token = genuine.tokens.access_token
    header = {"alg": alg, "typ": "at+jwt", "kid": kid_of(token)}
    forged = f"{segment(header)}.{token.split('.')[1]}."
    rejected(verifier, forged, "algorithm")
    # Without a kid at all it never reaches a key.
    no_kid = f"{segment({'alg': alg, 'typ': 'at+jwt'})}.{token.split('.')[1]}."
    rejected(verifier, no_kid, "malformed")


# -- A2: HS256 keyed with our public key ------------------------------------------------


def test_A2_hs256_keyed_with_our_public_key_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, client: SessionCoreClient
) -> None:
    token = genuine.tokens.access_token
    kid = kid_of(token)
    public_key, jwk_json = published_public_key(client, kid)
    secrets = {
        "PEM (SubjectPublicKeyInfo)": public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "PEM (PKCS#1)": public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        ),
        "DER": public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "JWK JSON": jwk_json.encode(),
    }
    _, payload, _ = parts(token)
    for name, secret in secrets.items():
        for alg in ("HS256", "RS256"):  # HS256 as such, and an HMAC tag passed off as RS256
            forged = hs256({"alg": alg, "typ": "at+jwt", "kid": kid}, payload, secret)
            reason = rejected(verifier, forged)
            assert reason == ("algorithm" if alg == "HS256" else "signature"), name


# -- A3: algorithm switched on a valid key ------------------------------------------------


def test_A3_rs256_key_with_another_alg_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, signer: Signer
) -> None:
    token = genuine.tokens.access_token
    key = signer.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    switched = {
        "PS256": lambda data: key.sign(data, pss, hashes.SHA256()),
        "RS384": lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA384()),
        "RS512": lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA512()),
    }
    for alg, sign in switched.items():
        rejected(verifier, resigned(token, signer.header(alg=alg), sign), "algorithm")
    # The same key with its own algorithm verifies: the switch alone is refused.
    assert verifier.verify(resigned(token, signer.header(), signer.sign)).user_id


@pytest.fixture(scope="module")
def es256_core(start_core: StartCore) -> CoreProcess:
    return start_core(signing_algorithm="ES256")


def test_A3_es256_key_with_es384_is_rejected(
    es256_core: CoreProcess, backend: BackendSupport, make_verifier: MakeVerifier
) -> None:
    with client_for(es256_core) as es_client:
        verifier = make_verifier(es_client)
        token = es_client.create_session(new_user("es256")).tokens.access_token
        assert verifier.verify(token).user_id
        es_signer = signer_of(es256_core, backend, kid_of(token))
        key = es_signer.private_key
        assert isinstance(key, ec.EllipticCurvePrivateKey)

        def es384(data: bytes) -> bytes:
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA384())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

        rejected(verifier, resigned(token, es_signer.header(alg="ES384"), es384), "algorithm")
        # An ES256 header over an ES384 signature fails the signature check instead.
        rejected(verifier, resigned(token, es_signer.header(), es384), "signature")
        rejected(verifier, resigned(token, es_signer.header(alg="RS256"), es384), "algorithm")


# -- A4: unknown kid ----------------------------------------------------------------------


def test_A4_unknown_kid_is_rejected_after_one_rate_limited_refetch(
    client: SessionCoreClient, genuine: NewSession, signer: Signer
) -> None:
    now = [1_000.0]
    jwks = JwksCache(client, min_refetch_interval=30.0, clock=lambda: now[0])
    verifier = SessionVerifier(client, jwks=jwks, revocations=None)
    assert verifier.verify(genuine.tokens.access_token).user_id
    assert jwks.fetch_count == 1

    # Signed with our real key: a verifier that "tried every key" would accept these.
    payload = claims(handle=genuine.session.handle)
    forged = [signer.token(payload, signer.header(kid=f"unknown-{i}")) for i in range(24)]
    rejected(verifier, forged[0], "unknown_key")
    assert jwks.fetch_count == 1, "the set was fetched just now: no refetch inside the interval"
    now[0] += 31.0
    for token in forged[:8]:
        rejected(verifier, token, "unknown_key")
    assert jwks.fetch_count == 2, "one refetch for the first unknown kid, none after it"

    # Past the interval, many threads at once share a single refetch.
    now[0] += 31.0
    barrier = threading.Barrier(16)
    reasons: list[str] = []

    def attack(token: str) -> None:
        barrier.wait(timeout=10)
        try:
            verifier.verify(token)
        except TryRefreshToken as exc:
            reasons.append(exc.reason)

    threads = [threading.Thread(target=attack, args=(token,)) for token in forged[8:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert reasons == ["unknown_key"] * 16
    assert jwks.fetch_count == 3
    # The known key still verifies without any further fetch.
    assert verifier.verify(genuine.tokens.access_token).user_id
    assert jwks.fetch_count == 3


# -- A8: claims changed, signature kept ---------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "value"), [("sub", "admin"), ("sid", "AAAAAAAAAAAAAAAAAAAAAA"), ("role", "admin")]
)
def test_A8_a_changed_claim_with_the_original_signature_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, claim: str, value: str
) -> None:
    token = genuine.tokens.access_token
    _, payload, signature = parts(token)
    assert payload[claim] != value
    payload[claim] = value
    forged = f"{token.split('.')[0]}.{segment(payload)}.{signature}"
    rejected(verifier, forged, "signature")


# -- A10: malformed structure, before any cryptography --------------------------------------


def malformations(token: str) -> dict[str, str]:
    h, p, s = token.split(".")
    last = s[-1]
    # 256 signature bytes end in a 2-character group: only every 16th letter is canonical.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    stray_bits = alphabet[alphabet.index(last) + 1]
    return {
        "2 segments": f"{h}.{p}",
        "4 segments": f"{h}.{p}.{s}.{s}",
        "6 segments": f"{h}.{p}.{s}.{h}.{p}.{s}",
        "'+' in the signature": f"{h}.{p}.{s[:10]}+{s[11:]}",
        "'/' in the payload": f"{h}.{p[:5]}/{p[6:]}.{s}",
        "'*' in the header": f"{h[:3]}*{h[4:]}.{p}.{s}",
        "'=' padding on the signature": f"{h}.{p}.{s}==",
        "'=' padding on the header": f"{h}{'=' * (-len(h) % 4) or '===='}.{p}.{s}",
        "leading space": f" {token}",
        "trailing newline": f"{token}\n",
        "space inside": f"{h}.{p} .{s}",
        "tab inside": f"{h}.{p[:7]}\t{p[7:]}.{s}",
        "non-canonical trailing bits": f"{h}.{p}.{s[:-1]}{stray_bits}",
        "non-ASCII": f"{h}.{p}.{s[:-1]}é",
    }


def test_A10_malformed_tokens_are_rejected_before_any_cryptography(
    client: SessionCoreClient, genuine: NewSession, fresh_jwks: JwksCache
) -> None:
    verifier = SessionVerifier(client, jwks=fresh_jwks, revocations=None)
    for name, token in malformations(genuine.tokens.access_token).items():
        reason = rejected(verifier, token)
        assert reason == "malformed", name
    # No key was ever looked up, so no signature check can have run.
    assert fresh_jwks.fetch_count == 0
    # An empty token is a caller's bug, refused as the core refuses it.
    with pytest.raises(InvalidRequest) as empty:
        verifier.verify("")
    assert empty.value.field == "access_token"
    assert verifier.verify(genuine.tokens.access_token).user_id


# -- A13: bad exp ----------------------------------------------------------------------------


def test_A13_a_missing_or_non_integer_exp_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, signer: Signer
) -> None:
    base = claims(handle=genuine.session.handle)
    assert verifier.verify(signer.token(base)).handle == genuine.session.handle
    payloads: dict[str, dict[str, object] | str] = {
        "missing": claims(exp=None),
        "string": claims(exp=str(base["exp"])),
        "float": claims(exp=float(base["exp"])),
        "bool": claims(exp=True),
        "1e308": json.dumps(claims(exp=0)).replace('"exp": 0', '"exp": 1e308'),
        "NaN": json.dumps(claims(exp=0)).replace('"exp": 0', '"exp": NaN'),
    }
    for name, payload in payloads.items():
        assert name == "missing" or "exp" in str(payload)
        reason = rejected(verifier, signer.token(payload))
        assert reason == ("malformed" if name == "NaN" else "claims"), name


# -- A14: leeway ----------------------------------------------------------------------------


def test_A14_exp_within_the_leeway_is_accepted_beyond_it_rejected(
    make_verifier: MakeVerifier, genuine: NewSession, signer: Signer
) -> None:
    verifier = make_verifier(leeway=30)
    now = int(time.time())
    handle = genuine.session.handle
    within = signer.token(claims(handle=handle, iat=now - 100, exp=now - 20))
    assert verifier.verify(within).expires_at == now - 20
    beyond = signer.token(claims(handle=handle, iat=now - 100, exp=now - 31))
    rejected(verifier, beyond, "expired")


# -- A15: not yet valid --------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_A15_nbf_or_iat_five_minutes_ahead_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, signer: Signer, claim: str
) -> None:
    now = int(time.time())
    ahead = claims(handle=genuine.session.handle) | {claim: now + 300}
    rejected(verifier, signer.token(ahead), "not_yet_valid")
    # Inside the leeway (30 s) the same claim passes: the clocks may be a little apart.
    near = claims(handle=genuine.session.handle) | {claim: now + 10}
    assert verifier.verify(signer.token(near)).handle == genuine.session.handle


# -- A16: issuer, audience, another deployment ------------------------------------------------


def test_A16_wrong_issuer_or_audience_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, signer: Signer
) -> None:
    handle = genuine.session.handle
    cases = {
        "issuer": [claims(handle=handle, iss="evil"), claims(handle=handle, iss=None)],
        "audience": [
            claims(handle=handle, aud=None),
            claims(handle=handle, aud="other-app"),
            claims(handle=handle, aud=["other-app", "more"]),
            claims(handle=handle, aud=["session-core", 7]),
            claims(handle=handle, aud=""),
        ],
    }
    for reason, payloads in cases.items():
        for payload in payloads:
            rejected(verifier, signer.token(payload), reason)
    # A list holding our audience among strings is a valid `aud` (RFC 7519 4.1.3).
    listed = claims(handle=handle, aud=["other-app", "session-core"])
    assert verifier.verify(signer.token(listed)).handle == handle


def test_A16_a_token_from_another_deployment_is_rejected(
    start_core: StartCore, verifier: SessionVerifier, genuine: NewSession, signer: Signer
) -> None:
    other = start_core(secrets=CoreSecrets.generate(), issuer="other", audience="other-app")
    with client_for(other) as other_client:
        foreign = other_client.create_session(new_user("elsewhere")).tokens.access_token
        assert other_client.verify_session(foreign).user_id  # genuine over there
    rejected(verifier, foreign, "unknown_key")
    # Relabelled with our kid, its signature cannot match our key.
    relabelled = f"{segment(signer.header())}.{foreign.split('.')[1]}.{foreign.split('.')[2]}"
    rejected(verifier, relabelled, "signature")
    # A stranger's key under our kid, with claims that would otherwise pass.
    impostor = stranger(signer.key_id).token(claims(handle=genuine.session.handle))
    rejected(verifier, impostor, "signature")


# -- A17: other kinds of token -----------------------------------------------------------------


def test_A17_a_refresh_token_a_foreign_typ_or_an_id_token_is_rejected(
    verifier: SessionVerifier, genuine: NewSession, signer: Signer
) -> None:
    rejected(verifier, genuine.tokens.refresh_token, "malformed")
    handle = genuine.session.handle
    for typ in ("JWT", "jwt", "id_token+jwt", "AT+JWT", None):
        token = signer.token(claims(handle=handle), signer.header(typ=typ))
        rejected(verifier, token, "malformed")
    now = int(time.time())
    id_token = {
        "iss": "https://accounts.example.com",
        "aud": "client-123",
        "sub": "alice",
        "iat": now,
        "exp": now + 600,
        "nonce": "n-0S6_WzA2Mj",
        "email": "alice@example.com",
    }
    rejected(verifier, signer.token(id_token, signer.header(typ="JWT")), "malformed")
    rejected(verifier, signer.token(id_token), "issuer")
