"""The one table from core and storage errors to gRPC statuses, applied by `handled`.

Clients see a status code and a message they can act on; never a traceback, SQL or
a token. Unexpected exceptions are logged here with their traceback and answered
INTERNAL with a generic message.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, NoReturn, Protocol, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from core_server import deadlines
from core_server.errors import InvalidArgument, KeyUnavailable
from core_server.storage.errors import StorageTimeout, StorageUnavailable

log = logging.getLogger(__name__)
ERROR_DOMAIN = "session-core"

Request = TypeVar("Request")
Response = TypeVar("Response")


class _HasDeadline(Protocol):
    default_deadline_seconds: float


Servicer = TypeVar("Servicer", bound=_HasDeadline)
Method = Callable[[Servicer, Request, grpc.ServicerContext], Response]


def handled(method: Method[Servicer, Request, Response]) -> Method[Servicer, Request, Response]:
    """Run an RPC method under its deadline and translate errors to statuses.

    The deadline is the client's, or the servicer's default when the client set none;
    it bounds every storage wait made while serving the call.
    """

    @functools.wraps(method)
    def wrapper(self: Servicer, request: Request, context: grpc.ServicerContext) -> Response:
        budget = context.time_remaining()
        # gRPC reports "no deadline" as None or as an effectively infinite time left.
        if budget is None or budget > deadlines.NO_DEADLINE_SECONDS:
            budget = self.default_deadline_seconds
        with deadlines.deadline_in(budget):
            try:
                return method(self, request, context)
            except Exception as exc:
                abort(context, exc)

    return wrapper


def abort(context: grpc.ServicerContext, exc: Exception) -> NoReturn:
    """Abort the call with the status that `exc` maps to."""
    if isinstance(exc, InvalidArgument):
        context.abort_with_status(_invalid_argument(exc))
    code, message, reason = _status_of(exc)
    if code is grpc.StatusCode.INTERNAL:
        log.exception("internal error while serving %s", type(exc).__name__, exc_info=exc)
    status = _status(code, message, reason)
    context.abort_with_status(rpc_status.to_status(status))
    raise AssertionError("unreachable")  # abort_with_status always raises


def _status_of(exc: Exception) -> tuple[grpc.StatusCode, str, str]:
    if isinstance(exc, StorageTimeout) and deadlines.expired():
        return (
            grpc.StatusCode.DEADLINE_EXCEEDED,
            "deadline exceeded waiting for storage",
            "DEADLINE",
        )
    if isinstance(exc, StorageUnavailable):
        log.warning("storage unavailable: %s", type(exc).__name__)
        return (
            grpc.StatusCode.UNAVAILABLE,
            "storage is unavailable; retry later",
            "STORAGE_UNAVAILABLE",
        )
    if isinstance(exc, KeyUnavailable):
        return (
            grpc.StatusCode.FAILED_PRECONDITION,
            "a key this session needs is not available",
            "KEY_UNAVAILABLE",
        )
    return grpc.StatusCode.INTERNAL, "internal error", "INTERNAL"


def _status(code: grpc.StatusCode, message: str, reason: str, *details: Any) -> status_pb2.Status:
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN))
    packed = [info]
    for detail in details:
        item = any_pb2.Any()
        item.Pack(detail)
        packed.append(item)
    return status_pb2.Status(code=code.value[0], message=message, details=packed)


def _invalid_argument(exc: InvalidArgument) -> grpc.Status:
    violation = error_details_pb2.BadRequest.FieldViolation(field=exc.field, description=exc.rule)
    status = _status(
        grpc.StatusCode.INVALID_ARGUMENT,
        f"{exc.field}: {exc.rule}",
        "INVALID_ARGUMENT",
        error_details_pb2.BadRequest(field_violations=[violation]),
    )
    return rpc_status.to_status(status)
