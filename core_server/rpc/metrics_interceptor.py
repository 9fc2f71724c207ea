"""Counts and times every unary RPC by method and outcome.

It must be the outermost interceptor, so calls that the API-key interceptor rejects
are counted too (as UNAUTHENTICATED). Label values come from fixed tables: a method
the server does not serve is `unknown`, an outcome is a name of the `Outcome` enum or
of `grpc.StatusCode`, so no request can create a new series. The long-lived streams
(health `Watch`, reflection) pass through uncounted: a duration means nothing there.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import grpc
from grpc_health.v1 import health

from core_server import metrics
from sessioncore.v1 import session_service_pb2 as pb

UNKNOWN_METHOD = "unknown"
OUTCOME_PREFIX = "OUTCOME_"
# A response without an outcome field (GetJwks, RevokeSessions, ...) succeeded plainly.
PLAIN_SUCCESS = "OK"


def _method_labels() -> dict[str, str]:
    service = pb.DESCRIPTOR.services_by_name["SessionService"]
    labels = {f"/{service.full_name}/{method.name}": method.name for method in service.methods}
    labels[f"/{health.SERVICE_NAME}/Check"] = "Check"
    return labels


METHOD_LABELS = _method_labels()


class MetricsInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Records `session_core_rpc_requests_total` and `..._duration_seconds` per call."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Any],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        if not metrics.recording():
            return continuation(handler_call_details)  # nothing to time or count
        started = time.perf_counter()
        handler = continuation(handler_call_details)
        label = METHOD_LABELS.get(handler_call_details.method, UNKNOWN_METHOD)
        if handler is None:
            # gRPC answers UNIMPLEMENTED itself; count it, it may be a misconfigured client.
            metrics.record_rpc(label, grpc.StatusCode.UNIMPLEMENTED.name, _since(started))
            return None
        if handler.request_streaming or handler.response_streaming:
            return handler
        return grpc.unary_unary_rpc_method_handler(
            _recorded(handler.unary_unary, label),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _recorded(
    behavior: Callable[[Any, grpc.ServicerContext], Any], label: str
) -> Callable[[Any, grpc.ServicerContext], Any]:
    @functools.wraps(behavior)
    def wrapper(request: Any, context: grpc.ServicerContext) -> Any:
        started = time.perf_counter()
        try:
            response = behavior(request, context)
        except BaseException:
            metrics.record_rpc(label, _failure(context), _since(started))
            raise
        metrics.record_rpc(label, _outcome(response, context), _since(started))
        return response

    return wrapper


def _outcome(response: Any, context: grpc.ServicerContext) -> str:
    code = context.code()
    if code is not None and code is not grpc.StatusCode.OK:
        return str(code.name)  # a handler that set a status and returned
    field = response.DESCRIPTOR.fields_by_name.get("outcome")
    if field is None or field.enum_type is None:
        return PLAIN_SUCCESS
    value = field.enum_type.values_by_number.get(response.outcome)
    name = str(value.name) if value is not None else "OUTCOME_UNSPECIFIED"
    return name.removeprefix(OUTCOME_PREFIX)


def _failure(context: grpc.ServicerContext) -> str:
    # context.abort() records the code before raising; anything else becomes UNKNOWN.
    code = context.code()
    return str(code.name) if code is not None else grpc.StatusCode.UNKNOWN.name


def _since(started: float) -> float:
    return time.perf_counter() - started
