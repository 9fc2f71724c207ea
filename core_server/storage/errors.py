"""The storage error tree. Every plugin translates its driver's errors into these.

StorageError
├── DuplicateError        an insert collided with a unique key
├── StorageUnavailable    the backend cannot be reached or did not answer in time
│   └── StorageTimeout    the call's deadline ran out while waiting on the backend
├── UnknownStorage        no installed plugin has the requested name
└── PluginImportError     an installed plugin failed to import
"""

from __future__ import annotations

from collections.abc import Sequence


class StorageError(Exception):
    """A storage operation failed; the message never contains token values."""


class DuplicateError(StorageError):
    """An insert collided with an existing row or document."""


class StorageUnavailable(StorageError):
    """The backend cannot be reached or refused to work; retrying later may succeed."""


class StorageTimeout(StorageUnavailable):
    """The backend did not answer before the call's deadline."""


class UnknownStorage(StorageError):
    """No installed plugin has this name; `available` lists the ones that are installed."""

    def __init__(self, name: str, available: Sequence[str]) -> None:
        installed = ", ".join(available) or "none"
        super().__init__(f"no storage plugin named {name!r} is installed (installed: {installed})")
        self.name = name
        self.available = list(available)


class PluginImportError(StorageError):
    """An installed plugin could not be loaded; the original error is the `__cause__`.

    `name` is the plugin's entry-point name and `distribution` the package that
    installed it, so the operator knows what to reinstall or fix.
    """

    def __init__(self, name: str, distribution: str, reason: str) -> None:
        super().__init__(
            f"storage plugin {name!r} from distribution {distribution!r} failed to load: {reason}"
        )
        self.name = name
        self.distribution = distribution
        self.reason = reason
