"""SQLite storage plugin for session-core, registered as `sqlite` in `session_core.storage`."""

from session_core_sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
