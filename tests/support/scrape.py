"""Read a core's Prometheus endpoint the way a scraper does, and its per-worker files."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path

from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

SCRAPE_TIMEOUT_SECONDS = 5.0
# The sample names docs/operations.md promises.
DOCUMENTED = frozenset(
    {
        "session_core_rpc_requests_total",
        "session_core_rpc_duration_seconds_bucket",
        "session_core_rpc_duration_seconds_count",
        "session_core_rpc_duration_seconds_sum",
        "session_core_refreshes_total",
        "session_core_thefts_total",
        "session_core_revocations_total",
        "session_core_feed_append_failures_total",
        "session_core_feed_lag_seconds",
        "session_core_signing_key_age_seconds",
        "session_core_signing_keys",
    }
)

# (sample name, sorted label pairs) -> value
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def free_port() -> int:
    """A port free on loopback right now (for settings that cannot take 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(port: int) -> Samples:
    """GET /metrics on loopback and parse the exposition with prometheus_client's parser."""
    url = f"http://127.0.0.1:{port}/metrics"
    with urllib.request.urlopen(url, timeout=SCRAPE_TIMEOUT_SECONDS) as response:
        text = response.read().decode("utf-8")
    return _samples(text_string_to_metric_families(text))


def worker_file_samples(directory: Path, pid: int) -> Samples:
    """The counters one worker wrote into the multiprocess directory."""
    files = [str(path) for path in directory.glob(f"counter_{pid}.db")]
    return _samples(MultiProcessCollector.merge(files, accumulate=True))  # type: ignore[no-untyped-call]


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist (an untouched counter)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def series(samples: Samples, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every series of one sample name, by its label pairs."""
    return {labels: v for (sample, labels), v in samples.items() if sample == name}


def names(samples: Samples) -> set[str]:
    return {name for name, _ in samples}


def _samples(families: Iterable[Metric]) -> Samples:
    found: Samples = {}
    for family in families:
        for sample in family.samples:
            found[(sample.name, _labels(sample.labels))] = float(sample.value)
    return found


def _labels(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def json_lines(path: Path) -> list[dict[str, object]]:
    """The JSON log lines of a core's stderr (other lines skipped)."""
    entries = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
    return entries
