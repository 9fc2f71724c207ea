"""The PostgreSQL storage plugin, registered as `postgres` in `session_core.storage`."""

from session_core_postgres.store import PostgresStore

__all__ = ["PostgresStore"]
