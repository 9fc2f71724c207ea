"""The core's configuration: one frozen, validated object built at the edge.

Sources, later ones winning: defaults, a flat TOML file, `SESSION_CORE_*` environment
variables, command-line flags. Nothing deeper than the CLI reads the environment.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core_server.domain.key_wrap import MasterSecret, parse_master_secret
from core_server.domain.signing_keys import ALGORITHMS
from core_server.errors import ConfigError
from core_server.validation import MAX_ABSOLUTE_LIFETIME_SECONDS

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
DEFAULT_FEED_OVERLAP = 10.0
# Far above any sane write time; a larger overlap only re-sends more entries per poll.
MAX_FEED_OVERLAP = 120.0
# Twice the longest a store may take to write a feed entry (PostgreSQL bounds it at 1 s):
# readers re-read this window, so no entry may commit later than that after its time.
MIN_FEED_OVERLAP = 2.0
# Keeps an access-token cookie well under the 4 KiB browsers accept.
DEFAULT_MAX_CLAIMS_BYTES = 2048
DEFAULT_MAX_SESSION_DATA_BYTES = 64 * 1024
MIN_API_KEY_LENGTH = 16
MAX_ACCESS_TOKEN_LIFETIME = 24 * 3600
MAX_SESSION_LIFETIME = MAX_ABSOLUTE_LIFETIME_SECONDS
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEADLINE = 3600.0
MAX_SWEEP_INTERVAL = 24 * 3600.0
DEFAULT_KEY_ROTATION = 7 * 24 * 3600.0
MAX_KEY_ROTATION = 365 * 24 * 3600.0
# How long verifiers may cache the JWKS; also how long a new key is published before it
# signs, so no verifier with a cached JWKS meets a token from a key it has not seen.
DEFAULT_JWKS_MAX_AGE = 300
MAX_JWKS_MAX_AGE = 24 * 3600
DEFAULT_KEY_POLL_INTERVAL = 0.5
# Metrics and workers (docs/operations.md): metrics_port 0 serves no metrics endpoint.
DEFAULT_METRICS_HOST = "127.0.0.1"
METRICS_DISABLED = 0
MAX_WORKERS = 64


@dataclass(frozen=True)
class Config:
    """Every setting of a core process, validated when built."""

    api_keys: tuple[str, ...] = field(repr=False)
    master_secrets: tuple[MasterSecret, ...] = field(repr=False)
    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    storage: str = "sqlite"
    storage_url: str = field(default="", repr=False)  # may hold a database password
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
    feed_overlap_seconds: float = DEFAULT_FEED_OVERLAP
    max_claims_bytes: int = DEFAULT_MAX_CLAIMS_BYTES
    max_session_data_bytes: int = DEFAULT_MAX_SESSION_DATA_BYTES
    tls_cert_file: str = ""
    tls_key_file: str = ""
    tls_client_ca_file: str = ""
    threads: int = 16
    signing_key_rotation_seconds: float = DEFAULT_KEY_ROTATION
    jwks_max_age_seconds: int = DEFAULT_JWKS_MAX_AGE
    key_poll_interval_seconds: float = DEFAULT_KEY_POLL_INTERVAL
    metrics_host: str = DEFAULT_METRICS_HOST
    metrics_port: int = METRICS_DISABLED
    workers: int = 1

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def session_feed_retention_seconds(self) -> int:
        """How long a session's revocation-feed entry is kept after the revocation.

        No access token of a revoked session verifies longer than its lifetime plus the
        leeway after the revocation, so the entry protects nothing past that.
        """
        return self.access_token_lifetime_seconds + self.leeway_seconds

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
        (
            1 <= c.access_token_lifetime_seconds <= MAX_ACCESS_TOKEN_LIFETIME,
            "access_token_lifetime_seconds",
            f"must be 1-{MAX_ACCESS_TOKEN_LIFETIME}",
        ),
        (0 <= c.leeway_seconds <= 300, "leeway_seconds", "must be 0-300"),
        (
            1 <= c.idle_lifetime_seconds <= MAX_SESSION_LIFETIME,
            "idle_lifetime_seconds",
            f"must be 1-{MAX_SESSION_LIFETIME}",
        ),
        (
            1 <= c.absolute_lifetime_seconds <= MAX_SESSION_LIFETIME,
            "absolute_lifetime_seconds",
            f"must be 1-{MAX_SESSION_LIFETIME}",
        ),
        (
            0 <= c.grace_window_seconds <= MAX_GRACE_WINDOW,
            "grace_window_seconds",
            f"must be 0-{MAX_GRACE_WINDOW}",
        ),
        (
            64 * 1024 <= c.max_message_bytes <= MAX_MESSAGE_BYTES,
            "max_message_bytes",
            f"must be 65536-{MAX_MESSAGE_BYTES}",
        ),
        (
            0 < c.default_deadline_seconds <= MAX_DEADLINE,
            "default_deadline_seconds",
            f"must be > 0 and <= {MAX_DEADLINE:g}",
        ),
        (
            0 < c.sweep_interval_seconds <= MAX_SWEEP_INTERVAL,
            "sweep_interval_seconds",
            f"must be > 0 and <= {MAX_SWEEP_INTERVAL:g}",
        ),
        (
            MIN_FEED_OVERLAP <= c.feed_overlap_seconds <= MAX_FEED_OVERLAP,
            "feed_overlap_seconds",
            f"must be {MIN_FEED_OVERLAP:g}-{MAX_FEED_OVERLAP:g}",
        ),
        (256 <= c.max_claims_bytes <= 8192, "max_claims_bytes", "must be 256-8192"),
        (
            1024 <= c.max_session_data_bytes <= c.max_message_bytes // 4,
            "max_session_data_bytes",
            "must be at least 1024 and at most a quarter of max_message_bytes",
        ),
        (1 <= c.threads <= 1024, "threads", "must be 1-1024"),
        (
            1 <= c.jwks_max_age_seconds <= MAX_JWKS_MAX_AGE,
            "jwks_max_age_seconds",
            f"must be 1-{MAX_JWKS_MAX_AGE}",
        ),
        (
            3 * c.jwks_max_age_seconds <= c.signing_key_rotation_seconds <= MAX_KEY_ROTATION,
            "signing_key_rotation_seconds",
            f"must be at least 3 x jwks_max_age_seconds and at most {MAX_KEY_ROTATION:g}",
        ),
        (
            0.05 <= c.key_poll_interval_seconds <= 60,
            "key_poll_interval_seconds",
            "must be 0.05-60",
        ),
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
        (0 <= c.metrics_port <= 65535, "metrics_port", "must be 0-65535 (0: no metrics)"),
        (
            c.metrics_port == METRICS_DISABLED or c.metrics_port != c.port,
            "metrics_port",
            "must differ from port",
        ),
        (bool(c.metrics_host), "metrics_host", "must be non-empty"),
        (1 <= c.workers <= MAX_WORKERS, "workers", f"must be 1-{MAX_WORKERS}"),
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
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("config", f"{path} is not valid UTF-8 TOML: {exc}") from exc


# Read by clients such as examples/quickstart.py, not by the server.
CLIENT_ENVIRONMENT = frozenset({"SESSION_CORE_TARGET"})


def unknown_environment(env: Mapping[str, str]) -> list[str]:
    """`SESSION_CORE_*` variables that name no setting: most likely typos."""
    return sorted(
        name
        for name in env
        if name.startswith(ENV_PREFIX)
        and name[len(ENV_PREFIX) :].lower() not in _FIELDS
        and name not in CLIENT_ENVIRONMENT
    )


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    return {
        name[len(ENV_PREFIX) :].lower(): value
        for name, value in env.items()
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() in _FIELDS
    }


def _coerce(key: str, value: Any) -> Any:
    """Convert one raw setting (TOML value or environment string) to its field's type."""
    if key in _LIST_FIELDS:
        items = _string_list(key, value)
        if key == "master_secrets":
            return tuple(_parse_secret(item) for item in items)
        return tuple(items)
    target = _FIELDS[key].type
    if isinstance(value, bool) or not isinstance(value, str | int | float | Path):
        raise ConfigError(key, f"expected {target}, got {_short(value)}")
    try:
        converted = _CONVERTERS[str(target)](value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConfigError(key, f"expected {target}, got {_short(value)}") from exc
    return converted


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _string_list(key: str, value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(key, "expected a list of strings (or one comma-separated string)")
    return [item.strip() for item in items if item.strip()]


def _to_int(value: str | int | float | Path) -> int:
    if isinstance(value, int):
        return value
    # 7390.7 is not a port: refuse fractions rather than silently truncating them.
    number = float(str(value))
    if not number.is_integer():
        raise ValueError("not a whole number")
    return int(number)


def _to_float(value: str | int | float | Path) -> float:
    number = float(str(value))
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def _to_path(value: str | int | float | Path) -> Path:
    if not isinstance(value, str | Path) or not str(value):
        raise ValueError("not a path")
    # Resolved once here, so the data directory does not move with the working directory.
    return Path(value).expanduser().resolve()


def _to_str(value: str | int | float | Path) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


_CONVERTERS = {"int": _to_int, "float": _to_float, "Path": _to_path, "str": _to_str}


def _parse_secret(text: str) -> MasterSecret:
    try:
        return parse_master_secret(text)
    except ValueError as exc:
        # The message never repeats the value: it is a secret.
        raise ConfigError("master_secrets", "expected ID:BASE64URL of 32+ bytes") from exc
