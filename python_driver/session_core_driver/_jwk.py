"""Public JWKs read strictly into keys bound to exactly one algorithm (RS256, ES256, EdDSA).

The JWK, never a token, decides the algorithm: `alg` is required and must agree with
`kty` (and `crv`), so an RSA key can only check RS256 signatures, a P-256 key only
ES256 and an Ed25519 key only EdDSA. Private members and symmetric ("oct") keys are
refused, so a published secret can never become an HMAC key. RSA keys under 2048 bits
are refused. Nothing here does I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from session_core_driver import _encoding

RS256 = "RS256"
ES256 = "ES256"
EDDSA = "EdDSA"
RSA_MIN_BITS = 2048
_P256_BYTES = 32
_ED25519_BYTES = 32
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_TYPES: dict[str, tuple[str, str | None]] = {
    RS256: ("RSA", None),
    ES256: ("EC", "P-256"),
    EDDSA: ("OKP", "Ed25519"),
}
# Shared, stateless padding and hash objects: building them per call costs more than
# the checks around the signature.
_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_ECDSA = ec.ECDSA(hashes.SHA256())

Verify = Callable[[bytes, bytes], None]


@dataclass(frozen=True)
class PublicKey:
    """A public key bound to one key id and one algorithm.

    `verify(signature, data)` raises `InvalidSignature` for anything but a valid
    signature made with that algorithm; it never accepts another algorithm's signature.
    """

    key_id: str
    algorithm: str
    verify: Verify = field(repr=False, compare=False)


def parse_jwks(text: str) -> tuple[dict[str, PublicKey], int]:
    """Read a JWK Set `{"keys": [...]}` into keys by kid, and count the keys refused.

    A member that is not a key we can trust (malformed, private, symmetric, another
    algorithm) is refused and skipped, as RFC 7517 section 5 asks of keys a reader does
    not understand; so are both keys of a kid that appears twice, which a verifier could
    not tell apart. Raises ValueError when the document is not a JWK Set at all.
    """
    document = _encoding.loads(text)
    members = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(members, list):
        raise ValueError("not a JWK Set")
    keys: dict[str, PublicKey] = {}
    duplicated: set[str] = set()
    refused = 0
    for member in members:
        try:
            key = parse_jwk(member)
        except (ValueError, TypeError, AttributeError):
            refused += 1
            continue
        if key.key_id in keys:
            duplicated.add(key.key_id)
        keys[key.key_id] = key
    for key_id in duplicated:
        del keys[key_id]
    return keys, refused + len(duplicated)


def parse_jwk(jwk: object) -> PublicKey:
    """Read one public JWK; raises ValueError unless it is exactly a key we can trust."""
    if not isinstance(jwk, dict):
        raise ValueError("a JWK must be an object")
    leaked = _PRIVATE_MEMBERS.intersection(jwk.keys())
    if leaked:
        raise ValueError("a JWK carries private members")
    algorithm = jwk.get("alg")
    if not isinstance(algorithm, str) or algorithm not in _TYPES:
        raise ValueError("JWK alg must be one of RS256, ES256, EdDSA")
    kty, crv = _TYPES[algorithm]
    if jwk.get("kty") != kty or jwk.get("crv") != crv:
        raise ValueError(f"a {algorithm} JWK must have kty {kty!r} and crv {crv!r}")
    if jwk.get("use", "sig") != "sig":
        raise ValueError("JWK use must be 'sig'")
    key_id = _text(jwk, "kid")
    if not key_id:
        raise ValueError("JWK kid must not be empty")
    return PublicKey(key_id, algorithm, _LOADERS[algorithm](jwk))


def _rsa(jwk: Mapping[str, Any]) -> Verify:
    n = int.from_bytes(_octets(jwk, "n"), "big")
    e = int.from_bytes(_octets(jwk, "e"), "big")
    key = rsa.RSAPublicNumbers(e, n).public_key()
    if key.key_size < RSA_MIN_BITS:
        raise ValueError(f"RSA keys must have at least {RSA_MIN_BITS} bits")
    # A partial, not a closure: one Python frame less on every verification.
    return functools.partial(key.verify, padding=_PKCS1, algorithm=_SHA256)


def _ec(jwk: Mapping[str, Any]) -> Verify:
    x = int.from_bytes(_octets(jwk, "x", _P256_BYTES), "big")
    y = int.from_bytes(_octets(jwk, "y", _P256_BYTES), "big")
    # public_key() refuses a point that is not on P-256.
    key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()

    def es256(signature: bytes, data: bytes) -> None:
        # JWS fixes ES256 signatures at 64 bytes (raw r || s); anything else is not one.
        if len(signature) != 2 * _P256_BYTES:
            raise InvalidSignature
        r = int.from_bytes(signature[:_P256_BYTES], "big")
        s = int.from_bytes(signature[_P256_BYTES:], "big")
        key.verify(encode_dss_signature(r, s), data, _ECDSA)

    return es256


def _okp(jwk: Mapping[str, Any]) -> Verify:
    key = ed25519.Ed25519PublicKey.from_public_bytes(_octets(jwk, "x", _ED25519_BYTES))
    return key.verify


def _text(jwk: Mapping[str, Any], name: str) -> str:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValueError(f"JWK member {name!r} must be a string")
    return value


def _octets(jwk: Mapping[str, Any], name: str, size: int | None = None) -> bytes:
    """A base64url member; `size` fixes its length, else it must be a minimal unsigned int."""
    data = _encoding.b64url_decode(_text(jwk, name))
    if size is not None and len(data) != size:
        raise ValueError(f"JWK member {name!r} must be {size} bytes")
    if size is None and (not data or data[0] == 0):
        raise ValueError(f"JWK member {name!r} is not a minimal unsigned integer")
    return data


_LOADERS: dict[str, Callable[[Mapping[str, Any]], Verify]] = {
    RS256: _rsa,
    ES256: _ec,
    EDDSA: _okp,
}
