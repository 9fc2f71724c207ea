"""Access tokens: compact JWS JWTs with header `typ: at+jwt`, signed by one keyring key.

A token's header may only name a key (`kid`); that key alone decides the algorithm, so
`none`, HMAC keyed with a public key and algorithm switches are refused before any
cryptography runs, and no other key of the keyring is ever tried. Headers that would
fetch or embed a key (`jku`, `x5u`, `jwk`, `x5c`) or demand extensions (`crit`) are
refused too. The payload is parsed only after the signature checks out. Time is passed
in; nothing here reads a clock.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from core_server.domain import strict_json
from core_server.domain.encoding import b64url_decode, b64url_encode
from core_server.domain.signing_keys import SigningKey, VerificationKey
from core_server.errors import (
    ExpiredAccessToken,
    InvalidAccessToken,
    InvalidArgument,
    ReservedClaim,
)

TOKEN_TYPE = "at+jwt"
CLAIM_HANDLE = "sid"
CLAIM_GENERATION = "sc_gen"
CLAIM_ANTI_CSRF = "sc_csrf"
RESERVED_CLAIMS: frozenset[str] = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}
    | {CLAIM_HANDLE, CLAIM_GENERATION, CLAIM_ANTI_CSRF}
)
RESERVED_PREFIX = "sc_"
# Bounds the work an attacker can make us do; issue() never emits anything longer.
MAX_TOKEN_LENGTH = 16 * 1024

_CLAIMS_FIELD = "access_token_claims_json"
_FORBIDDEN_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "crit"})
# Every token a key signs has the same header, so a few parsed headers cover them all.
_PARSED_HEADERS = 64
# The reason given when `kid` names no key the verifier holds.
UNKNOWN_KEY = "unknown kid"


def is_reserved(name: str) -> bool:
    """True for every claim name the core owns: RESERVED_CLAIMS and anything "sc_"."""
    return name in RESERVED_CLAIMS or name.startswith(RESERVED_PREFIX)


@dataclass(frozen=True)
class AccessTokenClaims:
    """What an access token says; times are whole seconds since the Unix epoch."""

    handle: str
    user_id: str
    issued_at: int
    expires_at: int
    generation: int
    anti_csrf_hash: str | None
    jti: str
    app_claims: dict[str, Any]


def issue(key: SigningKey, claims: AccessTokenClaims, *, issuer: str, audience: str) -> str:
    """Sign `claims` into a compact JWS with header exactly {alg, typ, kid}.

    The payload holds the app claims at the top level beside iss, aud, sub, sid, iat,
    exp, jti, sc_gen and (when set) sc_csrf, as compact UTF-8 JSON. Guarantee: the
    token verifies under the same key, issuer and audience (until it expires) and
    gives back claims equal to `claims`. Raises ReservedClaim for an app claim the core
    owns, InvalidArgument when the claims would not come back exactly (non-JSON values,
    NaN, non-string keys) or the token would exceed MAX_TOKEN_LENGTH.
    """
    header = {"alg": key.algorithm, "typ": TOKEN_TYPE, "kid": key.key_id}
    header_segment = b64url_encode(_dumps(header).encode("utf-8"))
    signing_input = f"{header_segment}.{_encode_payload(claims, issuer, audience)}"
    token = f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}"
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidArgument(_CLAIMS_FIELD, f"access token exceeds {MAX_TOKEN_LENGTH} bytes")
    return token


def verify(
    token: str,
    keys: Mapping[str, VerificationKey],
    *,
    issuer: str,
    audience: str,
    now: float,
    leeway: float,
    allow_expired: bool = False,
) -> AccessTokenClaims:
    """Check `token` and return its claims.

    Shape, encoding and header are checked before any cryptography; then the signature
    of the key named by `kid`, with that key's algorithm; then the payload (strict JSON,
    integer times, our issuer and audience); then time, with `leeway` seconds either
    way. Raises ExpiredAccessToken once `exp <= now - leeway` (unless `allow_expired`),
    InvalidAccessToken(reason) for everything else. `app_claims` gets every claim whose
    name is not reserved.
    """
    header, payload_raw, signature, signing_input = _split(token)
    key = _select_key(header, keys)
    if not key.verify(signature, signing_input):
        raise InvalidAccessToken("bad signature")
    payload = _parse_object(payload_raw, "payload")
    claims = _read_claims(payload, issuer, audience)
    not_before = _int_claim(payload, "nbf") if "nbf" in payload else None
    _check_times(claims, not_before, now, leeway, allow_expired)
    return claims


def _encode_payload(claims: AccessTokenClaims, issuer: str, audience: str) -> str:
    raw = _payload_bytes(claims, issuer, audience)
    try:
        # Read back with verify's own checks, so issue() cannot emit a token verify()
        # refuses or whose claims come back different (non-string keys, tuples...).
        same = _read_claims(_parse_object(raw, "payload"), issuer, audience) == claims
    except InvalidAccessToken as exc:
        raise InvalidArgument(_CLAIMS_FIELD, f"token would not verify: {exc.reason}") from exc
    if not same:
        raise InvalidArgument(_CLAIMS_FIELD, "claims do not survive a JSON round trip")
    return b64url_encode(raw)


def _payload_bytes(claims: AccessTokenClaims, issuer: str, audience: str) -> bytes:
    for name in claims.app_claims:
        # Non-string names are left to the round-trip check in _encode_payload.
        if isinstance(name, str) and is_reserved(name):
            raise ReservedClaim(_CLAIMS_FIELD, name)
    payload = dict(claims.app_claims)
    payload.update(
        {"iss": issuer, "aud": audience, "sub": claims.user_id, CLAIM_HANDLE: claims.handle}
    )
    payload.update({"iat": claims.issued_at, "exp": claims.expires_at, "jti": claims.jti})
    payload[CLAIM_GENERATION] = claims.generation
    if claims.anti_csrf_hash is not None:
        payload[CLAIM_ANTI_CSRF] = claims.anti_csrf_hash
    try:
        return _dumps(payload).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:
        raise InvalidArgument(_CLAIMS_FIELD, "claims are not exact JSON") from exc


def _dumps(value: dict[str, Any]) -> str:
    return strict_json.dumps(value)


def _split(token: str) -> tuple[Mapping[str, Any], bytes, bytes, bytes]:
    """The parsed header and the decoded payload and signature, or refuse the token.

    No cryptography runs here.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidAccessToken("malformed")
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidAccessToken("malformed")
    try:
        payload, signature = b64url_decode(segments[1]), b64url_decode(segments[2])
    except ValueError as exc:
        raise InvalidAccessToken("bad encoding") from exc
    header = _parsed_header(segments[0])
    return header, payload, signature, f"{segments[0]}.{segments[1]}".encode("ascii")


@functools.lru_cache(maxsize=_PARSED_HEADERS)
def _parsed_header(segment: str) -> Mapping[str, Any]:
    """A header segment decoded and parsed (read-only: it is shared between calls).

    A pure function of the text, so keeping recent answers changes no verdict; a
    refused header raises, and refusals are never kept.
    """
    try:
        raw = b64url_decode(segment)
    except ValueError as exc:
        raise InvalidAccessToken("bad encoding") from exc
    return MappingProxyType(_parse_object(raw, "header"))


def _select_key(header: Mapping[str, Any], keys: Mapping[str, VerificationKey]) -> VerificationKey:
    """The one key the header names; the key, never the header, decides the algorithm."""
    if header.get("typ") != TOKEN_TYPE:
        raise InvalidAccessToken("wrong type")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise InvalidAccessToken("bad kid")
    key = keys.get(kid)
    if key is None:
        raise InvalidAccessToken(UNKNOWN_KEY)
    if header.get("alg") != key.algorithm:
        raise InvalidAccessToken("algorithm not allowed")
    if not _FORBIDDEN_HEADERS.isdisjoint(header):
        raise InvalidAccessToken("forbidden header")
    return key


def _parse_object(raw: bytes, part: str) -> dict[str, Any]:
    """Strict JSON object: UTF-8, no duplicate keys, no NaN/Infinity."""
    try:
        value = strict_json.loads(raw.decode("utf-8"))
    # ValueError covers bad UTF-8, bad JSON and over-long integers; RecursionError deep nesting.
    except (ValueError, RecursionError) as exc:
        raise InvalidAccessToken(f"bad {part}") from exc
    if not isinstance(value, dict):
        raise InvalidAccessToken(f"bad {part}")
    return value


def _read_claims(payload: dict[str, Any], issuer: str, audience: str) -> AccessTokenClaims:
    """Check the registered claims; every claim not reserved belongs to the app."""
    expires_at, issued_at = _int_claim(payload, "exp"), _int_claim(payload, "iat")
    if payload.get("iss") != issuer:
        raise InvalidAccessToken("wrong issuer")
    if not _audience_matches(payload.get("aud"), audience):
        raise InvalidAccessToken("wrong audience")
    return AccessTokenClaims(
        handle=_text_claim(payload, CLAIM_HANDLE),
        user_id=_text_claim(payload, "sub"),
        issued_at=issued_at,
        expires_at=expires_at,
        generation=_generation(payload),
        anti_csrf_hash=_text_claim(payload, CLAIM_ANTI_CSRF)
        if CLAIM_ANTI_CSRF in payload
        else None,
        jti=_text_claim(payload, "jti", allow_empty=True),
        app_claims={name: value for name, value in payload.items() if not is_reserved(name)},
    )


def _int_claim(payload: dict[str, Any], name: str) -> int:
    value = payload.get(name)
    # Exactly int: bool is an int subclass, and floats (1.5e9, 1e308) lose exactness.
    if type(value) is not int:
        raise InvalidAccessToken(f"bad claim: {name}")
    return value


def _text_claim(payload: dict[str, Any], name: str, *, allow_empty: bool = False) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not (value or allow_empty):
        raise InvalidAccessToken(f"bad claim: {name}")
    return value


def _generation(payload: dict[str, Any]) -> int:
    generation = _int_claim(payload, CLAIM_GENERATION)
    if generation < 0:
        raise InvalidAccessToken(f"bad claim: {CLAIM_GENERATION}")
    return generation


def _audience_matches(aud: object, audience: str) -> bool:
    if isinstance(aud, list):
        return all(isinstance(item, str) for item in aud) and audience in aud
    return aud == audience


def _check_times(
    claims: AccessTokenClaims,
    not_before: int | None,
    now: float,
    leeway: float,
    allow_expired: bool,
) -> None:
    # The leeway absorbs clock skew between the core and verifiers, in both directions.
    if claims.issued_at > now + leeway:
        raise InvalidAccessToken("issued in the future")
    if not_before is not None and not_before > now + leeway:
        raise InvalidAccessToken("not yet valid")
    if claims.expires_at <= now - leeway and not allow_expired:
        raise ExpiredAccessToken()
