"""Strict reading of our access tokens: structure and header first, claims after the signature.

Pure functions, no I/O and no cryptography. `split`, run before any cryptography,
refuses anything but three canonical base64url segments whose header is a strict JSON
object of exactly {alg, typ: "at+jwt", kid} (so `none`, `jku`, `x5u`, embedded
`jwk`/`x5c` and `crit` never get as far as a key lookup). `read_claims`, run only once
the signature checked out (as the core does), parses the payload as a JSON object
(NaN, Infinity and out-of-range numbers refused; duplicate names are not looked for
there, since those bytes are signed and the core never writes them) and checks the
registered claims the way the core issues them. Every refusal raises TryRefreshToken
with a short reason: "malformed", "claims", "issuer", "audience", "not_yet_valid" or
"expired".
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from session_core_driver._encoding import b64url_decode, b64url_encode, loads, loads_signed
from session_core_driver.errors import TryRefreshToken
from session_core_driver.sessions import VerifiedSession

TOKEN_TYPE = "at+jwt"
HEADER_MEMBERS = frozenset({"alg", "typ", "kid"})
CLAIM_HANDLE = "sid"
CLAIM_GENERATION = "sc_gen"
CLAIM_ANTI_CSRF = "sc_csrf"
RESERVED_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}
    | {CLAIM_HANDLE, CLAIM_GENERATION, CLAIM_ANTI_CSRF}
)
RESERVED_PREFIX = "sc_"
# The core never issues a longer token; this bounds the work a stranger can cause.
MAX_TOKEN_LENGTH = 16 * 1024
ANTI_CSRF_BINDING_LENGTH = 22

_MALFORMED = "malformed"


def split(token: str) -> tuple[str, str, bytes, bytes, bytes]:
    """(kid, alg, payload bytes, signature, signing input) of a structurally valid token."""
    if type(token) is not str or len(token) > MAX_TOKEN_LENGTH:
        raise TryRefreshToken(_MALFORMED)
    signing_input, _, signature_b64 = token.rpartition(".")
    header_b64, dot, payload_b64 = signing_input.partition(".")
    if not dot or "." in payload_b64:  # exactly three segments
        raise TryRefreshToken(_MALFORMED)
    kid, alg = _header(header_b64)
    try:
        payload = b64url_decode(payload_b64)
        signature = b64url_decode(signature_b64)
    except ValueError:
        raise TryRefreshToken(_MALFORMED) from None
    return kid, alg, payload, signature, signing_input.encode("ascii")


# Every token of a key carries the same header, so its parse is remembered; only headers
# that passed every check are (exceptions are not cached), and the bound stops a flood of
# distinct headers from growing memory.
@functools.lru_cache(maxsize=256)
def _header(segment: str) -> tuple[str, str]:
    """(kid, alg) of a header segment that is exactly {alg, typ: "at+jwt", kid}."""
    try:
        header = loads(b64url_decode(segment).decode("utf-8"))
    except (ValueError, RecursionError):
        raise TryRefreshToken(_MALFORMED) from None
    if type(header) is not dict or header.keys() != HEADER_MEMBERS:
        raise TryRefreshToken(_MALFORMED)
    kid, alg = header["kid"], header["alg"]
    if header["typ"] != TOKEN_TYPE or type(kid) is not str or not kid or type(alg) is not str:
        raise TryRefreshToken(_MALFORMED)
    return kid, alg


def read_claims(
    signed: bytes, issuer: str, audience: str, now: float, leeway: float
) -> tuple[VerifiedSession, str | None]:
    """The session a signed payload proves, and its anti-CSRF binding (None if unbound)."""
    try:
        payload = loads_signed(signed.decode("utf-8"))
    # ValueError covers bad UTF-8 and bad JSON; RecursionError deep nesting.
    except (ValueError, RecursionError):
        raise TryRefreshToken(_MALFORMED) from None
    if type(payload) is not dict:
        raise TryRefreshToken(_MALFORMED)
    get = payload.get
    expires_at, issued_at, generation = get("exp"), get("iat"), get(CLAIM_GENERATION)
    handle, user_id = get(CLAIM_HANDLE), get("sub")
    # Exactly int: bool is an int subclass, and floats (1.5e9, 1e308) lose exactness.
    if type(expires_at) is not int or type(issued_at) is not int:
        raise TryRefreshToken("claims")
    if get("iss") != issuer:
        raise TryRefreshToken("issuer")
    aud = get("aud")
    if aud != audience and not _audience_listed(aud, audience):
        raise TryRefreshToken("audience")
    if type(handle) is not str or type(user_id) is not str or not (handle and user_id):
        raise TryRefreshToken("claims")
    binding = get(CLAIM_ANTI_CSRF)
    if type(generation) is not int or generation < 0:
        raise TryRefreshToken("claims")
    if binding is not None and (type(binding) is not str or not binding):
        raise TryRefreshToken("claims")
    not_before = get("nbf", issued_at)
    if type(not_before) is not int or type(get("jti", "")) is not str:
        raise TryRefreshToken("claims")
    # The leeway absorbs clock skew between the core and us, in both directions.
    if issued_at > now + leeway or not_before > now + leeway:
        raise TryRefreshToken("not_yet_valid")
    if expires_at <= now - leeway:
        raise TryRefreshToken("expired")
    claims = {k: v for k, v in payload.items() if k not in RESERVED_CLAIMS and k[:3] != "sc_"}
    session = VerifiedSession(handle, user_id, claims, expires_at, generation, binding is not None)
    return session, binding


def is_reserved(name: str) -> bool:
    """True for every claim name the core owns (registered claims and anything "sc_")."""
    return name in RESERVED_CLAIMS or name.startswith(RESERVED_PREFIX)


def anti_csrf_matches(presented: str | None, binding: str) -> bool:
    """Whether `presented` is the anti-CSRF token the access token is bound to.

    The binding is the core's: base64url(SHA-256(token)) cut to 22 characters, compared
    in constant time. A missing or empty token never matches.
    """
    if not presented:
        return False
    digest = b64url_encode(hashlib.sha256(presented.encode("utf-8")).digest())
    expected = digest[:ANTI_CSRF_BINDING_LENGTH].encode("ascii")
    return hmac.compare_digest(expected, binding.encode("utf-8"))


def _audience_listed(aud: object, audience: str) -> bool:
    return type(aud) is list and all(type(i) is str for i in aud) and audience in aud
