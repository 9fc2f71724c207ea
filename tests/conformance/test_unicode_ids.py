"""B17 at the core: every store keeps, finds, lists and revokes unicode user ids exactly.

The driver's tests cover the browser side (front token, cookies); here each backend
must round-trip the id and the claims byte for byte, with no normalisation: an id in
NFC and the same text in NFD are two different users.
"""

from __future__ import annotations

import unicodedata

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import Api, create_session, get_session, listed_handles
from tests.support.tokens import decode_jwt

CAFE_NFC = unicodedata.normalize("NFC", "café-Łukasz")
IDS = [
    "Łukasz-Ελένη",
    "用户-ユーザー-사용자",
    "emoji-😀-🧑🏽‍💻",
    "rtl-שלום-مرحبا",
    'cookie;special,chars=%20 "quoted"',
    "long-" + "ü" * 200,
    CAFE_NFC,
]
CLAIMS = {"name": "Łukasz 😀 שלום", "nested": {"ключ": ["値", 1, None]}}


@pytest.mark.parametrize("user_id", IDS, ids=range(len(IDS)))
def test_B17_unicode_user_ids_and_claims_round_trip_list_and_revoke(api: Api, user_id: str) -> None:
    created = [create_session(api, user_id, claims=CLAIMS, anti_csrf=False) for _ in range(2)]
    handles = [c.session.handle for c in created]
    token = decode_jwt(created[0].tokens.access_token.token)
    assert (token.payload["sub"], token.app_claims) == (user_id, CLAIMS)

    stored = get_session(api, handles[0]).session
    assert stored.user_id == user_id
    assert sorted(listed_handles(api, user_id)) == sorted(handles)

    revoked = api.RevokeUserSessions(pb.RevokeUserSessionsRequest(user_id=user_id))
    assert sorted(revoked.revoked_handles) == sorted(handles)
    assert listed_handles(api, user_id) == []


def test_B17_nfc_and_nfd_spellings_are_different_users(api: Api) -> None:
    nfd = unicodedata.normalize("NFD", CAFE_NFC)
    assert nfd != CAFE_NFC
    nfd_handle = create_session(api, nfd, anti_csrf=False).session.handle
    nfc_handle = create_session(api, CAFE_NFC, anti_csrf=False).session.handle
    assert listed_handles(api, nfd) == [nfd_handle]
    assert listed_handles(api, CAFE_NFC) == [nfc_handle]
    assert get_session(api, nfd_handle).session.user_id == nfd
