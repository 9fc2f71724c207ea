"""Run the example: `python -m examples.flask_app [--port 5000]` from the repository root.

Serves http://127.0.0.1:PORT (loopback only) until interrupted; starts its own core
unless SESSION_CORE_TARGET names one (see examples/common/core.py).
"""

from __future__ import annotations

import argparse
import sys

from werkzeug.serving import make_server

from examples.common.core import find_or_start
from examples.common.serving import HOST, app_placeholder, serve_until_stopped
from examples.flask_app.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.flask_app")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    args = parser.parse_args()
    core = find_or_start()
    try:
        server = make_server(HOST, args.port, app_placeholder, threaded=True)
        origin = f"http://{HOST}:{server.server_port}"
        server.app = create_app(
            {
                "SESSION_CORE_TARGET": core.target,
                "SESSION_CORE_API_KEY": core.api_key,
                "SESSION_CORE_API_ORIGIN": origin,
                "SESSION_CORE_ALLOWED_ORIGINS": (f"http://localhost:{server.server_port}",),
            }
        )
        serve_until_stopped(server, origin)
    finally:
        core.stop()


if __name__ == "__main__":
    sys.exit(main())
