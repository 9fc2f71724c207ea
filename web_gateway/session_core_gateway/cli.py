"""`session-core-gateway`: serve the gateway with waitress.

Settings come from SESSION_CORE_* environment variables, and flags override them. The
API key is read from SESSION_CORE_API_KEY, from `--api-key-file PATH`, or else from the
key file a zero-config core writes in the user's data directory; never from a flag's
value, which any local user could read in the process list.

Exit codes: 0 after SIGTERM / SIGINT, 2 for a configuration error: a bad setting, a
--port outside 0-65535, --threads below 1, a --host that is not an address or does not
resolve, or an address already in use (one line saying what to change; no traceback).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from session_core_driver.web import WebConfigError
from session_core_gateway.app import create_gateway
from session_core_gateway.keys import API_KEY_VARIABLE, MissingApiKey, read_api_key
from session_core_gateway.serve import bind, format_url

ENV_PREFIX = "SESSION_CORE_"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7390
DEFAULT_CORE = "127.0.0.1:7380"
DEFAULT_THREADS = 8
MAX_PORT = 65535
CONFIG_ERROR = 2


class ServerFlagError(Exception):
    """--host, --port or --threads cannot be served with; the message says why."""


# flag destination -> the SESSION_CORE_* key it sets
FLAG_KEYS = {
    "core": "TARGET",
    "api_origin": "API_ORIGIN",
    "website_origin": "WEBSITE_ORIGIN",
    "allowed_origin": "ALLOWED_ORIGINS",
    "cookie_domain": "COOKIE_DOMAIN",
    "transport": "TRANSPORT",
    "anti_csrf": "ANTI_CSRF",
    "refresh_path": "REFRESH_PATH",
    "signout_path": "SIGNOUT_PATH",
    "trusted_proxies": "GATEWAY_TRUSTED_PROXIES",
    "refresh_limit": "GATEWAY_REFRESH_LIMIT",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="session-core-gateway",
        description="Serve session-core's refresh and sign-out endpoints, JWKS, health "
        "and session.js. Every SESSION_CORE_* environment variable applies; flags win.",
    )
    p.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default %(default)s)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    p.add_argument("--core", help=f"the core's gRPC address (default {DEFAULT_CORE})")
    p.add_argument(
        "--api-key-file", type=Path, help=f"file holding the API key (or {API_KEY_VARIABLE})"
    )
    p.add_argument("--api-origin", help="origin the gateway is reached at (default: as bound)")
    p.add_argument("--website-origin", help="the pages' origin, when it differs")
    p.add_argument("--allowed-origin", action="append", help="another origin (repeatable)")
    p.add_argument("--cookie-domain", help="cookie Domain (default: host-only cookies)")
    p.add_argument("--transport", choices=("cookie", "header"))
    p.add_argument("--anti-csrf", choices=("token", "custom_header", "none"))
    p.add_argument("--refresh-path")
    p.add_argument("--signout-path")
    p.add_argument("--trusted-proxies", type=int, help="proxies that set X-Forwarded-For")
    p.add_argument("--refresh-limit", help='refreshes per client, e.g. "60 per minute"')
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="waitress threads")
    return p


def build_config(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    """SESSION_CORE_* settings from `environ`, overridden by the flags that were given."""
    config: dict[str, Any] = {k: v for k, v in environ.items() if k.startswith(ENV_PREFIX)}
    config.setdefault(ENV_PREFIX + "TARGET", DEFAULT_CORE)
    for dest, key in FLAG_KEYS.items():
        value = getattr(args, dest)
        if value is not None:
            config[ENV_PREFIX + key] = tuple(value) if isinstance(value, list) else value
    config[ENV_PREFIX + "API_KEY"] = read_api_key(args.api_key_file, environ)
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        check_server_flags(args)
        config = build_config(args, os.environ)
        server = bind_server(args.host, args.port, args.threads)
    except (MissingApiKey, WebConfigError, ServerFlagError) as exc:
        return _config_error(exc)
    url = format_url(server.effective_host, server.effective_port)
    config.setdefault(ENV_PREFIX + "API_ORIGIN", url)
    try:
        server.application = create_gateway(config)
    except WebConfigError as exc:
        server.close()
        return _config_error(exc)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)
    print(f"session-core gateway listening on {url}", flush=True)
    server.run()  # waitress closes its sockets and threads on SystemExit
    return 0


def check_server_flags(args: argparse.Namespace) -> None:
    """Refuse a port waitress would wrap around (99999 binds 34463) and no threads."""
    if not 0 <= args.port <= MAX_PORT:
        raise ServerFlagError(f"--port {args.port}: use 0 to {MAX_PORT} (0 picks a free port)")
    if args.threads < 1:
        raise ServerFlagError(f"--threads {args.threads}: use at least 1")


def bind_server(host: str, port: int, threads: int) -> Any:
    """`bind`, its errors as ServerFlagError (one line, no traceback)."""
    where = format_url(host, port).removeprefix("http://")
    try:
        return bind(host, port, threads)
    except ValueError as exc:  # waitress: getaddrinfo found nothing for host
        raise ServerFlagError(
            f"--host {host!r} is not an IP address or a host name that resolves"
        ) from exc
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = "the address is in use: stop what listens there, or pick another --port"
        elif exc.errno == errno.EADDRNOTAVAIL:
            reason = "the address is not one of this machine's: pick another --host"
        else:
            reason = exc.strerror or str(exc)
        raise ServerFlagError(f"cannot listen on {where}: {reason}") from exc


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _config_error(exc: Exception) -> int:
    print(f"session-core-gateway: {exc}", file=sys.stderr, flush=True)
    return CONFIG_ERROR
