"""The deadline of the call being served, so storage can bound its waits.

The RPC layer sets it per call (the client's deadline, or the server's default when
the client sent none); stores read `remaining()` to size lock and statement
timeouts, so a call never waits on the database longer than it may live.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

# Used outside any call (start-up, the sweeper): long enough for any single statement.
DEFAULT_BUDGET_SECONDS = 30.0
# A time left beyond this is how gRPC reports a call that carries no deadline.
NO_DEADLINE_SECONDS = 365 * 24 * 3600.0

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "session_core_deadline", default=None
)


@contextlib.contextmanager
def deadline_in(seconds: float) -> Iterator[None]:
    """Run the block with a deadline `seconds` from now (monotonic clock)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float:
    """Seconds left before the current deadline (never negative)."""
    deadline = _deadline.get()
    if deadline is None:
        return DEFAULT_BUDGET_SECONDS
    return max(0.0, deadline - time.monotonic())


def expired() -> bool:
    """True when the current call's deadline has passed."""
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline
