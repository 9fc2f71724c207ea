"""The MongoDB storage plugin, registered as `mongodb` in `session_core.storage`."""

from session_core_mongodb.store import MongoStore

__all__ = ["MongoStore"]
