"""Cross-site request checks for cookie transport: Origin, Sec-Fetch-Site, anti-CSRF modes.

Applied only to state-changing requests (not GET/HEAD/OPTIONS) that carry cookies; the
header transport needs none, since browsers never attach its tokens by themselves.

- Origin: when present it must be one of the allowed origins (the website, the API and
  `allowed_origins`); `null` and malformed origins fail.
- Sec-Fetch-Site: consulted when Origin is absent; `cross-site` fails.
- Mode `token`: the `sc-anti-csrf` header must be present (its value is checked against
  the session by the verifier or the core). Mode `custom_header`: `sc-requested-with`
  must be present (browsers cannot send it cross-site without a CORS preflight).
"""

from __future__ import annotations

from session_core_driver.web import names
from session_core_driver.web.config import WebConfig
from session_core_driver.web.messages import WebRequest
from session_core_driver.web.sites import Origin


def origin_allowed(config: WebConfig, request: WebRequest) -> bool:
    origin = request.header(names.ORIGIN)
    if origin is not None:
        try:
            return str(Origin.parse(origin)) in config.origins
        except ValueError:
            return False
    return request.header(names.SEC_FETCH_SITE) != "cross-site"


def anti_csrf_header_present(config: WebConfig, request: WebRequest) -> bool:
    if config.anti_csrf_mode == "token":
        return bool(request.header(names.ANTI_CSRF))
    if config.anti_csrf_mode == "custom_header":
        return bool(request.header(names.CUSTOM_HEADER))
    return True


def cross_site_check_passes(config: WebConfig, request: WebRequest) -> bool:
    """True unless this is a state-changing cookie request that fails a check above."""
    if not config.uses_cookies or not request.is_state_changing:
        return True
    return origin_allowed(config, request) and anti_csrf_header_present(config, request)


def anti_csrf_token(config: WebConfig, request: WebRequest) -> str:
    """The anti-CSRF token to check against the session ("" when the mode uses none)."""
    if config.uses_cookies and config.anti_csrf_mode == "token":
        return request.header(names.ANTI_CSRF) or ""
    return ""
