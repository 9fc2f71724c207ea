"""Build access tokens by hand with `cryptography`, as an attacker (or a thief of a key) would.

Nothing here uses the core's or the driver's token code: segments are JSON encoded and
signed directly, so the tests can produce exactly the malformed, re-signed or forged
tokens the attack table describes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

Json = dict[str, Any]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: Json | str) -> str:
    """A JWT segment of `value` (a dict as compact JSON, or raw JSON text as given)."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return b64(text.encode("utf-8"))


def parts(token: str) -> tuple[Json, Json, str]:
    """(header, payload, signature segment) of a compact JWS, read leniently."""
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), signature


def claims(user_id: str = "mallory", handle: str | None = None, **overrides: Any) -> Json:
    """A payload shaped like the core's (iss/aud "session-core", 15 min), with overrides.

    An override of None removes the claim.
    """
    now = int(time.time())
    payload: Json = {
        "iss": "session-core",
        "aud": "session-core",
        "sub": user_id,
        "sid": handle or b64(secrets.token_bytes(16)),
        "iat": now,
        "exp": now + 900,
        "jti": b64(secrets.token_bytes(16)),
        "sc_gen": 0,
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


@dataclass(frozen=True)
class Signer:
    """A private signing key (the core's own, unwrapped from storage, or a stranger's)."""

    key_id: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @property
    def algorithm(self) -> str:
        return "RS256" if isinstance(self.private_key, rsa.RSAPrivateKey) else "ES256"

    def header(self, **overrides: Any) -> Json:
        header: Json = {"alg": self.algorithm, "typ": "at+jwt", "kid": self.key_id}
        header.update(overrides)
        return {k: v for k, v in header.items() if v is not None}

    def token(self, payload: Json | str, header: Json | None = None) -> str:
        """A token with `payload` signed by this key with its own algorithm."""
        signing_input = f"{segment(header or self.header())}.{segment(payload)}"
        return f"{signing_input}.{b64(self.sign(signing_input.encode('ascii')))}"

    def sign(self, data: bytes) -> bytes:
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def stranger(key_id: str | None = None) -> Signer:
    """A fresh RSA-2048 key nobody published: another deployment's, or an attacker's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Signer(key_id or f"stranger-{secrets.token_hex(4)}", key)


def hs256(header: Json, payload: Json, secret: bytes) -> str:
    signing_input = f"{segment(header)}.{segment(payload)}"
    tag = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64(tag)}"


def resigned(token: str, header: Json, sign: Any) -> str:
    """`token`'s payload under a new header, signed by `sign(signing_input) -> bytes`."""
    payload_segment = token.split(".")[1]
    signing_input = f"{segment(header)}.{payload_segment}"
    return f"{signing_input}.{b64(sign(signing_input.encode('ascii')))}"
