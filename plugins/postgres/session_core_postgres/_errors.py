"""The one place where psycopg2 errors become storage errors.

    23505 unique_violation              DuplicateError
    40001 serialization_failure,        retried by the store (`is_retryable`); when the
    40P01 deadlock_detected             retries run out: StorageUnavailable
    57014 query_canceled                StorageTimeout if the call's deadline ran out (the
                                        statement timeout is the deadline), else
                                        StorageUnavailable (e.g. the feed's shorter bound)
    OperationalError, InterfaceError    StorageUnavailable (refused, lost, shut down)
    any other psycopg2.Error            StorageError

Messages name the operation and the SQLSTATE, never the server's text for a statement
(which can quote values) nor a bound parameter. Errors without a SQLSTATE (libpq could
not connect) keep libpq's first line, which names host and port but never the password;
the password is removed from it all the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg2
from psycopg2 import errorcodes

from core_server import deadlines
from core_server.storage.errors import (
    DuplicateError,
    StorageError,
    StorageTimeout,
    StorageUnavailable,
)

_RETRYABLE = frozenset({errorcodes.SERIALIZATION_FAILURE, errorcodes.DEADLOCK_DETECTED})


@contextlib.contextmanager
def translate_errors(operation: str, password: str = "") -> Iterator[None]:
    """Run the block, re-raising psycopg2 errors as storage errors `from` the original."""
    try:
        yield
    except psycopg2.Error as exc:
        raise translate(operation, exc, password) from exc


def is_retryable(exc: BaseException) -> bool:
    """True for the conflicts PostgreSQL asks the client to retry the transaction after."""
    return getattr(exc, "pgcode", None) in _RETRYABLE


def is_connection_error(exc: BaseException) -> bool:
    """True for the driver's errors about the connection or the server as a whole."""
    return isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError)


def is_broken_connection(exc: BaseException) -> bool:
    """True when the connection that raised `exc` must be closed rather than reused.

    psycopg2 raises statement-level errors (timeouts, serialization failures) as
    OperationalError too; those come with a SQLSTATE from a server still talking to us
    and leave the session usable. No SQLSTATE (the socket failed), class 08 (connection
    exception) and 57P (the server is shutting down) mean the connection is gone.
    """
    if not is_connection_error(exc):
        return False
    code = getattr(exc, "pgcode", None)
    return code is None or code.startswith(("08", "57P"))


def translate(operation: str, exc: psycopg2.Error, password: str = "") -> StorageError:
    """The storage error for `exc`, with a message safe to log."""
    message = f"postgres: {operation} failed: {_describe(exc, password)}"
    code = exc.pgcode
    if code == errorcodes.UNIQUE_VIOLATION:
        return DuplicateError(message)
    if code == errorcodes.QUERY_CANCELED:
        return StorageTimeout(message) if deadlines.expired() else StorageUnavailable(message)
    if code in _RETRYABLE or is_connection_error(exc):
        return StorageUnavailable(message)
    return StorageError(message)


def _describe(exc: psycopg2.Error, password: str) -> str:
    if exc.pgcode:
        try:
            name = errorcodes.lookup(exc.pgcode).lower()
        except KeyError:
            name = "error"
        return f"{name} (SQLSTATE {exc.pgcode})"
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first.replace(password, "***") if password else first
