"""The storage port, its error tree and the plugin registry."""

from core_server.storage.base import SessionStore
from core_server.storage.errors import (
    DuplicateError,
    PluginImportError,
    StorageError,
    StorageTimeout,
    StorageUnavailable,
    UnknownStorage,
)
from core_server.storage.registry import available, load, open_store

__all__ = [
    "DuplicateError",
    "PluginImportError",
    "SessionStore",
    "StorageError",
    "StorageTimeout",
    "StorageUnavailable",
    "UnknownStorage",
    "available",
    "load",
    "open_store",
]
