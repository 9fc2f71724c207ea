"""Write a run's figures: JSON, a markdown table and a PNG plot, and the console lines.

`latest.json` holds one object per figure (`Figure.as_json`), `latest.md` one table row
per figure, `latest.png` the throughput and p99 latency of every operation per store
(figures measured with latencies), drawn with matplotlib's Agg backend (no display).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from bench.figures import Figure

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ("figure", "store", "value", "p50 / p99 ms", "baseline", "ratio", "target", "result")


def verdict(figure: Figure) -> str:
    """PASS, FAIL, or context (no target)."""
    if figure.passed is None:
        return "context"
    return "PASS" if figure.passed else "FAIL"


def cells(figure: Figure) -> tuple[str, ...]:
    """The figure as text cells, in the order of COLUMNS."""
    baseline = ""
    if figure.baseline and figure.baseline_value is not None:
        baseline = f"{figure.baseline} {_number(figure.baseline_value)}"
    ratio = "" if figure.ratio is None else f"{figure.ratio:.2f} x"
    target = figure.target.describe() if figure.target else ""
    value = f"{_number(figure.value)} {figure.unit}"
    latency = ""
    if figure.p50_ms is not None and figure.p99_ms is not None:
        latency = f"{figure.p50_ms:.2f} / {figure.p99_ms:.2f}"
    store = figure.store or "-"
    return (figure.name, store, value, latency, baseline, ratio, target, verdict(figure))


def console_line(figure: Figure) -> str:
    """One printed line: name, store, value (p50/p99), baseline and ratio, target, verdict."""
    name, store, value, latency, baseline, ratio, target, result = cells(figure)
    versus = f"  vs {baseline} = {ratio}" if baseline else ""
    goal = f"  target {target}" if target else ""
    latency = f"  p50/p99 {latency} ms" if latency else ""
    return f"{name:<30} {store:<9} {value:>22}{latency}{versus}{goal}  {result}"


def markdown_row(figure: Figure) -> str:
    return "| " + " | ".join(cells(figure)) + " |"


def markdown(figures: Sequence[Figure], summary: str) -> str:
    header = "| " + " | ".join(COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in COLUMNS) + "|"
    rows = [markdown_row(figure) for figure in figures]
    return "\n".join(["# Benchmark results", "", summary, "", header, rule, *rows, ""])


def write(figures: Sequence[Figure], summary: str, folder: Path = RESULTS) -> list[Path]:
    """Write latest.json, latest.md and latest.png into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "latest.json", folder / "latest.md", folder / "latest.png"]
    paths[0].write_text(json_text(figures))
    paths[1].write_text(markdown(figures, summary))
    plot(figures, paths[2])
    return paths


def json_text(figures: Sequence[Figure]) -> str:
    """A JSON array with one object per figure (`Figure.as_json`)."""
    return json.dumps([figure.as_json() for figure in figures], indent=2) + "\n"


def plot(figures: Sequence[Figure], path: Path) -> None:
    """Bars of throughput and p99 latency per operation, one bar per store."""
    import matplotlib  # imported here: only the report needs it, and it is slow to load

    matplotlib.use("Agg")
    from matplotlib import pyplot

    timed = [f for f in figures if f.p99_ms is not None and f.unit.endswith("/s")]
    names = list(dict.fromkeys(f.name for f in timed))
    stores = list(dict.fromkeys(f.store or "no store" for f in timed))
    fig, axes = pyplot.subplots(2, 1, figsize=(max(6.0, 1.2 * len(names)), 7), sharex=True)
    width = 0.8 / max(1, len(stores))
    for index, store in enumerate(stores):
        found = {f.name: f for f in timed if (f.store or "no store") == store}
        xs = [i + index * width for i, name in enumerate(names) if name in found]
        axes[0].bar(xs, [found[n].value for n in names if n in found], width, label=store)
        axes[1].bar(xs, [found[n].p99_ms or 0.0 for n in names if n in found], width, label=store)
    axes[0].set_yscale("log")  # bare database reads are 100x faster than any RPC
    axes[0].set_ylabel("calls or requests/s (median, log)")
    axes[1].set_ylabel("p99 latency (ms, median)")
    axes[1].set_xticks(
        [i + 0.4 - width / 2 for i in range(len(names))], names, rotation=30, ha="right"
    )
    if stores:
        axes[0].legend(title="store")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    pyplot.close(fig)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
