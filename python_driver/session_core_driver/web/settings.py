"""Settings shared by the framework adapters: defaults, validation, building WebSessions.

Each adapter reads its framework's settings (Flask: `app.config["SESSION_CORE_*"]`,
Django: `settings.SESSION_CORE`) through a getter and hands it to `build_settings`, which
names a missing or invalid setting the way that framework spells it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from session_core_driver.client import (
    DEFAULT_CHANNELS,
    DEFAULT_TARGET,
    DEFAULT_TIMEOUT_SECONDS,
    SessionCoreClient,
)
from session_core_driver.revocations import RevocationPoller
from session_core_driver.verifier import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    DEFAULT_LEEWAY,
    SessionVerifier,
)
from session_core_driver.web.config import DEFAULT_REFRESH_PATH, DEFAULT_SIGNOUT_PATH, WebConfig
from session_core_driver.web.errors import WebConfigError
from session_core_driver.web.handlers import WebSessions

DEFAULTS: dict[str, Any] = {
    "TARGET": DEFAULT_TARGET,
    "API_KEY": "",
    "TIMEOUT": DEFAULT_TIMEOUT_SECONDS,
    "CHANNELS": DEFAULT_CHANNELS,
    "ISSUER": DEFAULT_ISSUER,
    "AUDIENCE": DEFAULT_AUDIENCE,
    "LEEWAY": DEFAULT_LEEWAY,
    "REVOCATION_FEED": True,
    "REVOCATION_FAIL_CLOSED": False,
    "CHECK_DATABASE": False,
    "API_ORIGIN": None,
    "WEBSITE_ORIGIN": None,
    "ALLOWED_ORIGINS": (),
    "TRANSPORT": "cookie",
    "ANTI_CSRF": None,
    "COOKIE_DOMAIN": None,
    "COOKIE_SECURE": None,
    "COOKIE_SAME_SITE": None,
    "COOKIE_PREFIXES": True,
    "ALLOW_SECURE_LOOPBACK_HTTP": False,
    "REFRESH_PATH": DEFAULT_REFRESH_PATH,
    "SIGNOUT_PATH": DEFAULT_SIGNOUT_PATH,
    "MOUNT_VIEWS": True,
}

Getter = Callable[[str], Any]
Namer = Callable[[str], str]
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
# gRPC channels per process: each is a connection to the core; a few are plenty.
MAX_CHANNELS = 64
# What gRPC carries in a metadata value: printable ASCII, space included (0x20-0x7E).
_METADATA_CHARACTERS = frozenset(map(chr, range(0x20, 0x7F)))


@dataclass(frozen=True)
class CoreSettings:
    """How to reach and trust the core."""

    target: str
    api_key: str
    timeout: float
    channels: int
    issuer: str
    audience: str
    leeway: float
    revocation_feed: bool
    revocation_fail_closed: bool = False


@dataclass(frozen=True)
class Settings:
    """Everything an adapter reads from its framework's settings, once, at start-up."""

    core: CoreSettings
    web: WebConfig
    check_database: bool
    mount_views: bool


def build_settings(get: Getter, name: Callable[[str], str], *, need_api_key: bool) -> Settings:
    """The settings from `get(KEY)` (KEY as in DEFAULTS); `name(KEY)` spells it in messages.

    Raises WebConfigError for a missing API origin (or API key, when the adapter builds
    its own client) and for any web setting a browser would reject.
    """
    if need_api_key and not get("API_KEY"):
        raise WebConfigError(name("API_KEY"), "set it to one of the core's API keys")
    if not get("API_ORIGIN"):
        raise WebConfigError(
            name("API_ORIGIN"),
            "set the origin this app is served at, e.g. https://api.example.com",
        )
    return Settings(
        core=_core(get, name),
        web=_web(get, name),
        check_database=flag(get, name, "CHECK_DATABASE"),
        mount_views=flag(get, name, "MOUNT_VIEWS"),
    )


def flag(get: Getter, name: Namer, key: str) -> bool:
    """A boolean setting: a bool, 0 / 1, or a string such as "true" / "False" / "0".

    Strings are read case-insensitively (an environment variable's "false" is False,
    never truthy); anything else raises WebConfigError naming the setting.
    """
    value = get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise WebConfigError(name(key), f"{value!r} is not a boolean: use True or False")


def _optional_flag(get: Getter, name: Namer, key: str) -> bool | None:
    value = get(key)
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    return flag(get, name, key)


def _choice(get: Getter, key: str) -> Any:
    """A choice setting, case-insensitively ("None" as the docs spell SameSite=None)."""
    value = get(key)
    return value.strip().lower() if isinstance(value, str) else value


def make_web_sessions(
    settings: Settings,
    client: SessionCoreClient | None = None,
    verifier: SessionVerifier | None = None,
) -> WebSessions:
    """WebSessions on `client` / `verifier`, or on ones built from the settings."""
    core = settings.core
    client = client or SessionCoreClient(
        core.target, core.api_key, channels=core.channels, timeout=core.timeout
    )
    verifier = verifier or SessionVerifier(
        client,
        issuer=core.issuer,
        audience=core.audience,
        leeway=core.leeway,
        revocations=RevocationPoller(client, fail_closed=core.revocation_fail_closed)
        if core.revocation_feed
        else None,
    )
    return WebSessions(client, verifier, settings.web)


def _origins(value: str | Iterable[str]) -> tuple[str, ...]:
    """A tuple of origins; a comma-separated string (as from an environment variable) too."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item.strip())


def _core(get: Getter, name: Namer) -> CoreSettings:
    return CoreSettings(
        target=str(get("TARGET")),
        api_key=_api_key(get, name),
        timeout=_number(get, name, "TIMEOUT", float, minimum=0.0, inclusive=False),
        channels=_number(get, name, "CHANNELS", int, minimum=1, maximum=MAX_CHANNELS),
        issuer=str(get("ISSUER")),
        audience=str(get("AUDIENCE")),
        leeway=_number(get, name, "LEEWAY", float, minimum=0.0),
        revocation_feed=flag(get, name, "REVOCATION_FEED"),
        revocation_fail_closed=flag(get, name, "REVOCATION_FAIL_CLOSED"),
    )


def _api_key(get: Getter, name: Namer) -> str:
    """The API key, refused at start if gRPC could not send it (every call would fail).

    An empty key is allowed here: it matters only when the adapter builds its own
    client, and build_settings refuses it then.
    """
    key = str(get("API_KEY"))
    if key != key.strip() or not set(key) <= _METADATA_CHARACTERS:
        raise WebConfigError(
            name("API_KEY"),
            "the key holds a character gRPC metadata cannot carry (a line break, a non-ASCII "
            "or control character, or leading / trailing whitespace): copy the key exactly, "
            "e.g. sck_... as the core issues it",
        )
    return key


def _number(
    get: Getter,
    name: Namer,
    key: str,
    kind: type[int] | type[float],
    *,
    minimum: float,
    maximum: float | None = None,
    inclusive: bool = True,
) -> Any:
    """A number setting (a number or its string) within its range, else WebConfigError."""
    value = get(key)
    number: float | None
    try:
        if isinstance(value, bool) or (kind is int and isinstance(value, float)):
            number = None
        else:
            number = kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        number = None
    if (
        number is None
        or not math.isfinite(number)
        or (number < minimum if inclusive else number <= minimum)
        or (maximum is not None and number > maximum)
    ):
        if maximum is not None:
            bound = f"from {minimum:g} to {maximum:g}"
        else:
            bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
        what = "a whole number" if kind is int else "a number"
        raise WebConfigError(name(key), f"{value!r} is not {what} {bound}")
    return number


def _web(get: Getter, name: Namer) -> WebConfig:
    return WebConfig(
        api_origin=str(get("API_ORIGIN")),
        website_origin=get("WEBSITE_ORIGIN"),
        allowed_origins=_origins(get("ALLOWED_ORIGINS")),
        transport=get("TRANSPORT"),
        anti_csrf=get("ANTI_CSRF"),
        cookie_domain=get("COOKIE_DOMAIN"),
        cookie_secure=_optional_flag(get, name, "COOKIE_SECURE"),
        cookie_same_site=_choice(get, "COOKIE_SAME_SITE"),
        cookie_prefixes=flag(get, name, "COOKIE_PREFIXES"),
        allow_secure_loopback_http=flag(get, name, "ALLOW_SECURE_LOOPBACK_HTTP"),
        refresh_path=str(get("REFRESH_PATH")),
        signout_path=str(get("SIGNOUT_PATH")),
    )
