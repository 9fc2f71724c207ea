"""GetJwks publishes RFC 7517 public keys that verify access tokens on their own."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import Api, create_session
from tests.support.tokens import b64url_decode, decode_jwt

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def rsa_public_key(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def test_jwks_is_public_and_verifies_access_tokens(api: Api) -> None:
    token = create_session(api, claims={"j": 1}).tokens.access_token.token
    response = api.GetJwks(pb.GetJwksRequest())
    assert response.max_age_seconds > 0
    keys = json.loads(response.jwks_json)["keys"]
    assert keys and all(not PRIVATE_MEMBERS & set(key) for key in keys)
    by_kid = {key["kid"]: key for key in keys}
    assert len(by_kid) == len(keys)

    jwt = decode_jwt(token)
    jwk = by_kid[jwt.header["kid"]]
    assert (jwk["kty"], jwk.get("alg", "RS256"), jwk.get("use", "sig")) == ("RSA", "RS256", "sig")
    public_key = rsa_public_key(jwk)
    assert public_key.key_size >= 2048
    signed = ".".join(jwt.segments[:2]).encode("ascii")
    # Raises InvalidSignature if the published key did not sign the token.
    public_key.verify(jwt.signature, signed, padding.PKCS1v15(), hashes.SHA256())
