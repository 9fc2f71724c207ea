"""session_core_driver.web: framework-free cookies, headers, anti-CSRF and session views.

`WebConfig` (validated at construction) says how sessions travel; `WebSessions` verifies,
creates, refreshes and ends sessions for a `WebRequest` and answers with a `WebResponse`
or `ResponseEffects`, which a framework adapter copies onto its own response. This
package imports no web framework.
"""

from __future__ import annotations

from session_core_driver.web.config import AntiCsrfMode, SameSite, Transport, WebConfig
from session_core_driver.web.csrf import origin_allowed
from session_core_driver.web.errors import SessionTooLarge, WebConfigError
from session_core_driver.web.front_token import FrontToken, decode_front_token, encode_front_token
from session_core_driver.web.handlers import WebSessions
from session_core_driver.web.messages import ResponseEffects, SetCookie, WebRequest, WebResponse
from session_core_driver.web.responses import classify, error_response
from session_core_driver.web.validators import ClaimValidator, claim_equals, claim_includes

__all__ = [
    "AntiCsrfMode",
    "ClaimValidator",
    "FrontToken",
    "ResponseEffects",
    "SameSite",
    "SessionTooLarge",
    "SetCookie",
    "Transport",
    "WebConfig",
    "WebConfigError",
    "WebRequest",
    "WebResponse",
    "WebSessions",
    "claim_equals",
    "claim_includes",
    "classify",
    "decode_front_token",
    "encode_front_token",
    "error_response",
    "origin_allowed",
]
