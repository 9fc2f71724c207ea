"""A revocation-feed client as a driver would be: a cursor and the entries seen, by sequence."""

from __future__ import annotations

import time

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import Api, seconds


class Poller:
    """Polls ListRevocations, keeps the cursor and de-duplicates entries by sequence.

    Every answer is checked as it arrives: a cursor is always returned, and a sequence
    seen before must carry the very same entry. A snapshot replaces what was held.
    """

    def __init__(self, api: Api) -> None:
        self.api = api
        self.cursor = ""
        self.by_sequence: dict[int, pb.Revocation] = {}

    def poll(self) -> pb.ListRevocationsResponse:
        response: pb.ListRevocationsResponse = self.api.ListRevocations(
            pb.ListRevocationsRequest(cursor=self.cursor)
        )
        assert response.next_cursor, response
        if response.snapshot:
            self.by_sequence = {}
        for entry in response.revocations:
            held = self.by_sequence.setdefault(entry.sequence, entry)
            assert held == entry, f"sequence {entry.sequence} changed: {held} -> {entry}"
        self.cursor = response.next_cursor
        return response

    def handles(self) -> list[str]:
        """Revoked session handles held, one per sequence (so a duplicate shows twice)."""
        return [
            entry.session_handle
            for entry in self.by_sequence.values()
            if entry.WhichOneof("subject") == "session_handle"
        ]

    def entry(self, handle: str) -> pb.Revocation:
        """The one entry held for a session handle; fails if there is none or several."""
        found = [e for e in self.by_sequence.values() if e.session_handle == handle]
        assert len(found) == 1, f"expected one feed entry for {handle}, held {found}"
        return found[0]


def handles_in(response: pb.ListRevocationsResponse) -> list[str]:
    return [entry.session_handle for entry in response.revocations if entry.session_handle]


def assert_recent(entry: pb.Revocation, within: float = 30.0) -> None:
    """The entry's revocation time is a moment ago on this host's clock."""
    assert 0 <= time.time() - seconds(entry.revoked_at) < within, entry


def revoke(api: Api, *handles: str) -> list[str]:
    response = api.RevokeSessions(pb.RevokeSessionsRequest(handles=list(handles)))
    return list(response.revoked_handles)
