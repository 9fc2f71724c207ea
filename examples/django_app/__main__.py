"""Run the example: `python -m examples.django_app [--port 8000]` from the repository root.

Serves http://127.0.0.1:PORT (loopback only) until interrupted; starts its own core
unless SESSION_CORE_TARGET names one (see examples/common/core.py).
"""

from __future__ import annotations

import argparse
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from examples.common.core import find_or_start
from examples.common.serving import HOST, app_placeholder, serve_until_stopped
from examples.django_app.settings import project_settings


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """The standard library's WSGI server, one thread per request (no extra dependency)."""

    daemon_threads = True


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.django_app")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    args = parser.parse_args()
    core = find_or_start()
    try:
        server = make_server(HOST, args.port, app_placeholder, ThreadingWSGIServer)
        port = server.server_port
        origin = f"http://{HOST}:{port}"
        settings.configure(**project_settings(core.target, core.api_key, origin, port))
        django.setup()
        server.set_app(WSGIHandler())
        serve_until_stopped(server, origin)
    finally:
        core.stop()


if __name__ == "__main__":
    sys.exit(main())
