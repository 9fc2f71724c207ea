"""Where the app keeps what it built from SESSION_CORE: one WebSessions per process.

`install` is called by the AppConfig's `ready()` and again whenever a test changes
SESSION_CORE (`override_settings`, through Django's `setting_changed` signal); the
previous revocation poller is stopped and its client closed then.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from session_core_driver.client import SessionCoreClient
from session_core_driver.django.settings import read_settings
from session_core_driver.verifier import SessionVerifier
from session_core_driver.web.handlers import WebSessions
from session_core_driver.web.settings import Settings, make_web_sessions


@dataclass(frozen=True)
class Installed:
    """The WebSessions built from SESSION_CORE and the settings it was built from."""

    web: WebSessions
    settings: Settings
    owns_client: bool = True

    def stop(self) -> None:
        """Stop the revocation poller and close the client, if this installation made them."""
        poller = self.web.verifier.revocations
        if poller is not None:
            poller.stop()
        if self.owns_client:
            self.web.client.close()


_lock = threading.Lock()
_installed: list[Installed] = []


def install(
    options: Mapping[str, Any],
    *,
    client: SessionCoreClient | None = None,
    verifier: SessionVerifier | None = None,
) -> Installed:
    """Validate `options` (SESSION_CORE), build the client, verifier and WebSessions."""
    settings = read_settings(options, need_api_key=client is None)
    web = make_web_sessions(settings, client, verifier)
    made = Installed(web, settings, owns_client=client is None and verifier is None)
    with _lock:
        previous = list(_installed)
        _installed[:] = [made]
    for old in previous:
        old.stop()
    return made


def installed() -> Installed:
    """What `install` built; ImproperlyConfigured when the app is not in INSTALLED_APPS."""
    with _lock:
        if not _installed:
            raise ImproperlyConfigured(
                'add "session_core_driver.django" to INSTALLED_APPS (and set SESSION_CORE)'
            )
        return _installed[0]
