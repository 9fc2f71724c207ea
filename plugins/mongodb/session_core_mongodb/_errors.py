"""The one place where pymongo errors become storage errors or configuration errors.

    DuplicateKeyError                        DuplicateError
    a timeout once the call's deadline ran   StorageTimeout
      out (pymongo's `timeout` attribute)
    ConnectionFailure (AutoReconnect,        StorageUnavailable: the server is down,
      NetworkTimeout, NotPrimaryError,       unreachable, stepping down or shutting
      ServerSelectionTimeoutError),          down, or did not answer before the call's
      WaitQueueTimeoutError, ExecutionTimeout, budget; retrying later may succeed
      WriteConcernError, shutdown and
      network error codes, a timeout with
      budget left
    ConfigurationError, InvalidURI, and      ValueError (the URL), raised while opening
      pymongo's warnings about an unknown
      option or a bad value (it would
      ignore them)
    any other PyMongoError                   StorageError

Messages name the operation and the error's class and server code, never the server's
text for a command (which can quote a document's values, e.g. a duplicate key). Only
connection failures keep their first line, which names hosts, never values, with the
URL's password masked.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from pymongo import errors

from core_server import deadlines
from core_server.storage.errors import (
    DuplicateError,
    StorageError,
    StorageTimeout,
    StorageUnavailable,
)
from session_core_mongodb.url import Redactor

# Server codes for a node going away: shutdown, step-down, network and host errors.
_UNAVAILABLE_CODES = frozenset({6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436})
_UNAVAILABLE = (
    errors.ConnectionFailure,
    errors.WaitQueueTimeoutError,
    errors.ExecutionTimeout,
    errors.WriteConcernError,
)
_MAX_DETAIL = 160


@contextlib.contextmanager
def translate_errors(operation: str, redact: Redactor) -> Iterator[None]:
    """Run the block, re-raising pymongo errors as storage errors `from` the original."""
    try:
        yield
    except errors.PyMongoError as exc:
        raise translate(operation, exc, redact) from exc


@contextlib.contextmanager
def translate_open_errors(redact: Redactor) -> Iterator[None]:
    """Run the block that builds the client: a refused URL is a ValueError, not chained.

    pymongo only warns about an option it does not know or a value it cannot read, and
    goes on without it; a misspelt `w` or timeout must stop the start instead. Not
    chained: pymongo's text may quote part of the URL, which holds the password.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            yield
    except (errors.ConfigurationError, UserWarning) as exc:
        raise ValueError(f"not a valid MongoDB URL: {redact(_first_line(exc))}") from None


def is_duplicate(exc: BaseException) -> bool:
    """True for an insert refused by a unique index."""
    return isinstance(exc, errors.DuplicateKeyError)


def translate(operation: str, exc: errors.PyMongoError, redact: Redactor) -> StorageError:
    """The storage error for `exc`, with a message safe to log."""
    message = f"mongodb: {operation} failed: {_describe(exc, redact)}"
    if isinstance(exc, errors.DuplicateKeyError):
        return DuplicateError(message)
    if exc.timeout and deadlines.expired():
        return StorageTimeout(message)
    if isinstance(exc, _UNAVAILABLE) or exc.timeout:
        return StorageUnavailable(message)
    if isinstance(exc, errors.OperationFailure) and exc.code in _UNAVAILABLE_CODES:
        return StorageUnavailable(message)
    return StorageError(message)


def _describe(exc: errors.PyMongoError, redact: Redactor) -> str:
    name = type(exc).__name__
    if isinstance(exc, errors.ConnectionFailure):
        return f"{name}: {redact(_first_line(exc))[:_MAX_DETAIL]}"
    if isinstance(exc, errors.OperationFailure):
        details = exc.details or {}
        return f"{name} (code {exc.code}, {details.get('codeName', 'no code name')})"
    return name


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
