"""Transport limits: API key, message size and the server's default deadline (A39)."""

from __future__ import annotations

import time

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.core_process import CoreProcess
from tests.support.grpc_helpers import (
    API_KEY_HEADER,
    Api,
    call,
    create_session,
    new_user,
    session_stub,
)
from tests.support.storage import BackendSupport

HUNDRED_MB = 100 * 1024 * 1024
DEFAULT_DEADLINE_SECONDS = 1
UNLIMITED = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]


def test_A39_session_rpc_without_api_key_is_unauthenticated(core: CoreProcess) -> None:
    stub = session_stub(core.channel())
    request = pb.CreateSessionRequest(user_id=new_user("a39"))
    for key in (None, "", "not-a-key"):
        with pytest.raises(grpc.RpcError) as info:
            call(stub.CreateSession, request, key=key)
        assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_A39_hundred_megabyte_message_is_resource_exhausted(core: CoreProcess, api: Api) -> None:
    stub = session_stub(core.channel(options=UNLIMITED))
    huge = '{"blob": "' + "x" * HUNDRED_MB + '"}'
    request = pb.CreateSessionRequest(user_id=new_user("a39"), session_data_json=huge)
    with pytest.raises(grpc.RpcError) as info:
        call(stub.CreateSession, request, key=core.secrets.api_keys[0], timeout=60)
    assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    create_session(api)  # The core still serves.


def test_A39_call_without_deadline_gets_the_server_default(
    start_core: StartCore, backend: BackendSupport
) -> None:
    core = start_core(default_deadline_seconds=DEFAULT_DEADLINE_SECONDS)
    stub = session_stub(core.channel())
    metadata = ((API_KEY_HEADER, core.secrets.api_keys[0]),)
    request = pb.CreateSessionRequest(user_id=new_user("a39-deadline"))
    with backend.inspector(core).write_lock():
        started = time.monotonic()
        future = stub.CreateSession.future(request, metadata=metadata)  # no deadline
        try:
            future.result(timeout=10)
        except grpc.RpcError as err:
            elapsed = time.monotonic() - started
            assert (err.code(), elapsed < 5) == (grpc.StatusCode.DEADLINE_EXCEEDED, True), (
                f"{err.code()} after {elapsed:.2f} s: {err.details()}\n{core.stderr_text()[-2000:]}"
            )
        except grpc.FutureTimeoutError:
            future.cancel()
            raise AssertionError("the call was still running after 10 s") from None
        else:
            raise AssertionError("the write succeeded while storage was locked")
    create_session(core.stub())  # Once the lock is gone the same core writes again.
