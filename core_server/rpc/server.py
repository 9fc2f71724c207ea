"""Builds the gRPC server: thread pool, limits, interceptors, health and reflection."""

from __future__ import annotations

from concurrent import futures
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from core_server.config import Config
from core_server.errors import ConfigError
from core_server.rpc.interceptors import ApiKeyInterceptor
from core_server.rpc.metrics_interceptor import MetricsInterceptor
from core_server.rpc.servicer import SessionServicer
from core_server.service import SessionService
from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["SessionService"].full_name
# Large enough for any legitimate metadata (API key, tracing), small enough to bound memory.
MAX_METADATA_BYTES = 16 * 1024


def create_server(config: Config, service: SessionService) -> tuple[grpc.Server, int]:
    """Create (not start) the server and bind it; returns the bound port (0 picks one)."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="rpc"),
        # Metrics first (outermost), so calls the API-key check rejects are counted too.
        interceptors=[MetricsInterceptor(), ApiKeyInterceptor(config.api_keys)],
        options=[
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            ("grpc.max_metadata_size", MAX_METADATA_BYTES),
            # Only the workers of one `serve --workers N` share a port; a lone process
            # on a port another holds must fail to start, not silently share it.
            ("grpc.so_reuseport", 1 if config.workers > 1 else 0),
        ],
        maximum_concurrent_rpcs=config.threads * 64,
    )
    pb_grpc.add_SessionServiceServicer_to_server(  # type: ignore[no-untyped-call]
        SessionServicer(service, config.default_deadline_seconds), server
    )
    health_servicer = health.HealthServicer()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    address = host_port(config.host, config.port)
    port = _bind(server, address, config)
    return server, port


def host_port(host: str, port: int) -> str:
    """`host:port`, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind(server: grpc.Server, address: str, config: Config) -> int:
    try:
        if not config.tls_cert_file:
            port = server.add_insecure_port(address)
        else:
            port = server.add_secure_port(address, _credentials(config))
    except RuntimeError:
        port = 0
    if port == 0:
        raise ConfigError("port", f"cannot listen on {address} (in use or not permitted)")
    return int(port)


def _credentials(config: Config) -> grpc.ServerCredentials:
    try:
        pair = (Path(config.tls_key_file).read_bytes(), Path(config.tls_cert_file).read_bytes())
        ca = Path(config.tls_client_ca_file).read_bytes() if config.tls_client_ca_file else None
    except OSError as exc:
        raise ConfigError("tls_cert_file", f"cannot read TLS files: {exc.strerror}") from exc
    return grpc.ssl_server_credentials(
        [pair], root_certificates=ca, require_client_auth=ca is not None
    )
