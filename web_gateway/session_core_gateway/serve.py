"""Binding the waitress server before the app exists, so port 0 works.

The app's API origin defaults to the address actually bound, which is only known after
binding; the server therefore starts with a placeholder app that answers 503 and is
given the gateway before it serves its first request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import waitress

StartResponse = Callable[..., Any]


def _not_ready(_environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def bind(host: str, port: int, threads: int) -> Any:
    """A waitress server bound to host:port (0: a free port), not yet serving."""
    # Waitress logs the queue depth and similar, never request data: no token reaches it.
    return waitress.create_server(_not_ready, host=host, port=port, threads=threads)


def format_url(host: str, port: int) -> str:
    """http://host:port, with an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
