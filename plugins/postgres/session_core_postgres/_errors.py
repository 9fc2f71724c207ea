"""The one place where psycopg2 errors become storage errors or configuration errors.

    23505 unique_violation              DuplicateError
    40001 serialization_failure,        retried by the store (`is_retryable`); when the
    40P01 deadlock_detected             retries run out: StorageUnavailable
    57014 query_canceled                StorageTimeout if the call's deadline ran out (the
                                        statement timeout is the deadline), else
                                        StorageUnavailable (e.g. the feed's shorter bound)
    libpq rejected the URL itself       ValueError (a configuration error naming
    (an unknown option, a bad value)    storage_url), raised only while connecting
    OperationalError, InterfaceError    StorageUnavailable (refused, lost, shut down)
    any other psycopg2.Error            StorageError

Messages name the operation and the SQLSTATE, never the server's text for a statement
(which can quote values) nor a bound parameter. Errors without a SQLSTATE (libpq could
not connect, or refused the URL) keep libpq's first line, which can quote part of the
URL: libpq splits a malformed URL differently from Python (`p@ss@host` gives the host
`ss@host`), so `Redactor` removes every fragment of the credentials as written, not
only the password Python parsed. Errors raised while connecting are not chained to the
driver's error, whose unredacted text would reach any logged traceback.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import unquote

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
# Shorter fragments would blank out ordinary words; two characters reveal little.
MIN_FRAGMENT = 3
MASK = "***"
# libpq's own complaints about the connection options, raised before any network I/O.
_DSN_REJECTED = re.compile(
    r"invalid (connection option|integer value|port number|\w+ value:|require_auth method)"
    r"|could not match \d+ (host names|port numbers)|could not parse network address"
    r"|sslmode value .* invalid|weak sslmode|invalid SSL protocol version range"
)


class Redactor:
    """Removes the credentials of one store URL, and every fragment of them, from text."""

    def __init__(self, url: str, password: str = "") -> None:
        """`password` is the URL's password as Python parsed it, masked whatever its length.

        The credentials as written are the text between `://` and the URL's last `@`,
        less the user name before the first `:` or `@` (which every parser reads as the
        user, never as a password). Any run of at least `MIN_FRAGMENT` characters that
        occurs in them, raw or percent-decoded, is masked, the longest run first.
        """
        _, _, rest = url.partition("://")
        written = rest.rpartition("@")[0]
        secret = written[len(re.split("[:@]", written, maxsplit=1)[0]) :]
        self._password = password
        self._secrets = [text for text in {secret, unquote(secret)} if text]

    def __call__(self, text: str) -> str:
        if self._password:
            text = text.replace(self._password, MASK)
        parts: list[str] = []
        start = 0
        while start < len(text):
            length = max((self._run(text, start, s) for s in self._secrets), default=0)
            parts.append(MASK if length else text[start])
            start += length or 1
        return "".join(parts)

    @staticmethod
    def _run(text: str, start: int, secret: str) -> int:
        """The length of the longest run of `text` from `start` found in `secret`, or 0.

        Every prefix of a run found is found too, so the run grows one character at a
        time; computed per message rather than listing the secret's substrings ahead,
        which would take memory quadratic in its length.
        """
        end = start + MIN_FRAGMENT
        while end <= len(text) and text[start:end] in secret:
            end += 1
        length = end - 1 - start
        return length if length >= MIN_FRAGMENT else 0

    def __repr__(self) -> str:
        return "Redactor(...)"


@contextlib.contextmanager
def translate_errors(operation: str, redact: Redactor) -> Iterator[None]:
    """Run the block, re-raising psycopg2 errors as storage errors `from` the original."""
    try:
        yield
    except psycopg2.Error as exc:
        raise translate(operation, exc, redact) from exc


@contextlib.contextmanager
def translate_connect_errors(redact: Redactor) -> Iterator[None]:
    """Run the block that opens the first connection; errors are not chained (see above).

    Raises `ValueError` when libpq rejected the URL's options, a storage error otherwise.
    """
    try:
        yield
    except psycopg2.Error as exc:
        if rejects_url(exc):
            raise ValueError(
                f"not a valid libpq connection URL: {_describe(exc, redact)}"
            ) from None
        raise translate("connect", exc, redact) from None


def rejects_url(exc: psycopg2.Error) -> bool:
    """True when libpq refused the connection options themselves, before any network I/O."""
    if isinstance(exc, psycopg2.ProgrammingError):
        return True  # what `parse_dsn` raises for unknown options and malformed URLs
    return exc.pgcode is None and bool(_DSN_REJECTED.search(_first_line(exc)))


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


def translate(operation: str, exc: psycopg2.Error, redact: Redactor) -> StorageError:
    """The storage error for `exc`, with a message safe to log."""
    message = f"postgres: {operation} failed: {_describe(exc, redact)}"
    code = exc.pgcode
    if code == errorcodes.UNIQUE_VIOLATION:
        return DuplicateError(message)
    if code == errorcodes.QUERY_CANCELED:
        return StorageTimeout(message) if deadlines.expired() else StorageUnavailable(message)
    if code in _RETRYABLE or is_connection_error(exc):
        return StorageUnavailable(message)
    return StorageError(message)


def _describe(exc: psycopg2.Error, redact: Redactor) -> str:
    if exc.pgcode:
        try:
            name = errorcodes.lookup(exc.pgcode).lower()
        except KeyError:
            name = "error"
        return f"{name} (SQLSTATE {exc.pgcode})"
    return redact(_first_line(exc))


def _first_line(exc: psycopg2.Error) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
