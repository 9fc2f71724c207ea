"""The figure groups of the suite: what each measures, when it runs, how it is called.

Each group runs in a fresh process (`isolated`), so one group's gRPC channels, threads
and imports never leak into the next one's forked client processes, and a crashed group
costs only its own figures. Groups other helpers provide (`h2load`, `web`) are called
as `module.figures(quick)`; when their module is missing the group is reported as not
available, never replaced by something else.
"""

from __future__ import annotations

import importlib
import importlib.util
import multiprocessing as mp
import queue
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from bench.figures import Figure
from bench.settings import Settings


@dataclass(frozen=True)
class Group:
    """A named set of figures: `function` (module:name) and when it runs."""

    name: str
    covers: str
    function: str
    in_quick: bool = True
    external: bool = False

    def available(self) -> bool:
        return importlib.util.find_spec(self.function.split(":")[0]) is not None


GROUPS = (
    Group(
        "crypto",
        "sig and sign baselines (bare cryptography RS256)",
        "bench.crypto_baselines:figures",
    ),
    Group(
        "driver", "driver local verification, first sight, vs sig", "bench.driver_figures:figures"
    ),
    Group(
        "rpc",
        "rpc/db baselines; VerifySession (+db), RefreshSession, CreateSession;"
        " core RSS; refreshes per core",
        "bench.rpc_figures:figures",
    ),
    Group(
        "latency",
        "RefreshSession p99 at 50 % load on PostgreSQL (open loop)",
        "bench.latency_at_load:figures",
        in_quick=False,
    ),
    Group(
        "memory", "core RSS growth over 100,000 refreshes", "bench.memory:figures", in_quick=False
    ),
    Group(
        "h2load",
        "--workers 2 vs 1 on VerifySession (h2load)",
        "bench.h2load_grpc:figures",
        external=True,
    ),
    Group(
        "web",
        "protected Flask route vs unprotected and vs flask-jwt-extended",
        "bench.web_routes:figures",
        external=True,
    ),
)
BY_NAME = {group.name: group for group in GROUPS}


def selected(settings: Settings, only: Sequence[str]) -> list[Group]:
    """The groups of this run: `only` if given (with `crypto` when `rpc` needs it)."""
    names = set(only) or {g.name for g in GROUPS if g.in_quick or not settings.quick}
    if "rpc" in names:
        names.add("crypto")  # the `sign` baseline of refresh and create
    return [group for group in GROUPS if group.name in names]


def coverage(settings: Settings) -> Iterator[str]:
    """Lines saying what quick mode measures and what it leaves out."""
    runs = f"{settings.seconds:g} s x {settings.repeats} runs"
    yield f"quick mode: stores {','.join(settings.stores)}, {runs}"
    for group in GROUPS:
        yield f"  {'covers' if group.in_quick else 'skips '}  {group.name}: {group.covers}"
    yield "  skips   the rpc figures on postgres and mongodb (use --stores to add them)"


def isolated(group: Group, *args: Any) -> list[Figure]:
    """Run the group's function on `args` in a fresh (spawned) process; its figures."""
    context = mp.get_context("spawn")
    results: mp.Queue = context.Queue()  # type: ignore[type-arg]
    child = context.Process(target=_child, args=(group.function, args, results))
    child.start()
    try:
        ok, payload = _result(child, results)
    finally:
        child.join()
    if not ok:
        raise GroupFailed(group.name, payload)
    return list(payload)


class GroupFailed(RuntimeError):
    """A group's function raised; `details` is its traceback."""

    def __init__(self, group: str, details: str) -> None:
        super().__init__(f"group {group} failed")
        self.group = group
        self.details = details


def _result(child: BaseProcess, results: mp.Queue) -> tuple[bool, Any]:  # type: ignore[type-arg]
    """The child's (ok, figures or traceback), or a failure if it died without one."""
    while True:
        try:
            return results.get(timeout=1)  # type: ignore[no-any-return]
        except queue.Empty:
            if not child.is_alive() and results.empty():
                return False, f"the group's process died (exit code {child.exitcode})"


def _child(function: str, args: tuple[Any, ...], results: mp.Queue) -> None:  # type: ignore[type-arg]
    # A spawned child inherits the start method "spawn"; the groups' client processes
    # must be forked instead, to share this process's API key and loaded modules.
    mp.set_start_method("fork", force=True)
    try:
        results.put((True, _load(function)(*args)))
    except BaseException:  # the parent reports it; the child only hands it over
        results.put((False, traceback.format_exc()))


def _load(function: str) -> Callable[..., list[Figure]]:
    module, name = function.split(":")
    loaded: Callable[..., list[Figure]] = getattr(importlib.import_module(module), name)
    return loaded
