"""Where settings come from: a flat TOML file, `SESSION_CORE_*` variables, flags.

Later sources win. Every raw value is converted to its field's type here and the
result validated by `Config` itself, so a bad setting fails at start naming its key.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core_server.config import ENV_PREFIX, Config
from core_server.domain.key_wrap import MasterSecret, parse_master_secret
from core_server.errors import ConfigError

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
