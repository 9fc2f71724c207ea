"""The benchmark suite's judging and reporting logic (pure: nothing is measured)."""

from __future__ import annotations

import json

import pytest

from bench import groups, report
from bench.figures import AtLeast, AtMost, Below, Figure, lowest_baseline, tally
from bench.settings import Settings
from bench.stats import Run, median_run

BASELINES = {"rpc": 4000.0, "db_cas": 30000.0, "sign": 900.0}


def judged(value: float, baseline_value: float = 1000.0, ratio: float = 0.4) -> Figure:
    return Figure(
        "refresh", "sqlite", value, "calls/s", "sign", baseline_value, AtLeast(ratio), 2.0, 9.5
    )


def test_ratio_is_value_over_baseline() -> None:
    assert judged(500.0).ratio == pytest.approx(0.5)


def test_no_baseline_value_means_no_ratio() -> None:
    assert Figure("sig", "", 1.0, "ops/s").ratio is None


def test_lowest_baseline_names_the_one_it_picked() -> None:
    assert lowest_baseline(BASELINES, ("rpc", "db_cas", "sign")) == (
        "min(rpc,db_cas,sign)=sign",
        900.0,
    )
    assert lowest_baseline(BASELINES, ("rpc", "db_cas")) == ("min(rpc,db_cas)=rpc", 4000.0)


def test_a_single_baseline_keeps_its_plain_name() -> None:
    assert lowest_baseline(BASELINES, ("rpc",)) == ("rpc", 4000.0)


@pytest.mark.parametrize(("value", "passed"), [(399.0, False), (400.0, True), (401.0, True)])
def test_at_least_compares_the_ratio(value: float, passed: bool) -> None:
    assert judged(value).passed is passed


def test_below_is_strict_and_at_most_is_not() -> None:
    p99 = Figure("refresh_p99_at_half_load", "postgres", 20.0, "ms", target=Below(20.0))
    rss = Figure("core_rss", "sqlite", 150.0, "MB", target=AtMost(150.0))
    assert (p99.passed, rss.passed) == (False, True)


def test_context_figures_are_neither_met_nor_counted() -> None:
    figures = [judged(500.0), judged(100.0), Figure("sign", "", 900.0, "ops/s")]
    assert Figure("sign", "", 900.0, "ops/s").passed is None
    assert tally(figures) == (1, 2)


def test_json_has_one_object_per_figure_with_the_report_fields() -> None:
    (entry,) = json.loads(report.json_text([judged(500.0)]))
    assert entry["name"] == "refresh" and entry["store"] == "sqlite"
    assert (entry["value"], entry["unit"]) == (500.0, "calls/s")
    assert (entry["baseline"], entry["baseline_value"]) == ("sign", 1000.0)
    assert (entry["ratio"], entry["target"], entry["pass"]) == (0.5, ">= 0.4 x", True)


def test_markdown_row_shows_value_latency_baseline_ratio_target_and_verdict() -> None:
    cells = report.markdown_row(judged(500.0)).split(" | ")
    assert cells == [
        "| refresh",
        "sqlite",
        "500 calls/s",
        "2.00 / 9.50",
        "sign 1,000",
        "0.50 x",
        ">= 0.4 x",
        "PASS |",
    ]


def test_markdown_row_of_a_context_figure() -> None:
    row = report.markdown_row(Figure("sig", "", 12.5, "ops/s"))
    assert row == "| sig | - | 12.5 ops/s |  |  |  |  | context |"


def test_console_line_ends_with_the_verdict() -> None:
    assert report.console_line(judged(100.0)).endswith("FAIL")


def test_quick_mode_skips_the_full_only_groups() -> None:
    names = [g.name for g in groups.selected(Settings(quick=True), ())]
    assert "latency" not in names and "memory" not in names and "rpc" in names


def test_only_rpc_brings_the_sign_baseline_with_it() -> None:
    assert [g.name for g in groups.selected(Settings(), ["rpc"])] == ["crypto", "rpc"]


def test_median_run_takes_each_median_on_its_own() -> None:
    runs = [Run(100.0, 1.0, 30.0), Run(300.0, 3.0, 10.0), Run(200.0, 2.0, 20.0)]
    assert median_run(runs) == Run(200.0, 2.0, 20.0)
    assert median_run([Run(100.0, 1.0, 9.0), Run(300.0, 3.0, 10.0)]).p99_ms == 9.5
