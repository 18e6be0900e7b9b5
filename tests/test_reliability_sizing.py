"""``--job-size auto``: the simulated job is the whole fleet up to the peak of J x goodput(J), then the peak."""

from __future__ import annotations

import itertools

import pytest

from gigafleet.catalog import load_catalog
from gigafleet.reliability.model import failure_model
from gigafleet.reliability.regimes import analytic_goodput, recovery_regime
from gigafleet.reliability.sizing import best_run
from gigafleet.reliability.summary import ReliabilitySpec, resolve_job_size, simulate_reliability

CATALOG = load_catalog()


def auto(accelerators: int, chip: str = "gb200", regime: str = "auto", year: int = 2035) -> tuple[int, dict]:
    spec, sizing = resolve_job_size(
        CATALOG, ReliabilitySpec(chip=chip, accelerators=accelerators, days=30, job_size=None, regime=regime, year=year)
    )
    assert spec.job_size == sizing["job_size"]
    return spec.job, sizing


def delivered(job: int, chip: str, regime: str) -> float:
    model = failure_model(CATALOG, chip)
    return job * analytic_goodput(model, recovery_regime(CATALOG, regime, model), job)


@pytest.mark.parametrize("chip", ["h100", "gb200"])
@pytest.mark.parametrize("regime", ["elastic", "in-memory", "storage-restart"])
def test_a_bigger_fleet_never_simulates_a_job_that_delivers_less(chip: str, regime: str) -> None:
    """From 10^3 to 10^9 accelerators the auto job's J x goodput(J) never falls (it did: one job of the whole
    fleet delivered 0.03 of 10^7 GB200 and nothing at 10^8)."""
    values = []
    for exponent in range(4, 10):
        job, _ = auto(10**exponent, chip, regime)
        values.append(delivered(job, chip, regime))
    assert all(b >= a * (1 - 1e-9) for a, b in itertools.pairwise(values)), values
    assert values[-1] > 0.3 * max(values)


def test_below_the_peak_the_job_is_the_whole_fleet() -> None:
    for n in (1_000, 16_384, 100_000, 1_000_000):
        job, sizing = auto(n)
        assert job == n
        assert sizing["peak_job_size"] is None and sizing["jobs_in_fleet"] == 1


def test_above_the_peak_the_job_is_the_peak_and_the_fleet_holds_several() -> None:
    peak = best_run(CATALOG, "gb200", 10**10, ["storage-restart", "in-memory", "elastic"])[0]["job_size"]
    assert 10**6 < peak < 10**7
    job, sizing = auto(10**8)
    assert job == peak == sizing["peak_job_size"]
    assert sizing["jobs_in_fleet"] == 10**8 // peak
    assert "holds" in sizing["note"]
    # a fleet just above the peak gets the peak, one just below it the fleet
    assert auto(peak + 10_000)[0] == peak
    assert auto(peak - 10_000)[0] == peak - 10_000


def test_an_elastic_fleet_below_two_replicas_gets_the_regime_error() -> None:
    from gigafleet.errors import InputError

    with pytest.raises(InputError, match="elastic needs at least two replicas"):
        simulate_reliability(
            CATALOG, ReliabilitySpec(chip="h100", accelerators=1000, days=1, job_size=None, regime="elastic")
        )


def test_a_given_job_size_is_kept() -> None:
    spec, sizing = resolve_job_size(
        CATALOG, ReliabilitySpec(chip="h100", accelerators=10**8, days=30, job_size=100_000, regime="auto")
    )
    assert spec.job_size == 100_000 and sizing["rule"] == "given" and sizing["jobs_in_fleet"] == 1000


def test_simulated_goodput_at_ten_million_is_not_a_restart_loop() -> None:
    """The study of 10^7 GB200 in 2035 simulates the peak-size job: goodput ~0.5, delivered compute above the
    whole fleet of 10^6's."""
    results = {
        n: simulate_reliability(
            CATALOG, ReliabilitySpec(chip="gb200", accelerators=n, days=30, job_size=None, regime="auto", year=2035)
        )
        for n in (10**6, 10**7)
    }
    big, small = results[10**7], results[10**6]
    assert big["goodput"] > 0.3
    assert big["inputs"]["job_size"] * big["goodput"] > small["inputs"]["job_size"] * small["goodput"]
    assert big["job_sizing"]["rule"] == "auto" and big["notes"][0].startswith("Job size auto")


def test_cli_job_size_auto_is_the_default_and_can_be_named() -> None:
    import json

    from typer.testing import CliRunner

    from gigafleet.cli import app

    runner = CliRunner()
    args = ["reliability", "--accelerators", "100M", "--chip", "gb200", "--days", "2", "--replications", "1"]
    results = []
    for extra in ([], ["--job-size", "auto"], ["--job-size", "AUTO"]):
        done = runner.invoke(app, [*args, *extra, "--json"])
        assert done.exit_code == 0, done.output
        results.append(json.loads(done.output))
    assert results[0]["job_sizing"] == results[1]["job_sizing"] == results[2]["job_sizing"]
    assert results[0]["job_sizing"]["jobs_in_fleet"] == 19
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "holds 19" in " ".join(table.output.split())
    bad = runner.invoke(app, [*args, "--job-size", "big"])
    assert bad.exit_code != 0 and "--job-size" in bad.output
