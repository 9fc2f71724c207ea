"""The `session-core` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core_server import credentials, logs
from core_server.app import Core, serve_until_signalled
from core_server.config import Config, from_settings, merge_sources, unknown_environment
from core_server.errors import ConfigError
from core_server.storage.errors import StorageError


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        sys.exit(2)
    logs.configure(args.log_level)
    try:
        config = _config(args)
        serve_until_signalled(config, _announce)
    except ConfigError as exc:
        sys.exit(f"session-core: configuration error: {exc}")
    except StorageError as exc:
        sys.exit(f"session-core: storage error: {exc}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="session-core", description="The session-core service.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser(
        "serve",
        help="run the gRPC server",
        description="Run the gRPC server. With no arguments: loopback only, the embedded "
        "SQLite store and secrets generated into the data directory on first start.",
    )
    serve.add_argument("--config", type=Path, help="a flat TOML settings file")
    serve.add_argument("--data-dir", type=Path, help="where zero-config secrets and SQLite live")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 7380; 0 picks one)")
    serve.add_argument("--storage", help="storage plugin name (default sqlite)")
    serve.add_argument("--storage-url", help="storage URL in the plugin's form")
    serve.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def _config(args: argparse.Namespace) -> Config:
    overrides = {
        "host": args.host,
        "port": args.port,
        "storage": args.storage,
        "storage_url": args.storage_url,
        "data_dir": args.data_dir,
    }
    for name in unknown_environment(os.environ):
        print(f"session-core: warning: ignoring {name}, which names no setting", file=sys.stderr)
    raw = merge_sources(args.config, os.environ, overrides)
    raw.setdefault("data_dir", credentials.default_data_dir())
    _fill_zero_config_secrets(raw)
    return from_settings(raw)


def _fill_zero_config_secrets(raw: dict[str, Any]) -> None:
    data_dir = Path(raw["data_dir"])
    for key, label, ensure in (
        ("api_keys", "api key", credentials.api_key),
        ("master_secrets", "master secret", credentials.master_secret),
    ):
        if raw.get(key):
            continue
        stored = ensure(data_dir)
        verb = "generated" if stored.created else "using"
        print(f"session-core: {verb} {label} in {stored.path}", flush=True)
        raw[key] = stored.value


def _announce(core: Core) -> None:
    print(f"session-core listening on {core.address}", flush=True)
