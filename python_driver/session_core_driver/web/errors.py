"""Errors of the web layer, beside the driver's tree (`session_core_driver.errors`).

    ValueError
    ├── WebConfigError        a web setting a browser would reject, refused at start-up
    └── InvalidRequest        (the driver's tree)
        └── SessionTooLarge   a cookie or header would exceed what browsers and proxies keep

Messages name the setting or the size and never contain a token value.
"""

from __future__ import annotations

from session_core_driver.errors import InvalidRequest


class WebConfigError(ValueError):
    """A web setting is invalid or would make browsers drop the session cookies.

    `setting` names the offending setting; the message says what to change.
    """

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


class SessionTooLarge(InvalidRequest):
    """A session cookie or header would be larger than browsers or proxies accept.

    Raised before the response is written, so no truncated cookie ever reaches a browser:
    keep access-token claims small and put large values in the server-side session data.
    """

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(
            "access_token_claims",
            f"the {what} would be {size} bytes, over the {limit}-byte limit browsers and "
            "proxies keep; store large values in the session data instead of claims",
        )
        self.what = what
        self.size = size
        self.limit = limit
