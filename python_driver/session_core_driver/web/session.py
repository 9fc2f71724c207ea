"""BoundSession: a verified session and the request slot its response effects go to.

Reads come from the verified access token (no core call) except `get_data`. Writes go to
the core at once; a claims change also puts a new access token (and front token) on
this request's response, so the client holds the new claims without a refresh, and the
same request already reads them. Each framework adapter subclasses it (FlaskSession,
DjangoSession) and supplies the slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from session_core_driver.sessions import VerifiedSession
from session_core_driver.web.handlers import WebSessions
from session_core_driver.web.messages import ResponseEffects


class SessionSlot(Protocol):
    """Where a request keeps the effects due on its response."""

    def add(self, effects: ResponseEffects) -> None: ...

    def replace(self, effects: ResponseEffects) -> None: ...

    def forget_session(self) -> None: ...


class BoundSession:
    """One verified (or just created) session, bound to the request that holds it."""

    def __init__(
        self,
        web: WebSessions,
        state: SessionSlot,
        verified: VerifiedSession,
        access_token: str,
    ) -> None:
        self._web = web
        self._state = state
        self._verified = verified
        self._access_token = access_token

    def __repr__(self) -> str:  # never the token
        return f"{type(self).__name__}(handle={self.handle!r}, user_id={self.user_id!r})"

    @property
    def user_id(self) -> str:
        return self._verified.user_id

    @property
    def handle(self) -> str:
        return self._verified.handle

    @property
    def claims(self) -> dict[str, Any]:
        """A copy of the access token's application claims."""
        return dict(self._verified.claims)

    @property
    def access_token_expires_at(self) -> int:
        return self._verified.expires_at

    def get_data(self) -> dict[str, Any]:
        """The server-side session data (one core call); Unauthorised if the session ended."""
        return dict(self._web.client.get_session(self.handle).session_data or {})

    def update_data(self, data: Mapping[str, Any]) -> None:
        """Replace the server-side session data."""
        self._web.client.update_session_data(self.handle, data)

    def merge_claims(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `changes` into the claims (a None value removes that claim); the new claims.

        Reserved claims (`sub`, `sid`, `exp`, ...) raise InvalidRequest and change nothing;
        claims too large for a cookie raise SessionTooLarge and change nothing.
        """
        merged = {**self._verified.claims, **changes}
        return self.set_claims({k: v for k, v in merged.items() if v is not None})

    def set_claims(self, claims: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the claims; this response carries an access token holding them."""
        verified, effects = self._web.regenerate(
            self._access_token, claims, previous_claims=self._verified.claims
        )
        self._verified = VerifiedSession(
            handle=verified.handle,
            user_id=verified.user_id,
            claims=dict(claims),
            expires_at=verified.expires_at,
            generation=verified.generation,
            anti_csrf_bound=verified.anti_csrf_bound,
        )
        self._state.add(effects)
        return self.claims

    def revoke(self) -> None:
        """End this session in the core and clear it in this response."""
        self._state.replace(self._web.revoke(self.handle))
        self._state.forget_session()

    def revoke_other_sessions(self) -> list[str]:
        """End every other session of this user ("sign out everywhere else")."""
        return self._web.client.revoke_user_sessions(self.user_id, keep_handle=self.handle)
