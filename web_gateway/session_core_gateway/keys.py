"""Where the CLI finds the core's API key: environment, key file, or the zero-config file.

The zero-config core (`session-core serve`) writes its generated key to
`<data dir>/api-key`, the data dir being $SESSION_CORE_DATA_DIR or else the user data
dir of "session-core"; the path is mirrored here rather than imported, since the gateway
never imports the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import platformdirs

API_KEY_VARIABLE = "SESSION_CORE_API_KEY"
DATA_DIR_VARIABLE = "SESSION_CORE_DATA_DIR"
ZERO_CONFIG_KEY_FILE = "api-key"


class MissingApiKey(Exception):
    """No API key was given and none was found; the message says how to give one."""


def zero_config_key_path(environ: Mapping[str, str]) -> Path:
    """The key file a zero-config core writes: in $SESSION_CORE_DATA_DIR, as the core
    reads it, else in this user's data directory."""
    data_dir = environ.get(DATA_DIR_VARIABLE, "").strip()
    if not data_dir:
        data_dir = platformdirs.user_data_dir("session-core", appauthor=False)
    return Path(data_dir) / ZERO_CONFIG_KEY_FILE


def read_api_key(key_file: Path | None, environ: Mapping[str, str]) -> str:
    """The API key: `key_file` if given, else $SESSION_CORE_API_KEY, else the zero-config file.

    Raises MissingApiKey when none of them holds a key (a given `key_file` that cannot be
    read included).
    """
    if key_file is not None:
        return _read(key_file) or _missing(f"{key_file} holds no API key")
    if environ.get(API_KEY_VARIABLE, "").strip():
        return environ[API_KEY_VARIABLE].strip()
    zero_config = zero_config_key_path(environ)
    return _read(zero_config) or _missing(f"no API key: none in {zero_config}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _missing(what: str) -> str:
    raise MissingApiKey(
        f"{what}; set the environment variable {API_KEY_VARIABLE} to one of the core's API "
        "keys, or pass --api-key-file PATH (a file holding it)"
    )
