"""ES256 and EdDSA as configured algorithms beside RS256, and a change between them.

Tokens are checked with the JWKS alone and the `cryptography` primitives, the way a
verifier in another language would, not with the core's own verifier.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.grpc_helpers import Api, assert_outcome, create_session, verify
from tests.support.tokens import b64url_decode, decode_jwt

# kty and crv each algorithm's JWK must carry (RFC 7518, RFC 8037).
JWK_TYPES = {"RS256": ("RSA", None), "ES256": ("EC", "P-256"), "EdDSA": ("OKP", "Ed25519")}
# An algorithm change reaches the signer one publication lead later (long enough for the
# test to create a session inside it on a loaded machine), plus a key poll.
SWITCH_LEAD_SECONDS = 3
KEY_POLL_SECONDS = 0.1


def _jwks(api: Api) -> dict[str, dict[str, Any]]:
    keys = json.loads(api.GetJwks(pb.GetJwksRequest()).jwks_json)["keys"]
    return {key["kid"]: key for key in keys}


def _integer(jwk: dict[str, Any], name: str) -> int:
    return int.from_bytes(b64url_decode(jwk[name]), "big")


def _check_signature(token: str, jwk: dict[str, Any]) -> None:
    """Raise InvalidSignature unless the public key in `jwk` signed `token`."""
    jwt = decode_jwt(token)
    signed = ".".join(jwt.segments[:2]).encode("ascii")
    if jwk["kty"] == "RSA":
        rsa_key = rsa.RSAPublicNumbers(_integer(jwk, "e"), _integer(jwk, "n")).public_key()
        rsa_key.verify(jwt.signature, signed, padding.PKCS1v15(), hashes.SHA256())
    elif jwk["kty"] == "EC":
        point = ec.EllipticCurvePublicNumbers(
            _integer(jwk, "x"), _integer(jwk, "y"), ec.SECP256R1()
        )
        r, s = jwt.signature[:32], jwt.signature[32:]
        der = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
        point.public_key().verify(der, signed, ec.ECDSA(hashes.SHA256()))
    else:
        raw = b64url_decode(jwk["x"])
        ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(jwt.signature, signed)


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA"])
def test_a_configured_algorithm_signs_and_its_jwk_verifies(
    start_core: StartCore, algorithm: str
) -> None:
    api = start_core(signing_algorithm=algorithm).stub()
    token = create_session(api, anti_csrf=False).tokens.access_token.token
    header = decode_jwt(token).header
    jwk = _jwks(api)[header["kid"]]
    assert header["alg"] == jwk["alg"] == algorithm
    assert (jwk["kty"], jwk.get("crv")) == JWK_TYPES[algorithm]
    _check_signature(token, jwk)
    assert_outcome(verify(api, token), pb.OUTCOME_OK)


def test_changing_the_algorithm_publishes_a_new_key_before_it_signs(
    start_core: StartCore,
) -> None:
    core = start_core(
        signing_algorithm="RS256",
        jwks_max_age_seconds=SWITCH_LEAD_SECONDS,
        signing_key_rotation_seconds=3600,
        key_poll_interval_seconds=KEY_POLL_SECONDS,
    )
    old_token = create_session(core.stub(), anti_csrf=False).tokens.access_token.token
    assert core.stop() == 0
    core.config = {**core.config, "signing_algorithm": "ES256"}
    core.start()
    api = core.stub()

    published = _jwks(api)
    assert {key["alg"] for key in published.values()} == {"RS256", "ES256"}
    during_lead = create_session(api, anti_csrf=False).tokens.access_token.token
    assert decode_jwt(during_lead).header["alg"] == "RS256"  # not signing yet: still the lead

    # The lead, plus a margin of 4 key polls and a second for a loaded machine.
    switched = _wait_for_alg(api, "ES256", timeout=SWITCH_LEAD_SECONDS + 4 * KEY_POLL_SECONDS + 1)
    assert decode_jwt(switched).header["kid"] in published  # published before it signed
    for token in (old_token, during_lead, switched):
        assert_outcome(verify(api, token), pb.OUTCOME_OK)


def _wait_for_alg(api: Api, algorithm: str, timeout: float) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        token: str = create_session(api, anti_csrf=False).tokens.access_token.token
        if decode_jwt(token).header["alg"] == algorithm:
            return token
        time.sleep(KEY_POLL_SECONDS)
    raise AssertionError(f"no {algorithm} token within {timeout} s")
