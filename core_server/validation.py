"""Request-field rules, each raising `InvalidArgument` that names the field and the rule.

JSON documents are parsed strictly (no duplicate keys, no NaN or Infinity) and
re-serialised compactly, so what is stored is canonical and round-trips exactly on
every backend: Python integers are unbounded and strings keep every code point.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
from typing import Any

from core_server.domain import strict_json
from core_server.domain.access_tokens import is_reserved
from core_server.domain.identifiers import is_handle
from core_server.errors import InvalidArgument, ReservedClaim

MAX_USER_ID_LENGTH = 256
MAX_USER_AGENT_LENGTH = 1024
MAX_HANDLES_PER_CALL = 1000
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
MAX_JSON_DEPTH = 64
MAX_TOKEN_LENGTH = 16 * 1024
MAX_PAGE_TOKEN_LENGTH = 256
MAX_IP_ADDRESS_LENGTH = 45  # the longest textual IPv6 address
# Ten years: longer is almost certainly a unit mistake (milliseconds for seconds).
MAX_ABSOLUTE_LIFETIME_SECONDS = 10 * 366 * 24 * 3600


def user_id(value: str, field: str = "user_id") -> str:
    if not value:
        raise InvalidArgument(field, "must not be empty")
    if len(value) > MAX_USER_ID_LENGTH:
        raise InvalidArgument(field, f"must be at most {MAX_USER_ID_LENGTH} characters")
    if "\x00" in value:
        raise InvalidArgument(field, "must not contain NUL characters")
    return value


def token(value: str, field: str) -> str:
    """A token field must be present; a present but garbage token is an outcome."""
    if not value:
        raise InvalidArgument(field, "must not be empty")
    if len(value) > MAX_TOKEN_LENGTH:
        raise InvalidArgument(field, f"must be at most {MAX_TOKEN_LENGTH} characters")
    return value


def handle(value: str, field: str = "handle") -> str:
    if not is_handle(value):
        raise InvalidArgument(field, "must be a session handle (22 base64url characters)")
    return value


def handles(values: list[str], field: str = "handles") -> list[str]:
    if not values:
        raise InvalidArgument(field, "must name at least one handle")
    if len(values) > MAX_HANDLES_PER_CALL:
        raise InvalidArgument(field, f"must name at most {MAX_HANDLES_PER_CALL} handles")
    for index, value in enumerate(values):
        handle(value, f"{field}[{index}]")
    return list(dict.fromkeys(values))


def json_object(
    text: str, field: str, max_bytes: int, *, empty_means_nothing: bool = True
) -> dict[str, Any]:
    """Parse a JSON object; empty text means {} unless `empty_means_nothing` is False.

    Replacing calls pass False: proto3 cannot tell an omitted field from an empty one,
    and an omitted field must not silently wipe what is stored.
    """
    if not text:
        if empty_means_nothing:
            return {}
        raise InvalidArgument(field, "must be a JSON object; send {} to clear")
    if len(text.encode("utf-8")) > max_bytes:
        raise InvalidArgument(field, f"must be at most {max_bytes} bytes of JSON")
    try:
        value = strict_json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidArgument(field, f"must be valid JSON ({_short(exc)})") from exc
    if not isinstance(value, dict):
        raise InvalidArgument(field, "must be a JSON object")
    if _depth(value) > MAX_JSON_DEPTH:
        raise InvalidArgument(field, f"must nest at most {MAX_JSON_DEPTH} levels")
    try:
        canonical_json(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        # "\ud800" escapes decode to lone surrogates, which no backend can store.
        raise InvalidArgument(field, "must not contain lone UTF-16 surrogates") from exc
    return value


def claims(
    text: str, field: str, max_bytes: int, *, empty_means_nothing: bool = True
) -> dict[str, Any]:
    """Application claims: a JSON object whose names the core does not own."""
    value = json_object(text, field, max_bytes, empty_means_nothing=empty_means_nothing)
    for name in value:
        if is_reserved(name):
            raise ReservedClaim(field, name)
    return value


def canonical_json(value: dict[str, Any]) -> str:
    return strict_json.dumps(value)


def client_ip(value: str, field: str = "client.ip_address") -> str:
    """An IPv4 or IPv6 address, or empty; zone ids (fe80::1%eth0) mean nothing off-host."""
    if value:
        try:
            valid = len(value) <= MAX_IP_ADDRESS_LENGTH and "%" not in value
            ipaddress.ip_address(value if valid else "")
        except ValueError as exc:
            raise InvalidArgument(field, "must be an IPv4 or IPv6 address") from exc
    return value


def user_agent(value: str, field: str = "client.user_agent") -> str:
    if len(value) > MAX_USER_AGENT_LENGTH or "\x00" in value:
        raise InvalidArgument(field, f"must be at most {MAX_USER_AGENT_LENGTH} characters, no NUL")
    return value


def absolute_lifetime(seconds: float, field: str = "absolute_lifetime") -> float:
    if not 1 <= seconds <= MAX_ABSOLUTE_LIFETIME_SECONDS:
        raise InvalidArgument(field, f"must be 1 s to {MAX_ABSOLUTE_LIFETIME_SECONDS} s")
    return seconds


def page_size(value: int, field: str = "page_size") -> int:
    if value == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"must be 0 (default {DEFAULT_PAGE_SIZE}) to {MAX_PAGE_SIZE}")
    return value


def encode_page_token(created_at: float, last_handle: str) -> str:
    raw = json.dumps([created_at, last_handle]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(text: str, field: str = "page_token") -> tuple[float, str] | None:
    if not text:
        return None
    if len(text) <= MAX_PAGE_TOKEN_LENGTH:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            created_at, last = strict_json.loads(raw.decode("utf-8"))
            if type(created_at) in (int, float) and math.isfinite(created_at):
                return float(created_at), handle(last, field)
        except (
            ValueError,
            TypeError,
            OverflowError,
            RecursionError,
            binascii.Error,
            InvalidArgument,
        ):
            pass
    raise InvalidArgument(field, "must be a next_page_token from a previous response")


def _depth(value: Any) -> int:
    # Iterative, so a hostile document cannot exhaust the stack here.
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _short(exc: BaseException) -> str:
    return str(exc).split(":")[0][:80]
