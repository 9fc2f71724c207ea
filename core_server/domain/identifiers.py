"""Random identifiers: session handles, key ids and token ids.

Every identifier is raw random bytes written in canonical unpadded base64url, so its
string form has a fixed length and exactly one spelling; the raw bytes are what tokens
embed. Randomness comes in as a `Random`, never from a global source.
"""

from __future__ import annotations

from core_server.domain.clock import Random
from core_server.domain.encoding import b64url_decode, b64url_encode

HANDLE_BYTES = 16  # 128 bits: unguessable, and collisions are negligible
KEY_ID_BYTES = 8  # key ids are public labels; 64 bits only avoid collisions
JTI_BYTES = 16


def _encoded_length(n: int) -> int:
    """Length of the unpadded base64url encoding of `n` bytes."""
    return (4 * n + 2) // 3


HANDLE_LENGTH = _encoded_length(HANDLE_BYTES)  # 22
KEY_ID_LENGTH = _encoded_length(KEY_ID_BYTES)  # 11


def new_handle(rng: Random) -> str:
    """A fresh session handle: 16 random bytes, 22 base64url characters."""
    return _random_id(rng, HANDLE_BYTES)


def new_key_id(rng: Random) -> str:
    """A fresh key id: 8 random bytes, 11 base64url characters."""
    return _random_id(rng, KEY_ID_BYTES)


def new_jti(rng: Random) -> str:
    """A fresh access-token id (`jti`): 16 random bytes, 22 base64url characters."""
    return _random_id(rng, JTI_BYTES)


def is_handle(s: str) -> bool:
    """True exactly when `s` is the canonical spelling of a 16-byte handle."""
    return _is_id(s, HANDLE_BYTES)


def is_key_id(s: str) -> bool:
    """True exactly when `s` is the canonical spelling of an 8-byte key id."""
    return _is_id(s, KEY_ID_BYTES)


def handle_bytes(handle: str) -> bytes:
    """The 16 raw bytes of a handle; ValueError if `handle` is not one."""
    return _id_bytes(handle, HANDLE_BYTES, "session handle")


def key_id_bytes(key_id: str) -> bytes:
    """The 8 raw bytes of a key id; ValueError if `key_id` is not one."""
    return _id_bytes(key_id, KEY_ID_BYTES, "key id")


def _random_id(rng: Random, n: int) -> str:
    raw = rng.bytes(n)
    if len(raw) != n:
        raise ValueError(f"random source returned {len(raw)} bytes, expected {n}")
    return b64url_encode(raw)


def _is_id(s: str, n: int) -> bool:
    try:
        _id_bytes(s, n, "identifier")
    except ValueError:
        return False
    return True


def _id_bytes(s: str, n: int, what: str) -> bytes:
    # The length test comes first so an oversized input is never decoded.
    if len(s) != _encoded_length(n):
        raise ValueError(f"not a {what}")
    try:
        raw = b64url_decode(s)
    except ValueError as exc:
        raise ValueError(f"not a {what}") from exc
    return raw
