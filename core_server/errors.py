"""The core's exception tree. Messages never contain token values.

    SessionCoreError
    ├── ConfigError             bad configuration at start (names the key)
    ├── InvalidArgument         a request field breaks a rule (names field and rule)
    │   └── ReservedClaim       an application claim uses a name the core owns
    ├── TokenError              a token cannot be used (carries a reason)
    │   ├── InvalidAccessToken  malformed, tampered, foreign, wrong alg/typ/iss/aud
    │   │   └── ExpiredAccessToken
    │   └── InvalidRefreshToken not authentic; one shape for every cause
    └── KeyUnavailable          a key a session or token names is not in the keyring

Storage failures have their own tree in `core_server.storage.errors`.
"""

from __future__ import annotations


class SessionCoreError(Exception):
    """Base class of every error the core raises on purpose."""


class ConfigError(SessionCoreError):
    """The configuration is invalid; `key` names the setting to change."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


class InvalidArgument(SessionCoreError):
    """A request field is malformed; `field` and `rule` say which and why."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class ReservedClaim(InvalidArgument):
    """An application claim uses a name reserved for the core."""

    def __init__(self, field: str, claim: str) -> None:
        super().__init__(field, f"claim {claim!r} is reserved and cannot be set by applications")
        self.claim = claim


class TokenError(SessionCoreError):
    """A token was rejected; `reason` is a short machine-readable cause."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidAccessToken(TokenError):
    """The access token is malformed, tampered with, foreign or badly signed."""


class ExpiredAccessToken(InvalidAccessToken):
    """The access token was genuine but has expired (leeway counted)."""

    def __init__(self) -> None:
        super().__init__("expired")


class InvalidRefreshToken(TokenError):
    """The refresh token is not authentic; deliberately one shape for every cause."""

    def __init__(self) -> None:
        super().__init__("invalid refresh token")


class KeyUnavailable(SessionCoreError):
    """A key id named by a session or token is not in the keyring."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"key {key_id!r} is not available")
        self.key_id = key_id
