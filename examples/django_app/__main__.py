"""Run the example: `python -m examples.django_app [--port 8000]` from the repository root.

Serves http://127.0.0.1:PORT (loopback only) until interrupted; starts its own core
unless SESSION_CORE_TARGET names one (see examples/common/core.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
from socketserver import ThreadingMixIn
from types import FrameType
from wsgiref.simple_server import WSGIServer, make_server

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from examples.common.core import find_or_start
from examples.django_app.settings import project_settings

HOST = "127.0.0.1"


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """The standard library's WSGI server, one thread per request (no extra dependency)."""

    daemon_threads = True


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.django_app")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    args = parser.parse_args()
    core = find_or_start()
    try:
        server = make_server(HOST, args.port, _app_placeholder, ThreadingWSGIServer)
        port = server.server_port
        origin = f"http://{HOST}:{port}"
        settings.configure(**project_settings(core.target, core.api_key, origin, port))
        django.setup()
        server.set_app(WSGIHandler())
        signal.signal(signal.SIGTERM, _stop)
        print(f"example app on {origin}/login", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        core.stop()


def _app_placeholder(environ: object, start_response: object) -> object:
    raise RuntimeError("the app is set before serving starts")


if __name__ == "__main__":
    sys.exit(main())
