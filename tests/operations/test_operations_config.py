"""The metrics and workers settings: defaults, ranges, and what a bad one says."""

from __future__ import annotations

from typing import Any

import pytest

from core_server.config_sources import from_settings
from core_server.errors import ConfigError
from tests.support import scrape
from tests.support.core_process import CoreFactory, CoreProcess

VALID: dict[str, Any] = {
    "api_keys": "k" * 16,
    "master_secrets": "m1:" + "A" * 43,
    "data_dir": "/tmp/session-core-config-test",
}
BAD = [
    ("workers", 0),
    ("workers", 65),
    ("workers", "two"),
    ("metrics_port", -1),
    ("metrics_port", 65536),
    ("metrics_port", 7380),  # the gRPC port's default
    ("metrics_host", ""),
]


def test_defaults_serve_one_process_and_no_metrics() -> None:
    config = from_settings(VALID)
    assert (config.workers, config.metrics_port, config.metrics_host) == (1, 0, "127.0.0.1")


@pytest.mark.parametrize(("key", "value"), BAD, ids=[f"{k}={v}" for k, v in BAD])
def test_bad_setting_names_its_key(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as raised:
        from_settings({**VALID, key: value})
    assert raised.value.key == key


def test_the_flags_and_environment_set_workers_and_metrics(core_factory: CoreFactory) -> None:
    port = scrape.free_port()
    core = core_factory.start(args=("--workers", "2", "--metrics-port", str(port)))
    assert len([line for line in stdout(core) if "listening on" in line]) == 1
    assert f"session-core: metrics on http://127.0.0.1:{port}/metrics" in stdout(core)


def test_a_taken_metrics_port_stops_the_start_with_a_message(core_factory: CoreFactory) -> None:
    port = scrape.free_port()
    core_factory.start({"metrics_port": port})
    for workers in (1, 2):
        with pytest.raises(RuntimeError) as raised:
            core_factory.start({"metrics_port": port, "workers": workers})
        assert "configuration error: metrics_port: cannot serve metrics on" in str(raised.value)
        assert "Traceback" not in str(raised.value)


def stdout(core: CoreProcess) -> list[str]:
    return core.stdout_path.read_text(encoding="utf-8").splitlines()
