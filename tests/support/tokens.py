"""Decode and tamper with tokens independently of the core's own code.

Refresh token wire format: `scr1_` + base64url (no padding) of 96 bytes =
handle (16) ‖ generation (8, big-endian) ‖ MAC key id (8) ‖ secret (32) ‖ tag (32),
where tag = HMAC-SHA256(k_mac, b"scr1_" + the first 64 bytes).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

RT_PREFIX = "scr1_"
RT_BODY_BYTES = 96
# Claims the core owns; everything else in an access token is an application claim.
RESERVED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid"})


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Lenient decode (padding optional); for reading tokens, not for judging them."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Jwt:
    header: dict[str, Any]
    payload: dict[str, Any]
    signature: bytes
    segments: tuple[str, str, str]

    @property
    def app_claims(self) -> dict[str, Any]:
        return {k: v for k, v in self.payload.items() if not is_reserved_claim(k)}


def is_reserved_claim(name: str) -> bool:
    return name in RESERVED_CLAIMS or name.startswith("sc_")


def decode_jwt(token: str) -> Jwt:
    header, payload, signature = token.split(".")
    return Jwt(
        header=json.loads(b64url_decode(header)),
        payload=json.loads(b64url_decode(payload)),
        signature=b64url_decode(signature),
        segments=(header, payload, signature),
    )


def json_segment(value: Any) -> str:
    """A base64url JWT segment holding `value` as compact JSON."""
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


@dataclass(frozen=True)
class RefreshTokenParts:
    handle: bytes
    generation: int
    mac_key_id: bytes
    secret: bytes
    tag: bytes

    @property
    def body(self) -> bytes:
        return (
            self.handle
            + self.generation.to_bytes(8, "big")
            + self.mac_key_id
            + self.secret
            + self.tag
        )

    @property
    def mac_input(self) -> bytes:
        return RT_PREFIX.encode() + self.body[:64]


def parse_refresh_token(token: str) -> RefreshTokenParts:
    assert token.startswith(RT_PREFIX), token[:8]
    body = b64url_decode(token.removeprefix(RT_PREFIX))
    assert len(body) == RT_BODY_BYTES, len(body)
    return RefreshTokenParts(
        handle=body[:16],
        generation=int.from_bytes(body[16:24], "big"),
        mac_key_id=body[24:32],
        secret=body[32:64],
        tag=body[64:96],
    )


def encode_refresh_token(body: bytes) -> str:
    return RT_PREFIX + b64url_encode(body)


def flip_byte(token: str, index: int) -> str:
    """The refresh token with byte `index` of its body XOR-ed with 0x01."""
    body = bytearray(b64url_decode(token.removeprefix(RT_PREFIX)))
    body[index] ^= 0x01
    return encode_refresh_token(bytes(body))
