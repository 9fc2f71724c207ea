"""The front token: what page scripts may read about the session, and nothing secret.

Encoding: base64url without padding of UTF-8 JSON `{"uid": user id, "ate": access-token
expiry in milliseconds since the epoch, "claims": {application claims}}`. JSON is written
with `ensure_ascii=False` and the bytes are UTF-8, so a browser decodes it exactly with
`JSON.parse(new TextDecoder().decode(bytes))` (never `atob` alone, which yields Latin-1).
The token is not signed: it is information for the page, never proof of anything.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FrontToken:
    """The decoded front token."""

    user_id: str
    access_token_expires_at_ms: int
    claims: dict[str, Any]


def encode_front_token(
    user_id: str, access_token_expires_at: float, claims: Mapping[str, Any]
) -> str:
    """Encode the front token for a session whose access token expires at the given time."""
    payload = {"uid": user_id, "ate": int(access_token_expires_at * 1000), "claims": dict(claims)}
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_front_token(text: str) -> FrontToken:
    """Decode a front token as a browser would; ValueError if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not a front token") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("claims"), dict):
        raise ValueError("not a front token")
    return FrontToken(str(payload["uid"]), int(payload["ate"]), payload["claims"])
