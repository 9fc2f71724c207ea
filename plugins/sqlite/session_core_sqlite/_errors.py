"""The one place where sqlite3 errors become storage errors.

    SQLITE_BUSY / SQLITE_LOCKED       StorageTimeout if the call's deadline ran out,
                                      else StorageUnavailable
    UNIQUE / PRIMARY KEY violation    DuplicateError
    other OperationalError            StorageUnavailable (cannot open, disk full, I/O)
    OSError (e.g. creating the dir)   StorageUnavailable
    any other sqlite3.Error           StorageError

Messages name the operation and SQLite's own error text, which never includes bound
parameter values, so no token hash or session data reaches a log.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from core_server import deadlines
from core_server.storage.errors import (
    DuplicateError,
    StorageError,
    StorageTimeout,
    StorageUnavailable,
)

_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_DUPLICATE_CODES = frozenset(
    {sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY}
)


@contextlib.contextmanager
def translate_errors(operation: str) -> Iterator[None]:
    """Run the block, re-raising sqlite3 and OS errors as storage errors `from` the original."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _translate(operation, exc) from exc
    except OSError as exc:
        raise StorageUnavailable(f"sqlite: {operation} failed: {exc}") from exc


def is_busy(exc: BaseException | None) -> bool:
    """True when `exc` is SQLite's answer that another connection holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _BUSY_CODES


def _translate(operation: str, exc: sqlite3.Error) -> StorageError:
    code = getattr(exc, "sqlite_errorcode", None)
    message = f"sqlite: {operation} failed: {exc}"
    # Primary result codes live in the low byte; extended codes add detail above it.
    if is_busy(exc):
        # busy_timeout was set to the call's remaining time, so giving up on a lock
        # normally means the deadline is spent; otherwise another writer held on.
        if deadlines.expired():
            return StorageTimeout(message)
        return StorageUnavailable(message)
    if isinstance(exc, sqlite3.IntegrityError) and code in _DUPLICATE_CODES:
        return DuplicateError(message)
    if isinstance(exc, sqlite3.OperationalError):
        return StorageUnavailable(message)
    return StorageError(message)
