"""Fixed records the contract suites build their cases from.

Times are fixed around `NOW` (never the wall clock), so expiry is exact and
reproducible; keyword overrides change any field.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from core_server.domain.models import (
    ClientInfo,
    KeyKind,
    PinnedKeys,
    Rotation,
    SessionRecord,
    StoredKey,
)

NOW = 1_800_000_000.0
OLD_HASH = bytes(range(32))
NEW_HASH = b"\x00" * 16 + b"\xff" * 16
# Spacing, escapes, emoji, CJK, right-to-left text and integers beyond 64 bits: stored
# text must come back byte for byte, never re-serialised.
UNICODE_JSON = (
    '{ "name": "Zoë 😀 東京 שלום",  "big": 123456789012345678901234567890,'
    ' "neg": -9223372036854775809, "esc": "\\u00e9", "f": 1.0e3 }'
)
RACERS = 8
CLAIMS_JSON = '{"role":"admin"}'
OTHER_CLAIMS_JSON = '{"tier":2}'


def make_record(**overrides: Any) -> SessionRecord:
    """A live session at NOW (generation 1, never rotated); keyword overrides any field."""
    record = SessionRecord(
        handle="handle-1",
        user_id="user-1",
        created_at=NOW - 60,
        idle_expires_at=NOW + 3600,
        absolute_expires_at=NOW + 86400,
        client=ClientInfo(user_agent="agent/1.0", ip_address="203.0.113.7"),
        access_token_claims_json=CLAIMS_JSON,
        session_data_json="{}",
        anti_csrf=True,
        keys=PinnedKeys(mac="mac-1", refresh="rt-1", anti_csrf="csrf-1"),
        generation=1,
        current_hash=OLD_HASH,
        previous_hash=None,
        rotated_at=None,
    )
    return dataclasses.replace(record, **overrides)


def make_rotation(record: SessionRecord, **overrides: Any) -> Rotation:
    """The rotation a refresh of `record` at NOW would request; keyword overrides any field."""
    rotation = Rotation(
        handle=record.handle,
        expected_generation=record.generation,
        expected_hash=record.current_hash,
        new_hash=NEW_HASH,
        rotated_at=NOW,
        idle_expires_at=NOW + 1800,
    )
    return dataclasses.replace(rotation, **overrides)


def make_key(**overrides: Any) -> StoredKey:
    """A signing key with every optional time set; keyword overrides any field."""
    key = StoredKey(
        key_id="key-1",
        kind=KeyKind.SIGNING,
        slot="signing/1",
        algorithm="RS256",
        wrapped_secret=b"\x00wrapped\xff" * 8,
        wrapping_key_id="kek-1",
        public_jwk_json='{"kty":"RSA","n":"AQAB","e":"AQAB"}',
        created_at=NOW - 10,
        sign_from=NOW,
        sign_until=NOW + 86400.5,
        verify_until=NOW + 90000.25,
        delete_at=NOW + 100000,
    )
    return dataclasses.replace(key, **overrides)
