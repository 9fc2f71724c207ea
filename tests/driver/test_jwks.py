"""JwksCache: the core's max-age, and strict reading of each published key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from session_core_driver import CoreUnavailable, JwksCache, SessionCoreClient
from session_core_driver._jwk import parse_jwks
from tests.driver.forge import b64
from tests.support.grpc_helpers import new_user
from tests.support.keys import kid_of
from tests.support.waiting import wait_for


def test_the_cache_honours_the_core_s_max_age_without_blocking(client: SessionCoreClient) -> None:
    _, max_age = client.get_jwks()
    now = [5_000.0]
    jwks = JwksCache(client, clock=lambda: now[0])
    kid = kid_of(client.create_session(new_user("max-age")).tokens.access_token)
    assert jwks.get(kid) is not None and jwks.fetch_count == 1
    now[0] += max_age - 1
    assert jwks.get(kid) is not None and jwks.fetch_count == 1, "fresh: no refetch"
    now[0] += 2
    assert jwks.get(kid) is not None, "stale keys keep serving while the refresh runs"
    assert wait_for(lambda: jwks.fetch_count == 2, timeout=5.0)
    assert jwks.get(kid) is not None and jwks.fetch_count == 2


def test_a_failed_first_load_is_core_unavailable_and_retried_sparingly() -> None:
    with SessionCoreClient("127.0.0.1:1", api_key="k", timeout=1.0) as nowhere:
        jwks = JwksCache(nowhere, min_refetch_interval=60.0)
        for _ in range(5):
            with pytest.raises(CoreUnavailable):
                jwks.get("any")
        assert jwks.fetch_count == 1


# -- strict key reading ---------------------------------------------------------------------------


def _uint(value: int) -> str:
    return b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def rsa_jwk(bits: int = 2048, **extra: Any) -> dict[str, Any]:
    numbers = rsa.generate_private_key(65537, bits).public_key().public_numbers()
    jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "r", "n": _uint(numbers.n)}
    return jwk | {"e": _uint(numbers.e)} | extra


def ec_jwk(**extra: Any) -> dict[str, Any]:
    numbers = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "e"}
    return (
        jwk
        | {"x": b64(numbers.x.to_bytes(32, "big")), "y": b64(numbers.y.to_bytes(32, "big"))}
        | extra
    )


def ed_jwk(**extra: Any) -> dict[str, Any]:
    raw = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": "d", "x": b64(raw)} | extra


def read(*jwks: dict[str, Any]) -> tuple[dict[str, str], int]:
    keys, refused = parse_jwks(json.dumps({"keys": list(jwks)}))
    return {kid: key.algorithm for kid, key in keys.items()}, refused


def test_each_key_is_bound_to_the_algorithm_its_jwk_names() -> None:
    assert read(rsa_jwk(), ec_jwk(), ed_jwk()) == ({"r": "RS256", "e": "ES256", "d": "EdDSA"}, 0)


@pytest.mark.parametrize(
    ("name", "jwk"),
    [
        ("no alg", lambda: {k: v for k, v in rsa_jwk().items() if k != "alg"}),
        ("alg not matching kty", lambda: rsa_jwk(alg="ES256")),
        ("RSA under 2048 bits", lambda: rsa_jwk(bits=1024)),
        ("PS256", lambda: rsa_jwk(alg="PS256")),
        ("symmetric key", lambda: {"kty": "oct", "alg": "HS256", "kid": "s", "k": b64(b"secret")}),
        ("private member", lambda: rsa_jwk(d="AQAB")),
        ("use enc", lambda: rsa_jwk(use="enc")),
        ("EC on another curve", lambda: ec_jwk(crv="P-384")),
        ("EC point off the curve", lambda: ec_jwk(y=b64(b"\x01" * 32))),
        ("padded base64url", lambda: ed_jwk(x=ed_jwk()["x"] + "=")),
        ("non-minimal modulus", lambda: rsa_jwk(n="AA" + rsa_jwk()["n"])),
        ("empty kid", lambda: ed_jwk(kid="")),
        ("kid not a string", lambda: ed_jwk(kid=7)),
        ("not an object", lambda: "key"),
    ],
)
def test_keys_that_are_not_exactly_trustworthy_are_refused(name: str, jwk: Any) -> None:
    keys, refused = read(jwk(), ed_jwk(kid="good"))
    assert keys == {"good": "EdDSA"} and refused == 1, name


def test_a_kid_published_twice_is_refused_entirely() -> None:
    keys, _ = read(rsa_jwk(kid="twin"), ec_jwk(kid="twin"), ed_jwk())
    assert keys == {"d": "EdDSA"}


@pytest.mark.parametrize("text", ["[]", '{"keys": {}}', "{", '{"keys": [], "keys": []}', "null"])
def test_a_document_that_is_not_a_jwk_set_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_jwks(text)
