"""Log lines for the core errors an operator must see: a wrong API key, an unreachable core.

A request that meets them is answered 500 / 503 by the outcome table; without a log line
the operator would only see those statuses. CoreAuthError is logged at ERROR and
CoreUnavailable at WARNING, each at most once per period (a core outage must not flood
the log). The line names the error kind and the core's status text, never a token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from session_core_driver._throttle import Throttle
from session_core_driver.errors import CoreAuthError, CoreUnavailable, SessionError

log = logging.getLogger("session_core_driver.web")
ALERT_PERIOD_SECONDS = 30.0


class CoreAlerts:
    """Logs CoreAuthError / CoreUnavailable, at most once per `period` seconds each."""

    def __init__(
        self, period: float = ALERT_PERIOD_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._auth = Throttle(period, clock)
        self._unavailable = Throttle(period, clock)

    def note(self, exc: SessionError) -> None:
        if isinstance(exc, CoreAuthError) and self._auth.allow():
            log.error(
                "session core refused the API key (check SESSION_CORE_API_KEY): %s",
                _first_line(exc),
            )
        elif isinstance(exc, CoreUnavailable) and self._unavailable.allow():
            log.warning("session core unreachable, answering 503: %s", _first_line(exc))


def _first_line(exc: SessionError) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
