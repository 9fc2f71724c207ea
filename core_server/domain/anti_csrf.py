"""Anti-CSRF tokens: one per refresh-token generation, and their binding to access tokens.

`anti_csrf_token(k_csrf, handle, g)` is deterministic, so the token a client holds for
generation g is exactly what a refresh with the generation-g refresh token expects:
a second tab replaying the previous refresh token inside the grace window passes with
the anti-CSRF token it already has. An access token carries only `anti_csrf_binding`
of the token (a hash), never the token itself, so reading an access token does not
reveal the anti-CSRF value.
"""

from __future__ import annotations

import hashlib
import hmac

from core_server.domain.encoding import b64url_encode
from core_server.domain.identifiers import handle_bytes
from core_server.domain.refresh_tokens import GENERATION_BYTES, MAX_GENERATION

BINDING_LENGTH = 22  # 132 bits of SHA-256: collision-free for this purpose, cookie-cheap
_LABEL = b"anti-csrf"  # k_csrf is used for nothing else; the label guards future reuse


def anti_csrf_token(key: bytes, handle: str, generation: int) -> str:
    """The anti-CSRF token of a session at a generation: 43 base64url characters.

    `HMAC-SHA256(k_csrf, b"anti-csrf" ‖ handle (16 raw bytes) ‖ generation (8 bytes))`.
    Raises ValueError if `handle` is not a session handle or `generation` is out of range.
    """
    if not 0 <= generation <= MAX_GENERATION:
        raise ValueError("generation is out of range")
    message = _LABEL + handle_bytes(handle) + generation.to_bytes(GENERATION_BYTES, "big")
    return b64url_encode(hmac.digest(key, message, hashlib.sha256))


def anti_csrf_binding(token: str) -> str:
    """The value an access token carries to bind it to `token`: 22 base64url characters."""
    digest = hashlib.sha256(token.encode("utf-8")).digest()
    return b64url_encode(digest)[:BINDING_LENGTH]


def anti_csrf_matches(presented: str, expected: str) -> bool:
    """Compare a presented anti-CSRF value with the expected one in constant time.

    An empty `presented` never matches, whatever `expected` is, so a missing header
    cannot pass against a misconfigured empty expectation.
    """
    if not presented:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))
