"""The front token decodes exactly as a browser decodes it (base64 -> UTF-8 -> JSON)."""

from __future__ import annotations

import base64
import json

import pytest

from session_core_driver.web import decode_front_token, encode_front_token

AWKWARD = [
    "Łukasz Żółć",
    "Ελληνικά",
    "漢字かな",
    "emoji 😀🎉",
    "עברית مرحبا",
    'semi;comma,equals=percent% space"quote',
    "x" * 256,
]


def browser_decode(token: str) -> object:
    """What `JSON.parse(new TextDecoder().decode(base64url bytes))` yields."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return json.loads(raw.decode("utf-8"))


@pytest.mark.parametrize("text", AWKWARD)
def test_B17_front_token_round_trips_any_text(text: str) -> None:
    token = encode_front_token(text, 1_800_000_000.25, {"name": text, "n": 2**53 + 1})
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert browser_decode(token) == {
        "uid": text,
        "ate": 1_800_000_000_250,
        "claims": {"name": text, "n": 2**53 + 1},
    }
    decoded = decode_front_token(token)
    assert (decoded.user_id, decoded.claims["name"]) == (text, text)


@pytest.mark.parametrize("bad", ["", "!!!", base64.urlsafe_b64encode(b"[1]").decode()])
def test_garbage_is_not_a_front_token(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_front_token(bad)
