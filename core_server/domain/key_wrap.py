"""The key hierarchy: master secret → key-encryption key (KEK) → data keys.

Every secret key at rest (signing private keys, `k_rt`, `k_mac`, `k_csrf`) is stored
wrapped, with AES-256-GCM, under the KEK; the KEK itself is stored wrapped under a key
derived from a master secret, which lives only in configuration.

Why two levels: rotating the master secret re-wraps one small blob (the KEK) and never
touches tokens, sessions or the data keys, so no token is re-issued and no session
breaks. Master secrets carry ids and come as a list, so a new one can roll out while
the old one still unwraps.

Each wrapped blob is bound to its key's kind and id through the associated data
(`key_binding`): a blob copied onto another key's row fails to unwrap instead of
silently becoming that key. Errors never include key material or plaintext.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core_server.domain.clock import Random
from core_server.domain.encoding import b64url_decode, b64url_encode
from core_server.domain.models import KeyKind

MIN_MASTER_SECRET_BYTES = 32
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard size; random nonces are safe for the few wraps we do
TAG_BYTES = 16
WRAP_INFO = b"session-core/v1/kek-wrap"
_MASTER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_BINDING_LABEL = b"session-core/v1/wrapped-key"


@dataclass(frozen=True)
class MasterSecret:
    """A master secret and its id; the secret is kept out of `repr`.

    Raises ValueError when the id is not 1-64 characters of [A-Za-z0-9_-] or the
    secret is shorter than 32 bytes.
    """

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _MASTER_ID.fullmatch(self.key_id):
            raise ValueError("master secret id must be 1-64 characters of [A-Za-z0-9_-]")
        if len(self.secret) < MIN_MASTER_SECRET_BYTES:
            raise ValueError(f"master secret must be at least {MIN_MASTER_SECRET_BYTES} bytes")


def parse_master_secret(text: str) -> MasterSecret:
    """Parse "ID:BASE64URL" (surrounding whitespace ignored, e.g. a file's newline).

    The secret must be canonical unpadded base64url. Raises ValueError with a message
    that never repeats the input.
    """
    key_id, sep, encoded = text.strip().partition(":")
    if not sep:
        raise ValueError("master secret must have the form ID:BASE64URL")
    try:
        secret = b64url_decode(encoded)
    except ValueError as exc:
        raise ValueError("master secret is not canonical unpadded base64url") from exc
    return MasterSecret(key_id, secret)


def format_master_secret(master: MasterSecret) -> str:
    """The "ID:BASE64URL" form that `parse_master_secret` reads back."""
    return f"{master.key_id}:{b64url_encode(master.secret)}"


def wrapping_key(master: MasterSecret) -> bytes:
    """The 32-byte key that wraps the KEK: HKDF-SHA256 of the master secret.

    A derived key rather than the secret itself, so the master secret is used for one
    purpose only and its encoding can change without changing the cipher key.
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=WRAP_INFO)
    return hkdf.derive(master.secret)


def key_binding(kind: KeyKind, key_id: str) -> bytes:
    """Associated data that ties a wrapped blob to one key's kind and id.

    Fields are length-prefixed, so no two (kind, id) pairs share an encoding.
    """
    parts = (_BINDING_LABEL, kind.value.encode("utf-8"), key_id.encode("utf-8"))
    return b"".join(len(part).to_bytes(2, "big") + part for part in parts)


def wrap(key: bytes, plaintext: bytes, associated_data: bytes, rng: Random) -> bytes:
    """Encrypt `plaintext` under `key` (32 bytes): a fresh 12-byte nonce ‖ ciphertext ‖ tag."""
    _check_key(key)
    nonce = rng.bytes(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise ValueError("random source returned a short nonce")
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def unwrap(key: bytes, wrapped: bytes, associated_data: bytes) -> bytes:
    """Decrypt a blob from `wrap`; the same `associated_data` must be given.

    Raises ValueError("cannot unwrap ...") for a wrong key, a truncated or altered
    blob, or different associated data; the message never contains key or plaintext.
    """
    _check_key(key)
    if len(wrapped) < NONCE_BYTES + TAG_BYTES:
        raise ValueError("cannot unwrap: the blob is too short")
    nonce, ciphertext = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, associated_data)
    except InvalidTag as exc:
        raise ValueError(
            "cannot unwrap: wrong key, or the blob or its associated data were altered"
        ) from exc


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"wrapping key must be {KEY_BYTES} bytes")
