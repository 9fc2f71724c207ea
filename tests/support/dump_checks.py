"""What a storage dump must not reveal: tokens, API keys, secrets and keys in clear.

Every stored value is checked as it is and as whatever its text might encode (base64url,
base64, hex, JSON string leaves), so a secret hidden in an encoding is still found.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.core_process import CoreSecrets
from tests.support.storage import StorageInspector, StoredValue
from tests.support.tokens import b64url_decode, decode_jwt, parse_refresh_token

RSA_ENCRYPTION_OID = bytes.fromhex("06092a864886f70d010101")
MAC_KEY_SIZES = range(16, 65)


@dataclass
class Harvest:
    """Every token and secret a client or operator saw during a scenario."""

    secrets: CoreSecrets
    refresh_tokens: list[str] = field(default_factory=list)
    access_tokens: list[str] = field(default_factory=list)
    anti_csrf_tokens: list[str] = field(default_factory=list)

    def add(self, tokens: pb.Tokens) -> pb.Tokens:
        self.refresh_tokens.append(tokens.refresh_token.token)
        self.access_tokens.append(tokens.access_token.token)
        if tokens.anti_csrf_token:
            self.anti_csrf_tokens.append(tokens.anti_csrf_token)
        return tokens

    def texts(self) -> list[str]:
        return [
            *self.refresh_tokens,
            *self.access_tokens,
            *self.anti_csrf_tokens,
            *self.secrets.api_keys,
            self.secrets.master_secret_text,
        ]

    def secret_bytes(self) -> list[bytes]:
        found = [self.secrets.master_secret]
        for token in self.refresh_tokens:
            parts = parse_refresh_token(token)
            found += [parts.body, parts.secret, parts.tag]
        found += [decode_jwt(token).signature for token in self.access_tokens]
        found += [b64url_decode(token) for token in self.anti_csrf_tokens]
        return found


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _text_decodings(text: str) -> Iterator[bytes]:
    yield text.encode("utf-8", "surrogatepass")
    for decode in (b64url_decode, base64.b64decode, bytes.fromhex):
        try:
            yield decode(text.strip())
        except (ValueError, binascii.Error):
            continue


def decodings(value: StoredValue) -> list[bytes]:
    """The raw bytes of a stored value and of everything its text might encode."""
    if isinstance(value, bytes):
        return [value]
    if not isinstance(value, str):
        return []
    texts = [value]
    with contextlib.suppress(ValueError):
        texts += list(_json_strings(json.loads(value)))
    return [decoded for text in texts for decoded in _text_decodings(text)]


def stored_bytes(inspector: StorageInspector) -> list[bytes]:
    return [d for row in inspector.rows() for v in row.values.values() for d in decodings(v)]


def assert_no_clear_text(inspector: StorageInspector, harvest: Harvest) -> None:
    """No token, key or secret text appears in the dump, raw or encoded."""
    dump = inspector.dump_text()
    values = stored_bytes(inspector)
    for text in harvest.texts():
        assert text not in dump, f"{text[:12]}... is in the dump"
        assert not any(text.encode() in value for value in values), f"{text[:12]}... is stored"
    for secret in harvest.secret_bytes():
        assert not any(secret in value for value in values), f"{secret.hex()[:16]}... is stored"


def _loads_as_private_key(value: bytes) -> bool:
    loaders = (serialization.load_der_private_key, serialization.load_pem_private_key)
    for load in loaders:
        try:
            load(value, password=None)
        except (ValueError, TypeError):
            continue
        return True
    return False


def assert_no_private_key(inspector: StorageInspector) -> None:
    """No private key in clear: no PEM, no PKCS#8 RSA OID, nothing that loads as a key."""
    assert "PRIVATE KEY" not in inspector.dump_text()
    for value in stored_bytes(inspector):
        assert b"PRIVATE KEY" not in value
        assert RSA_ENCRYPTION_OID not in value, f"RSA key material in clear: {value[:24].hex()}"
        assert not _loads_as_private_key(value), "a stored value loads as a private key"


def _candidate_keys(values: Iterable[bytes]) -> set[bytes]:
    return {value for value in values if len(value) in MAC_KEY_SIZES}


def assert_no_token_key(inspector: StorageInspector, harvest: Harvest) -> None:
    """No stored value works as k_mac (recomputes an RT's tag) or k_rt (derives a successor)."""
    candidates = _candidate_keys(stored_bytes(inspector))
    parts = [parse_refresh_token(token) for token in harvest.refresh_tokens]
    by_position = {(p.handle, p.generation): p for p in parts}
    for key in candidates:
        for p in parts:
            tag = hmac.new(key, p.mac_input, hashlib.sha256).digest()
            assert not hmac.compare_digest(tag, p.tag), "a stored value is the MAC key"
            successor = by_position.get((p.handle, p.generation + 1))
            if successor is not None:
                message = p.handle + (p.generation + 1).to_bytes(8, "big") + p.secret
                derived = hmac.new(key, message, hashlib.sha256).digest()
                assert derived != successor.secret, "a stored value is the refresh-token key"


def assert_dump_is_clean(inspector: StorageInspector, harvest: Harvest) -> None:
    assert harvest.refresh_tokens and harvest.access_tokens and harvest.anti_csrf_tokens
    assert_no_clear_text(inspector, harvest)
    assert_no_private_key(inspector)
    assert_no_token_key(inspector, harvest)
