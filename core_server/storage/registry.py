"""Find, load and open storage plugins through the `session_core.storage` entry points.

Any distribution can ship a plugin by declaring an entry point in that group whose
value is a `SessionStore` subclass, for example
`sqlite = "session_core_sqlite:SqliteStore"`. Nothing is imported until a plugin is
loaded by name, so a broken plugin only fails the deployments that ask for it.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from core_server.errors import ConfigError
from core_server.storage.base import SessionStore
from core_server.storage.errors import PluginImportError, UnknownStorage

GROUP = "session_core.storage"


def _entry_points() -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group=GROUP)}


def _distribution(entry: EntryPoint) -> str:
    # `dist` is None for entry points built by hand rather than found on disk.
    return entry.dist.name if entry.dist is not None else "unknown distribution"


def available() -> list[str]:
    """The names of the installed storage plugins, sorted."""
    return sorted(_entry_points())


def load(name: str) -> type[SessionStore]:
    """Import the plugin registered as `name` and return its store class.

    Raises `UnknownStorage` (listing the installed names) when no plugin has that
    name, and `PluginImportError` (naming the plugin and its distribution, with the
    original error chained) when importing it fails or it is not a `SessionStore`.
    """
    entries = _entry_points()
    entry = entries.get(name)
    if entry is None:
        raise UnknownStorage(name, sorted(entries))
    try:
        loaded = entry.load()
    # Any exception, not just ImportError: a plugin's module can fail in arbitrary ways.
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, ImportError):
            # Bundled stores keep their drivers in an extra named like the store.
            reason += (
                f" (is its driver installed? e.g. pip install '{_distribution(entry)}[{name}]')"
            )
        raise PluginImportError(name, _distribution(entry), reason) from exc
    if not (isinstance(loaded, type) and issubclass(loaded, SessionStore)):
        raise PluginImportError(name, _distribution(entry), f"{entry.value} is not a SessionStore")
    return loaded


def open_store(name: str, url: str) -> SessionStore:
    """Load the plugin `name` and open a store at `url` (schema created if missing).

    Raises what `load` raises, `ConfigError` for a URL the plugin does not accept,
    and the storage errors of the plugin's `from_url`.
    """
    store_class = load(name)
    try:
        return store_class.from_url(url)
    except ValueError as exc:
        raise ConfigError("storage_url", f"not a URL the {name!r} store accepts: {exc}") from exc
