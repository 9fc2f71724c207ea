"""The per-request slot: the verified session and the effects due on this response.

It lives in the request's WSGI environ, never in `flask.g`: `g` belongs to the app
context, which a request reuses when one is already pushed (an app that pushes a context
at import, under a single-threaded server), so one user's session could reach another's
response. A new request always starts with an empty slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import request

from session_core_driver.web.messages import NO_EFFECTS, ResponseEffects

if TYPE_CHECKING:
    from session_core_driver.flask.session import FlaskSession

ENVIRON_KEY = "session_core.request_state"


@dataclass
class RequestState:
    """What the driver knows about the current request."""

    session: FlaskSession | None = None
    effects: ResponseEffects = field(default=NO_EFFECTS)

    def add(self, effects: ResponseEffects) -> None:
        self.effects = self.effects + effects

    def forget_session(self) -> None:
        self.session = None

    def replace(self, effects: ResponseEffects) -> None:
        """Drop what was due so far (a cleared session makes earlier cookies moot)."""
        self.effects = effects


def request_state() -> RequestState:
    """This request's slot, created empty on first use."""
    state = request.environ.get(ENVIRON_KEY)
    if not isinstance(state, RequestState):
        state = RequestState()
        request.environ[ENVIRON_KEY] = state
    return state


def reset_request_state() -> None:
    """Start the request with an empty slot, whatever the environ was built with."""
    request.environ[ENVIRON_KEY] = RequestState()


def discard_request_state() -> None:
    request.environ.pop(ENVIRON_KEY, None)
