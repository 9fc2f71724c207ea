"""Strict base64url: one accepted spelling per byte string, checked against re-encoding."""

from __future__ import annotations

import base64
import random
import string

import pytest

from core_server.domain.encoding import b64url_decode, b64url_encode

ALPHABET = string.ascii_letters + string.digits + "-_"


def canonical_by_reencoding(text: str) -> bool:
    """The reference rule: a spelling is canonical when encoding its bytes gives it back."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode() == text


@pytest.mark.parametrize("length", range(0, 40))
def test_every_byte_string_round_trips(length: int) -> None:
    data = random.Random(length).randbytes(length)
    assert b64url_decode(b64url_encode(data)) == data


@pytest.mark.parametrize("prefix", ["", "QUJD", "c2Vzc2lv"])
@pytest.mark.parametrize("remainder", [2, 3])
def test_a_last_character_is_accepted_exactly_when_its_unused_bits_are_zero(
    prefix: str, remainder: int
) -> None:
    accepted = 0
    for last in ALPHABET:
        text = prefix + "A" * (remainder - 1) + last
        if canonical_by_reencoding(text):
            assert b64url_encode(b64url_decode(text)) == text
            accepted += 1
        else:
            with pytest.raises(ValueError):
                b64url_decode(text)
    # 4 or 2 unused bits leave 64 / 2**4 or 64 / 2**2 accepted last characters.
    assert accepted == 64 >> (2 * (4 - remainder))


@pytest.mark.parametrize(
    "text",
    ["QQ==", "QQ=", "Q", "QUJDR", " QQ", "QQ\n", "Q Q", "Q+", "Q/", "Qé", "QUJD\n"],
)
def test_padding_stray_characters_and_impossible_lengths_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        b64url_decode(text)
