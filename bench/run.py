"""The benchmark suite: every figure with its same-run baseline, target and verdict.

Run: bash scripts/bench [--quick] [--stores sqlite,postgres,mongodb] [--seconds S]
                        [--repeats N] [--only GROUP,...]
(or `python -m bench.run ...` in the project's venv).

Starts what it needs (core processes, a throwaway PostgreSQL cluster, a throwaway
FerretDB server), runs each group of figures (bench/groups.py) in a process of its own,
prints every figure as its group ends, writes bench/results/latest.{json,md,png} and
prints `bench: N/M targets met` last. Exits 1 when a target is missed or a group failed.
Quick mode (SQLite only, 0.5 s runs, still 3 repeats) stays under a minute on two cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bench import db_baselines, groups, report
from bench.figures import Figure, tally
from bench.settings import ALL_STORES, FULL_SECONDS, QUICK_SECONDS, QUICK_STORES, Settings


def parse(argv: Sequence[str] | None = None) -> tuple[Settings, list[str]]:
    """(settings, names of the groups asked for with --only) from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SQLite only, short runs (< 60 s)")
    parser.add_argument("--stores", help=f"comma-separated, of {','.join(ALL_STORES)}")
    parser.add_argument("--seconds", type=float, help="length of each timed run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    names = ",".join(groups.BY_NAME)
    parser.add_argument("--only", default="", help=f"comma-separated groups, of {names}")
    args = parser.parse_args(argv)
    only = [name for name in args.only.split(",") if name]
    if unknown := [name for name in only if name not in groups.BY_NAME]:
        parser.error(f"unknown groups: {', '.join(unknown)} (known: {names})")
    default_stores = QUICK_STORES if args.quick else ALL_STORES
    stores = tuple(args.stores.split(",")) if args.stores else default_stores
    seconds = args.seconds or (QUICK_SECONDS if args.quick else FULL_SECONDS)
    try:
        return Settings(args.quick, stores, seconds, args.repeats), only
    except ValueError as exc:
        parser.error(str(exc))


def steps(
    settings: Settings,
    chosen: Sequence[groups.Group],
    fresh: Callable[[str], str],
    done: Sequence[Figure],
) -> Iterator[tuple[str, groups.Group, tuple[Any, ...]]]:
    """(label, group, arguments) of each run, in order; reads `done` for the sign rate."""
    for group in chosen:
        if group.external:
            yield group.name, group, (settings.quick,)
        elif group.name == "rpc":
            sign = next((f.value for f in done if f.name == "sign"), None)
            if sign is None:
                print("\n== rpc: not run, the sign baseline is missing (crypto failed)")
                continue
            for index, store in enumerate(settings.stores):
                yield f"rpc {store}", group, (settings, store, fresh(store), sign, index == 0)
        elif group.name == "latency":
            if "postgres" not in settings.stores:
                print("\n== latency: not run, postgres is not among the stores")
                continue
            yield group.name, group, (settings, fresh("postgres"))
        elif group.name == "memory":
            # 110,000 refreshes: on SQLite when it is in the run (minutes, not half an hour).
            store = "sqlite" if "sqlite" in settings.stores else settings.stores[0]
            yield f"memory {store}", group, (settings, store, fresh(store))
        else:
            yield group.name, group, (settings,)


def run(settings: Settings, chosen: Sequence[groups.Group]) -> tuple[list[Figure], list[str]]:
    """Every figure of the chosen groups, and the labels of the runs that failed."""
    figures: list[Figure] = []
    failed: list[str] = []
    servers = _servers_needed(settings, chosen)
    with (
        tempfile.TemporaryDirectory() as folder,
        db_baselines.servers(Path(folder), servers) as fresh,
    ):
        for label, group, args in steps(settings, chosen, fresh, figures):
            print(f"\n== {label}: {group.covers}", flush=True)
            try:
                new = groups.isolated(group, *args)
            except groups.GroupFailed as exc:
                print(exc.details, file=sys.stderr)
                print(f"{label}: FAILED (no figures)", flush=True)
                failed.append(label)
                continue
            for figure in new:
                print(report.console_line(figure), flush=True)
            figures += new
    return figures, failed


def _servers_needed(settings: Settings, chosen: Sequence[groups.Group]) -> list[str]:
    names = {g.name for g in chosen}
    needed = set(settings.stores) if names & {"rpc", "memory"} else set()
    if "latency" in names and "postgres" in settings.stores:
        needed.add("postgres")
    return [store for store in ALL_STORES if store in needed and store != "sqlite"]


def main(argv: Sequence[str] | None = None) -> int:
    settings, only = parse(argv)
    chosen = groups.selected(settings, only)
    if settings.quick:
        print("\n".join(groups.coverage(settings)))
    print(
        f"{settings.in_flight} calls in flight over {settings.processes} channels, RS256, "
        f"one core worker; {settings.seconds:g} s x {settings.repeats} runs (median)"
    )
    for group in chosen:
        if not group.available():
            print(f"{group.name}: not available ({group.function.split(':')[0]} is missing)")
    chosen = [group for group in chosen if group.available()]
    figures, failed = run(settings, chosen)
    met, total = tally(figures)
    summary = f"bench: {met}/{total} targets met"
    for path in report.write(figures, summary):
        print(f"wrote {path}")
    if failed:
        print(f"groups that failed: {', '.join(failed)}")
    print(summary)
    return 1 if failed or met < total else 0


if __name__ == "__main__":
    sys.exit(main())
