"""The store URL: a libpq connection URL plus our pool parameters.

Form: `postgresql://USER:PASSWORD@HOST:PORT/DATABASE?pool_max=10&pool_timeout=5`
(`postgres://` too). Our own parameters are removed before the rest goes to libpq:

    pool_min      connections opened at start (default 1; 0 to pool_max)
    pool_max      connections at most, per process (default 10; 1 to 1000)
    pool_timeout  seconds a call waits for a free connection (default 5; 0.01 to 300,
                  never beyond the call's deadline)

Any other `pool_*` parameter is rejected; every libpq parameter (`sslmode`,
`connect_timeout`, `application_name`, `target_session_attrs`, ...) passes through.
Errors are `ValueError`s whose messages never quote the URL, which holds the password;
libpq's complaints are passed through `Redactor` (see `_errors`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import psycopg2
import psycopg2.extensions

from session_core_postgres._errors import Redactor, translate_connect_errors

SCHEMES = ("postgresql", "postgres")
POOL_PARAMS = ("pool_max", "pool_min", "pool_timeout")
DEFAULT_POOL_MIN = 1
DEFAULT_POOL_MAX = 10
DEFAULT_POOL_TIMEOUT = 5.0
MAX_POOL_SIZE = 1000
MIN_POOL_TIMEOUT = 0.01
MAX_POOL_TIMEOUT = 300.0


@dataclass(frozen=True)
class PostgresUrl:
    """A parsed store URL: the libpq DSN without our parameters, and the pool settings."""

    dsn: str
    password: str = field(repr=False)
    redact: Redactor = field(repr=False, compare=False)
    pool_min: int = DEFAULT_POOL_MIN
    pool_max: int = DEFAULT_POOL_MAX
    pool_timeout: float = DEFAULT_POOL_TIMEOUT
    libpq_params: frozenset[str] = frozenset()


def parse_url(url: str) -> PostgresUrl:
    """Split a `postgresql://` URL into a libpq DSN and the pool settings."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError("expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE[?PARAMS]")
    ours: dict[str, str] = {}
    libpq: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if not key.startswith("pool_"):
            libpq.append((key, value))
        elif key not in POOL_PARAMS:
            raise ValueError(f"unknown parameter {key!r} (known: {', '.join(POOL_PARAMS)})")
        elif key in ours:
            raise ValueError(f"parameter {key!r} is given twice")
        else:
            ours[key] = value
    # quote, not quote_plus: libpq does not read "+" as a space.
    dsn = urlunsplit(parts._replace(query=urlencode(libpq, quote_via=quote)))
    password = unquote(parts.password or "")
    redact = Redactor(url, password)
    with translate_connect_errors(redact):
        # Let libpq reject unknown or malformed parameters now, as a configuration error.
        psycopg2.extensions.parse_dsn(dsn)
    pool_min = _integer(ours, "pool_min", DEFAULT_POOL_MIN)
    pool_max = _integer(ours, "pool_max", DEFAULT_POOL_MAX)
    if not 1 <= pool_max <= MAX_POOL_SIZE or not 0 <= pool_min <= pool_max:
        raise ValueError(
            f"pool_max must be between 1 and {MAX_POOL_SIZE} and pool_min between 0 and pool_max"
        )
    return PostgresUrl(
        dsn=dsn,
        password=password,
        redact=redact,
        pool_min=pool_min,
        pool_max=pool_max,
        pool_timeout=_pool_timeout(ours),
        libpq_params=frozenset(key for key, _ in libpq),
    )


def _integer(params: dict[str, str], key: str, default: int) -> int:
    try:
        return int(params.get(key, default))
    except ValueError:
        raise ValueError(f"{key} must be an integer") from None


def _pool_timeout(params: dict[str, str]) -> float:
    try:
        value = float(params.get("pool_timeout", DEFAULT_POOL_TIMEOUT))
    except ValueError:
        value = math.nan
    if not MIN_POOL_TIMEOUT <= value <= MAX_POOL_TIMEOUT:  # NaN fails too
        raise ValueError(
            f"pool_timeout must be between {MIN_POOL_TIMEOUT} and {MAX_POOL_TIMEOUT:g} seconds"
        )
    return value
