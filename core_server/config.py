"""The core's configuration: one frozen, validated object built at the edge.

Sources, later ones winning: defaults, a flat TOML file, `SESSION_CORE_*` environment
variables, command-line flags. Nothing deeper than the CLI reads the environment.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core_server.domain.key_wrap import MasterSecret, parse_master_secret
from core_server.domain.signing_keys import ALGORITHMS
from core_server.errors import ConfigError

ENV_PREFIX = "SESSION_CORE_"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7380
DEFAULT_ACCESS_TOKEN_LIFETIME = 15 * 60
DEFAULT_LEEWAY = 30
DEFAULT_IDLE_LIFETIME = 14 * 24 * 3600
DEFAULT_ABSOLUTE_LIFETIME = 90 * 24 * 3600
DEFAULT_GRACE_WINDOW = 30
MAX_GRACE_WINDOW = 300
DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
DEFAULT_DEADLINE = 10.0
DEFAULT_SWEEP_INTERVAL = 60.0
# Keeps an access-token cookie well under the 4 KiB browsers accept.
DEFAULT_MAX_CLAIMS_BYTES = 2048
DEFAULT_MAX_SESSION_DATA_BYTES = 64 * 1024
MIN_API_KEY_LENGTH = 16


@dataclass(frozen=True)
class Config:
    """Every setting of a core process, validated when built."""

    api_keys: tuple[str, ...]
    master_secrets: tuple[MasterSecret, ...]
    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    storage: str = "sqlite"
    storage_url: str = ""
    issuer: str = "session-core"
    audience: str = "session-core"
    signing_algorithm: str = "RS256"
    access_token_lifetime_seconds: int = DEFAULT_ACCESS_TOKEN_LIFETIME
    leeway_seconds: int = DEFAULT_LEEWAY
    idle_lifetime_seconds: int = DEFAULT_IDLE_LIFETIME
    absolute_lifetime_seconds: int = DEFAULT_ABSOLUTE_LIFETIME
    grace_window_seconds: float = DEFAULT_GRACE_WINDOW
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    default_deadline_seconds: float = DEFAULT_DEADLINE
    sweep_interval_seconds: float = DEFAULT_SWEEP_INTERVAL
    max_claims_bytes: int = DEFAULT_MAX_CLAIMS_BYTES
    max_session_data_bytes: int = DEFAULT_MAX_SESSION_DATA_BYTES
    tls_cert_file: str = ""
    tls_key_file: str = ""
    tls_client_ca_file: str = ""
    threads: int = 16

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def effective_storage_url(self) -> str:
        return self.storage_url or f"sqlite:///{self.data_dir / 'sessions.sqlite3'}"


def _validate(c: Config) -> None:
    checks: list[tuple[bool, str, str]] = [
        (bool(c.api_keys), "api_keys", "at least one API key is required"),
        (
            all(len(k) >= MIN_API_KEY_LENGTH for k in c.api_keys),
            "api_keys",
            f"every API key needs at least {MIN_API_KEY_LENGTH} characters",
        ),
        (bool(c.master_secrets), "master_secrets", "at least one master secret is required"),
        (0 <= c.port <= 65535, "port", "must be 0-65535"),
        (c.signing_algorithm in ALGORITHMS, "signing_algorithm", f"one of {ALGORITHMS}"),
        (c.access_token_lifetime_seconds >= 1, "access_token_lifetime_seconds", "must be >= 1"),
        (0 <= c.leeway_seconds <= 300, "leeway_seconds", "must be 0-300"),
        (c.idle_lifetime_seconds >= 1, "idle_lifetime_seconds", "must be >= 1"),
        (c.absolute_lifetime_seconds >= 1, "absolute_lifetime_seconds", "must be >= 1"),
        (
            0 <= c.grace_window_seconds <= MAX_GRACE_WINDOW,
            "grace_window_seconds",
            f"must be 0-{MAX_GRACE_WINDOW}",
        ),
        (c.max_message_bytes >= 64 * 1024, "max_message_bytes", "must be >= 65536"),
        (c.default_deadline_seconds > 0, "default_deadline_seconds", "must be > 0"),
        (c.sweep_interval_seconds > 0, "sweep_interval_seconds", "must be > 0"),
        (256 <= c.max_claims_bytes <= 8192, "max_claims_bytes", "must be 256-8192"),
        (c.max_session_data_bytes >= 1024, "max_session_data_bytes", "must be >= 1024"),
        (1 <= c.threads <= 1024, "threads", "must be 1-1024"),
        (bool(c.issuer) and bool(c.audience), "issuer", "issuer and audience must be non-empty"),
        (
            bool(c.tls_cert_file) == bool(c.tls_key_file),
            "tls_cert_file",
            "tls_cert_file and tls_key_file go together",
        ),
        (
            not c.tls_client_ca_file or bool(c.tls_cert_file),
            "tls_client_ca_file",
            "client certificates (mTLS) need tls_cert_file and tls_key_file",
        ),
    ]
    for ok, key, message in checks:
        if not ok:
            raise ConfigError(key, message)
    if len({m.key_id for m in c.master_secrets}) != len(c.master_secrets):
        raise ConfigError("master_secrets", "master secret ids must be unique")


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}
_LIST_FIELDS = {"api_keys", "master_secrets"}


def merge_sources(
    file: Path | None, env: Mapping[str, str], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """Settings from a flat TOML file, then `SESSION_CORE_*` variables, then overrides."""
    raw: dict[str, Any] = {}
    if file is not None:
        raw.update(_read_toml(file))
    raw.update(_from_env(env))
    raw.update({k: v for k, v in overrides.items() if v is not None})
    return raw


def from_settings(raw: Mapping[str, Any]) -> Config:
    """Build a validated `Config` from merged settings.

    Raises `ConfigError` naming the offending key: unknown keys, wrong types and
    out-of-range values all fail here, at start, never later.
    """
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise ConfigError(unknown[0], f"unknown setting; known: {', '.join(sorted(_FIELDS))}")
    return Config(**{key: _coerce(key, value) for key, value in raw.items()})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError("config", f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{path} is not valid TOML: {exc}") from exc


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    return {
        name[len(ENV_PREFIX) :].lower(): value
        for name, value in env.items()
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() in _FIELDS
    }


def _coerce(key: str, value: Any) -> Any:
    if key in _LIST_FIELDS:
        items = value.split(",") if isinstance(value, str) else list(value)
        items = [str(item).strip() for item in items if str(item).strip()]
        if key == "master_secrets":
            return tuple(_parse_secret(item) for item in items)
        return tuple(items)
    target = _FIELDS[key].type
    try:
        if target == "Path":
            return Path(value)
        if target == "int" and not isinstance(value, bool):
            return int(value)
        if target == "float" and not isinstance(value, bool):
            return float(value)
        if target == "str":
            return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(key, f"expected {target}, got {value!r}") from exc
    raise ConfigError(key, f"expected {target}, got {value!r}")


def _parse_secret(text: str) -> MasterSecret:
    try:
        return parse_master_secret(text)
    except ValueError as exc:
        # The message never repeats the value: it is a secret.
        raise ConfigError("master_secrets", "expected ID:BASE64URL of 32+ bytes") from exc
