"""Binding the waitress server before the app exists, so port 0 works.

The app's API origin defaults to the address actually bound, which is only known after
binding; the server therefore starts with a placeholder app that answers 503 and is
given the gateway before it serves its first request.

Request bodies are capped at MAX_REQUEST_BODY_BYTES (waitress's default is 1 GiB): no
gateway endpoint reads a body, so a larger one is answered 413 by waitress itself,
before it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import waitress

StartResponse = Callable[..., Any]
MAX_REQUEST_BODY_BYTES = 64 * 1024


def _not_ready(_environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def bind(host: str, port: int, threads: int) -> Any:
    """A waitress server bound to host:port (0: a free port), not yet serving.

    Raises OSError when the address cannot be bound (in use, not local, privileged) and
    ValueError when `host` is not an address and does not resolve.
    """
    # Waitress logs the queue depth and similar, never request data: no token reaches it.
    return waitress.create_server(
        _not_ready,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_REQUEST_BODY_BYTES,
    )


def format_url(host: str, port: int) -> str:
    """http://host:port, with an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
