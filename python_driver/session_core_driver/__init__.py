"""session_core_driver: the application-side driver of session-core.

`SessionCoreClient` calls the core over gRPC; `SessionVerifier` checks access tokens
locally with the core's published keys (`JwksCache`) and the revocation feed
(`RevocationPoller`). Every error the driver raises on purpose is a `SessionError`
(see `session_core_driver.errors` for the tree).
"""

from __future__ import annotations

from session_core_driver.client import SessionCoreClient
from session_core_driver.errors import (
    CoreAuthError,
    CoreUnavailable,
    InvalidClaims,
    InvalidRequest,
    SessionError,
    TokenTheftDetected,
    TryRefreshToken,
    Unauthorised,
)
from session_core_driver.jwks import JwksCache
from session_core_driver.revocations import RevocationPoller
from session_core_driver.sessions import (
    NewSession,
    RefreshedSession,
    Revocation,
    RevocationPage,
    SessionInfo,
    TheftEvent,
    Tokens,
    VerifiedSession,
)
from session_core_driver.verifier import SessionVerifier

__all__ = [
    "CoreAuthError",
    "CoreUnavailable",
    "InvalidClaims",
    "InvalidRequest",
    "JwksCache",
    "NewSession",
    "RefreshedSession",
    "Revocation",
    "RevocationPage",
    "RevocationPoller",
    "SessionCoreClient",
    "SessionError",
    "SessionInfo",
    "SessionVerifier",
    "TheftEvent",
    "TokenTheftDetected",
    "Tokens",
    "TryRefreshToken",
    "Unauthorised",
    "VerifiedSession",
]
