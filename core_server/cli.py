"""The `session-core` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from core_server import credentials, logs, operator_cli, workers
from core_server.config import Config
from core_server.config_sources import from_settings, merge_sources, unknown_environment
from core_server.errors import ConfigError
from core_server.storage.errors import StorageError


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args, extras = parser.parse_known_args(argv)
    unknown = operator_cli.take_dashed_values(args, extras)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.print_help()
        sys.exit(2)
    logs.configure(args.log_level)
    try:
        config = _config(args)
        if args.command in operator_cli.COMMANDS:
            sys.exit(operator_cli.run(args, config))
        sys.exit(workers.serve(config))
    except (ConfigError, StorageError) as exc:
        sys.exit(workers.failure_message(exc))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="session-core", description="The session-core service.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser(
        "serve",
        help="run the gRPC server",
        description="Run the gRPC server. With no arguments: loopback only, the embedded "
        "SQLite store and secrets generated into the data directory on first start.",
    )
    _add_settings(serve)
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 7380; 0 picks one)")
    serve.add_argument("--workers", type=int, help="processes sharing the port (default 1)")
    serve.add_argument("--metrics-port", type=int, help="Prometheus metrics port (default 0: off)")
    operator_cli.add_commands(commands, _add_settings)
    return parser


def _add_settings(parser: argparse.ArgumentParser) -> None:
    """The options every command takes to find the deployment's settings and store."""
    parser.add_argument("--config", type=Path, help="a flat TOML settings file")
    parser.add_argument("--data-dir", type=Path, help="where zero-config secrets and SQLite live")
    parser.add_argument("--storage", help="storage plugin name (default sqlite)")
    parser.add_argument("--storage-url", help="storage URL in the plugin's form")
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )


def _config(args: argparse.Namespace) -> Config:
    overrides = {
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "workers": getattr(args, "workers", None),
        "metrics_port": getattr(args, "metrics_port", None),
        "storage": args.storage,
        "storage_url": args.storage_url,
        "data_dir": args.data_dir,
    }
    for name in unknown_environment(os.environ):
        print(f"session-core: warning: ignoring {name}, which names no setting", file=sys.stderr)
    raw = merge_sources(args.config, os.environ, overrides)
    raw.setdefault("data_dir", credentials.default_data_dir())
    if args.command == "serve":
        _fill_zero_config_secrets(raw, sys.stdout)
    else:
        operator_cli.fill_secrets(raw)
    return from_settings(raw)


def _fill_zero_config_secrets(raw: dict[str, Any], out: TextIO) -> None:
    data_dir = Path(raw["data_dir"])
    for key, label, ensure in (
        ("api_keys", "api key", credentials.api_key),
        ("master_secrets", "master secret", credentials.master_secret),
    ):
        if raw.get(key):
            continue
        stored = ensure(data_dir)
        verb = "generated" if stored.created else "using"
        print(f"session-core: {verb} {label} in {stored.path}", file=out, flush=True)
        raw[key] = stored.value
