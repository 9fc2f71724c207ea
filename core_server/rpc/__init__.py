"""The gRPC adapter: codec, error mapping, interceptors, servicer and server factory."""

from core_server.rpc.server import create_server

__all__ = ["create_server"]
