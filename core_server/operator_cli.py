"""The operator's commands: act on the store a deployment's core processes share.

    session-core sessions list --user USER        live sessions of one user
    session-core sessions revoke HANDLE... | --user USER
    session-core keys list                        every key's id and schedule (no secrets)
    session-core keys rotate                      schedule the next signing key
    session-core keys revoke KID                  emergency: retire a compromised key
    session-core secrets rotate                   re-wrap under the first master secret,
                                                  new k_mac / k_rt / k_csrf for new sessions
    session-core migrate                          create or upgrade the storage schema

They take the same settings as `serve` (file, environment, flags) and open the store
directly, so they work while every core is down. Running cores see a change within
one key poll (`key_poll_interval_seconds`); drivers within one feed poll. Output is a
table, or one JSON object per line with `--json`. No command prints a secret.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core_server import credentials
from core_server.config import Config
from core_server.deployment import Deployment, open_deployment
from core_server.domain import key_schedule
from core_server.domain.models import KeyKind, SessionRecord, StoredKey
from core_server.errors import ConfigError, InvalidArgument
from core_server.storage.registry import open_store

COMMANDS = ("sessions", "keys", "secrets", "migrate")
LIST_PAGE_SIZE = 100


def add_commands(commands: Any, add_settings: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the operator commands to the `session-core` parser's subparsers."""
    sessions = _group(commands, "sessions", "list or revoke sessions")
    listing = _command(sessions, "list", "list a user's live sessions", add_settings)
    listing.add_argument("--user", required=True, help="the user id")
    revoke = _command(sessions, "revoke", "revoke sessions by handle or user", add_settings)
    revoke.add_argument("handles", nargs="*", metavar="HANDLE")
    revoke.add_argument("--user", help="revoke every session of this user instead")
    keys = _group(commands, "keys", "list, rotate or revoke signing keys")
    _command(keys, "list", "every key's id, kind and schedule (never a secret)", add_settings)
    _command(
        keys, "rotate", "publish the next signing key now; it signs one lead later", add_settings
    )
    revoke_key = _command(
        keys, "revoke", "emergency: retire a compromised signing key", add_settings
    )
    revoke_key.add_argument("kid", nargs="?", help="the key id (see `keys list`)")
    secrets = _group(commands, "secrets", "rotate secrets at rest")
    _command(
        secrets,
        "rotate",
        "re-wrap under the first master secret; new refresh, MAC and "
        "anti-CSRF keys for new sessions",
        add_settings,
    )
    _command(commands, "migrate", "create or upgrade the storage schema", add_settings)


def take_dashed_values(args: argparse.Namespace, extras: list[str]) -> list[str]:
    """Give handles and key ids that start with "-" (base64url allows it) to their command.

    argparse reads such a value as an unknown option and leaves it in `extras`; for
    `sessions revoke` and `keys revoke` a single-dash extra is a value. Returns the
    extras that are still unrecognised.
    """
    dashed = [extra for extra in extras if extra.startswith("-") and not extra.startswith("--")]
    rest = [extra for extra in extras if extra not in dashed]
    target = (getattr(args, "command", None), getattr(args, "action", None))
    if target == ("sessions", "revoke"):
        args.handles = [*args.handles, *dashed]
        return rest
    if target == ("keys", "revoke") and args.kid is None and len(dashed) == 1:
        args.kid = dashed[0]
        return rest
    return extras


def fill_secrets(raw: dict[str, Any]) -> None:
    """Complete settings for an operator command; unlike `serve`, generate nothing.

    The master secret comes from the settings or from the data directory a core
    generated it in; without either, the command is pointed at no deployment and stops.
    Operator commands serve no RPC, so the API key only has to satisfy validation.
    """
    if not raw.get("master_secrets"):
        stored = credentials.existing_master_secret(Path(raw["data_dir"]))
        if stored is None:
            raise ConfigError(
                "master_secrets",
                f"none configured and none in {raw['data_dir']}: pass the deployment's "
                "--config (or --data-dir, or SESSION_CORE_MASTER_SECRETS)",
            )
        raw["master_secrets"] = stored
    raw.setdefault("api_keys", secrets.token_urlsafe(24))


def run(args: argparse.Namespace, config: Config) -> int:
    """Run the operator command in `args`; returns the exit status."""
    if args.command == "migrate":
        open_store(config.storage, config.effective_storage_url).close()
        _say(args, {"migrated": config.storage})
        return 0
    deployment = open_deployment(config, serving=False)
    try:
        return _ACTIONS[(args.command, args.action)](args, deployment)
    except InvalidArgument as exc:
        # A malformed handle or user id: say which argument and why, not a traceback.
        print(f"session-core: invalid argument: {exc}", file=sys.stderr)
        return 2
    finally:
        deployment.close()


def _list_sessions(args: argparse.Namespace, deployment: Deployment) -> int:
    token = ""
    while True:
        page = deployment.service.list_user_sessions(args.user, LIST_PAGE_SIZE, token)
        for record in page.sessions:
            _say(args, _session_view(record))
        token = page.next_page_token
        if not token:
            return 0


def _revoke_sessions(args: argparse.Namespace, deployment: Deployment) -> int:
    if bool(args.user) == bool(args.handles):
        print("session-core: give either session handles or --user", file=sys.stderr)
        return 2
    service = deployment.service
    if args.user:
        revoked = service.revoke_user_sessions(args.user, "")
    else:
        revoked = service.revoke_sessions(list(args.handles))
    for handle in revoked:
        _say(args, {"revoked": handle})
    return 0


def _list_keys(args: argparse.Namespace, deployment: Deployment) -> int:
    keyring = deployment.keys.keyring
    now = deployment.keys.refreshed_at
    signer = key_schedule.signer(keyring.rows, now)
    for row in sorted(keyring.rows, key=lambda r: (r.kind.value, r.number)):
        if row.kind is not KeyKind.KEY_ENCRYPTION:
            _say(args, _key_view(row, now, signer))
    return 0


def _rotate_key(args: argparse.Namespace, deployment: Deployment) -> int:
    row = deployment.operations.rotate_signing_key()
    _say(args, {"next_kid": row.key_id, "published": True, "sign_from": _time(row.sign_from)})
    return 0


def _revoke_key(args: argparse.Namespace, deployment: Deployment) -> int:
    if not args.kid:
        print("session-core: give the key id to revoke (see `keys list`)", file=sys.stderr)
        return 2
    revoked = deployment.operations.revoke_signing_key(args.kid)
    if revoked is None:
        print(f"session-core: no signing key has id {_short(args.kid)}", file=sys.stderr)
        return 1
    row, newly = revoked
    # `newly_revoked` false: it was revoked before; the first time is kept.
    _say(
        args,
        {"revoked_kid": row.key_id, "revoked_at": _time(row.revoked_at), "newly_revoked": newly},
    )
    return 0


def _rotate_secrets(args: argparse.Namespace, deployment: Deployment) -> int:
    rewrapped = deployment.operations.rewrap()
    created = deployment.operations.rotate_secrets()
    _say(args, {"rewrapped": rewrapped, "new_secret_kids": [row.key_id for row in created]})
    return 0


_ACTIONS: dict[tuple[str, str], Callable[[argparse.Namespace, Deployment], int]] = {
    ("sessions", "list"): _list_sessions,
    ("sessions", "revoke"): _revoke_sessions,
    ("keys", "list"): _list_keys,
    ("keys", "rotate"): _rotate_key,
    ("keys", "revoke"): _revoke_key,
    ("secrets", "rotate"): _rotate_secrets,
}


def _session_view(record: SessionRecord) -> dict[str, Any]:
    return {
        "handle": record.handle,
        "user_id": record.user_id,
        "created_at": _time(record.created_at),
        "last_refreshed_at": _time(record.last_refreshed_at),
        "expires_at": _time(record.expires_at),
        "user_agent": record.client.user_agent,
        "ip_address": record.client.ip_address,
    }


def _key_view(row: StoredKey, now: float, signer: StoredKey | None) -> dict[str, Any]:
    view: dict[str, Any] = {"kid": row.key_id, "kind": row.kind.value, "slot": row.slot}
    if row.kind is KeyKind.SIGNING:
        view.update(
            algorithm=row.algorithm,
            state=_state(row, now, signer),
            sign_from=_time(row.sign_from),
            sign_until=_time(row.sign_until),
            verify_until=_time(row.verify_until),
            delete_at=_time(row.delete_at),
            revoked_at=_time(row.revoked_at),
        )
    else:
        view["created_at"] = _time(row.created_at)
    return view


def _state(row: StoredKey, now: float, signer: StoredKey | None) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if signer is not None and row.key_id == signer.key_id:
        return "signing"
    if (row.sign_from or 0) > now:
        return "published"
    return "verifying" if now < (row.verify_until or 0) else "expired"


def _time(value: float | None) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")


def _say(args: argparse.Namespace, fields: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps(fields, sort_keys=True), flush=True)
    else:
        print("  ".join(f"{k}={_text(v)}" for k, v in fields.items()), flush=True)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_text(item) for item in value) or "-"
    if value is None:
        return "-"
    text = str(value)
    # Client-supplied values (user agents, ids) are quoted and escaped when they hold
    # spaces or control characters, so they can neither forge a row nor drive the
    # operator's terminal.
    if not text or not text.isprintable() or " " in text or '"' in text:
        return json.dumps(text)
    return text


def _short(value: str, limit: int = 80) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _group(commands: Any, name: str, help_text: str) -> Any:
    parser = commands.add_parser(name, help=help_text, description=help_text)
    return parser.add_subparsers(dest="action", required=True)


def _command(
    commands: Any,
    name: str,
    help_text: str,
    add_settings: Callable[[argparse.ArgumentParser], None],
) -> argparse.ArgumentParser:
    # No "-h": handles and key ids are base64url and may start with "-h" (see
    # `take_dashed_values`); "--help" still works.
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help_text, description=help_text, add_help=False
    )
    parser.add_argument("--help", action="help", help="show this help message and exit")
    add_settings(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser
