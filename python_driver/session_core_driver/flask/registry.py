"""Where `init_app` keeps the extension's state: `app.extensions["session_core"]`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from session_core_driver.flask.settings import Settings
from session_core_driver.web.handlers import WebSessions

if TYPE_CHECKING:
    from session_core_driver.flask.extension import SessionCore

EXTENSION_KEY = "session_core"


@dataclass(frozen=True)
class Installed:
    """The extension object, its WebSessions and the settings read from app.config."""

    core: SessionCore
    web: WebSessions
    settings: Settings


def installed() -> Installed:
    """The current app's extension state; RuntimeError if `init_app` was not called."""
    state = current_app.extensions.get(EXTENSION_KEY)
    if not isinstance(state, Installed):
        raise RuntimeError("SessionCore is not initialised on this app: call init_app(app)")
    return state
