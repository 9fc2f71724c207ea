"""The store's client and the one way it runs operations: under the call's deadline.

`call` bounds everything done in its block by the call's remaining deadline with
pymongo's client-side operation timeout (`pymongo.timeout`): server selection,
connection checkout, every round trip, and the server's own `maxTimeMS`; never more than
MAX_CALL_SECONDS, whatever deadline a client sent (the store's pruning relies on it, see
`sessions`). Under such a timeout pymongo waits for a server as long as the timeout
lasts, ignoring `serverSelectionTimeoutMS`; so while no writable server is known (the
server is down, or a replica set is electing), a ping bounded by that setting runs
first, and a call fails as unavailable in that time rather than when its deadline runs
out. Errors are translated through `_errors` once, at the block's edge.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pymongo
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from core_server import deadlines
from core_server.storage.errors import StorageTimeout
from session_core_mongodb._errors import translate_errors, translate_open_errors
from session_core_mongodb.url import MongoUrl, Redactor

Db = Database[dict[str, Any]]
MAX_CALL_SECONDS = 300.0
_DUPLICATE_KEY = 11000


class Connections:
    """One pymongo client (its own pool, thread-safe) and the store's database."""

    def __init__(self, url: MongoUrl) -> None:
        self.redact: Redactor = url.redact
        with translate_open_errors(url.redact):
            self._client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
                url.uri, **url.options
            )
        self._db: Db = self._client[url.database]
        self._selection_seconds: float = self._client.options.server_selection_timeout

    @contextlib.contextmanager
    def call(self, operation: str, cap_seconds: float | None = None) -> Iterator[Db]:
        """The database, for a block bounded by the deadline (and `cap_seconds`, if given)."""
        budget = min(deadlines.remaining(), MAX_CALL_SECONDS)
        if cap_seconds is not None:
            budget = min(budget, cap_seconds)
        if budget <= 0:
            raise StorageTimeout(f"mongodb: {operation}: the call's deadline has passed")
        with translate_errors(operation, self.redact):
            if not self._client.topology_description.has_writable_server():
                with pymongo.timeout(min(budget, self._selection_seconds)):
                    self._client.admin.command("ping")
            with pymongo.timeout(budget):
                yield self._db

    def close(self) -> None:
        """Close the client's connections; idempotent."""
        self._client.close()


def insert_new(db: Db, collection: str, documents: list[dict[str, Any]]) -> set[int]:
    """Insert every document a unique index lets in; the positions of those it refused.

    Unordered, so one refusal does not stop the rest; other write errors propagate.
    """
    if not documents:
        return set()
    try:
        db[collection].insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        failures = exc.details.get("writeErrors", [])
        if any(failure.get("code") != _DUPLICATE_KEY for failure in failures):
            raise
        return {failure["index"] for failure in failures}
    return set()
