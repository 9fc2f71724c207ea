"""Strict base64url and strict JSON: the one dialect the core writes and we accept.

Each byte string has exactly one accepted base64url spelling (no padding, no whitespace,
no non-zero trailing bits), and JSON with duplicate keys, NaN, Infinity or out-of-range
numbers is refused, so a token means the same thing here as in the core and in every
other verifier.
"""

from __future__ import annotations

import binascii
import json
import math
from typing import Any, NoReturn

_ALPHABET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The last character of a canonical encoding carries no stray bits: with 2 characters in
# the final group only the top 2 of its 6 bits are data, with 3 characters the top 4.
_CANONICAL_LAST = {
    0: frozenset(_ALPHABET_CHARS),
    2: frozenset(c for i, c in enumerate(_ALPHABET_CHARS) if i % 16 == 0),
    3: frozenset(c for i, c in enumerate(_ALPHABET_CHARS) if i % 4 == 0),
}
_PADDING = {0: b"", 2: b"==", 3: b"="}
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url; raise ValueError for any other spelling.

    The standard alphabet's "+" and "/", padding, whitespace and anything else outside
    the alphabet are refused ("+", "/" and "=" here, the rest by binascii's strict mode,
    non-ASCII by the encoding), as are impossible lengths and stray trailing bits.
    """
    remainder = len(text) % 4
    if remainder == 1 or "+" in text or "/" in text or "=" in text:
        raise ValueError("not canonical base64url")
    if text and text[-1] not in _CANONICAL_LAST[remainder]:
        raise ValueError("not canonical base64url")
    try:
        raw = text.encode("ascii").translate(_TO_STANDARD) + _PADDING[remainder]
        return binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error as exc:
        raise ValueError("not canonical base64url") from exc


def b64url_encode(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii").rstrip("=").translate(_URLSAFE)


_URLSAFE = str.maketrans("+/", "-_")


def loads(text: str) -> Any:
    """Parse JSON, raising ValueError on duplicate keys, NaN, Infinity or 1e999.

    Stricter than RFC 8259 in one way: no whitespace around the document (the core writes
    none). RecursionError still escapes for absurdly deep documents; callers bound the size.
    """
    value, end = _DECODER.raw_decode(text)
    if end != len(text):
        raise ValueError("extra data after the JSON document")
    return value


def loads_signed(text: str) -> Any:
    """`loads` for authenticated bytes: the same, except that duplicate names are not sought.

    Only for text whose signature was already verified: its writer (the core) never emits
    duplicates, and finding them costs a Python call per object on every request.
    """
    value, end = _SIGNED_DECODER.raw_decode(text)
    if end != len(text):
        raise ValueError("extra data after the JSON document")
    return value


def dumps(value: Any) -> str:
    """Compact JSON that keeps non-ASCII characters as themselves and refuses NaN."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate object key")
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


# One decoder for every call: json.loads would build a new one per call for these hooks.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_keys, parse_constant=_reject_constant, parse_float=_finite_float
)
_SIGNED_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
