"""The storage error tree. Every plugin translates its driver's errors into these.

    StorageError
    ├── DuplicateError        an insert collided with a unique key
    └── StorageUnavailable    the backend cannot be reached or did not answer in time
        └── StorageTimeout    the call's deadline ran out while waiting on the backend
"""

from __future__ import annotations


class StorageError(Exception):
    """A storage operation failed; the message never contains token values."""


class DuplicateError(StorageError):
    """An insert collided with an existing row or document."""


class StorageUnavailable(StorageError):
    """The backend cannot be reached or refused to work; retrying later may succeed."""


class StorageTimeout(StorageUnavailable):
    """The backend did not answer before the call's deadline."""
