"""The storage port, its error tree and the plugin registry."""

from core_server.storage.base import SessionStore
from core_server.storage.errors import (
    DuplicateError,
    StorageError,
    StorageTimeout,
    StorageUnavailable,
)

__all__ = [
    "DuplicateError",
    "SessionStore",
    "StorageError",
    "StorageTimeout",
    "StorageUnavailable",
]
