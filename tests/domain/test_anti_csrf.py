"""Anti-CSRF tokens: per-generation derivation, access-token binding, comparison."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from core_server.domain.anti_csrf import anti_csrf_binding, anti_csrf_matches, anti_csrf_token
from core_server.domain.encoding import b64url_decode, b64url_encode

KEY = bytes(range(64, 96))
HANDLE = b64url_encode(bytes(range(16)))
OTHER_HANDLE = b64url_encode(bytes(range(1, 17)))


def test_token_matches_the_specified_derivation() -> None:
    message = b"anti-csrf" + bytes(range(16)) + (7).to_bytes(8, "big")
    expected = b64url_encode(hmac.new(KEY, message, hashlib.sha256).digest())
    assert anti_csrf_token(KEY, HANDLE, 7) == expected
    assert len(expected) == 43


def test_token_is_deterministic_per_handle_and_generation() -> None:
    assert anti_csrf_token(KEY, HANDLE, 3) == anti_csrf_token(KEY, HANDLE, 3)


def test_token_differs_across_generations_handles_and_keys() -> None:
    tokens = {
        anti_csrf_token(KEY, HANDLE, 3),
        anti_csrf_token(KEY, HANDLE, 4),
        anti_csrf_token(KEY, OTHER_HANDLE, 3),
        anti_csrf_token(bytes(32), HANDLE, 3),
    }
    assert len(tokens) == 4


@pytest.mark.parametrize(("handle", "generation"), [("not a handle", 0), (HANDLE, -1)])
def test_token_rejects_bad_inputs(handle: str, generation: int) -> None:
    with pytest.raises(ValueError):
        anti_csrf_token(KEY, handle, generation)


def test_binding_is_a_truncated_sha256_of_the_token() -> None:
    token = anti_csrf_token(KEY, HANDLE, 0)
    digest = hashlib.sha256(token.encode("ascii")).digest()
    binding = anti_csrf_binding(token)
    assert len(binding) == 22
    assert b64url_encode(digest).startswith(binding)
    assert b64url_decode(binding + "AA")[:16] == digest[:16]
    assert anti_csrf_binding(anti_csrf_token(KEY, HANDLE, 1)) != binding


def test_matches_only_the_same_value() -> None:
    token = anti_csrf_token(KEY, HANDLE, 0)
    assert anti_csrf_matches(token, token)
    assert not anti_csrf_matches(anti_csrf_token(KEY, HANDLE, 1), token)
    assert not anti_csrf_matches(token[:-1], token)
    assert not anti_csrf_matches(token + "A", token)
    assert not anti_csrf_matches("é" + token[1:], token)


def test_empty_presented_value_never_matches() -> None:
    assert not anti_csrf_matches("", "")
    assert not anti_csrf_matches("", anti_csrf_token(KEY, HANDLE, 0))
