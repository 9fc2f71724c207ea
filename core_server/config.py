"""The core's configuration: one frozen, validated object built at the edge.

Sources, later ones winning: defaults, a flat TOML file, `SESSION_CORE_*` environment
variables, command-line flags (`core_server.config_sources` reads them). Nothing deeper
than the CLI reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core_server.domain.key_wrap import MasterSecret
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
        (
            # Each key must start signing before its successor is due (key_schedule).
            c.signing_key_rotation_seconds
            > 2 * (c.jwks_max_age_seconds + c.key_poll_interval_seconds),
            "signing_key_rotation_seconds",
            "must exceed 2 x (jwks_max_age_seconds + key_poll_interval_seconds)",
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
