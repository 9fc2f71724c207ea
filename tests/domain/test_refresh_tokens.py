"""Refresh tokens: wire format, strict decoding, successor derivation, storage hash."""

from __future__ import annotations

import hashlib
import hmac
import random
import string

import pytest

from core_server.domain import refresh_tokens as rt
from core_server.domain.encoding import b64url_decode, b64url_encode
from core_server.domain.identifiers import (
    HANDLE_LENGTH,
    KEY_ID_LENGTH,
    is_handle,
    is_key_id,
    new_handle,
    new_jti,
    new_key_id,
)
from core_server.domain.refresh_tokens import RefreshToken
from core_server.errors import InvalidRefreshToken

MAC_KEY = bytes(range(32))
REFRESH_KEY = bytes(range(32, 64))
ALPHABET = string.ascii_letters + string.digits + "-_"


class SeededRandom:
    """A deterministic `Random` for tests."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


@pytest.fixture
def token() -> RefreshToken:
    rng = SeededRandom(1)
    return rt.first_token(new_handle(rng), new_key_id(rng), rng)


@pytest.fixture
def mac_keys(token: RefreshToken) -> dict[str, bytes]:
    return {token.key_id: MAC_KEY}


def rejection(text: str, mac_keys: dict[str, bytes]) -> InvalidRefreshToken:
    with pytest.raises(InvalidRefreshToken) as info:
        rt.decode(text, mac_keys)
    return info.value


def assert_one_shape(errors: list[InvalidRefreshToken]) -> None:
    reference = InvalidRefreshToken()
    assert errors
    for error in errors:
        assert type(error) is InvalidRefreshToken
        assert (str(error), error.args, error.reason) == (
            str(reference),
            reference.args,
            reference.reason,
        )
        # No chained cause a traceback could print: the failing check stays hidden.
        assert error.__cause__ is None
        assert error.__context__ is None or error.__suppress_context__


# -- identifiers ---------------------------------------------------------------------


def test_identifiers_have_fixed_lengths_and_are_canonical() -> None:
    rng = SeededRandom(2)
    handle, key_id, jti = new_handle(rng), new_key_id(rng), new_jti(rng)
    assert (len(handle), len(key_id), len(jti)) == (HANDLE_LENGTH, KEY_ID_LENGTH, 22)
    assert (HANDLE_LENGTH, KEY_ID_LENGTH) == (22, 11)
    assert is_handle(handle) and is_key_id(key_id)
    assert len(b64url_decode(handle)) == 16 and len(b64url_decode(key_id)) == 8


def test_identifiers_come_from_the_random_source() -> None:
    assert new_handle(SeededRandom(3)) == b64url_encode(random.Random(3).randbytes(16))
    assert new_handle(SeededRandom(3)) != new_handle(SeededRandom(4))


@pytest.mark.parametrize(
    "candidate",
    ["", "A" * 21, "A" * 23, "A" * 21 + "B", "A" * 20 + "==", "+" * 22, "A" * 11],
)
def test_is_handle_rejects_anything_but_a_canonical_handle(candidate: str) -> None:
    # "A" * 21 + "B" decodes to 16 bytes only with non-zero trailing bits.
    assert not is_handle(candidate)


# -- encoding and decoding -----------------------------------------------------------


def test_round_trip(token: RefreshToken, mac_keys: dict[str, bytes]) -> None:
    text = token.encode(MAC_KEY)
    assert rt.decode(text, mac_keys) == token


def test_wire_layout_matches_the_specification(token: RefreshToken) -> None:
    text = token.encode(MAC_KEY)
    body = b64url_decode(text[len("scr1_") :])
    signed = (
        b64url_decode(token.handle)
        + (0).to_bytes(8, "big")
        + b64url_decode(token.key_id)
        + token.secret
    )
    expected_tag = hmac.new(MAC_KEY, b"scr1_" + signed, hashlib.sha256).digest()
    assert text.startswith("scr1_")
    assert body == signed + expected_tag


def test_length_constants() -> None:
    assert rt.SIGNED_BYTES == 64
    assert rt.BODY_BYTES == 96
    assert rt.TOKEN_LENGTH == 133


def test_every_token_has_the_constant_length() -> None:
    rng = SeededRandom(5)
    for generation in (0, 1, 255, 2**32, rt.MAX_GENERATION):
        token = RefreshToken(new_handle(rng), generation, new_key_id(rng), rng.bytes(32))
        assert len(token.encode(MAC_KEY)) == rt.TOKEN_LENGTH


def test_generation_round_trips_big_endian(mac_keys: dict[str, bytes]) -> None:
    key_id = next(iter(mac_keys))
    token = RefreshToken(new_handle(SeededRandom(6)), 0x0102030405060708, key_id, bytes(32))
    body = b64url_decode(token.encode(MAC_KEY)[5:])
    assert body[16:24] == bytes([1, 2, 3, 4, 5, 6, 7, 8])
    assert rt.decode(token.encode(MAC_KEY), mac_keys).generation == 0x0102030405060708


def test_every_single_character_change_is_rejected(
    token: RefreshToken, mac_keys: dict[str, bytes]
) -> None:
    text = token.encode(MAC_KEY)
    errors = []
    for position, original in enumerate(text):
        for replacement in ALPHABET:
            if replacement != original:
                altered = text[:position] + replacement + text[position + 1 :]
                errors.append(rejection(altered, mac_keys))
    assert len(errors) == len(text) * (len(ALPHABET) - 1)
    assert_one_shape(errors)


def test_malformed_tokens_all_fail_with_one_shape(
    token: RefreshToken, mac_keys: dict[str, bytes]
) -> None:
    text = token.encode(MAC_KEY)
    body = text[5:]
    other_mac = token.encode(bytes(32))  # another deployment: same key id, other key
    short_body = b64url_decode(body)[:-1]  # 95 bytes: the last character has spare bits
    non_canonical = b64url_encode(short_body)[:-1] + "B"
    candidates = [
        "",
        "garbage",
        "scr1_",
        text[:-1],  # truncated
        text[:-4],
        text + "A",  # extended
        text + "=",  # padded
        text[:-1] + "=",
        " " + text[1:],
        text[:-1] + " ",
        text[:70] + "\n" + text[71:],
        "scr2_" + body,  # wrong version
        "SCR1_" + body,
        "xxxx_" + body,
        "scr1_" + body.replace("-", "+").replace("_", "/"),  # standard alphabet
        text[:-1] + "é",  # non-ASCII at the right length
        "scr1_" + non_canonical,
        "scr1_" + non_canonical + "A",
        other_mac,
        "scr1_" + "A" * 128,
    ]
    errors = [rejection(candidate, mac_keys) for candidate in candidates]
    assert non_canonical != b64url_encode(short_body)
    assert "-" in body or "_" in body  # the standard-alphabet case really differs
    assert_one_shape(errors)


def test_unknown_key_id_is_rejected(token: RefreshToken) -> None:
    text = token.encode(MAC_KEY)
    other_id = new_key_id(SeededRandom(7))
    assert other_id != token.key_id
    assert_one_shape([rejection(text, {other_id: MAC_KEY}), rejection(text, {})])


def test_the_right_key_is_chosen_by_id(token: RefreshToken) -> None:
    other_id = new_key_id(SeededRandom(8))
    keys = {other_id: bytes(32), token.key_id: MAC_KEY}
    assert rt.decode(token.encode(MAC_KEY), keys) == token
    rejection(token.encode(MAC_KEY), {other_id: MAC_KEY, token.key_id: bytes(32)})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("handle", "not-a-handle"),
        ("key_id", "A" * 12),
        ("generation", -1),
        ("generation", 2**64),
        ("secret", bytes(31)),
    ],
)
def test_malformed_fields_cannot_be_constructed(
    token: RefreshToken, field: str, value: object
) -> None:
    fields = {"handle": token.handle, "generation": 0, "key_id": token.key_id}
    fields["secret"] = token.secret
    fields[field] = value
    with pytest.raises(ValueError):
        RefreshToken(**fields)  # type: ignore[arg-type]


def test_repr_does_not_reveal_the_secret(token: RefreshToken) -> None:
    assert token.secret.hex() not in repr(token)
    assert repr(token.secret) not in repr(token)


# -- first token and successor -------------------------------------------------------


def test_first_token_is_generation_zero_with_random_secret() -> None:
    rng = SeededRandom(9)
    handle, key_id = new_handle(rng), new_key_id(rng)
    first = rt.first_token(handle, key_id, rng)
    replay = SeededRandom(9)
    replay.bytes(16), replay.bytes(8)
    expected_secret = replay.bytes(32)
    assert (first.handle, first.generation, first.key_id) == (handle, 0, key_id)
    assert first.secret == expected_secret


def test_successor_matches_the_specified_derivation(token: RefreshToken) -> None:
    message = b64url_decode(token.handle) + (1).to_bytes(8, "big") + token.secret
    expected = hmac.new(REFRESH_KEY, message, hashlib.sha256).digest()
    following = rt.successor(token, REFRESH_KEY)
    assert following == RefreshToken(token.handle, 1, token.key_id, expected)


def test_successor_is_deterministic_and_new(token: RefreshToken) -> None:
    first, again = rt.successor(token, REFRESH_KEY), rt.successor(token, REFRESH_KEY)
    assert first == again
    assert first.secret != token.secret
    assert rt.successor(first, REFRESH_KEY).generation == 2
    assert rt.successor(first, REFRESH_KEY).secret not in (first.secret, token.secret)


def test_successor_depends_on_handle_and_key(token: RefreshToken) -> None:
    other_handle = new_handle(SeededRandom(10))
    twin = RefreshToken(other_handle, token.generation, token.key_id, token.secret)
    assert rt.successor(twin, REFRESH_KEY).secret != rt.successor(token, REFRESH_KEY).secret
    assert rt.successor(token, bytes(32)).secret != rt.successor(token, REFRESH_KEY).secret


def test_successor_decodes_under_the_same_mac_key(
    token: RefreshToken, mac_keys: dict[str, bytes]
) -> None:
    following = rt.successor(token, REFRESH_KEY)
    assert rt.decode(following.encode(MAC_KEY), mac_keys) == following


def test_successor_refuses_to_overflow(token: RefreshToken) -> None:
    last = RefreshToken(token.handle, rt.MAX_GENERATION, token.key_id, token.secret)
    with pytest.raises(ValueError):
        rt.successor(last, REFRESH_KEY)


# -- storage hash --------------------------------------------------------------------


def test_token_hash_pins_the_storage_format(token: RefreshToken) -> None:
    material = b64url_decode(token.handle) + (0).to_bytes(8, "big") + token.secret
    expected = hashlib.sha256(b"session-core/v1/refresh-token-hash\x00" + material).digest()
    assert rt.token_hash(token) == expected


def test_token_hash_differs_per_generation_and_handle(token: RefreshToken) -> None:
    following = rt.successor(token, REFRESH_KEY)
    same_secret_next = RefreshToken(token.handle, 1, token.key_id, token.secret)
    other_handle = RefreshToken(new_handle(SeededRandom(11)), 0, token.key_id, token.secret)
    hashes = {rt.token_hash(t) for t in (token, following, same_secret_next, other_handle)}
    assert len(hashes) == 4
    assert rt.token_hash(token) == rt.token_hash(token)
