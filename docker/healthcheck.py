"""The container's health check: the core's gRPC health service answers SERVING.

Usage: python healthcheck.py [HOST:PORT]   (default 127.0.0.1:7380). Exit status 0 when
the core is serving, 1 otherwise; the health service needs no API key.
"""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

DEFAULT_TARGET = "127.0.0.1:7380"
TIMEOUT_SECONDS = 3.0


def main(argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else DEFAULT_TARGET
    with grpc.insecure_channel(target) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=TIMEOUT_SECONDS
            )
        except grpc.RpcError as err:
            print(f"unhealthy: {err.code().name}", file=sys.stderr)
            return 1
    if answer.status != health_pb2.HealthCheckResponse.SERVING:
        print(f"unhealthy: {health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
