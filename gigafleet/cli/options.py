"""Typer option types shared by several commands (fleet size, chip, cooling, samples, seed, output)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ChipOpt = Annotated[
    str | None,
    typer.Option(
        "--chip", help="Accelerator id (e.g. gb200, h100, tpu-v7), or shares like h100:0.4,gb200:0.6 [default: gb200]."
    ),
]
FleetOpt = Annotated[
    str | None,
    typer.Option(
        "--fleet", help="Counts per accelerator, e.g. h100=40M,gb200=60M (instead of --chip and a sizing flag)."
    ),
]
AcceleratorsOpt = Annotated[
    str | None,
    typer.Option("--accelerators", "-n", help="Number of accelerators: 100M, 2.9M, 1e6 (suffixes k, M, B, T)."),
]
ItPowerOpt = Annotated[str | None, typer.Option("--it-power-gw", help="Size the fleet by IT power [GW].")]
FacilityPowerOpt = Annotated[
    str | None, typer.Option("--facility-power-gw", help="Size the fleet by facility power at peak [GW].")
]
BudgetOpt = Annotated[str | None, typer.Option("--budget-usd", help="Size the fleet by all-in capex [USD], e.g. 1T.")]
CoolingOpt = Annotated[
    str,
    typer.Option(
        "--cooling", help="air, liquid, immersion, or auto (liquid for chips that ship liquid-cooled only, else air)."
    ),
]
RegionOpt = Annotated[str, typer.Option("--region", help="Region for power price, grid CO2 and build cost.")]
YearOpt = Annotated[
    str | None,
    typer.Option("--year", help="Year of operation [default: this year, or the chip's volume year if later]."),
]
UtilOpt = Annotated[
    str | None,
    typer.Option("--utilisation", help="Share of time busy, 0-1 or 80% [default: sampled from the catalogue range]."),
]
MfuOpt = Annotated[
    str | None,
    typer.Option("--mfu", help="Model FLOP utilisation while busy [default: sampled from the catalogue range]."),
]
DEFAULT_SAMPLES_TEXT = "2000"
"""``--samples`` when not given: ``gigafleet.scenario.DEFAULT_SAMPLES`` (a test holds them equal)."""
SamplesOpt = Annotated[str, typer.Option("--samples", help="Monte Carlo samples (e.g. 2000, 1e6).")]
SeedOpt = Annotated[str, typer.Option("--seed", help="Random seed (same seed, same numbers).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
MaxMemoryOpt = Annotated[
    str, typer.Option("--max-memory-gb", help="Refuse sample counts whose estimated memory is above this [GiB].")
]
ClaimCapexOpt = Annotated[str | None, typer.Option("--claim-capex-usd", help="Claimed cost [USD].")]
ClaimPowerOpt = Annotated[str | None, typer.Option("--claim-power-gw", help="Claimed power [GW].")]
ClaimEnergyOpt = Annotated[str | None, typer.Option("--claim-energy-twh", help="Claimed annual energy [TWh/yr].")]
ClaimShareOpt = Annotated[
    list[str] | None,
    typer.Option("--claim-share-of", help="Claimed share of a country's electricity, e.g. uk=0.75 (repeatable)."),
]
ScenarioOpt = Annotated[
    Path | None,
    typer.Option("--scenario", help="Read the fleet from a scenario YAML file (flags given too override it)."),
]
CapabilityChipOpt = Annotated[str, typer.Option("--chip", help="Accelerator id (with --accelerators).")]
PlanRunOpt = Annotated[str | None, typer.Option("--plan", help="Run id of a stored plan: capability by year.")]
StoreOpt = Annotated[Path | None, typer.Option("--store", help="DuckDB run store of --plan.")]
DaysOpt = Annotated[str, typer.Option("--days", help="Duration of the training run [days].")]
PrecisionOpt = Annotated[str, typer.Option("--precision", help="bf16, fp8 or fp4.")]
GoodputOpt = Annotated[str | None, typer.Option("--goodput", help="Override the reliability engine's goodput.")]
TrainingShareOpt = Annotated[
    str, typer.Option("--training-share", help="Share of the fleet training; the rest serves inference.")
]
CampusShareOpt = Annotated[
    str | None,
    typer.Option(
        "--campus-share", help="Share of the training fleet one run can use [default 1; plans: the largest site]."
    ),
]
LinkedCampusesOpt = Annotated[str, typer.Option("--linked-campuses", help="Campuses one run spans.")]
ServeParamsOpt = Annotated[str, typer.Option("--serve-params", help="Parameters of the served model.")]
RegimeOpt = Annotated[
    str,
    typer.Option(
        "--regime",
        help="Recovery regime of the run: auto (the best of those "
        "available in each year), storage-restart, in-memory or "
        "elastic.",
    ),
]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")]
KindOpt = Annotated[
    str | None,
    typer.Argument(
        help="accelerators, cooling, facility, power_sources, "
        "regions, baselines, supply, sites, failure_modes or "
        "capability"
    ),
]
ItemIdOpt = Annotated[str, typer.Argument(metavar="ID", help="Item id, e.g. gb200 or us-tx.")]
PathTextOpt = Annotated[
    str | None, typer.Option("--path", help="Catalogue folder to check [default: the built-in one].")
]
PlanNameOpt = Annotated[
    str | None,
    typer.Option(
        "--plan",
        help="Also move each row a plan reads and report its "
        "cost and final H100e (a shipped name or YAML; "
        "minutes: one solve per row end).",
    ),
]
MaxPlanRowsOpt = Annotated[
    str | None, typer.Option("--max-plan-rows", help="Move at most this many rows through the plan.")
]
TopOpt = Annotated[str, typer.Option("--top", help="Rows to print (the JSON has them all).")]
EstimateReportOpt = Annotated[Path | None, typer.Option("--report", help="Write a self-contained HTML report here.")]
RunScenarioOpt = Annotated[Path | None, typer.Argument(help="Scenario YAML [default: the built-in flagship].")]
OutTextOpt = Annotated[str, typer.Option("--out", help="Folder for report.html and estimate.json.")]
ThroughOpt = Annotated[str, typer.Option("--through", help="Cut-off: a year (2026), a quarter (2025-Q3) or a date.")]
LifetimeYearsOpt = Annotated[
    str | None,
    typer.Option("--lifetime-years", help="Retire chips shipped more than this many years before the cut-off."),
]
VendorOpt = Annotated[
    list[str] | None, typer.Option("--vendor", help="Only this vendor (nvidia, google, amd, amazon); repeatable.")
]
PlanScenarioOpt = Annotated[
    str,
    typer.Argument(
        help="Plan scenario YAML, or a built-in name (demo, openai-100x, situational-awareness, ai-2027, colossus, "
        "world-2040)."
    ),
]
SolverOpt = Annotated[str, typer.Option("--solver", help="Any linopy solver name.")]
PlanReportOpt = Annotated[Path | None, typer.Option("--report", help="Write an HTML report of the plan here.")]
PlanStoreOpt = Annotated[
    Path | None, typer.Option("--store", help="DuckDB run store [default: out/gigafleet.duckdb; $GIGAFLEET_STORE].")
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not record the run in the store.")]
PlanStepOpt = Annotated[
    str | None,
    typer.Option(
        "--step", help="Model step, year or quarter (overrides the scenario's step) [default: the scenario's]."
    ),
]
SiteOpt = Annotated[str, typer.Option("--site", help="Site id (gigafleet catalog list sites).")]
ItLoadGwOpt = Annotated[str, typer.Option("--it-load-gw", help="Average IT load [GW].")]
PowerYearOpt = Annotated[
    str | None,
    typer.Option(
        "--year",
        help="Year of operation: sources not in service by mid-year "
        "(lead time in months from the start of 2026) are "
        "excluded [default: 2030].",
    ),
]
CarbonCapOpt = Annotated[str | None, typer.Option("--carbon-cap-g-per-kwh", help="CO2 cap on supply [g/kWh].")]
AvailabilityOpt = Annotated[str, typer.Option("--availability", help="Share of annual load served, 0-1.")]
SourcesOpt = Annotated[
    str,
    typer.Option(
        "--sources",
        help="Comma list: grid, ccgt, ocgt, recip, nuclear-large, "
        "nuclear-smr, nuclear-restart, solar, wind, battery, "
        "bridge (rented turbines).",
    ),
]
PowerReplicationsOpt = Annotated[
    str,
    typer.Option(
        "--replications",
        help="Designs behind the P10/P50/P90 (weather seed + r, sampled costs), or auto: 4 for --hours repdays, "
        "1 for --hours full (each full year is another ~1 min solve; ask e.g. --replications 4).",
    ),
]
OptimalityGapOpt = Annotated[
    str | None,
    typer.Option(
        "--optimality-gap",
        help="Carbon-capped full years: stop at this relative gap between a certified lower bound and a feasible "
        "hourly plan (cutting planes on the capacities, ~15-20 s) instead of the exact solve (~1 min), e.g. 0.005.",
    ),
]
HoursOpt = Annotated[str, typer.Option("--hours", help="full (8,760 h) or repdays (tsam typical days).")]
PowerDaysOpt = Annotated[str, typer.Option("--days", help="Typical days for --hours repdays.")]
PowerCoolingOpt = Annotated[str, typer.Option("--cooling", help="air, liquid or immersion (hourly PUE model).")]
ReserveMarginOpt = Annotated[str, typer.Option("--reserve-margin", help="Firm capacity above peak, 0-1.")]
TrainingSwingOpt = Annotated[
    str, typer.Option("--training-swing", help="Battery buffer for training power swings, share of IT load.")
]
GridGwOpt = Annotated[str | None, typer.Option("--grid-gw", help="Grid import cap [GW] (default: site value).")]
ReliabilityChipOpt = Annotated[str, typer.Option("--chip", help="Accelerator id.")]
ReliabilityDaysOpt = Annotated[str, typer.Option("--days", help="Simulated days.")]
JobSizeOpt = Annotated[
    str | None,
    typer.Option(
        "--job-size",
        help="Largest synchronous job [accelerators], or 'auto': the whole fleet up to the size past which a bigger "
        "job delivers less (J x goodput peaks) [default: auto].",
    ),
]
CheckpointIntervalOpt = Annotated[
    str, typer.Option("--checkpoint-interval", help="Compute between checkpoints: 'auto' (Daly's optimum) or minutes.")
]
CheckpointWriteMinutesOpt = Annotated[
    str | None, typer.Option("--checkpoint-write-minutes", help="Blocking checkpoint write [min] [default: catalogue].")
]
RestartMinutesOpt = Annotated[
    str | None, typer.Option("--restart-minutes", help="Detection + restart [min] [default: catalogue].")
]
HotSparesOpt = Annotated[
    str | None, typer.Option("--hot-spares", help="Hot spares reserved for the job [default: spares-pct of the job].")
]
SparesPctOpt = Annotated[str, typer.Option("--spares-pct", help="Spare pool, % of the fleet.")]
MaxMemoryGbOpt = Annotated[str, typer.Option("--max-memory-gb", help="Refuse runs estimated above this.")]
ReliabilityRegimeOpt = Annotated[
    str,
    typer.Option(
        "--regime", help="Recovery regime: auto (the best available in --year), storage-restart, in-memory or elastic."
    ),
]
ReliabilityYearOpt = Annotated[
    str | None, typer.Option("--year", help="Year of operation, for --regime auto [default: this year].")
]
ReliabilityReplicationsOpt = Annotated[
    str,
    typer.Option(
        "--replications",
        help="Runs behind the P10/P50/P90 (seed + r, sampled failure rates), or auto: 8 up to 4x10^8 "
        "accelerator-days (accelerators x max(days, 30)), then fewer, 1 at 10^8 accelerators.",
    ),
]
HostOpt = Annotated[str, typer.Option("--host", help="Interface to bind (loopback by default).")]
PortOpt = Annotated[str, typer.Option("--port", help="TCP port (1-65535).")]
ServeStoreOpt = Annotated[Path | None, typer.Option("--store", help="DuckDB run store.")]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token", help="Require this token [default: a random one, printed with the URL].", envvar="GIGAFLEET_TOKEN"
    ),
]
NoTokenOpt = Annotated[bool, typer.Option("--no-token", help="No authentication (loopback only).")]
AllowHostOpt = Annotated[
    list[str] | None,
    typer.Option("--allow-host", help="Extra Host header value to accept, e.g. fleet.example.org (repeatable)."),
]
MaxJobsOpt = Annotated[str, typer.Option("--max-jobs", help="Queued + running background jobs before 429.")]
ExperimentOpt = Annotated[
    str,
    typer.Argument(
        help="Experiment YAML or a shipped name (demo, openai-100x-uncertainty, supply-shock, gas-supply-shock)."
    ),
]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Existing Dask scheduler, e.g. tcp://host:8786.")]
WorkersOpt = Annotated[str | None, typer.Option("--workers", help="Local worker processes [default: CPUs].")]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Finish an interrupted sweep (skips stored runs).")]
SweepStoreOpt = Annotated[Path, typer.Option("--store", help="DuckDB run store.")]
ParquetOpt = Annotated[
    Path | None,
    typer.Option("--parquet", help="Also write the runs as Parquet here [default: out/sweeps/SWEEP_ID.parquet]."),
]
SweepIdOpt = Annotated[str, typer.Argument(metavar="SWEEP_ID", help="Id printed by gigafleet sweep.")]
OutputOpt = Annotated[str | None, typer.Option("--output", help="Output for the sensitivity analysis.")]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="HTML report path [default: out/SWEEP_ID.html].")]
CompareRunsArg = Annotated[
    list[str], typer.Argument(metavar="RUN_ID...", help="Two to 12 stored run ids; the first is the baseline.")
]
CompareReportOpt = Annotated[Path | None, typer.Option("--report", help="Write an HTML report of the comparison here.")]
CompareCsvOpt = Annotated[
    Path | None, typer.Option("--csv", help="Write totals.csv and years.csv (tidy tables) to this folder.")
]
CsvOpt = Annotated[Path | None, typer.Option("--csv", help="Also write the result as tidy CSV tables to this folder.")]
ParquetDirOpt = Annotated[
    Path | None, typer.Option("--parquet", help="Also write the result as tidy Parquet tables to this folder.")
]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="Also write the result as one Excel workbook (.xlsx).")]
