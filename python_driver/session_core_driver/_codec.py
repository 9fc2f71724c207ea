"""Conversions between `sessioncore.v1` messages and the driver's values; nothing else.

JSON documents travel as strings (so integers keep their exact value); they are written
compactly with NaN refused, and read strictly. A JSON document the core sent that is
not an object is a broken core, reported as SessionError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from session_core_driver import _encoding
from session_core_driver.errors import InvalidRequest, SessionError
from session_core_driver.sessions import (
    RefreshedSession,
    Revocation,
    RevocationPage,
    SessionInfo,
    TheftEvent,
    Tokens,
    VerifiedSession,
)
from sessioncore.v1 import session_service_pb2 as pb

CLAIM_GENERATION = "sc_gen"
CLAIM_ANTI_CSRF = "sc_csrf"


def seconds(stamp: Timestamp) -> float:
    return float(stamp.seconds + stamp.nanos / 1e9)


def json_text(value: Mapping[str, Any] | None, field: str) -> str:
    """A mapping as the compact JSON the core expects ("" for None).

    Raises InvalidRequest(field) for values JSON cannot carry exactly (NaN, sets...).
    """
    if value is None:
        return ""
    try:
        return _encoding.dumps(dict(value))
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(field, "must be a JSON object") from exc


def json_object(text: str, *, empty: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """A JSON object the core sent; `empty` stands for an empty string."""
    if not text:
        return empty
    try:
        value = _encoding.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SessionError("the core sent a JSON document that does not parse") from exc
    if not isinstance(value, dict):
        raise SessionError("the core sent a JSON document that is not an object")
    return value


def session_info(message: pb.Session) -> SessionInfo:
    idle = seconds(message.idle_expires_at)
    absolute = seconds(message.absolute_expires_at)
    return SessionInfo(
        handle=message.handle,
        user_id=message.user_id,
        created_at=seconds(message.created_at),
        last_refreshed_at=seconds(message.last_refreshed_at),
        expires_at=min(idle, absolute),
        absolute_expires_at=absolute,
        access_token_claims=json_object(message.access_token_claims_json, empty={}) or {},
        session_data=json_object(message.session_data_json),
        user_agent=message.client.user_agent,
        ip_address=message.client.ip_address,
        anti_csrf=message.anti_csrf,
    )


def tokens(message: pb.Tokens) -> Tokens:
    return Tokens(
        access_token=message.access_token.token,
        access_token_expires_at=seconds(message.access_token.expires_at),
        refresh_token=message.refresh_token.token,
        refresh_token_expires_at=seconds(message.refresh_token.expires_at),
        anti_csrf_token=message.anti_csrf_token,
    )


def refreshed(message: pb.RefreshSessionResponse) -> RefreshedSession:
    return RefreshedSession(session=session_info(message.session), tokens=tokens(message.tokens))


def verified(
    message: pb.VerifiedSession, access_token: str, claims_outdated: bool = False
) -> VerifiedSession:
    """A session the core verified; the generation and binding come from the token itself.

    The core already checked the token's signature, so reading its payload here trusts
    nothing the core did not vouch for; a payload we cannot read gives generation 0.
    """
    payload = _payload(access_token)
    generation = payload.get(CLAIM_GENERATION)
    return VerifiedSession(
        handle=message.handle,
        user_id=message.user_id,
        claims=json_object(message.access_token_claims_json, empty={}) or {},
        expires_at=int(message.access_token_expires_at.seconds),
        generation=generation if type(generation) is int else 0,
        anti_csrf_bound=CLAIM_ANTI_CSRF in payload,
        claims_outdated=claims_outdated,
    )


def revocation_page(message: pb.ListRevocationsResponse) -> RevocationPage:
    return RevocationPage(
        entries=tuple(_revocation(entry) for entry in message.revocations),
        next_cursor=message.next_cursor,
        snapshot=message.snapshot,
    )


def _revocation(entry: pb.Revocation) -> Revocation:
    subject = entry.WhichOneof("subject")
    theft = None
    if entry.HasField("theft"):
        theft = TheftEvent(
            user_id=entry.theft.user_id,
            presented_generation=entry.theft.presented_generation,
            current_generation=entry.theft.current_generation,
        )
    return Revocation(
        handle=entry.session_handle if subject == "session_handle" else None,
        key_id=entry.key_id if subject == "key_id" else None,
        revoked_at=seconds(entry.revoked_at),
        sequence=entry.sequence,
        theft=theft,
    )


def _payload(access_token: str) -> dict[str, Any]:
    parts = access_token.split(".")
    if len(parts) != 3:
        return {}
    try:
        value = _encoding.loads(_encoding.b64url_decode(parts[1]).decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}
