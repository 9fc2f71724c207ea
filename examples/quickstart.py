"""Walk a session through its life against a running `session-core serve`.

Run from any directory: python examples/quickstart.py
The core is found at SESSION_CORE_TARGET (default 127.0.0.1:7380). The API key is the
first of SESSION_CORE_API_KEYS, as the server reads it, or else the one the server wrote
into its data directory on first start (SESSION_CORE_DATA_DIR overrides where that is).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import grpc

from core_server.credentials import API_KEY_FILE, default_data_dir
from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

TARGET = os.environ.get("SESSION_CORE_TARGET", "127.0.0.1:7380")


def api_key() -> str:
    if keys := os.environ.get("SESSION_CORE_API_KEYS", "").strip():
        return keys.split(",")[0].strip()
    data_dir = Path(os.environ.get("SESSION_CORE_DATA_DIR") or default_data_dir())
    try:
        return (data_dir / API_KEY_FILE).read_text().strip()
    except FileNotFoundError:
        sys.exit(
            f"no API key: start `session-core serve` first (it writes {data_dir / API_KEY_FILE})"
        )


def name(outcome: int) -> str:
    return pb.Outcome.Name(outcome).removeprefix("OUTCOME_")


def main() -> None:
    try:
        walk_through()
    except grpc.RpcError as exc:
        sys.exit(f"session-core at {TARGET} answered {exc.code().name}: {exc.details()}")


def walk_through() -> None:
    metadata = (("x-api-key", api_key()),)
    with grpc.insecure_channel(TARGET) as channel:
        core = pb_grpc.SessionServiceStub(channel)

        def call(method, request):  # type: ignore[no-untyped-def]
            return method(request, metadata=metadata, timeout=5)

        created = call(
            core.CreateSession,
            pb.CreateSessionRequest(user_id="alice", access_token_claims_json='{"role": "reader"}'),
        )
        handle = created.session.handle
        print(f"created session {handle} for {created.session.user_id}")

        verified = call(
            core.VerifySession,
            pb.VerifySessionRequest(access_token=created.tokens.access_token.token),
        )
        print(f"verify access token      -> {name(verified.outcome)}")

        rt0 = created.tokens.refresh_token.token
        first = call(core.RefreshSession, pb.RefreshSessionRequest(refresh_token=rt0))
        print(f"refresh with token 0     -> {name(first.outcome)}")
        second = call(
            core.RefreshSession,
            pb.RefreshSessionRequest(refresh_token=first.tokens.refresh_token.token),
        )
        print(f"refresh with token 1     -> {name(second.outcome)}")

        replay = call(core.RefreshSession, pb.RefreshSessionRequest(refresh_token=rt0))
        print(f"replay token 0 (stolen?) -> {name(replay.outcome)}")

        gone = call(core.GetSession, pb.GetSessionRequest(handle=handle))
        print(
            f"session afterwards       -> {name(gone.outcome)} "
            f"({pb.Reason.Name(gone.reason).removeprefix('REASON_')})"
        )


if __name__ == "__main__":
    main()
