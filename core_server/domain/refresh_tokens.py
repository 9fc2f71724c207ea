"""The opaque refresh token: format, strict decoding, successor and storage hash.

Wire format: the ASCII prefix `scr1_` then unpadded base64url of a fixed 96-byte body

    handle (16) ‖ generation (8, big-endian unsigned) ‖ mac key id (8) ‖ secret (32) ‖ tag (32)

where `tag = HMAC-SHA256(k_mac, b"scr1_" ‖ the first 64 body bytes)`. A token is
always exactly `TOKEN_LENGTH` (133) characters. The prefix names the version, so a
later format can live beside this one.

Guarantees:

* `decode` costs O(1) and reads no storage: it checks length, prefix, canonical
  base64url, a known key id and the tag (in constant time). Every failure raises the
  same `InvalidRefreshToken()`, so a caller cannot learn which check failed.
* `successor` is deterministic (`secret[g+1] = HMAC(k_rt, handle ‖ g+1 ‖ secret[g])`):
  retried or concurrent refreshes of one token derive one and the same successor, which
  is what lets them converge on a single lineage.
* `token_hash` is the only form storage keeps; the secret carries 256 bits, so the hash
  cannot be reversed and a database dump lets no one refresh.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from core_server.domain.clock import Random
from core_server.domain.encoding import b64url_decode, b64url_encode
from core_server.domain.identifiers import (
    HANDLE_BYTES,
    KEY_ID_BYTES,
    handle_bytes,
    is_handle,
    is_key_id,
    key_id_bytes,
)
from core_server.errors import InvalidRefreshToken

PREFIX = "scr1_"
GENERATION_BYTES = 8
SECRET_BYTES = 32  # 256 bits, as the design requires
TAG_BYTES = 32  # the full HMAC-SHA256 output: no truncation
MAX_GENERATION = 2 ** (8 * GENERATION_BYTES) - 1

SIGNED_BYTES = HANDLE_BYTES + GENERATION_BYTES + KEY_ID_BYTES + SECRET_BYTES  # 64
BODY_BYTES = SIGNED_BYTES + TAG_BYTES  # 96
# 96 is a multiple of 3, so the body encodes without trailing bits in 128 characters.
TOKEN_LENGTH = len(PREFIX) + (4 * BODY_BYTES + 2) // 3  # 133

_PREFIX_BYTES = PREFIX.encode("ascii")
_GENERATION_AT = HANDLE_BYTES
_KEY_ID_AT = _GENERATION_AT + GENERATION_BYTES
_SECRET_AT = _KEY_ID_AT + KEY_ID_BYTES
# Domain separation: this hash must never equal any other SHA-256 the system computes.
_HASH_LABEL = b"session-core/v1/refresh-token-hash\x00"


@dataclass(frozen=True)
class RefreshToken:
    """A decoded refresh token; every instance is well formed and encodable.

    Construction raises ValueError for a malformed handle, key id, generation or
    secret. The secret is left out of `repr` so a logged token reveals nothing.
    """

    handle: str
    generation: int
    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not is_handle(self.handle):
            raise ValueError("refresh token handle is not a session handle")
        if not is_key_id(self.key_id):
            raise ValueError("refresh token key id is not a key id")
        if not 0 <= self.generation <= MAX_GENERATION:
            raise ValueError("refresh token generation is out of range")
        if len(self.secret) != SECRET_BYTES:
            raise ValueError(f"refresh token secret must be {SECRET_BYTES} bytes")

    def encode(self, mac_key: bytes) -> str:
        """The wire form, authenticated under `mac_key` (the key named by `key_id`)."""
        signed = _signed_part(self)
        return PREFIX + b64url_encode(signed + _tag(mac_key, signed))


def decode(token: str, mac_keys: Mapping[str, bytes]) -> RefreshToken:
    """Parse and authenticate a wire token against the MAC keys in force by id.

    Raises `InvalidRefreshToken()` (one shape, no cause attached) for every failure:
    wrong length or prefix, non-canonical base64url, unknown key id, bad tag.
    """
    # The length test comes first so oversized input costs nothing to reject.
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        raise InvalidRefreshToken()
    try:
        body = b64url_decode(token[len(PREFIX) :])
    except ValueError:
        # Not chained: a traceback must not tell an attacker which check failed.
        raise InvalidRefreshToken() from None
    mac_key = mac_keys.get(b64url_encode(body[_KEY_ID_AT:_SECRET_AT]))
    if mac_key is None:
        raise InvalidRefreshToken()
    signed, tag = body[:SIGNED_BYTES], body[SIGNED_BYTES:]
    if not hmac.compare_digest(_tag(mac_key, signed), tag):
        raise InvalidRefreshToken()
    return _unpack(signed)


def first_token(handle: str, key_id: str, rng: Random) -> RefreshToken:
    """Generation 0 of a new session's lineage, with a fresh 32-byte random secret."""
    return RefreshToken(handle, 0, key_id, rng.bytes(SECRET_BYTES))


def successor(token: RefreshToken, refresh_key: bytes) -> RefreshToken:
    """The next token of the lineage: generation g+1, same handle and key id.

    Deterministic, so every refresh of `token` yields this same successor. Needs
    `k_rt` (the refresh key), which is not the MAC key: knowing how to recognise
    tokens does not let one derive the next.
    """
    generation = token.generation + 1
    if generation > MAX_GENERATION:
        raise ValueError("refresh token generation is exhausted")
    message = handle_bytes(token.handle) + _generation_bytes(generation) + token.secret
    secret = hmac.digest(refresh_key, message, hashlib.sha256)
    return RefreshToken(token.handle, generation, token.key_id, secret)


def token_hash(token: RefreshToken) -> bytes:
    """SHA-256 of a domain-separated encoding of (handle, generation, secret).

    Fixed-length fields make the encoding canonical. This value is the storage
    format: changing it invalidates every stored session.
    """
    material = handle_bytes(token.handle) + _generation_bytes(token.generation) + token.secret
    return hashlib.sha256(_HASH_LABEL + material).digest()


def _generation_bytes(generation: int) -> bytes:
    return generation.to_bytes(GENERATION_BYTES, "big")


def _signed_part(token: RefreshToken) -> bytes:
    return (
        handle_bytes(token.handle)
        + _generation_bytes(token.generation)
        + key_id_bytes(token.key_id)
        + token.secret
    )


def _tag(mac_key: bytes, signed: bytes) -> bytes:
    # The prefix is authenticated too, so a body cannot be moved under another version.
    return hmac.digest(mac_key, _PREFIX_BYTES + signed, hashlib.sha256)


def _unpack(signed: bytes) -> RefreshToken:
    return RefreshToken(
        handle=b64url_encode(signed[:_GENERATION_AT]),
        generation=int.from_bytes(signed[_GENERATION_AT:_KEY_ID_AT], "big"),
        key_id=b64url_encode(signed[_KEY_ID_AT:_SECRET_AT]),
        secret=signed[_SECRET_AT:],
    )
