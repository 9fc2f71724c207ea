"""API-key authentication for every session RPC; health and reflection stay open."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any

import grpc

API_KEY_METADATA = "x-api-key"
PROTECTED_PREFIX = "/sessioncore.v1."


class ApiKeyInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Rejects calls to protected services without a valid `x-api-key`.

    Every configured key is compared, each in constant time, so neither the result
    nor the number of keys tried leaks which key came close. Several keys may be
    valid at once, which is how keys are rotated without downtime.
    """

    def __init__(self, api_keys: Sequence[str]) -> None:
        self._keys = [key.encode() for key in api_keys]
        self._deny = grpc.unary_unary_rpc_method_handler(_deny)

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Any],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        if not handler_call_details.method.startswith(PROTECTED_PREFIX):
            return continuation(handler_call_details)
        if self._authorised(handler_call_details.invocation_metadata or ()):
            return continuation(handler_call_details)
        return self._deny

    def _authorised(self, metadata: Sequence[tuple[str, str | bytes]]) -> bool:
        presented = [value for key, value in metadata if key == API_KEY_METADATA]
        if len(presented) != 1 or not isinstance(presented[0], str):
            return False
        candidate = presented[0].encode()
        matches = [hmac.compare_digest(candidate, key) for key in self._keys]
        return any(matches)


def _deny(request: Any, context: grpc.ServicerContext) -> None:
    context.abort(
        grpc.StatusCode.UNAUTHENTICATED,
        f"missing or invalid API key: send it in the {API_KEY_METADATA!r} metadata",
    )
