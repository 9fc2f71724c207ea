"""DjangoSession: the verified session of a request, as `request.session_core.session`.

Its methods block on the core; the `a`-prefixed ones run them in a worker thread for
async views (`await session.amerge_claims({...})`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asgiref.sync import sync_to_async

from session_core_driver.web.session import BoundSession


class DjangoSession(BoundSession):
    """One verified (or just created) session, bound to the Django request holding it."""

    async def aget_data(self) -> dict[str, Any]:
        return await sync_to_async(self.get_data, thread_sensitive=False)()

    async def aupdate_data(self, data: Mapping[str, Any]) -> None:
        await sync_to_async(self.update_data, thread_sensitive=False)(data)

    async def amerge_claims(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        return await sync_to_async(self.merge_claims, thread_sensitive=False)(changes)

    async def aset_claims(self, claims: Mapping[str, Any]) -> dict[str, Any]:
        return await sync_to_async(self.set_claims, thread_sensitive=False)(claims)

    async def arevoke(self) -> None:
        await sync_to_async(self.revoke, thread_sensitive=False)()

    async def arevoke_other_sessions(self) -> list[str]:
        return await sync_to_async(self.revoke_other_sessions, thread_sensitive=False)()
