"""``gigafleet estimate``, ``check`` (press claims) and ``run`` (a scenario file): the fleet estimate commands."""

from typing import Any

import typer

from gigafleet.cli.app import Tables, app, check_outputs, dump, emit, fleet_spec, user_errors
from gigafleet.cli.options import (
    DEFAULT_SAMPLES_TEXT,
    AcceleratorsOpt,
    BudgetOpt,
    ChipOpt,
    ClaimCapexOpt,
    ClaimEnergyOpt,
    ClaimPowerOpt,
    ClaimShareOpt,
    CoolingOpt,
    CsvOpt,
    EstimateReportOpt,
    FacilityPowerOpt,
    FleetOpt,
    ItPowerOpt,
    JsonOpt,
    MaxMemoryOpt,
    MfuOpt,
    OutTextOpt,
    ParquetDirOpt,
    RegionOpt,
    RunScenarioOpt,
    SamplesOpt,
    ScenarioOpt,
    SeedOpt,
    UtilOpt,
    XlsxOpt,
    YearOpt,
)
from gigafleet.inputs import memory_gb


@app.command()
@user_errors
def estimate(
    chip: ChipOpt = None,
    fleet: FleetOpt = None,
    accelerators: AcceleratorsOpt = None,
    it_power_gw: ItPowerOpt = None,
    facility_power_gw: FacilityPowerOpt = None,
    budget_usd: BudgetOpt = None,
    cooling: CoolingOpt = "auto",
    region: RegionOpt = "us",
    year: YearOpt = None,
    utilisation: UtilOpt = None,
    mfu: MfuOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES_TEXT,
    seed: SeedOpt = "0",
    as_json: JsonOpt = False,
    max_memory_gb: MaxMemoryOpt = "4",
    report: EstimateReportOpt = None,
    scenario: ScenarioOpt = None,
    csv_dir: CsvOpt = None,
    parquet_dir: ParquetDirOpt = None,
    xlsx: XlsxOpt = None,
) -> None:
    """What a fleet takes: power layers, energy, water, CO2, capex, opex, TCO and compute, as P10/P50/P90.

    Exactly one of --accelerators, --it-power-gw, --facility-power-gw or --budget-usd fixes the size
    (or --fleet gives counts). Example: gigafleet estimate --accelerators 100M --chip gb200
    """
    tables = Tables(csv_dir, parquet_dir, xlsx)
    check_outputs(("--report", report))
    from gigafleet.estimate import estimate as run_estimate

    spec_scenario, catalog, spec = fleet_spec(
        scenario,
        max_memory_gb,
        chip=chip,
        fleet=fleet,
        accelerators=accelerators,
        it_power_gw=it_power_gw,
        facility_power_gw=facility_power_gw,
        budget_usd=budget_usd,
        cooling=cooling,
        region=region,
        year=year,
        utilisation=utilisation,
        mfu=mfu,
        samples=samples,
        seed=seed,
    )
    result = run_estimate(spec, samples=spec_scenario.samples, seed=spec_scenario.seed, catalog=catalog)
    title = spec_scenario.name if scenario else "gigafleet estimate"
    emit(result, as_json=as_json, show=lambda r: _show_estimate(r, title), report=report, tables=tables)


@app.command()
@user_errors
def check(
    chip: ChipOpt = None,
    fleet: FleetOpt = None,
    accelerators: AcceleratorsOpt = None,
    it_power_gw: ItPowerOpt = None,
    facility_power_gw: FacilityPowerOpt = None,
    budget_usd: BudgetOpt = None,
    cooling: CoolingOpt = "auto",
    region: RegionOpt = "us",
    year: YearOpt = None,
    utilisation: UtilOpt = None,
    mfu: MfuOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES_TEXT,
    seed: SeedOpt = "0",
    as_json: JsonOpt = False,
    max_memory_gb: MaxMemoryOpt = "4",
    claim_capex_usd: ClaimCapexOpt = None,
    claim_power_gw: ClaimPowerOpt = None,
    claim_energy_twh: ClaimEnergyOpt = None,
    claim_share_of: ClaimShareOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Check published figures about a fleet: percentile in the model, what they leave out, corrected figures.

    Example: gigafleet check --accelerators 100M --chip h100 --claim-capex-usd 3e12 --claim-power-gw 75
    --claim-share-of uk=0.75
    """
    from gigafleet.estimate import check as check_fleet
    from gigafleet.inputs import parse_claims

    spec_scenario, catalog, spec = fleet_spec(
        scenario,
        max_memory_gb,
        chip=chip,
        fleet=fleet,
        accelerators=accelerators,
        it_power_gw=it_power_gw,
        facility_power_gw=facility_power_gw,
        budget_usd=budget_usd,
        cooling=cooling,
        region=region,
        year=year,
        utilisation=utilisation,
        mfu=mfu,
        samples=samples,
        seed=seed,
    )
    claims = parse_claims(
        claim_capex_usd,
        claim_power_gw,
        claim_energy_twh,
        list(claim_share_of or []),
        spec_scenario.claims.to_claims() if spec_scenario.claims is not None else None,
    )
    checked = check_fleet(spec, claims, samples=spec_scenario.samples, seed=spec_scenario.seed, catalog=catalog)
    if as_json:
        dump(checked)
    else:
        from gigafleet.cli.tables import print_claims

        print_claims(checked["claims"])


@app.command()
@user_errors
def run(
    scenario: RunScenarioOpt = None,
    out_text: OutTextOpt = "out",
    as_json: JsonOpt = False,
    max_memory_gb: MaxMemoryOpt = "4",
) -> None:
    """Run a scenario end to end: estimate, claim check (if the scenario has claims), JSON and HTML report."""
    from gigafleet.safeio import check_output_path

    out = check_output_path(out_text, "--out", directory=True)
    from gigafleet.catalog import load_catalog
    from gigafleet.claims import check_claims
    from gigafleet.estimate import summarise
    from gigafleet.fleet import simulate_fleet
    from gigafleet.scenario import DEFAULT_SCENARIO, load_scenario, to_spec

    loaded = load_scenario(scenario)
    from gigafleet.inputs import check_memory, estimate_memory_bytes

    check_memory(
        estimate_memory_bytes(loaded.samples, len(loaded.fleet.counts or {}) or 1),
        memory_gb(max_memory_gb),
        "samples",
        loaded.samples,
        "lower samples in the scenario file (10^5 give percentiles to ~0.3%)",
    )
    catalog = load_catalog()
    spec = to_spec(catalog, loaded)
    result = simulate_fleet(catalog, spec, loaded.samples, loaded.seed)
    summary = summarise(
        result,
        catalog,
        samples=loaded.samples,
        seed=loaded.seed,
        notes=[f"Scenario: {loaded.name} ({scenario or DEFAULT_SCENARIO.name}). {loaded.description}".strip()],
    )
    claims = check_claims(catalog, result, loaded.claims.to_claims()) if loaded.claims else []
    if claims:
        summary["claims"] = claims
    out.mkdir(parents=True, exist_ok=True)
    import json

    from gigafleet.safeio import write_atomic

    json_path = write_atomic(out / "estimate.json", json.dumps(summary, indent=2, allow_nan=False))
    emit(summary, as_json=as_json, show=lambda r: _show_run(r, loaded.name, claims), report=out / "report.html")
    if as_json:
        return
    typer.echo(f"results: {json_path}, {out / 'report.html'}", err=True)


def _show_estimate(result: dict[str, Any], title: str) -> None:
    from gigafleet.cli.tables import print_estimate

    print_estimate(result, title)


def _show_run(summary: dict[str, Any], name: str, claims: list[dict[str, Any]]) -> None:
    from gigafleet.cli.tables import print_claims, print_estimate

    print_estimate(summary, name)
    if claims:
        print_claims(claims)
