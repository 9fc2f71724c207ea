"""The key hierarchy: master secrets, the derived wrapping key, AES-GCM wrapping."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from core_server.domain.encoding import b64url_encode
from core_server.domain.key_wrap import (
    MasterSecret,
    format_master_secret,
    key_binding,
    parse_master_secret,
    unwrap,
    wrap,
    wrapping_key,
)
from core_server.domain.models import KeyKind

SECRET = bytes(range(100, 132))
PLAINTEXT = b"a data key that must stay secret"
KEY = bytes(range(32))


class SeededRandom:
    """A deterministic `Random` for tests."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


def hkdf_sha256(ikm: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 written out with hmac, independent of the code under test."""
    prk = hmac.new(bytes(32), ikm, hashlib.sha256).digest()
    block, output, counter = b"", b"", 1
    while len(output) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        output, counter = output + block, counter + 1
    return output[:length]


# -- master secrets ------------------------------------------------------------------


def test_master_secret_round_trips_through_text() -> None:
    master = MasterSecret("2025-01_a", SECRET)
    text = format_master_secret(master)
    assert text == "2025-01_a:" + b64url_encode(SECRET)
    assert parse_master_secret(text) == master
    assert parse_master_secret(text + "\n") == master


@pytest.mark.parametrize(
    "text",
    [
        "",
        b64url_encode(SECRET),  # no id
        ":" + b64url_encode(SECRET),  # empty id
        "a" * 65 + ":" + b64url_encode(SECRET),
        "bad id:" + b64url_encode(SECRET),
        "k1:" + b64url_encode(SECRET) + "=",  # padded
        "k1:" + b64url_encode(SECRET).replace("-", "+").replace("_", "/") + "+",
        "k1:" + b64url_encode(SECRET[:31]),  # too short
        "k1:" + b64url_encode(SECRET)[:-1] + "B",  # non-canonical trailing bits
    ],
)
def test_malformed_master_secrets_are_rejected(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_master_secret(text)
    assert b64url_encode(SECRET)[:20] not in str(info.value)


def test_master_secret_of_sixty_four_character_id_is_accepted() -> None:
    assert MasterSecret("a" * 64, SECRET).key_id == "a" * 64


def test_master_secret_repr_hides_the_secret() -> None:
    master = MasterSecret("k1", SECRET)
    assert SECRET.hex() not in repr(master) and repr(SECRET) not in repr(master)


def test_wrapping_key_is_hkdf_sha256_of_the_master_secret() -> None:
    expected = hkdf_sha256(SECRET, b"session-core/v1/kek-wrap", 32)
    assert wrapping_key(MasterSecret("k1", SECRET)) == expected
    assert wrapping_key(MasterSecret("k1", SECRET)) != SECRET
    assert wrapping_key(MasterSecret("k1", bytes(32))) != expected


# -- wrapping ------------------------------------------------------------------------


def test_wrap_round_trip() -> None:
    context = key_binding(KeyKind.REFRESH, "key-a")
    wrapped = wrap(KEY, PLAINTEXT, context, SeededRandom(1))
    assert unwrap(KEY, wrapped, context) == PLAINTEXT
    assert PLAINTEXT not in wrapped
    assert len(wrapped) == 12 + len(PLAINTEXT) + 16


def test_wrap_uses_a_fresh_nonce_from_the_random_source() -> None:
    context = key_binding(KeyKind.MAC, "key-a")
    wrapped = wrap(KEY, PLAINTEXT, context, SeededRandom(2))
    assert wrapped[:12] == SeededRandom(2).bytes(12)
    assert wrap(KEY, PLAINTEXT, context, SeededRandom(3)) != wrapped


def test_wrong_key_cannot_unwrap() -> None:
    context = key_binding(KeyKind.MAC, "key-a")
    wrapped = wrap(KEY, PLAINTEXT, context, SeededRandom(4))
    with pytest.raises(ValueError, match=r"^cannot unwrap") as info:
        unwrap(bytes(32), wrapped, context)
    assert PLAINTEXT.decode() not in str(info.value)


def test_every_altered_byte_is_detected() -> None:
    context = key_binding(KeyKind.SIGNING, "key-a")
    wrapped = wrap(KEY, PLAINTEXT, context, SeededRandom(5))
    for position in range(len(wrapped)):
        altered = bytearray(wrapped)
        altered[position] ^= 0x01
        with pytest.raises(ValueError, match=r"^cannot unwrap"):
            unwrap(KEY, bytes(altered), context)


@pytest.mark.parametrize("cut", [1, 16, 28, 1000])
def test_truncated_blobs_are_rejected(cut: int) -> None:
    context = key_binding(KeyKind.SIGNING, "key-a")
    wrapped = wrap(KEY, PLAINTEXT, context, SeededRandom(6))
    with pytest.raises(ValueError, match=r"^cannot unwrap"):
        unwrap(KEY, wrapped[:-cut], context)


@pytest.mark.parametrize(
    "other",
    [
        key_binding(KeyKind.REFRESH, "key-b"),  # another key's row
        key_binding(KeyKind.MAC, "key-a"),  # same id, another kind
        b"",
    ],
)
def test_swapped_associated_data_cannot_unwrap(other: bytes) -> None:
    wrapped = wrap(KEY, PLAINTEXT, key_binding(KeyKind.REFRESH, "key-a"), SeededRandom(7))
    with pytest.raises(ValueError, match=r"^cannot unwrap"):
        unwrap(KEY, wrapped, other)


def test_key_binding_pins_its_format() -> None:
    # Stored blobs were sealed with this exact encoding; changing it breaks every unwrap.
    label = b"session-core/v1/wrapped-key"
    expected = bytes([0, len(label)]) + label + b"\x00\x03mac" + b"\x00\x02ab"
    assert key_binding(KeyKind.MAC, "ab") == expected


def test_key_binding_is_unambiguous() -> None:
    bindings = {
        key_binding(KeyKind.REFRESH, "ab"),
        key_binding(KeyKind.REFRESH, "abc"),
        key_binding(KeyKind.MAC, "ab"),
        key_binding(KeyKind.ANTI_CSRF, "ab"),
    }
    assert len(bindings) == 4
    assert key_binding(KeyKind.MAC, "ab") == key_binding(KeyKind.MAC, "ab")


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(31), bytes(33)])
def test_only_256_bit_keys_are_accepted(key: bytes) -> None:
    with pytest.raises(ValueError):
        wrap(key, PLAINTEXT, b"", SeededRandom(8))
    with pytest.raises(ValueError):
        unwrap(key, bytes(64), b"")


def test_master_rotation_rewraps_the_kek_only() -> None:
    old, new = MasterSecret("old", SECRET), MasterSecret("new", bytes(range(32)))
    kek, data_key = bytes(range(200, 232)), b"k_rt bytes"
    kek_context = key_binding(KeyKind.KEY_ENCRYPTION, "kek-1")
    data_context = key_binding(KeyKind.REFRESH, "rk-1")
    wrapped_kek = wrap(wrapping_key(old), kek, kek_context, SeededRandom(9))
    wrapped_data = wrap(kek, data_key, data_context, SeededRandom(10))
    recovered = unwrap(wrapping_key(old), wrapped_kek, kek_context)
    rewrapped_kek = wrap(wrapping_key(new), recovered, kek_context, SeededRandom(11))
    kek_again = unwrap(wrapping_key(new), rewrapped_kek, kek_context)
    assert unwrap(kek_again, wrapped_data, data_context) == data_key
    with pytest.raises(ValueError):
        unwrap(wrapping_key(old), rewrapped_kek, kek_context)
