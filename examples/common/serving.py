"""Serving an example app until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Protocol

HOST = "127.0.0.1"


class Server(Protocol):
    def serve_forever(self) -> None: ...

    def server_close(self) -> None: ...


def serve_until_stopped(server: Server, origin: str) -> None:
    """Announce the login page, serve until interrupted, then close the server."""
    signal.signal(signal.SIGTERM, _stop)
    print(f"example app on {origin}/login", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def app_placeholder(environ: object, start_response: object) -> object:
    """The WSGI app a server is made with before the real one can be built (it needs the port)."""
    raise RuntimeError("the app is set before serving starts")


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt
