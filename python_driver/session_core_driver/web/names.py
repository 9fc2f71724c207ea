"""The names sessions travel under: cookies, request headers and response headers.

All are ours (prefix `sc`). Header names are lower case, as HTTP/2 sends them.
"""

from __future__ import annotations

# Cookies (cookie transport). `__Host-` / `__Secure-` prefixes are added over https.
ACCESS_TOKEN_COOKIE = "sc_at"
REFRESH_TOKEN_COOKIE = "sc_rt"
FRONT_TOKEN_COOKIE = "sc_front"

# Request headers.
AUTHORIZATION = "authorization"  # header transport: "Bearer <access token>"
BEARER = "bearer"
REFRESH_TOKEN_REQUEST = "sc-refresh-token"  # header transport, refresh endpoint only
ANTI_CSRF = "sc-anti-csrf"  # token mode: the generation's anti-CSRF token
CUSTOM_HEADER = "sc-requested-with"  # custom-header mode: any non-empty value
ORIGIN = "origin"
SEC_FETCH_SITE = "sec-fetch-site"
USER_AGENT = "user-agent"

# Response headers.
ACCESS_TOKEN_RESPONSE = "sc-access-token"  # header transport: the new access token
REFRESH_TOKEN_RESPONSE = "sc-refresh-token"  # header transport: the new refresh token
ANTI_CSRF_RESPONSE = "sc-anti-csrf"  # cookie transport, token mode: the new anti-CSRF token
FRONT_TOKEN = "sc-front-token"  # header transport: the front token, or "remove"
FRONT_TOKEN_REMOVED = "remove"
SESSION_ERROR = "sc-session-error"  # set only on the driver's own error responses
CACHE_CONTROL = "cache-control"
NO_STORE = "no-store"
EXPOSE_HEADERS = "access-control-expose-headers"
EXPOSED = (
    ACCESS_TOKEN_RESPONSE,
    REFRESH_TOKEN_RESPONSE,
    ANTI_CSRF_RESPONSE,
    FRONT_TOKEN,
    SESSION_ERROR,
)
