"""Asymmetric keys that sign access tokens (RS256, ES256, EdDSA) and their public JWKs.

The algorithm belongs to the key, never to a token: every key is bound to exactly one
algorithm when built, a key object of another type is refused, and a verification key
checks only its own algorithm's signatures. Private keys leave this module only through
`private_pem`, unencrypted, for the caller to wrap. Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from core_server.domain.encoding import b64url_decode, b64url_encode

RS256 = "RS256"
ES256 = "ES256"
EDDSA = "EdDSA"
ALGORITHMS: tuple[str, ...] = (RS256, ES256, EDDSA)

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey: TypeAlias = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

RSA_MIN_BITS = 2048
_RSA_EXPONENT = 65537
_P256_BYTES = 32
_ED25519_BYTES = 32
# Members only a private JWK carries; "k" is the secret of a symmetric ("oct") key.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# The kty and crv each algorithm's JWK must carry; RSA keys carry no crv at all.
_JWK_TYPES: dict[str, tuple[str, str | None]] = {
    RS256: ("RSA", None),
    ES256: ("EC", "P-256"),
    EDDSA: ("OKP", "Ed25519"),
}


def _check_algorithm(algorithm: object) -> str:
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
        raise ValueError(
            f"unknown signing algorithm {algorithm!r}; allowed: {', '.join(ALGORITHMS)}"
        )
    return algorithm


def _fits(algorithm: str, public: object) -> bool:
    """True when `public` is the key type `algorithm` needs (RSA >= 2048 bits, P-256)."""
    if algorithm == RS256:
        return isinstance(public, rsa.RSAPublicKey) and public.key_size >= RSA_MIN_BITS
    if algorithm == ES256:
        return isinstance(public, ec.EllipticCurvePublicKey) and isinstance(
            public.curve, ec.SECP256R1
        )
    return algorithm == EDDSA and isinstance(public, ed25519.Ed25519PublicKey)


def _check_binding(key_id: object, algorithm: object, public: object) -> None:
    checked = _check_algorithm(algorithm)
    if not isinstance(key_id, str) or not key_id:
        raise ValueError("key id must be a non-empty string")
    if not _fits(checked, public):
        raise ValueError(f"key {key_id!r} is not a {checked} key")


@dataclass(frozen=True)
class VerificationKey:
    """A public key bound to one key id and one algorithm.

    Construction raises ValueError when the key does not fit the algorithm, so a
    verification key can never accept a signature made with another algorithm.
    """

    key_id: str
    algorithm: str
    public_key: PublicKey

    def __post_init__(self) -> None:
        _check_binding(self.key_id, self.algorithm, self.public_key)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True only for a valid signature of `data`; never raises for a bad signature."""
        try:
            self._verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def _verify(self, signature: bytes, data: bytes) -> None:
        key = self.public_key
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(_raw_to_der(signature), data, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(signature, data)

    def to_jwk(self) -> dict[str, str]:
        """The public JWK (RFC 7517/7518/8037): kid, alg, use="sig", kty, public params only."""
        kty, crv = _JWK_TYPES[self.algorithm]
        jwk = {"kid": self.key_id, "alg": self.algorithm, "use": "sig", "kty": kty}
        if crv is not None:
            jwk["crv"] = crv
        jwk.update(_public_params(self.public_key))
        return jwk


@dataclass(frozen=True)
class SigningKey:
    """A private key bound to one key id and one algorithm.

    Construction raises ValueError when the key does not fit the algorithm (another
    type, RSA under 2048 bits, a curve other than P-256). The private key is kept out
    of repr so it cannot reach a log line.
    """

    key_id: str
    algorithm: str
    private_key: PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_binding(self.key_id, self.algorithm, self.private_key.public_key())

    def sign(self, data: bytes) -> bytes:
        """Sign `data` with the key's algorithm; ES256 gives JWS raw r||s (64 bytes)."""
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        if isinstance(key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")
        return key.sign(data)

    def verification_key(self) -> VerificationKey:
        return VerificationKey(self.key_id, self.algorithm, self.private_key.public_key())

    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS8 PEM; the caller must wrap it before storing."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


_GENERATORS: dict[str, Callable[[], PrivateKey]] = {
    RS256: lambda: rsa.generate_private_key(public_exponent=_RSA_EXPONENT, key_size=RSA_MIN_BITS),
    ES256: lambda: ec.generate_private_key(ec.SECP256R1()),
    EDDSA: ed25519.Ed25519PrivateKey.generate,
}


def generate_signing_key(algorithm: str, key_id: str) -> SigningKey:
    """A new key for `algorithm` (RSA-2048, P-256 or Ed25519) from the OS random source.

    Raises ValueError for an unknown algorithm or an empty key id.
    """
    return SigningKey(key_id, algorithm, _GENERATORS[_check_algorithm(algorithm)]())


def load_signing_key(key_id: str, algorithm: str, private_pem: bytes) -> SigningKey:
    """Rebuild a key from `private_pem()` output.

    Raises ValueError for an unknown algorithm, a PEM that is not an unencrypted private
    key, or a key whose type does not fit `algorithm`.
    """
    _check_algorithm(algorithm)
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError("not an unencrypted PEM private key") from exc
    if not isinstance(key, PrivateKey):
        raise ValueError(f"key {key_id!r} is not a {algorithm} key")
    return SigningKey(key_id, algorithm, key)


def verification_key_from_jwk(jwk: Mapping[str, object]) -> VerificationKey:
    """Read one public JWK as `to_jwk` writes it.

    Strict: kid, alg and kty are required strings, kty and crv must be the ones `alg`
    implies, `use` (if present) must be "sig", parameters must be canonical base64url
    of the exact length, and private members or symmetric ("oct") keys are refused, so
    a published secret can never become a verification key. Raises ValueError.
    """
    leaked = _PRIVATE_MEMBERS.intersection(jwk.keys())
    if leaked:
        raise ValueError(f"JWK carries private members {sorted(leaked)}; publish public keys only")
    if jwk.get("kty") == "oct":
        raise ValueError("symmetric ('oct') keys cannot verify access tokens")
    algorithm = _check_algorithm(jwk.get("alg"))
    kty, crv = _JWK_TYPES[algorithm]
    if jwk.get("kty") != kty or jwk.get("crv") != crv:
        raise ValueError(f"a {algorithm} JWK must have kty {kty!r} and crv {crv!r}")
    if jwk.get("use", "sig") != "sig":
        raise ValueError("JWK use must be 'sig'")
    return VerificationKey(_member(jwk, "kid"), algorithm, _JWK_LOADERS[algorithm](jwk))


def jwks_json(keys: Iterable[VerificationKey]) -> str:
    """The JWK Set `{"keys":[...]}` as compact JSON, sorted by kid.

    Raises ValueError for two keys with one kid, which a verifier could not tell apart.
    """
    ordered = sorted(keys, key=lambda key: key.key_id)
    if len({key.key_id for key in ordered}) != len(ordered):
        raise ValueError("two keys share a key id")
    return json.dumps({"keys": [key.to_jwk() for key in ordered]}, separators=(",", ":"))


def _raw_to_der(signature: bytes) -> bytes:
    # JWS fixes ES256 signatures at 64 bytes; any other length is not one.
    if len(signature) != 2 * _P256_BYTES:
        raise InvalidSignature
    r = int.from_bytes(signature[:_P256_BYTES], "big")
    s = int.from_bytes(signature[_P256_BYTES:], "big")
    return encode_dss_signature(r, s)


def _public_params(key: PublicKey) -> dict[str, str]:
    if isinstance(key, rsa.RSAPublicKey):
        rsa_numbers = key.public_numbers()
        return {"n": _encode_uint(rsa_numbers.n), "e": _encode_uint(rsa_numbers.e)}
    if isinstance(key, ec.EllipticCurvePublicKey):
        ec_numbers = key.public_numbers()
        return {
            "x": b64url_encode(ec_numbers.x.to_bytes(_P256_BYTES, "big")),
            "y": b64url_encode(ec_numbers.y.to_bytes(_P256_BYTES, "big")),
        }
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"x": b64url_encode(raw)}


def _encode_uint(value: int) -> str:
    # RFC 7518 6.3.1: the minimal big-endian octets of the integer.
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _member(jwk: Mapping[str, object], name: str) -> str:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValueError(f"JWK member {name!r} must be a string")
    return value


def _octets(jwk: Mapping[str, object], name: str, size: int | None = None) -> bytes:
    """Decode a base64url member; `size` fixes its length, else it must be a minimal uint."""
    data = b64url_decode(_member(jwk, name))
    if size is not None and len(data) != size:
        raise ValueError(f"JWK member {name!r} must be {size} bytes")
    if size is None and (not data or data[0] == 0):
        raise ValueError(f"JWK member {name!r} is not a minimal unsigned integer")
    return data


def _rsa_from_jwk(jwk: Mapping[str, object]) -> PublicKey:
    n = int.from_bytes(_octets(jwk, "n"), "big")
    e = int.from_bytes(_octets(jwk, "e"), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def _ec_from_jwk(jwk: Mapping[str, object]) -> PublicKey:
    # public_key() refuses a point that is not on P-256.
    x = int.from_bytes(_octets(jwk, "x", _P256_BYTES), "big")
    y = int.from_bytes(_octets(jwk, "y", _P256_BYTES), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def _okp_from_jwk(jwk: Mapping[str, object]) -> PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(_octets(jwk, "x", _ED25519_BYTES))


_JWK_LOADERS: dict[str, Callable[[Mapping[str, object]], PublicKey]] = {
    RS256: _rsa_from_jwk,
    ES256: _ec_from_jwk,
    EDDSA: _okp_from_jwk,
}
