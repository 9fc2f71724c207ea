import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_UNSPECIFIED: _ClassVar[Outcome]
    OUTCOME_OK: _ClassVar[Outcome]
    OUTCOME_TRY_REFRESH_TOKEN: _ClassVar[Outcome]
    OUTCOME_UNAUTHORISED: _ClassVar[Outcome]
    OUTCOME_TOKEN_THEFT_DETECTED: _ClassVar[Outcome]

class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REASON_UNSPECIFIED: _ClassVar[Reason]
    REASON_INVALID_TOKEN: _ClassVar[Reason]
    REASON_EXPIRED_TOKEN: _ClassVar[Reason]
    REASON_ANTI_CSRF: _ClassVar[Reason]
    REASON_SESSION_ENDED: _ClassVar[Reason]
    REASON_UNKNOWN_GENERATION: _ClassVar[Reason]
    REASON_TOKEN_REUSED: _ClassVar[Reason]
OUTCOME_UNSPECIFIED: Outcome
OUTCOME_OK: Outcome
OUTCOME_TRY_REFRESH_TOKEN: Outcome
OUTCOME_UNAUTHORISED: Outcome
OUTCOME_TOKEN_THEFT_DETECTED: Outcome
REASON_UNSPECIFIED: Reason
REASON_INVALID_TOKEN: Reason
REASON_EXPIRED_TOKEN: Reason
REASON_ANTI_CSRF: Reason
REASON_SESSION_ENDED: Reason
REASON_UNKNOWN_GENERATION: Reason
REASON_TOKEN_REUSED: Reason

class ClientMetadata(_message.Message):
    __slots__ = ("user_agent", "ip_address")
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    user_agent: str
    ip_address: str
    def __init__(self, user_agent: _Optional[str] = ..., ip_address: _Optional[str] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("handle", "user_id", "created_at", "last_refreshed_at", "idle_expires_at", "absolute_expires_at", "client", "access_token_claims_json", "session_data_json", "anti_csrf")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_REFRESHED_AT_FIELD_NUMBER: _ClassVar[int]
    IDLE_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    ABSOLUTE_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_CLAIMS_JSON_FIELD_NUMBER: _ClassVar[int]
    SESSION_DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    ANTI_CSRF_FIELD_NUMBER: _ClassVar[int]
    handle: str
    user_id: str
    created_at: _timestamp_pb2.Timestamp
    last_refreshed_at: _timestamp_pb2.Timestamp
    idle_expires_at: _timestamp_pb2.Timestamp
    absolute_expires_at: _timestamp_pb2.Timestamp
    client: ClientMetadata
    access_token_claims_json: str
    session_data_json: str
    anti_csrf: bool
    def __init__(self, handle: _Optional[str] = ..., user_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_refreshed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., idle_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., absolute_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., client: _Optional[_Union[ClientMetadata, _Mapping]] = ..., access_token_claims_json: _Optional[str] = ..., session_data_json: _Optional[str] = ..., anti_csrf: _Optional[bool] = ...) -> None: ...

class AccessToken(_message.Message):
    __slots__ = ("token", "expires_at")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    token: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, token: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RefreshToken(_message.Message):
    __slots__ = ("token", "expires_at")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    token: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, token: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Tokens(_message.Message):
    __slots__ = ("access_token", "refresh_token", "anti_csrf_token")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ANTI_CSRF_TOKEN_FIELD_NUMBER: _ClassVar[int]
    access_token: AccessToken
    refresh_token: RefreshToken
    anti_csrf_token: str
    def __init__(self, access_token: _Optional[_Union[AccessToken, _Mapping]] = ..., refresh_token: _Optional[_Union[RefreshToken, _Mapping]] = ..., anti_csrf_token: _Optional[str] = ...) -> None: ...

class VerifiedSession(_message.Message):
    __slots__ = ("handle", "user_id", "access_token_claims_json", "access_token_expires_at")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_CLAIMS_JSON_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    handle: str
    user_id: str
    access_token_claims_json: str
    access_token_expires_at: _timestamp_pb2.Timestamp
    def __init__(self, handle: _Optional[str] = ..., user_id: _Optional[str] = ..., access_token_claims_json: _Optional[str] = ..., access_token_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ("user_id", "access_token_claims_json", "session_data_json", "anti_csrf", "client", "absolute_lifetime")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_CLAIMS_JSON_FIELD_NUMBER: _ClassVar[int]
    SESSION_DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    ANTI_CSRF_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    ABSOLUTE_LIFETIME_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    access_token_claims_json: str
    session_data_json: str
    anti_csrf: bool
    client: ClientMetadata
    absolute_lifetime: _duration_pb2.Duration
    def __init__(self, user_id: _Optional[str] = ..., access_token_claims_json: _Optional[str] = ..., session_data_json: _Optional[str] = ..., anti_csrf: _Optional[bool] = ..., client: _Optional[_Union[ClientMetadata, _Mapping]] = ..., absolute_lifetime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CreateSessionResponse(_message.Message):
    __slots__ = ("session", "tokens")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    session: Session
    tokens: Tokens
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ..., tokens: _Optional[_Union[Tokens, _Mapping]] = ...) -> None: ...

class VerifySessionRequest(_message.Message):
    __slots__ = ("access_token", "anti_csrf_token", "skip_anti_csrf", "check_database")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ANTI_CSRF_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SKIP_ANTI_CSRF_FIELD_NUMBER: _ClassVar[int]
    CHECK_DATABASE_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    anti_csrf_token: str
    skip_anti_csrf: bool
    check_database: bool
    def __init__(self, access_token: _Optional[str] = ..., anti_csrf_token: _Optional[str] = ..., skip_anti_csrf: _Optional[bool] = ..., check_database: _Optional[bool] = ...) -> None: ...

class VerifySessionResponse(_message.Message):
    __slots__ = ("outcome", "reason", "session", "claims_outdated")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_OUTDATED_FIELD_NUMBER: _ClassVar[int]
    outcome: Outcome
    reason: Reason
    session: VerifiedSession
    claims_outdated: bool
    def __init__(self, outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[_Union[Reason, str]] = ..., session: _Optional[_Union[VerifiedSession, _Mapping]] = ..., claims_outdated: _Optional[bool] = ...) -> None: ...

class RefreshSessionRequest(_message.Message):
    __slots__ = ("refresh_token", "anti_csrf_token")
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ANTI_CSRF_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    anti_csrf_token: str
    def __init__(self, refresh_token: _Optional[str] = ..., anti_csrf_token: _Optional[str] = ...) -> None: ...

class RefreshSessionResponse(_message.Message):
    __slots__ = ("outcome", "reason", "tokens", "session")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    outcome: Outcome
    reason: Reason
    tokens: Tokens
    session: Session
    def __init__(self, outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[_Union[Reason, str]] = ..., tokens: _Optional[_Union[Tokens, _Mapping]] = ..., session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class RevokeSessionsRequest(_message.Message):
    __slots__ = ("handles",)
    HANDLES_FIELD_NUMBER: _ClassVar[int]
    handles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, handles: _Optional[_Iterable[str]] = ...) -> None: ...

class RevokeSessionsResponse(_message.Message):
    __slots__ = ("revoked_handles",)
    REVOKED_HANDLES_FIELD_NUMBER: _ClassVar[int]
    revoked_handles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, revoked_handles: _Optional[_Iterable[str]] = ...) -> None: ...

class RevokeUserSessionsRequest(_message.Message):
    __slots__ = ("user_id", "keep_handle")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEEP_HANDLE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    keep_handle: str
    def __init__(self, user_id: _Optional[str] = ..., keep_handle: _Optional[str] = ...) -> None: ...

class RevokeUserSessionsResponse(_message.Message):
    __slots__ = ("revoked_handles",)
    REVOKED_HANDLES_FIELD_NUMBER: _ClassVar[int]
    revoked_handles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, revoked_handles: _Optional[_Iterable[str]] = ...) -> None: ...

class ListUserSessionsRequest(_message.Message):
    __slots__ = ("user_id", "page_size", "page_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    page_size: int
    page_token: str
    def __init__(self, user_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListUserSessionsResponse(_message.Message):
    __slots__ = ("sessions", "next_page_token")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    next_page_token: str
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("handle",)
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    handle: str
    def __init__(self, handle: _Optional[str] = ...) -> None: ...

class GetSessionResponse(_message.Message):
    __slots__ = ("outcome", "reason", "session")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    outcome: Outcome
    reason: Reason
    session: Session
    def __init__(self, outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[_Union[Reason, str]] = ..., session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class UpdateSessionDataRequest(_message.Message):
    __slots__ = ("handle", "session_data_json")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    SESSION_DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    handle: str
    session_data_json: str
    def __init__(self, handle: _Optional[str] = ..., session_data_json: _Optional[str] = ...) -> None: ...

class UpdateSessionDataResponse(_message.Message):
    __slots__ = ("outcome", "reason")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    outcome: Outcome
    reason: Reason
    def __init__(self, outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[_Union[Reason, str]] = ...) -> None: ...

class UpdateAccessTokenClaimsRequest(_message.Message):
    __slots__ = ("handle", "access_token_claims_json")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_CLAIMS_JSON_FIELD_NUMBER: _ClassVar[int]
    handle: str
    access_token_claims_json: str
    def __init__(self, handle: _Optional[str] = ..., access_token_claims_json: _Optional[str] = ...) -> None: ...

class UpdateAccessTokenClaimsResponse(_message.Message):
    __slots__ = ("outcome", "reason")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    outcome: Outcome
    reason: Reason
    def __init__(self, outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[_Union[Reason, str]] = ...) -> None: ...

class RegenerateAccessTokenRequest(_message.Message):
    __slots__ = ("access_token", "access_token_claims_json")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_CLAIMS_JSON_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    access_token_claims_json: str
    def __init__(self, access_token: _Optional[str] = ..., access_token_claims_json: _Optional[str] = ...) -> None: ...

class RegenerateAccessTokenResponse(_message.Message):
    __slots__ = ("outcome", "reason", "access_token", "session")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    outcome: Outcome
    reason: Reason
    access_token: AccessToken
    session: VerifiedSession
    def __init__(self, outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[_Union[Reason, str]] = ..., access_token: _Optional[_Union[AccessToken, _Mapping]] = ..., session: _Optional[_Union[VerifiedSession, _Mapping]] = ...) -> None: ...

class GetJwksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetJwksResponse(_message.Message):
    __slots__ = ("jwks_json", "max_age_seconds")
    JWKS_JSON_FIELD_NUMBER: _ClassVar[int]
    MAX_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    jwks_json: str
    max_age_seconds: int
    def __init__(self, jwks_json: _Optional[str] = ..., max_age_seconds: _Optional[int] = ...) -> None: ...

class ListRevocationsRequest(_message.Message):
    __slots__ = ("cursor",)
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    def __init__(self, cursor: _Optional[str] = ...) -> None: ...

class Revocation(_message.Message):
    __slots__ = ("session_handle", "key_id", "revoked_at", "theft", "sequence")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    THEFT_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    key_id: str
    revoked_at: _timestamp_pb2.Timestamp
    theft: TheftEvent
    sequence: int
    def __init__(self, session_handle: _Optional[str] = ..., key_id: _Optional[str] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., theft: _Optional[_Union[TheftEvent, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...

class TheftEvent(_message.Message):
    __slots__ = ("user_id", "presented_generation", "current_generation")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PRESENTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    CURRENT_GENERATION_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    presented_generation: int
    current_generation: int
    def __init__(self, user_id: _Optional[str] = ..., presented_generation: _Optional[int] = ..., current_generation: _Optional[int] = ...) -> None: ...

class ListRevocationsResponse(_message.Message):
    __slots__ = ("revocations", "next_cursor", "snapshot")
    REVOCATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    revocations: _containers.RepeatedCompositeFieldContainer[Revocation]
    next_cursor: str
    snapshot: bool
    def __init__(self, revocations: _Optional[_Iterable[_Union[Revocation, _Mapping]]] = ..., next_cursor: _Optional[str] = ..., snapshot: _Optional[bool] = ...) -> None: ...
