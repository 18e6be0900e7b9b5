"""Sweep summaries split by each swept parameter (``by_axis`` of :func:`summarise_sweep`): closed-form percentiles
on a grid, equal-count quantile bins of sampled parameters, failed runs counted per bin, the report's section."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from gigafleet.uncertainty.sensitivity import AXIS_BINS, quantile_bins, summarise_sweep

ROW_KEYS = [
    "parameter",
    "binning",
    "bin",
    "low",
    "high",
    "value",
    "runs",
    "not_ok",
    "missing",
    "output",
    "p10",
    "p50",
    "p90",
]


def _meta(experiment: dict[str, Any], runs: int, names: list[str] | None = None) -> dict[str, Any]:
    """A stored sweep's record as :func:`gigafleet.uncertainty.sweep.load_results` returns it."""
    return {
        "sweep_id": "t-0",
        "name": "t",
        "experiment_yaml": yaml.safe_dump(experiment, sort_keys=False),  # as stored: declared order
        "total_runs": runs,
        "problem": {"num_vars": len(names or []), "names": names or []},
    }


def _grid(xs: list[float], seeds: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A grid sweep of ``linear`` (y = 2x + seed) over ``xs`` and ``seeds`` replications, as stored."""
    experiment = {"name": "g", "kind": "function", "function": "linear", "axes": {"function.x": xs}}
    runs = [
        {"run_id": f"r{i}", "index": i, "values": {"function.x": x}, "outputs": {"y": 2.0 * x + seed, "seconds": 0.1}}
        for i, (x, seed) in enumerate((x, seed) for x in xs for seed in range(seeds))
    ]
    return _meta({**experiment, "replications": seeds}, len(runs)), runs


def test_grid_axis_has_the_closed_form_percentiles_of_each_value() -> None:
    """y = 2x + seed, seeds 0..4: in the bin of x the values are 2x + {0, 1, 2, 3, 4}, so (numpy's linear
    interpolation) P10 = 2x + 0.4, P50 = 2x + 2, P90 = 2x + 3.6; one row per grid value, ascending."""
    meta, runs = _grid([3.0, 1.0, 2.0], 5)
    rows = summarise_sweep(meta, runs)["by_axis"]
    assert [list(row) for row in rows] == [ROW_KEYS] * 3
    assert [row["value"] for row in rows] == [1.0, 2.0, 3.0]
    for row in rows:
        x = row["value"]
        assert row["parameter"] == "function.x" and row["output"] == "y" and row["binning"] == "value"
        assert row["low"] == row["high"] == x
        assert (row["runs"], row["not_ok"], row["missing"]) == (5, 0, 0)
        assert row["p10"] == pytest.approx(2 * x + 0.4)
        assert row["p50"] == pytest.approx(2 * x + 2.0)
        assert row["p90"] == pytest.approx(2 * x + 3.6)
    assert [row["bin"] for row in rows] == [0, 1, 2]


def test_two_axes_pool_the_other_axis_and_keep_declared_order() -> None:
    """y = 2x + z on x in {1, 2, 3}, z in {0, 10}: the bin of z = 10 holds {12, 14, 16}: P50 14."""
    experiment = {
        "name": "g2",
        "kind": "function",
        "function": "linear",
        "axes": {"function.z": [10, 0], "function.x": [1, 2, 3]},
    }
    runs = [
        {"run_id": f"r{i}", "index": i, "values": {"function.z": z, "function.x": x}, "outputs": {"y": 2.0 * x + z}}
        for i, (z, x) in enumerate((z, x) for z in (10, 0) for x in (1, 2, 3))
    ]
    rows = summarise_sweep(_meta(experiment, len(runs)), runs)["by_axis"]
    assert [(row["parameter"], row["value"]) for row in rows] == [
        ("function.z", 0),
        ("function.z", 10),
        ("function.x", 1),
        ("function.x", 2),
        ("function.x", 3),
    ]
    assert [row["p50"] for row in rows] == pytest.approx([4.0, 14.0, 7.0, 9.0, 11.0])
    assert summarise_sweep(_meta(experiment, len(runs)), runs)["by_axis"] == rows  # deterministic


def _sampled(n: int, seed: int = 0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A Monte Carlo sweep of one continuous parameter u ~ U(0, 1), output y = 10 u."""
    values = np.random.default_rng(seed).uniform(0.0, 1.0, n)
    experiment = {
        "name": "mc",
        "kind": "function",
        "function": "linear",
        "sample": {"method": "random", "n": n, "parameters": {"function.x": {"low": 0.0, "high": 1.0}}},
    }
    runs = [
        {"run_id": f"r{i}", "index": i, "values": {"function.x": float(u)}, "outputs": {"y": 10.0 * float(u)}}
        for i, u in enumerate(values)
    ]
    return _meta(experiment, n, ["function.x"]), runs


def test_sampled_parameter_gets_equal_count_quantile_bins_with_their_ranges() -> None:
    meta, runs = _sampled(40)
    rows = summarise_sweep(meta, runs)["by_axis"]
    assert len(rows) == AXIS_BINS
    assert [row["runs"] for row in rows] == [8] * 5
    assert all(row["binning"] == "quantile" and row["value"] is None for row in rows)
    xs = sorted(run["values"]["function.x"] for run in runs)
    assert [(row["low"], row["high"]) for row in rows] == [(xs[8 * i], xs[8 * i + 7]) for i in range(5)]
    for row, i in zip(rows, range(5), strict=True):  # y = 10 x: the bin's percentiles are 10 x the bin's
        assert row["p50"] == pytest.approx(10.0 * float(np.percentile(xs[8 * i : 8 * i + 8], 50)))
    assert all(a["high"] < b["low"] for a, b in itertools.pairwise(rows))


@pytest.mark.parametrize(("n", "bins"), [(6, 1), (9, 2), (12, 3), (19, 4), (20, 5), (1000, 5)])
def test_fewer_bins_when_runs_are_few(n: int, bins: int) -> None:
    """``min(AXIS_BINS, runs // 4)`` bins, at least one; counts differ by at most one."""
    meta, runs = _sampled(n)
    counts = [row["runs"] for row in summarise_sweep(meta, runs)["by_axis"]]
    assert len(counts) == bins and sum(counts) == n and max(counts) - min(counts) <= 1


def test_quantile_bins_keep_equal_values_together() -> None:
    values = [1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 4.0, 5.0]  # cuts at 2, 4, 6: the first moves past the 2s (to 5)
    groups = quantile_bins(values, 4)
    assert sorted(i for g in groups for i in g) == list(range(8))
    assert [[values[i] for i in g] for g in groups] == [[1.0, 2.0, 2.0, 2.0, 2.0], [3.0], [4.0, 5.0]]


def test_a_sampled_parameter_with_few_levels_gets_one_row_per_level() -> None:
    """Morris samples a parameter on 4 levels: one row per level, not quantile bins."""
    levels = [0.0, 1 / 3, 2 / 3, 1.0]
    experiment = {"name": "m", "kind": "function", "function": "linear"}
    runs = [
        {"run_id": f"r{i}", "index": i, "values": {"function.x": levels[i % 4]}, "outputs": {"y": 2 * levels[i % 4]}}
        for i in range(20)
    ]
    rows = summarise_sweep(_meta(experiment, 20, ["function.x"]), runs)["by_axis"]
    assert [(row["binning"], row["value"], row["runs"]) for row in rows] == [("value", v, 5) for v in levels]


def test_failed_runs_are_counted_in_their_bin() -> None:
    """Runs whose status is not ok are counted (``not_ok``) and kept in the percentiles where they have a value;
    runs without a value are counted (``missing``); runs not stored (an incomplete sweep) are not in any bin."""
    meta, runs = _grid([1.0, 2.0], 5)
    for run in runs:
        run["outputs"]["status_ok"] = 1.0
    runs[0]["outputs"].update(status_ok=0.0, y=None)  # x = 1: infeasible, no value
    runs[1]["outputs"].update(status_ok=0.0)  # x = 1: shortfall, a value
    runs[7]["outputs"].update(y=math.nan)  # x = 2: ok, but no value
    del runs[9]  # x = 2: not stored
    meta["total_runs"] = 10
    summary = summarise_sweep(meta, runs)
    ys = {row["value"]: row for row in summary["by_axis"] if row["output"] == "y"}
    assert (ys[1.0]["runs"], ys[1.0]["not_ok"], ys[1.0]["missing"]) == (5, 2, 1)
    assert ys[1.0]["p50"] == pytest.approx(float(np.percentile([3.0, 4.0, 5.0, 6.0], 50)))
    assert (ys[2.0]["runs"], ys[2.0]["not_ok"], ys[2.0]["missing"]) == (4, 0, 1)
    status = {row["value"]: row for row in summary["by_axis"] if row["output"] == "status_ok"}
    assert status[1.0]["not_ok"] == 2 and status[1.0]["p10"] == pytest.approx(0.0)


def test_a_bin_without_values_has_nan_percentiles_and_no_axes_give_no_rows() -> None:
    meta, runs = _grid([1.0], 2)
    for run in runs:
        run["outputs"]["y"] = None
    (row,) = summarise_sweep(meta, runs)["by_axis"]
    assert row["missing"] == 2 and math.isnan(row["p50"])
    plain = {"name": "one", "kind": "function", "function": "linear"}
    single = [{"run_id": "r", "index": 0, "values": {}, "outputs": {"y": 1.0}}]
    assert summarise_sweep(_meta(plain, 1), single)["by_axis"] == []


def test_string_axis_values_keep_their_declared_order() -> None:
    experiment = {"name": "s", "kind": "plan", "base": "demo", "axes": {"scenario.power_model": ["hourly", "firm"]}}
    runs = [
        {"run_id": f"r{i}", "index": i, "values": {"scenario.power_model": v}, "outputs": {"cost_usd": c}}
        for i, (v, c) in enumerate((("hourly", 2.0), ("firm", 1.0)))
    ]
    rows = summarise_sweep(_meta(experiment, 2), runs)["by_axis"]
    assert [(row["value"], row["low"], row["p50"]) for row in rows] == [("hourly", None, 2.0), ("firm", None, 1.0)]


def test_grid_sweep_end_to_end_through_the_report(tmp_path: Path) -> None:
    """A stored grid sweep of ``linear`` (y = 2x + seed, 4 replications): ``report --json`` has the closed-form
    percentiles per grid value, and the HTML report draws them in its "By axis" section, after the tornado."""
    from typer.testing import CliRunner

    from gigafleet.cli import app
    from gigafleet.testing.reports import section, table_rows
    from gigafleet.uncertainty.experiment import Experiment, sweep_id
    from gigafleet.uncertainty.sweep import run_sweep

    data = {"name": "grid", "kind": "function", "function": "linear", "axes": {"function.x": [1.0, 2.0, 5.0]}}
    data["replications"] = 4
    experiment = Experiment.model_validate(data)
    store = tmp_path / "s.duckdb"
    run_sweep(experiment, "", store=store, workers=1)
    html = tmp_path / "r.html"
    out = CliRunner().invoke(
        app, ["report", sweep_id(experiment), "--store", str(store), "--json", "--html", str(html)]
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)["by_axis"]
    # seeds 0..3: values 2x + {0, 1, 2, 3}: P10 = 2x + 0.3, P50 = 2x + 1.5, P90 = 2x + 2.7
    assert [(row["value"], row["runs"]) for row in rows] == [(1.0, 4), (2.0, 4), (5.0, 4)]
    for row in rows:
        x = row["value"]
        assert (row["p10"], row["p50"], row["p90"]) == pytest.approx((2 * x + 0.3, 2 * x + 1.5, 2 * x + 2.7))
    page = html.read_text(encoding="utf-8")
    assert page.index('id="sensitivity"') < page.index('id="by-axis"') < page.index('id="fan"')
    by_axis = section(page, "by-axis")
    assert "<h2>By axis: Y</h2>" in by_axis and 'id="chart-by-axis"' in by_axis
    table = table_rows(by_axis)
    assert len(table) == 3 and ">5<" in table[2] and ">11.5<" in table[2]  # x = 5: P50 2·5 + 1.5
