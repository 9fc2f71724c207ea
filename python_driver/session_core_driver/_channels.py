"""A small pool of gRPC channels to one core target, round-robin, rebuilt after a fork.

Each channel gets its own subchannel pool (`grpc.use_local_subchannel_pool`), so each
opens its own connection: with `session-core serve --workers N` (SO_REUSEPORT) the
kernel spreads those connections, and the calls, over the worker processes.
"""

from __future__ import annotations

import itertools
from typing import Any

import grpc

from session_core_driver._process import PerProcess
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

CHANNEL_OPTIONS: tuple[tuple[str, int], ...] = (("grpc.use_local_subchannel_pool", 1),)


class _Pool:
    def __init__(self, channels: list[grpc.Channel]) -> None:
        self.channels = channels
        # The generated stub is untyped; each holds one multicallable per RPC.
        self.stubs: list[Any] = [pb_grpc.SessionServiceStub(c) for c in channels]  # type: ignore[no-untyped-call]
        self.turn = itertools.count()

    def close(self) -> None:
        for channel in self.channels:
            channel.close()


class ChannelPool:
    """`size` channels to `target`, created on first use in each process.

    `stub()` is thread-safe and returns the stubs in turn. After `close()` the pool
    builds new channels if used again.
    """

    def __init__(self, target: str, size: int, credentials: grpc.ChannelCredentials | None) -> None:
        if size < 1:
            raise ValueError("channels must be at least 1")
        self._target = target
        self._size = size
        self._credentials = credentials
        self._pool: PerProcess[_Pool] = PerProcess(self._open)

    def stub(self) -> Any:
        pool = self._pool.get()
        # next() on itertools.count is atomic under the GIL: no lock on the hot path.
        return pool.stubs[next(pool.turn) % len(pool.stubs)]

    def close(self) -> None:
        pool = self._pool.discard()
        if pool is not None:
            pool.close()

    def _open(self) -> _Pool:
        return _Pool([self._channel() for _ in range(self._size)])

    def _channel(self) -> grpc.Channel:
        options = list(CHANNEL_OPTIONS)
        if self._credentials is None:
            return grpc.insecure_channel(self._target, options=options)
        return grpc.secure_channel(self._target, self._credentials, options=options)
