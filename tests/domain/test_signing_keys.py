"""Signing keys: one algorithm per key, raw JWS signatures, strict public JWKs."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from core_server.domain.encoding import b64url_decode, b64url_encode
from core_server.domain.signing_keys import (
    ALGORITHMS,
    SigningKey,
    VerificationKey,
    generate_signing_key,
    jwks_json,
    load_signing_key,
    verification_key_from_jwk,
)

DATA = b"header.payload"

# RFC 8037 appendix A.1 and A.4: a known Ed25519 key and the signature it must produce.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_INPUT = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
RFC8037_SIG = (
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)


@functools.cache
def signing_key(algorithm: str, key_id: str = "k1") -> SigningKey:
    # Cached: RSA generation is slow and these tests never mutate a key.
    return generate_signing_key(algorithm, key_id)


def test_generated_keys_have_the_promised_types() -> None:
    rsa_key = signing_key("RS256").private_key
    ec_key = signing_key("ES256").private_key
    assert isinstance(rsa_key, rsa.RSAPrivateKey) and rsa_key.key_size == 2048
    assert rsa_key.public_key().public_numbers().e == 65537
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey)
    assert isinstance(ec_key.curve, ec.SECP256R1)
    assert isinstance(signing_key("EdDSA").private_key, ed25519.Ed25519PrivateKey)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_sign_then_verify(algorithm: str) -> None:
    key = signing_key(algorithm)
    signature = key.sign(DATA)
    assert key.verification_key().verify(signature, DATA) is True
    assert key.verification_key().verify(signature, DATA + b"x") is False


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: b"",
        lambda s: s[:-1],
        lambda s: s + b"\x00",
        lambda s: bytes([s[0] ^ 1]) + s[1:],
        lambda s: b"\x00" * len(s),
        lambda s: b"\xff" * len(s),
    ],
    ids=["empty", "truncated", "extended", "bitflip", "zeros", "ones"],
)
def test_verify_returns_false_and_never_raises_for_bad_signatures(
    algorithm: str, mangle: Callable[[bytes], bytes]
) -> None:
    key = signing_key(algorithm)
    assert key.verification_key().verify(mangle(key.sign(DATA)), DATA) is False


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_key_never_verifies_another_keys_signature(algorithm: str) -> None:
    other = generate_signing_key(algorithm, "k1")
    assert signing_key(algorithm).verification_key().verify(other.sign(DATA), DATA) is False


def test_rs256_is_pkcs1v15_sha256() -> None:
    key = signing_key("RS256")
    public = key.verification_key().public_key
    assert isinstance(public, rsa.RSAPublicKey)
    # Raises InvalidSignature (failing the test) unless the scheme is exactly this one.
    public.verify(key.sign(DATA), DATA, padding.PKCS1v15(), hashes.SHA256())


def test_es256_signature_is_raw_r_s_not_der() -> None:
    key = signing_key("ES256")
    signature = key.sign(DATA)
    assert len(signature) == 64
    public = key.verification_key().public_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    public.verify(encode_dss_signature(r, s), DATA, ec.ECDSA(hashes.SHA256()))


def test_es256_rejects_zero_padded_s() -> None:
    # r || 0x00 || s encodes the same integers; accepting it would make tokens malleable.
    key = signing_key("ES256")
    signature = key.sign(DATA)
    assert key.verification_key().verify(signature[:32] + b"\x00" + signature[32:], DATA) is False


def test_es256_rejects_a_der_encoded_signature() -> None:
    key = signing_key("ES256")
    private = key.private_key
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    der = private.sign(DATA, ec.ECDSA(hashes.SHA256()))
    assert key.verification_key().verify(der, DATA) is False


def test_eddsa_matches_rfc8037_known_answer() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(b64url_decode(RFC8037_D))
    key = SigningKey("rfc", "EdDSA", private)
    assert b64url_encode(key.sign(RFC8037_INPUT)) == RFC8037_SIG
    assert key.verification_key().to_jwk() == {
        "kid": "rfc",
        "alg": "EdDSA",
        "use": "sig",
        "kty": "OKP",
        "crv": "Ed25519",
        "x": RFC8037_X,
    }


@pytest.mark.parametrize("algorithm", ["HS256", "none", "rs256", "PS256", "ES384", ""])
def test_unknown_algorithm_names_the_allowed_ones(algorithm: str) -> None:
    with pytest.raises(ValueError, match="allowed: RS256, ES256, EdDSA"):
        generate_signing_key(algorithm, "k1")
    with pytest.raises(ValueError, match="allowed: RS256, ES256, EdDSA"):
        load_signing_key("k1", algorithm, signing_key("RS256").private_pem())


def test_empty_key_id_is_refused() -> None:
    with pytest.raises(ValueError, match="key id"):
        generate_signing_key("EdDSA", "")


@pytest.mark.parametrize(
    ("algorithm", "other"), [("RS256", "ES256"), ("ES256", "EdDSA"), ("EdDSA", "RS256")]
)
def test_a_key_of_another_type_is_refused(algorithm: str, other: str) -> None:
    private = signing_key(other).private_key
    with pytest.raises(ValueError, match=f"not a {algorithm} key"):
        SigningKey("k1", algorithm, private)
    with pytest.raises(ValueError, match=f"not a {algorithm} key"):
        VerificationKey("k1", algorithm, private.public_key())
    with pytest.raises(ValueError, match=f"not a {algorithm} key"):
        load_signing_key("k1", algorithm, signing_key(other).private_pem())


def test_weak_rsa_and_other_curves_are_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (on purpose)
    with pytest.raises(ValueError, match="not a RS256 key"):
        SigningKey("k1", "RS256", weak)
    with pytest.raises(ValueError, match="not a ES256 key"):
        SigningKey("k1", "ES256", ec.generate_private_key(ec.SECP384R1()))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_private_pem_round_trips_as_unencrypted_pkcs8(algorithm: str) -> None:
    key = signing_key(algorithm)
    pem = key.private_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    loaded = load_signing_key("k1", algorithm, pem)
    assert loaded.verification_key() == key.verification_key()
    assert key.verification_key().verify(loaded.sign(DATA), DATA) is True


def test_load_refuses_garbage_and_encrypted_pem() -> None:
    with pytest.raises(ValueError, match="not an unencrypted PEM private key"):
        load_signing_key("k1", "EdDSA", b"-----BEGIN PRIVATE KEY-----\nAAAA\n")
    encrypted = signing_key("EdDSA").private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(ValueError, match="not an unencrypted PEM private key"):
        load_signing_key("k1", "EdDSA", encrypted)


def test_repr_leaves_out_the_private_key() -> None:
    assert repr(signing_key("EdDSA")) == "SigningKey(key_id='k1', algorithm='EdDSA')"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_jwk_shape(algorithm: str) -> None:
    jwk = signing_key(algorithm).verification_key().to_jwk()
    expected = {
        "RS256": {"kid", "alg", "use", "kty", "n", "e"},
        "ES256": {"kid", "alg", "use", "kty", "crv", "x", "y"},
        "EdDSA": {"kid", "alg", "use", "kty", "crv", "x"},
    }[algorithm]
    assert set(jwk) == expected
    assert (jwk["kid"], jwk["alg"], jwk["use"]) == ("k1", algorithm, "sig")
    assert jwk["kty"] == {"RS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}[algorithm]
    if algorithm == "RS256":
        assert jwk["e"] == "AQAB"
        assert len(b64url_decode(jwk["n"])) == 256
    else:
        assert len(b64url_decode(jwk["x"])) == 32


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_jwk_round_trip(algorithm: str) -> None:
    key = signing_key(algorithm)
    loaded = verification_key_from_jwk(key.verification_key().to_jwk())
    assert loaded == key.verification_key()
    assert loaded.verify(key.sign(DATA), DATA) is True


def _jwk(algorithm: str, **changes: object) -> dict[str, object]:
    jwk: dict[str, object] = dict(signing_key(algorithm).verification_key().to_jwk())
    for name, value in changes.items():
        if value is None:
            jwk.pop(name, None)
        else:
            jwk[name] = value
    return jwk


@pytest.mark.parametrize(
    ("algorithm", "changes", "message"),
    [
        ("RS256", {"kty": "EC"}, "kty 'RSA'"),
        ("ES256", {"kty": "RSA"}, "kty 'EC'"),
        ("EdDSA", {"kty": "EC"}, "kty 'OKP'"),
        ("ES256", {"alg": "RS256"}, "kty 'RSA'"),
        ("RS256", {"alg": "ES256"}, "kty 'EC'"),
        ("EdDSA", {"alg": "ES256"}, "kty 'EC'"),
        ("ES256", {"crv": "P-384"}, "crv 'P-256'"),
        ("EdDSA", {"crv": "X25519"}, "crv 'Ed25519'"),
        ("RS256", {"crv": "P-256"}, "crv None"),
        ("ES256", {"alg": "ES384"}, "allowed: RS256, ES256, EdDSA"),
        ("RS256", {"alg": "PS256"}, "allowed"),
        ("RS256", {"alg": None}, "allowed"),
        ("EdDSA", {"alg": "Ed25519"}, "allowed"),
        ("EdDSA", {"kid": None}, "'kid' must be a string"),
        ("EdDSA", {"kid": 5}, "'kid' must be a string"),
        ("EdDSA", {"kid": ""}, "key id"),
        ("EdDSA", {"use": "enc"}, "use must be 'sig'"),
        ("EdDSA", {"x": None}, "'x' must be a string"),
        ("EdDSA", {"x": RFC8037_X + "="}, "canonical"),
        ("EdDSA", {"x": RFC8037_X[:-1]}, "canonical"),
        ("EdDSA", {"x": b64url_encode(b"\x01" * 31)}, "32 bytes"),
        ("ES256", {"x": b64url_encode(b"\x01" * 33)}, "32 bytes"),
        ("ES256", {"y": b64url_encode(b"\x00" * 31 + b"\x01")}, "not on the curve"),
        ("RS256", {"e": "BA"}, "e must be odd"),
        ("RS256", {"e": "AAEAAQ"}, "minimal"),
        ("RS256", {"n": ""}, "minimal"),
    ],
)
def test_jwk_mismatches_are_refused(
    algorithm: str, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        verification_key_from_jwk(_jwk(algorithm, **changes))


def test_jwk_with_a_small_rsa_modulus_is_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (on purpose)
    n = weak.public_key().public_numbers().n
    jwk = _jwk("RS256", n=b64url_encode(n.to_bytes(128, "big")))
    with pytest.raises(ValueError, match="not a RS256 key"):
        verification_key_from_jwk(jwk)


@pytest.mark.parametrize(
    ("algorithm", "member"),
    [("EdDSA", "d"), ("ES256", "d"), ("RS256", "d"), ("RS256", "p"), ("RS256", "q")],
)
def test_jwk_with_private_members_is_refused(algorithm: str, member: str) -> None:
    with pytest.raises(ValueError, match="private members"):
        verification_key_from_jwk(_jwk(algorithm, **{member: "AQAB"}))


def test_symmetric_jwk_is_refused() -> None:
    oct_jwk = {"kty": "oct", "kid": "k1", "alg": "RS256"}
    with pytest.raises(ValueError, match="symmetric"):
        verification_key_from_jwk(oct_jwk)
    with pytest.raises(ValueError, match="private members"):
        verification_key_from_jwk({**oct_jwk, "k": "c2VjcmV0"})


def test_jwks_json_is_compact_and_sorted_by_kid() -> None:
    keys = [
        generate_signing_key("EdDSA", kid).verification_key() for kid in ("zeta", "alpha", "mu")
    ]
    text = jwks_json(keys)
    assert " " not in text and "\n" not in text
    parsed = json.loads(text)
    assert list(parsed) == ["keys"]
    assert [jwk["kid"] for jwk in parsed["keys"]] == ["alpha", "mu", "zeta"]
    by_kid = {key.key_id: key.to_jwk() for key in keys}
    assert parsed["keys"] == [by_kid["alpha"], by_kid["mu"], by_kid["zeta"]]
    assert jwks_json([]) == '{"keys":[]}'


def test_jwks_json_refuses_two_keys_with_one_kid() -> None:
    keys = [generate_signing_key("EdDSA", "same").verification_key() for _ in range(2)]
    with pytest.raises(ValueError, match="share a key id"):
        jwks_json(keys)
