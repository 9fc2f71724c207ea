"""The store URL: a MongoDB connection string whose path names the database.

Form: `mongodb://USER:PASSWORD@HOST:PORT[,HOST:PORT...]/DATABASE?OPTIONS` (or
`mongodb+srv://`). The database in the path is required: the store keeps its collections
there. Every option is pymongo's own and passes through as written; where the URL does
not set one, the store uses these defaults instead of pymongo's:

    w=majority                    an acknowledged write survives a failover, so an
                                  acknowledged revocation cannot roll back
    serverSelectionTimeoutMS=2000 with no server to talk to, a call fails as
                                  unavailable after 2 s (pymongo's 30 s would hold it
                                  for its whole deadline); the call's deadline still caps it
    retryReads=false              a read that lost its server fails at once as unavailable
                                  (the caller retries); pymongo's retry would wait for a
                                  server for the call's whole deadline. Writes keep
                                  pymongo's one retry on a new primary (retryWrites), which
                                  the server de-duplicates, so an insert is never doubled
    appname=session-core          how the server names our connections

Errors are `ValueError`s whose messages never quote the URL, which holds the password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEMES = ("mongodb", "mongodb+srv")
DEFAULT_OPTIONS: dict[str, Any] = {
    "w": "majority",
    "serverSelectionTimeoutMS": 2000,
    "retryReads": False,
    "appname": "session-core",
}
# What MongoDB refuses in a database name.
_BAD_NAME_CHARACTERS = frozenset('/\\. "$*<>:|?\x00')
MAX_DATABASE_NAME = 63


class Redactor:
    """Masks the URL's password (as written and percent-decoded) in text."""

    def __init__(self, url: str) -> None:
        written = url.partition("://")[2].rpartition("@")[0].partition(":")[2]
        self._secrets = sorted({written, unquote(written)} - {""}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return "Redactor(...)"


@dataclass(frozen=True)
class MongoUrl:
    """A parsed store URL: the connection string, its database and the client options."""

    uri: str = field(repr=False)
    database: str
    options: dict[str, Any]
    redact: Redactor = field(repr=False, compare=False)


def parse_url(url: str) -> MongoUrl:
    """Split a store URL into pymongo's connection string, the database and the defaults."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError("not a valid MongoDB URL") from None
    if parts.scheme not in SCHEMES:
        raise ValueError("expected mongodb://[USER:PASSWORD@]HOST[:PORT]/DATABASE[?OPTIONS]")
    database = unquote(parts.path.removeprefix("/"))
    if not database:
        raise ValueError("the MongoDB URL must name the database in its path: mongodb://HOST/DB")
    if len(database) > MAX_DATABASE_NAME or _BAD_NAME_CHARACTERS & set(database):
        raise ValueError(
            f"the database name must be 1 to {MAX_DATABASE_NAME} characters, none of"
            ' / \\ . " $ * < > : | ? or spaces'
        )
    given = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    options = {key: value for key, value in DEFAULT_OPTIONS.items() if key.lower() not in given}
    return MongoUrl(uri=url, database=database, options=options, redact=Redactor(url))
