"""P10/P50/P90 of a reliability study over replications (seed + r, sampled failure-rate multipliers)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from gigafleet.catalog import load_catalog
from gigafleet.cli import app
from gigafleet.errors import InputError
from gigafleet.inputs import reliability_spec
from gigafleet.reliability.summary import (
    AUTO_REPLICATIONS,
    REPLICATION_METRICS,
    ReliabilitySpec,
    auto_replications,
    simulate_reliability,
)

CATALOG = load_catalog()
SMALL = {"chip": "gb200", "accelerators": 16384, "days": 30, "job_size": 16384, "regime": "storage-restart"}
"""A study whose goodput is sensitive to the failure rate (storage restarts, a chip with a wide rate range)."""


def _run(**changes: Any) -> dict[str, Any]:
    return simulate_reliability(CATALOG, ReliabilitySpec(**{**SMALL, **changes}))


def _without(result: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in keys}


def test_replication_zero_is_the_single_seeded_run() -> None:
    single, replicated = _run(replications=1, seed=3), _run(replications=5, seed=3)
    assert _without(single, "engine", "replications") == _without(replicated, "engine", "replications")
    block = single["replications"]
    assert block["count"] == 1 and block["seeds"] == [3] and block["rate_multipliers"] == [1.0]
    assert "single value" in block["note"]
    top = {
        "goodput": single["goodput"],
        "failures_per_day": single["failures_per_day"]["total"],
        "job_interruptions": single["job_interruptions"],
        "availability_mean": single["availability_mean"],
        "gpu_hours_lost_total": single["gpu_hours_lost_total"],
        "spares_needed_p99": single["spares_needed_p99"],
    }
    for name, value in top.items():
        assert block["metrics"][name] == {"p10": value, "p50": value, "p90": value}, name
    assert replicated["replications"]["seeds"] == [3, 4, 5, 6, 7]
    assert replicated["replications"]["rate_multipliers"][0] == 1.0


def test_percentiles_are_ordered_and_the_runs_differ() -> None:
    block = _run(replications=6)["replications"]
    assert set(block["metrics"]) == set(REPLICATION_METRICS)
    for name, triple in block["metrics"].items():
        assert triple["p10"] <= triple["p50"] <= triple["p90"], name
    assert block["metrics"]["failures_per_day"]["p10"] < block["metrics"]["failures_per_day"]["p90"]
    assert len(set(block["rate_multipliers"])) == 6


def test_replications_are_deterministic_and_prefix_stable() -> None:
    first, again = _run(replications=4), _run(replications=4)
    assert first["replications"] == again["replications"]
    more = _run(replications=6)["replications"]
    assert more["rate_multipliers"][:4] == first["replications"]["rate_multipliers"]  # r's draw ignores the count
    assert _run(replications=4, seed=1)["replications"]["metrics"] != first["replications"]["metrics"]


def test_sampled_failure_rates_widen_the_goodput_range() -> None:
    rates = _run(replications=8)["replications"]
    seeds_only = _run(replications=8, vary_rates=False)["replications"]
    assert seeds_only["rate_multipliers"] == [1.0] * 8
    width = rates["metrics"]["goodput"]["p90"] - rates["metrics"]["goodput"]["p10"]
    seed_width = seeds_only["metrics"]["goodput"]["p90"] - seeds_only["metrics"]["goodput"]["p10"]
    assert width > 2 * seed_width > 0


def test_auto_rule() -> None:
    def count(accelerators: int, days: float) -> int:
        return auto_replications(ReliabilitySpec(chip="h100", accelerators=accelerators, days=days, job_size=1000))

    assert count(100_000, 365) == AUTO_REPLICATIONS  # the default study
    assert count(1_000_000, 365) == AUTO_REPLICATIONS
    for days in (1 / 24, 1, 30, 365, 3650):
        assert count(10**8, days) == 1, days  # never a second run of 10^8 devices
    assert count(10**7, 365) == 1
    assert 1 < count(10**7, 100) < AUTO_REPLICATIONS
    sizes = [10**5, 10**6, 3 * 10**6, 10**7, 3 * 10**7, 10**8, 10**9]
    assert [count(n, 365) for n in sizes] == sorted((count(n, 365) for n in sizes), reverse=True)
    spec = reliability_spec(accelerators="10k", days="10")
    assert spec.replications is None  # the CLI's auto
    result = simulate_reliability(CATALOG, spec)
    assert result["replications"]["count"] == AUTO_REPLICATIONS and result["replications"]["auto"] is True
    assert "10^8" in result["replications"]["rule"]


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "lots", "100000"])
def test_bad_replications_name_the_flag(value: str) -> None:
    with pytest.raises(InputError, match="--replications"):
        reliability_spec(replications=value)


def test_cli_replications() -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["reliability", "-n", "2k", "--days", "10", "--replications", "3", "--json"])
    assert done.exit_code == 0, done.output
    block = json.loads(done.stdout)["replications"]
    assert block["count"] == 3 and block["auto"] is False and block["seeds"] == [0, 1, 2]
    table = runner.invoke(app, ["reliability", "-n", "2k", "--days", "10", "--replications", "3"])
    assert "P10 / P50 / P90 over 3 replications" in table.stdout
    bad = runner.invoke(app, ["reliability", "--replications", "none"])
    assert bad.exit_code == 2 and "--replications" in bad.stderr
