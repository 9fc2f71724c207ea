"""A new session from a create request: its inputs validated, its expiries and first token."""

from __future__ import annotations

from dataclasses import dataclass, field

from core_server import validation
from core_server.config import Config
from core_server.domain import refresh_tokens
from core_server.domain.clock import Random
from core_server.domain.identifiers import new_handle
from core_server.domain.models import ClientInfo, PinnedKeys, SessionRecord
from core_server.domain.refresh_tokens import RefreshToken


@dataclass(frozen=True)
class NewSession:
    """The inputs of `create`, as received (validated when the record is built)."""

    user_id: str
    access_token_claims_json: str = ""
    session_data_json: str = ""
    anti_csrf: bool = False
    client: ClientInfo = field(default_factory=ClientInfo)
    absolute_lifetime_seconds: float | None = None


def claims_text(claims_json: str, config: Config, *, replacing: bool = False) -> str:
    """Application claims validated (size, reserved names) and in canonical form.

    When `replacing` stored claims, empty text is refused rather than read as {}.
    """
    value = validation.claims(
        claims_json,
        "access_token_claims_json",
        config.max_claims_bytes,
        empty_means_nothing=not replacing,
    )
    return validation.canonical_json(value)


def new_record(
    request: NewSession, config: Config, keys: PinnedKeys, rng: Random, now: float
) -> tuple[SessionRecord, RefreshToken]:
    """The record to insert and its generation-0 refresh token.

    Raises InvalidArgument for any field that breaks a rule; nothing is stored here.
    """
    validation.user_id(request.user_id)
    claims = claims_text(request.access_token_claims_json, config)
    data = validation.json_object(
        request.session_data_json, "session_data_json", config.max_session_data_bytes
    )
    client = ClientInfo(
        user_agent=validation.user_agent(request.client.user_agent),
        ip_address=validation.client_ip(request.client.ip_address),
    )
    absolute = now + _absolute_lifetime(request, config)
    handle = new_handle(rng)
    token = refresh_tokens.first_token(handle, keys.mac, rng)
    record = SessionRecord(
        handle=handle,
        user_id=request.user_id,
        created_at=now,
        idle_expires_at=min(now + config.idle_lifetime_seconds, absolute),
        absolute_expires_at=absolute,
        client=client,
        access_token_claims_json=claims,
        session_data_json=validation.canonical_json(data),
        anti_csrf=request.anti_csrf,
        keys=keys,
        generation=0,
        current_hash=refresh_tokens.token_hash(token),
        previous_hash=None,
        rotated_at=None,
    )
    return record, token


def _absolute_lifetime(request: NewSession, config: Config) -> float:
    lifetime = request.absolute_lifetime_seconds
    if lifetime is None:
        return config.absolute_lifetime_seconds
    return validation.absolute_lifetime(lifetime)
