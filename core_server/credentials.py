"""Zero-config secrets: an API key and a master secret kept in the data directory.

Used only when neither the environment nor the config file provides them. Files are
created with mode 0600 only if absent, then re-read, so processes starting together
end up with the same secrets. The master secret on disk next to the database
means encryption at rest then protects database dumps only, not a stolen disk.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from core_server.domain.encoding import b64url_encode
from core_server.errors import ConfigError

API_KEY_FILE = "api-key"
MASTER_SECRET_FILE = "master-secret"


@dataclass(frozen=True)
class StoredSecret:
    value: str = field(repr=False)
    path: Path
    created: bool


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("session-core", appauthor=False))


def api_key(data_dir: Path) -> StoredSecret:
    return _ensure(data_dir / API_KEY_FILE, lambda: "sck_" + secrets.token_urlsafe(32))


def master_secret(data_dir: Path) -> StoredSecret:
    return _ensure(
        data_dir / MASTER_SECRET_FILE, lambda: "m1:" + b64url_encode(secrets.token_bytes(32))
    )


def existing_master_secret(data_dir: Path) -> str | None:
    """The master secret a core generated in `data_dir`, or None when there is none."""
    try:
        return (data_dir / MASTER_SECRET_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError("data_dir", f"cannot read {data_dir}: {exc.strerror}") from exc


def _ensure(path: Path, generate: Callable[[], str]) -> StoredSecret:
    try:
        stored = _create_or_read(path, generate)
    except OSError as exc:
        raise ConfigError(
            "data_dir", f"cannot keep secrets in {path.parent}: {exc.strerror}"
        ) from exc
    if not stored.value:
        raise ConfigError("data_dir", f"{path} is empty; delete it to have a new secret generated")
    return stored


def _create_or_read(path: Path, generate: Callable[[], str]) -> StoredSecret:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Write a private temporary file, then hard-link it into place: the link either
    # publishes a complete file or fails because another process won, so no reader
    # ever sees a half-written secret.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(generate() + "\n")
        os.link(temporary, path)
        created = True
    except FileExistsError:
        created = False
    finally:
        os.unlink(temporary)
    return StoredSecret(path.read_text().strip(), path, created)
