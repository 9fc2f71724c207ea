"""Strict base64url (RFC 4648 section 5, no padding), the only encoding tokens use."""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_TO_STANDARD = str.maketrans("-_", "+/")
# The characters that may end a canonical encoding, by its length modulo 4: the last
# character's unused low bits (4 after two leftover characters, 2 after three) are zero.
_CANONICAL_LAST = {0: None, 2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url; raise ValueError for anything else.

    Rejects padding, whitespace, characters outside the alphabet, impossible lengths
    and non-zero trailing bits, so each byte string has exactly one accepted encoding.
    """
    if not _ALPHABET.fullmatch(text) or (remainder := len(text) % 4) == 1:
        raise ValueError("not canonical base64url")
    last = _CANONICAL_LAST[remainder]
    if last is not None and text[-1] not in last:
        raise ValueError("not canonical base64url")
    # Checked above, so the standard decoder (which skips stray characters) sees none.
    return binascii.a2b_base64(text.translate(_TO_STANDARD) + "=" * (-len(text) % 4))
