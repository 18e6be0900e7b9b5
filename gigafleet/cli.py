"""The ``gigafleet`` command line (Typer + Rich). Thin: parsing, calling engines, printing.

Heavy modules (numpy, pydantic, plotly) are imported inside commands so that ``gigafleet --help`` is fast.
Every user error prints one line ``error: ...`` on stderr and exits with code 2.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from gigafleet.errors import GigafleetError

app = typer.Typer(
    name="gigafleet",
    help="Plan and simulate AI compute fleets: what N accelerators really take (power, energy, water, CO2, "
         "money), with P10/P50/P90 ranges from a cited catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="List, show and check the cited catalogue.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")

F = TypeVar("F", bound=Callable[..., Any])


def _user_errors(func: F) -> F:
    """Turn gigafleet errors into one line on stderr and exit code 2."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GigafleetError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------------------
# Shared fleet options
# --------------------------------------------------------------------------------------------------------

ChipOpt = Annotated[str | None, typer.Option(
    "--chip", help="Accelerator id (e.g. gb200, h100, tpu-v7), or shares like h100:0.4,gb200:0.6 [default: gb200].")]
FleetOpt = Annotated[str | None, typer.Option(
    "--fleet", help="Counts per accelerator, e.g. h100=40M,gb200=60M (instead of --chip and a sizing flag).")]
AcceleratorsOpt = Annotated[str | None, typer.Option(
    "--accelerators", "-n", help="Number of accelerators: 100M, 2.9M, 1e6 (suffixes k, M, B, T).")]
ItPowerOpt = Annotated[str | None, typer.Option("--it-power-gw", help="Size the fleet by IT power [GW].")]
FacilityPowerOpt = Annotated[str | None, typer.Option(
    "--facility-power-gw", help="Size the fleet by facility power at peak [GW].")]
BudgetOpt = Annotated[str | None, typer.Option("--budget-usd", help="Size the fleet by all-in capex [USD], e.g. 1T.")]
CoolingOpt = Annotated[str, typer.Option(
    "--cooling", help="air, liquid, immersion, or auto (liquid for chips that ship liquid-cooled only, else air).")]
RegionOpt = Annotated[str, typer.Option("--region", help="Region for power price, grid CO2 and build cost.")]
YearOpt = Annotated[str | None, typer.Option(
    "--year", help="Year of operation [default: this year, or the chip's volume year if later].")]
UtilOpt = Annotated[str | None, typer.Option(
    "--utilisation", help="Share of time busy, 0-1 or 80% [default: sampled from the catalogue range].")]
MfuOpt = Annotated[str | None, typer.Option(
    "--mfu", help="Model FLOP utilisation while busy [default: sampled from the catalogue range].")]
SamplesOpt = Annotated[str, typer.Option("--samples", help="Monte Carlo samples (e.g. 2000, 1e6).")]
SeedOpt = Annotated[str, typer.Option("--seed", help="Random seed (same seed, same numbers).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
MaxMemoryOpt = Annotated[str, typer.Option(
    "--max-memory-gb", help="Refuse sample counts whose estimated memory is above this [GiB].")]
ScenarioOpt = Annotated[Path | None, typer.Option(
    "--scenario", help="Read the fleet from a scenario YAML file (flags given too override it).")]


from gigafleet.inputs import SEED_MAX  # noqa: E402
from gigafleet.inputs import bounded as _bounded  # noqa: E402
from gigafleet.inputs import build_scenario as _build_scenario  # noqa: E402
from gigafleet.inputs import error_names as _error_names  # noqa: E402
from gigafleet.inputs import int_flag as _int_flag  # noqa: E402

# --------------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------------

ESTIMATE_ROWS: tuple[str, ...] = (
    "accelerators", "h100e", "chip_power_gw", "server_power_gw", "it_power_gw", "facility_power_gw",
    "grid_connection_gw", "energy_twh_per_year", "capex_usd", "capex_usd_per_facility_gw", "opex_usd_per_year",
    "tco_usd_per_year", "usd_per_accelerator_hour", "breakeven_usd_per_h100e_hour", "water_m3_per_year",
    "co2_mt_per_year",
)


def _print_estimate(result: dict[str, Any], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from gigafleet.formatting import FORMATS, flops, money, quantity, sig

    console = Console()
    inputs = result["inputs"]
    mix = ", ".join(f"{c} {s:.0%}" if len(inputs["mix"]) > 1 else c for c, s in inputs["mix"].items())
    console.print(f"[bold]{title}[/bold]: {mix}; sized by {inputs['sized_by']} = {inputs['size']:,.4g}; "
                  f"cooling {inputs['cooling']}; region {inputs['region']}; year {inputs['year']}; "
                  f"{inputs['samples']:,} samples, seed {inputs['seed']}")
    table = Table(title="Fleet estimate (P10 / P50 / P90)")
    table.add_column("Quantity")
    for column in ("P10", "P50", "P90"):
        table.add_column(column, justify="right")
    for key in ESTIMATE_ROWS:
        label, kind = FORMATS[key]
        q = result[key]
        table.add_row(label, *(quantity(q[p], kind) for p in ("p10", "p50", "p90")))
    console.print(table)
    compute = Table(title="Compute (peak P50; effective = peak x utilisation x MFU)")
    for column in ("Precision", "Peak", "Effective P10", "Effective P50", "Effective P90"):
        compute.add_column(column, justify="right")
    for precision, q in result["effective_flops"].items():
        compute.add_row(precision.upper(), flops(result["peak_flops"][precision]["p50"]),
                        *(flops(q[p]) for p in ("p10", "p50", "p90")))
    console.print(compute)
    stack = Table(title="Capex stack (P50)")
    stack.add_column("Part")
    stack.add_column("P50", justify="right")
    stack.add_column("Share", justify="right")
    total = result["capex_usd"]["p50"]
    for part, q in result["capex_breakdown_usd"].items():
        stack.add_row(part.replace("_", " "), money(q["p50"]), f"{q['p50'] / total:.0%}")
    console.print(stack)
    comparisons = Table(title="Compared with baselines (definitions below)")
    for column in ("Baseline", "Baseline value", "Fleet measure", "Fleet / baseline P50", "P10-P90"):
        comparisons.add_column(column, justify="left" if column == "Baseline" else "right")
    for row in result["comparisons"]:
        measure = "energy/yr" if row["metric"] == "energy_twh_per_year" else "peak facility power"
        comparisons.add_row(row["name"], f"{sig(row['value'])} {row['unit']}", measure, f"{row['ratio']:.3g}x",
                            f"{row['ratio_p10']:.3g}-{row['ratio_p90']:.3g}x")
    console.print(comparisons)
    for row in result["comparisons"]:
        console.print(f"[dim]{row['name']}: {row['definition']} [{row['source']}][/dim]")
    for note in result["notes"]:
        console.print(f"[dim]- {note}[/dim]")


def _print_claims(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    from gigafleet.formatting import money, sig

    def fmt(value: float, unit: str) -> str:
        if unit == "USD":
            return money(value)
        return sig(value) if unit == "fraction" else f"{sig(value)} {unit}"

    console = Console()
    table = Table(title="Claim check")
    for column in ("Claim", "Claimed", "Percentile in model", "Model P50", "Model P10-P90", "Model / claim"):
        table.add_column(column, justify="left" if column == "Claim" else "right")
    for row in rows:
        name = row["claim"] if row["claim"] != "share_of" else f"share of {row['baseline']}"
        unit = row["unit"]
        q = row["corrected"]
        table.add_row(name, fmt(row["claimed"], unit), f"{row['percentile']:.1f}", fmt(q["p50"], unit),
                      f"{fmt(q['p10'], unit)} to {fmt(q['p90'], unit)}", f"{row['factor']:.2f}x")
    console.print(table)
    for row in rows:
        console.print(f"- {row['verdict']}")


def _write_report(result: dict[str, Any], path: Path) -> None:
    from gigafleet.reports.estimate import write_estimate_report

    written = write_estimate_report(result, path)
    typer.echo(f"report written to {written}", err=True)


def _check_outputs(*paths: tuple[str, Path | None], folder: tuple[str, Path | None] | None = None) -> None:
    """Refuse unwritable or empty output paths before any work (no half-written results)."""
    from gigafleet.safeio import check_output_path

    for flag, path in paths:
        if path is not None:
            check_output_path(path, flag)
    if folder is not None and folder[1] is not None:
        check_output_path(folder[1], folder[0], directory=True)


def _memory_gb(text: str) -> float:
    """``--max-memory-gb`` [GiB], bounded."""
    from gigafleet.inputs import MEMORY_GB_RANGE

    return _bounded(text, "--max-memory-gb", *MEMORY_GB_RANGE)


def _check_solver(name: str) -> None:
    from gigafleet.solver import check_solver

    check_solver(name, "--solver")


def _regime_flag(text: str) -> str:
    from gigafleet.errors import InputError
    from gigafleet.reliability.regimes import REGIMES

    value = text.strip().lower()
    if value not in ("auto", *REGIMES):
        raise InputError("--regime", text, ["auto", *REGIMES])
    return value


def _finite(obj: Any) -> Any:
    """The object with NaN and infinite floats as None (JSON null): JSON has no NaN."""
    import math

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _dump(obj: Any) -> None:
    typer.echo(json.dumps(_finite(obj), indent=2, allow_nan=False))


# --------------------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------------------

@app.command()
@_user_errors
def estimate(
    chip: ChipOpt = None, fleet: FleetOpt = None, accelerators: AcceleratorsOpt = None,
    it_power_gw: ItPowerOpt = None, facility_power_gw: FacilityPowerOpt = None, budget_usd: BudgetOpt = None,
    cooling: CoolingOpt = "auto", region: RegionOpt = "us", year: YearOpt = None, utilisation: UtilOpt = None,
    mfu: MfuOpt = None, samples: SamplesOpt = "2000", seed: SeedOpt = "0", as_json: JsonOpt = False,
    max_memory_gb: MaxMemoryOpt = "4",
    report: Annotated[Path | None, typer.Option("--report", help="Write a self-contained HTML report here.")] = None,
    scenario: ScenarioOpt = None,
) -> None:
    """What a fleet takes: power layers, energy, water, CO2, capex, opex, TCO and compute, as P10/P50/P90.

    Exactly one of --accelerators, --it-power-gw, --facility-power-gw or --budget-usd fixes the size
    (or --fleet gives counts). Example: gigafleet estimate --accelerators 100M --chip gb200
    """
    _check_outputs(("--report", report))
    from gigafleet.catalog import load_catalog
    from gigafleet.estimate import estimate as run_estimate
    from gigafleet.scenario import to_spec

    spec_scenario = _build_scenario(chip=chip, fleet=fleet, accelerators=accelerators, it_power_gw=it_power_gw,
                                    facility_power_gw=facility_power_gw, budget_usd=budget_usd, cooling=cooling,
                                    region=region, year=year, utilisation=utilisation, mfu=mfu, samples=samples,
                                    seed=seed, scenario_file=scenario,
                                    max_memory_gb=_memory_gb(max_memory_gb))
    catalog = load_catalog()
    spec = to_spec(catalog, spec_scenario, _error_names(
        scenario, chip=chip, counts=fleet, accelerators=accelerators, it_power_gw=it_power_gw,
        facility_power_gw=facility_power_gw, budget_usd=budget_usd, cooling=cooling, region=region, year=year))
    result = run_estimate(spec, samples=spec_scenario.samples, seed=spec_scenario.seed, catalog=catalog)
    if report is not None:
        _write_report(result, report)
    if as_json:
        _dump(result)
    else:
        _print_estimate(result, spec_scenario.name if scenario else "gigafleet estimate")


@app.command()
@_user_errors
def check(
    chip: ChipOpt = None, fleet: FleetOpt = None, accelerators: AcceleratorsOpt = None,
    it_power_gw: ItPowerOpt = None, facility_power_gw: FacilityPowerOpt = None, budget_usd: BudgetOpt = None,
    cooling: CoolingOpt = "auto", region: RegionOpt = "us", year: YearOpt = None, utilisation: UtilOpt = None,
    mfu: MfuOpt = None, samples: SamplesOpt = "2000", seed: SeedOpt = "0", as_json: JsonOpt = False,
    max_memory_gb: MaxMemoryOpt = "4",
    claim_capex_usd: Annotated[str | None, typer.Option("--claim-capex-usd", help="Claimed cost [USD].")] = None,
    claim_power_gw: Annotated[str | None, typer.Option("--claim-power-gw", help="Claimed power [GW].")] = None,
    claim_energy_twh: Annotated[str | None, typer.Option(
        "--claim-energy-twh", help="Claimed annual energy [TWh/yr].")] = None,
    claim_share_of: Annotated[list[str] | None, typer.Option(
        "--claim-share-of", help="Claimed share of a country's electricity, e.g. uk=0.75 (repeatable).")] = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Check published figures about a fleet: percentile in the model, what they leave out, corrected figures.

    Example: gigafleet check --accelerators 100M --chip h100 --claim-capex-usd 3e12 --claim-power-gw 75
    --claim-share-of uk=0.75
    """
    from gigafleet.catalog import load_catalog
    from gigafleet.claims import check_claims
    from gigafleet.estimate import summarise
    from gigafleet.fleet import simulate_fleet
    from gigafleet.scenario import to_spec

    spec_scenario = _build_scenario(chip=chip, fleet=fleet, accelerators=accelerators, it_power_gw=it_power_gw,
                                    facility_power_gw=facility_power_gw, budget_usd=budget_usd, cooling=cooling,
                                    region=region, year=year, utilisation=utilisation, mfu=mfu, samples=samples,
                                    seed=seed, scenario_file=scenario,
                                    max_memory_gb=_memory_gb(max_memory_gb))
    from gigafleet.inputs import parse_claims

    claims = parse_claims(claim_capex_usd, claim_power_gw, claim_energy_twh, list(claim_share_of or []),
                          spec_scenario.claims.to_claims() if spec_scenario.claims is not None else None)
    catalog = load_catalog()
    spec = to_spec(catalog, spec_scenario, _error_names(
        scenario, chip=chip, counts=fleet, accelerators=accelerators, it_power_gw=it_power_gw,
        facility_power_gw=facility_power_gw, budget_usd=budget_usd, cooling=cooling, region=region, year=year))
    for key in claims.share_of:
        from gigafleet.claims import resolve_baseline

        resolve_baseline(catalog, key)
    samples_result = simulate_fleet(catalog, spec, spec_scenario.samples, spec_scenario.seed)
    rows = check_claims(catalog, samples_result, claims)
    if as_json:
        _dump({"schema_version": 1, "claims": rows,
               "estimate": summarise(samples_result, catalog, samples=spec_scenario.samples,
                                     seed=spec_scenario.seed)})
    else:
        _print_claims(rows)


@app.command()
@_user_errors
def run(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario YAML [default: the built-in flagship].")] = None,
    out_text: Annotated[str, typer.Option("--out", help="Folder for report.html and estimate.json.")] = "out",
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

    check_memory(estimate_memory_bytes(loaded.samples, len(loaded.fleet.counts or {}) or 1),
                 _memory_gb(max_memory_gb), "samples", loaded.samples,
                 "lower samples in the scenario file (10^5 give percentiles to ~0.3%)")
    catalog = load_catalog()
    spec = to_spec(catalog, loaded)
    result = simulate_fleet(catalog, spec, loaded.samples, loaded.seed)
    summary = summarise(result, catalog, samples=loaded.samples, seed=loaded.seed,
                        notes=[f"Scenario: {loaded.name} ({scenario or DEFAULT_SCENARIO.name}). "
                               f"{loaded.description}".strip()])
    claims = check_claims(catalog, result, loaded.claims.to_claims()) if loaded.claims else []
    if claims:
        summary["claims"] = claims
    out.mkdir(parents=True, exist_ok=True)
    from gigafleet.safeio import write_atomic

    json_path = write_atomic(out / "estimate.json", json.dumps(summary, indent=2, allow_nan=False))
    _write_report(summary, out / "report.html")
    if as_json:
        _dump(summary)
        return
    _print_estimate(summary, loaded.name)
    if claims:
        _print_claims(claims)
    typer.echo(f"results: {json_path}, {out / 'report.html'}", err=True)


def _print_plan(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from gigafleet.formatting import money, scaled, sig

    console = Console()
    status = result["status"]
    colour = {"optimal": "green", "shortfall": "yellow", "infeasible": "red"}.get(status, "white")
    cost = result.get("cost_usd")
    console.print(f"[bold]{result['scenario']['name']}[/bold]: status [{colour}]{status}[/{colour}]"
                  + (f"; discounted cost {money(cost)}" if cost is not None else "")
                  + (f" (+ shortfall penalty {money(result['penalty_usd'])})" if result.get("penalty_usd") else "")
                  + f"; solved in {result['solver']['seconds']:.2f} s "
                    f"(build {result['solver']['build_seconds']:.2f} s)")
    if not result["years"]:
        return
    metric = result["years"][0]["target_metric"]
    table = Table(title=f"Plan by year (target and shortfall in {metric})")
    for column in ("Year", "Target", "Short", "Fleet", "H100e", "GW", "TWh", "Capex", "Opex"):
        table.add_column(column, justify="right", no_wrap=True)
    for y in result["years"]:
        table.add_row(str(y["year"]), scaled(y["target"]) if y["target"] is not None else "-",
                      scaled(y["shortfall"]) if y["shortfall"] > 0.5 else "-", scaled(y["accelerators"]),
                      scaled(y["h100e"]), sig(y["facility_power_gw"]), sig(y["energy_twh"]),
                      money(y["capex_usd"]), money(y["opex_usd"]))
    console.print(table)
    binding = Table(title="What binds (shadow price = value of relaxing by one step; all rows in --json)")
    for column in ("Limit", "Years", "Places", "Max shadow price", "At", "Unit"):
        binding.add_column(column)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in result["binding"]:
        groups.setdefault(row["limit"], []).append(row)
    for limit, rows in sorted(groups.items(), key=lambda kv: -max(abs(r["shadow_price"]) for r in kv[1])):
        years = sorted({r["year"] for r in rows})
        top = max(rows, key=lambda r: abs(r["shadow_price"]))
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
        relief = f" (~{scaled(top['shortfall_relief'])} target units)" if "shortfall_relief" in top else ""
        binding.add_row(limit, span, str(len({r["where"] for r in rows})), money(top["shadow_price"]) + relief,
                        f"{top['where']} {top['year']}", top["unit"])
    console.print(binding)
    for note in result.get("notes", []):
        console.print(f"[dim]- {note}[/dim]")


@app.command()
@_user_errors
def plan(
    scenario: Annotated[str, typer.Argument(help="Plan scenario YAML, or a built-in name (demo, openai-100x, "
                                                 "situational-awareness, ai-2027, colossus).")] = "openai-100x",
    solver: Annotated[str, typer.Option("--solver", help="Any linopy solver name.")] = "highs",
    as_json: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report of the plan here.")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="DuckDB run store [default: out/gigafleet.duckdb; "
                                                              "$GIGAFLEET_STORE].")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the run in the store.")] = False,
) -> None:
    """Least-cost year-by-year build-out plan (linopy + HiGHS): what to build, what binds, what relaxing is worth."""
    from rich.console import Console

    from gigafleet.buildout.scenario import load_plan_scenario, resolve_scenario_path
    from gigafleet.buildout.solve import plan as run_plan
    from gigafleet.catalog import load_catalog
    from gigafleet.errors import InputError
    from gigafleet.safeio import check_output_path, read_text_file

    if no_store and store is not None:
        raise InputError("--no-store", "--store given too", "either --no-store or --store PATH, not both")
    path = resolve_scenario_path(scenario)
    loaded = load_plan_scenario(path)
    text = read_text_file(path, "scenario file")
    if report is not None:
        check_output_path(report, "--report")
    _check_solver(solver)
    if not no_store:
        from gigafleet.store import check_store

        if store is not None:
            check_output_path(store, "--store")
        check_store(store)  # a busy, corrupt or unwritable store fails now, not after the solve
    catalog = load_catalog()
    console = Console(stderr=True)
    with console.status("planning") as status:
        result = run_plan(catalog, loaded, solver=solver, source=str(path),
                          progress=lambda message: status.update(f"{loaded.name}: {message}"))
    store_failure = None
    if not no_store:
        from gigafleet.store import save_run_safely, store_path

        run_id, fallback, reason = save_run_safely("plan", result, text, store)
        if run_id is not None:
            result["run_id"] = run_id
            typer.echo(f"stored run {run_id} in {store_path(store)}", err=True)
        else:
            where = f"the result was written to {fallback}" if fallback else "the result is printed below only"
            store_failure = f"{reason}; {where}"
    if report is not None:
        from gigafleet.reports.plan import write_plan_report

        typer.echo(f"report written to {write_plan_report(result, report)}", err=True)
    if as_json:
        _dump(result)
    else:
        _print_plan(result)
    if store_failure is not None:
        typer.echo(f"error: {store_failure}", err=True)
        raise typer.Exit(2)


def _print_power(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from gigafleet.formatting import money, sig

    console = Console()
    site = result["site"]
    colour = "green" if result["status"] == "optimal" else "red"
    console.print(f"[bold]{site['label']}[/bold] ({site['id']}; {site.get('campus') or 'no announced campus'}): "
                  f"status [{colour}]{result['status']}[/{colour}]; solved in {result['solver']['seconds']:.2f} s "
                  f"(build {result['solver']['build_seconds']:.2f} s, {result['inputs']['hours']})")
    if result["status"] != "optimal":
        for note in result.get("notes", []):
            console.print(f"- {note}")
        return
    key = Table(title="Campus supply design")
    key.add_column("Quantity")
    key.add_column("Value", justify="right")
    r = result
    water = f"{sig(r['water_m3'] / 1e6)} / {sig(r['facility_water_m3'] / 1e6)} M m³/yr"
    rows = [("LCOE of supplied energy", f"${r['lcoe_usd_per_mwh']:,.1f}/MWh"),
            ("Annual cost", money(r["annual_cost_usd"]) + "/yr"),
            ("Capex (generation)", money(r["capex_usd"])),
            ("Energy", f"{sig(r['energy_twh'])} TWh/yr"),
            ("Peak / mean load", f"{sig(r['peak_load_gw'])} / {sig(r['mean_load_gw'])} GW"),
            ("Mean PUE", f"{r['mean_pue']:.3f}"),
            ("CO2", f"{sig(r['co2_mt'])} Mt/yr ({r['co2_g_per_kwh']:.0f} g/kWh)"),
            ("Water (generation / facility)", water),
            ("Land (generation)", f"{sig(r['land_km2'])} km²"),
            ("Curtailment", f"{sig(r['curtailment_twh'])} TWh/yr"),
            ("Unserved", f"{sig(r['unserved_mwh'])} MWh/yr")]
    for label, value in rows:
        key.add_row(label, value)
    console.print(key)
    mix = Table(title="Capacity mix")
    for column in ("Source", "GW", "TWh/yr", "Energy share", "Hours served", "CF", "Capex", "Cost/yr"):
        mix.add_column(column, justify="right" if column != "Source" else "left")
    for row in result["capacity"]:
        mix.add_row(row["source"], sig(row["capacity_gw"]), sig(row["energy_twh"]), f"{row['share_of_energy']:.0%}",
                    f"{row['share_of_hours_served']:.0%}", f"{row['capacity_factor']:.0%}", money(row["capex_usd"]),
                    money(row["annual_cost_usd"]))
    console.print(mix)
    for row in result["binding"]:
        console.print(f"binding: {row['limit']} = {sig(row['shadow_price'])} {row['unit']} ({row['meaning']})")
    for note in result.get("notes", []):
        console.print(f"[dim]- {note}[/dim]")


@app.command()
@_user_errors
def power(
    site: Annotated[str, typer.Option("--site", help="Site id (gigafleet catalog list sites).")],
    it_load_gw: Annotated[str, typer.Option("--it-load-gw", help="Average IT load [GW].")],
    year: Annotated[str | None, typer.Option("--year", help="Year of operation: sources not in service by mid-year "
                                                            "(lead time in months from the start of 2026) are "
                                                            "excluded [default: 2030].")] = None,
    carbon_cap: Annotated[str | None, typer.Option("--carbon-cap-g-per-kwh", help="CO2 cap on supply [g/kWh].")] = None,
    availability: Annotated[str, typer.Option("--availability", help="Share of annual load served, 0-1.")] = "0.999",
    sources: Annotated[str, typer.Option("--sources", help="Comma list: grid, ccgt, ocgt, recip, nuclear-large, "
                                                           "nuclear-smr, nuclear-restart, solar, wind, battery, "
                                                           "bridge (rented turbines).")]
    = "grid,ccgt,ocgt,recip,solar,wind,battery,bridge",
    hours: Annotated[str, typer.Option("--hours", help="full (8,760 h) or repdays (tsam typical days).")] = "full",
    days: Annotated[str, typer.Option("--days", help="Typical days for --hours repdays.")] = "12",
    cooling: Annotated[str, typer.Option("--cooling", help="air, liquid or immersion (hourly PUE model).")] = "liquid",
    reserve_margin: Annotated[str, typer.Option("--reserve-margin", help="Firm capacity above peak, 0-1.")] = "0.15",
    training_swing: Annotated[str, typer.Option(
        "--training-swing", help="Battery buffer for training power swings, share of IT load.")] = "0",
    grid_gw: Annotated[str | None, typer.Option("--grid-gw", help="Grid import cap [GW] (default: site value).")]
    = None,
    seed: SeedOpt = "0",
    solver: Annotated[str, typer.Option("--solver", help="Any linopy solver name.")] = "highs",
    as_json: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")] = None,
) -> None:
    """Hourly least-cost power supply for an AI campus: capacities, dispatch, LCOE, CO2, water, land."""
    _check_outputs(("--report", report))
    from gigafleet.catalog import load_catalog
    from gigafleet.power.campus import CampusSpec, design_campus
    from gigafleet.quantities import parse_amount, parse_fraction, parse_positive

    catalog = load_catalog()
    availability_value = parse_amount(availability, "--availability")
    spec = CampusSpec(
        site=site.strip().lower(), it_load_gw=parse_positive(it_load_gw, "--it-load-gw"),
        year=_int_flag(year, "--year", low=2015, high=2100) or 2030,
        sources=tuple(s for s in sources.split(",") if s.strip()),
        carbon_cap_g_per_kwh=parse_amount(carbon_cap, "--carbon-cap-g-per-kwh") if carbon_cap is not None else None,
        availability=availability_value, hours=hours.strip().lower(),
        n_days=_int_flag(days, "--days", low=2, high=60) or 12, cooling=cooling.strip().lower(),
        reserve_margin=parse_fraction(reserve_margin, "--reserve-margin", allow_zero=True),
        training_swing=parse_amount(training_swing, "--training-swing"),
        grid_gw=parse_amount(grid_gw, "--grid-gw") if grid_gw is not None else None,
        seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
    )
    from rich.console import Console

    _check_solver(solver)
    with Console(stderr=True).status(f"designing supply for {spec.site}"):
        result = design_campus(catalog, spec, solver)
    if report is not None:
        from gigafleet.reports.power import write_power_report

        typer.echo(f"report written to {write_power_report(result, report)}", err=True)
    if as_json:
        _dump(result)
    else:
        _print_power(result)


def _print_reliability(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from gigafleet.formatting import scaled, sig

    console = Console()
    i = result["inputs"]
    console.print(f"[bold]Reliability[/bold]: {i['accelerators']:,} x {i['chip']} for {sig(i['days'])} days; job "
                  f"{i['job_size']:,} accelerators, {i['hot_spares']:,} hot spares; regime {result['regime']}; engine "
                  f"{result['engine']['seconds']:.2f} s for {result['engine']['events']:,} events")
    table = Table(title="Fleet and largest job")
    table.add_column("Quantity")
    table.add_column("Value", justify="right")
    lost = result["gpu_hours_lost"]
    rows = [
        ("Fleet failures per day", sig(result["failures_per_day"]["total"])),
        ("Fleet availability (mean)", f"{result['availability_mean']:.4%}"),
        ("Job interruptions", f"{result['job_interruptions']:,}"),
        ("Job MTBI (analytic / simulated)", f"{sig(result['job_mtbi_hours'])} h / "
                                            f"{sig(result['job_mtbi_hours_simulated'] or float('nan'))} h"),
        ("Checkpoint interval used (Young / Daly)", f"{sig(result['checkpoint_interval_hours'] * 60)} min "
                                                    f"({sig(result['young_interval_hours'] * 60)} / "
                                                    f"{sig(result['daly_interval_hours'] * 60)} min)"),
        ("Goodput simulated / analytic", f"{result['goodput']:.3f} / {result['goodput_analytic']:.3f}"),
        ("Goodput P10-P90 (sampled failure rates)", f"{result['goodput_range']['p10']:.3f}-"
                                                     f"{result['goodput_range']['p90']:.3f}"),
        ("GPU-hours lost: recomputation / restart / waiting / checkpoints",
         " / ".join(scaled(lost[k]) for k in ("recomputation", "restart", "waiting_for_spares", "checkpointing"))),
        ("Spares needed (P99 over a vendor return)", f"{sig(result['spares_needed_p99'])}"),
        ("Spare pool: start / min / stockout days", f"{sig(result['spares']['pool_initial'])} / "
                                                     f"{sig(result['spares']['min_pool'])} / "
                                                     f"{result['spares']['stockout_days']}"),
        ("Technicians / max repair backlog", f"{sig(result['technicians']['count'])} / "
                                             f"{sig(result['technicians']['max_backlog_hours'])} h"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    causes = Table(title="Failures by cause")
    for column in ("Cause", "Fleet per day", "Job interruptions"):
        causes.add_column(column, justify="right" if column != "Cause" else "left")
    for cause, per_day in result["failures_per_day"]["by_cause"].items():
        causes.add_row(cause, sig(per_day) if per_day else "0", str(result["job_interruptions_by_cause"].get(cause, 0)))
    console.print(causes)
    regimes = Table(title="Goodput of this job by recovery regime")
    for column in ("Regime", "From", "Goodput", "Analytic", "Interruptions"):
        regimes.add_column(column, justify="right" if column != "Regime" else "left")
    for row in result["regimes"]:
        regimes.add_row(row["regime"] + (" (used)" if row["regime"] == result["regime"] else ""),
                        str(row["available_from_year"]), f"{row['goodput']:.3f}", f"{row['goodput_analytic']:.3f}",
                        f"{row['job_interruptions']:,}")
    console.print(regimes)
    curve = Table(title="Goodput vs job size")
    for column in ("Job size", "MTBI [h]", "Interval [min]", "Goodput", "Analytic"):
        curve.add_column(column, justify="right")
    for row in result["goodput_vs_job_size"]:
        curve.add_row(f"{row['job_size']:,}", sig(row["mtbi_hours"]), sig(row["interval_hours"] * 60),
                      f"{row['goodput']:.3f}", f"{row['goodput_analytic']:.3f}")
    console.print(curve)


@app.command()
@_user_errors
def reliability(
    accelerators: AcceleratorsOpt = "100k",
    chip: Annotated[str, typer.Option("--chip", help="Accelerator id.")] = "h100",
    days: Annotated[str, typer.Option("--days", help="Simulated days.")] = "365",
    job_size: Annotated[str | None, typer.Option("--job-size", help="Largest synchronous job [accelerators] "
                                                                    "[default: the whole fleet].")] = None,
    checkpoint_interval: Annotated[str, typer.Option(
        "--checkpoint-interval", help="Compute between checkpoints: 'auto' (Daly's optimum) or minutes.")] = "auto",
    checkpoint_write_minutes: Annotated[str | None, typer.Option(
        "--checkpoint-write-minutes", help="Blocking checkpoint write [min] [default: catalogue].")] = None,
    restart_minutes: Annotated[str | None, typer.Option(
        "--restart-minutes", help="Detection + restart [min] [default: catalogue].")] = None,
    hot_spares: Annotated[str | None, typer.Option("--hot-spares", help="Hot spares reserved for the job "
                                                                        "[default: spares-pct of the job].")] = None,
    spares_pct: Annotated[str, typer.Option("--spares-pct", help="Spare pool, % of the fleet.")] = "2",
    seed: SeedOpt = "0",
    max_memory_gb: Annotated[str, typer.Option("--max-memory-gb", help="Refuse runs estimated above this.")] = "4",
    regime: Annotated[str, typer.Option("--regime", help="Recovery regime: auto (the best available in --year), "
                                                         "storage-restart, in-memory or elastic.")] = "auto",
    year: Annotated[str | None, typer.Option("--year", help="Year of operation, for --regime auto "
                                                            "[default: this year].")] = None,
    as_json: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")] = None,
) -> None:
    """Failures, repairs, spares and training goodput of a fleet (vectorised engine up to 10^8 accelerators)."""
    _check_outputs(("--report", report))
    from gigafleet.catalog import load_catalog
    from gigafleet.errors import InputError
    from gigafleet.quantities import parse_accelerators, parse_amount, parse_positive
    from gigafleet.reliability.summary import ReliabilitySpec, simulate_reliability

    count = parse_accelerators(accelerators if accelerators is not None else "100k", "--accelerators")
    job = parse_accelerators(job_size, "--job-size") if job_size is not None else count
    if checkpoint_interval.strip().lower() == "auto":
        interval = None
    else:
        interval = parse_positive(checkpoint_interval, "--checkpoint-interval") / 60.0
    spec = ReliabilitySpec(
        chip=chip.strip().lower(), accelerators=round(count), days=parse_positive(days, "--days"),
        job_size=round(job), checkpoint_interval_hours=interval,
        checkpoint_write_minutes=(parse_amount(checkpoint_write_minutes, "--checkpoint-write-minutes")
                                  if checkpoint_write_minutes is not None else None),
        restart_minutes=parse_amount(restart_minutes, "--restart-minutes") if restart_minutes is not None else None,
        hot_spares=_int_flag(hot_spares, "--hot-spares", low=0, high=10**9),
        spares_pct=parse_amount(spares_pct, "--spares-pct"), seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
        memory_limit_bytes=int(_memory_gb(max_memory_gb) * 2**30),
        regime=_regime_flag(regime), year=_int_flag(year, "--year", low=2015, high=2100),
    )
    if spec.accelerators != count or spec.job_size != job:
        raise InputError("--accelerators", accelerators, "a whole number of accelerators")
    from rich.console import Console

    with Console(stderr=True).status(f"simulating {spec.accelerators:,} accelerators for {spec.days:g} days"):
        result = simulate_reliability(load_catalog(), spec)
    if report is not None:
        from gigafleet.reports.reliability import write_reliability_report

        typer.echo(f"report written to {write_reliability_report(result, report)}", err=True)
    if as_json:
        _dump(result)
    else:
        _print_reliability(result)


def _print_capability(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from gigafleet.formatting import scaled

    console = Console()

    def q(value: dict[str, float], fmt: str = "{:.2e}") -> str:
        return f"{fmt.format(value['p50'])} ({fmt.format(value['p10'])}-{fmt.format(value['p90'])})"

    share = result["inputs"]["training_share"]
    table = Table(title=f"Capability by year (P50; training share {share:.0%})")
    for column in ("Year", "Fleet", "Run", "Regime", "Goodput", "Run GW", "Run FLOP", "Binding"):
        table.add_column(column, justify="right", no_wrap=True)
    model = Table(title="Compute-optimal model of the largest run, and inference (P50)")
    for column in ("Year", "Params", "Tokens", "Inference tokens/day"):
        model.add_column(column, justify="right", no_wrap=True)
    for row in result["years"]:
        table.add_row(str(row["year"] or "-"), scaled(row["accelerators"]), scaled(row["job_size"]),
                      row["regime"], f"{row['goodput']:.2f}", f"{row['run_power_gw']:.3g}",
                      f"{row['largest_run_flop']['p50']:.2e}", row["binding_limit"])
        model.add_row(str(row["year"] or "-"), scaled(row["compute_optimal_params"]["p50"]),
                      scaled(row["compute_optimal_tokens"]["p50"]), f"{row['inference_tokens_per_day']['p50']:.2e}")
    console.print(table)
    console.print(model)
    last = result["years"][-1]
    console.print(f"largest run {q(last['largest_run_flop'])} FLOP (P50, P10-P90)")
    others = Table(title=f"{last['year'] or 'Fleet'}: the largest run under each recovery regime")
    for column in ("Regime", "From", "Run size", "Goodput", "Largest run FLOP (P50)"):
        others.add_column(column, justify="right" if column != "Regime" else "left")
    for row in last["regimes"]:
        others.add_row(row["regime"] + ("" if row["allowed"] else " (not yet)"), str(row["available_from_year"]),
                       scaled(row["job_size"]), f"{row['goodput']:.2f}", f"{row['largest_run_flop_p50']:.2e}")
    console.print(others)
    console.print("limits (P50): " + ", ".join(f"{k} {v['p50']:.2e} FLOP" for k, v in last["limits_flop"].items()))
    for note in result["notes"]:
        console.print(f"[dim]- {note}[/dim]")


@app.command()
@_user_errors
def capability(
    accelerators: AcceleratorsOpt = None,
    chip: Annotated[str, typer.Option("--chip", help="Accelerator id (with --accelerators).")] = "gb200",
    fleet: FleetOpt = None,
    plan_run: Annotated[str | None, typer.Option("--plan", help="Run id of a stored plan: capability by year.")]
    = None,
    store: Annotated[Path | None, typer.Option("--store", help="DuckDB run store of --plan.")] = None,
    days: Annotated[str, typer.Option("--days", help="Duration of the training run [days].")] = "100",
    precision: Annotated[str, typer.Option("--precision", help="bf16, fp8 or fp4.")] = "bf16",
    mfu: MfuOpt = None,
    goodput: Annotated[str | None, typer.Option("--goodput", help="Override the reliability engine's goodput.")]
    = None,
    training_share: Annotated[str, typer.Option("--training-share", help="Share of the fleet training; the rest "
                                                                         "serves inference.")] = "0.5",
    campus_share: Annotated[str | None, typer.Option("--campus-share", help="Share of the training fleet one run "
                                                                           "can use [default 1; plans: the largest "
                                                                           "site].")] = None,
    linked_campuses: Annotated[str, typer.Option("--linked-campuses", help="Campuses one run spans.")] = "1",
    serve_params: Annotated[str, typer.Option("--serve-params", help="Parameters of the served model.")] = "405B",
    regime: Annotated[str, typer.Option("--regime", help="Recovery regime of the run: auto (the best of those "
                                                         "available in each year), storage-restart, in-memory or "
                                                         "elastic.")] = "auto",
    samples: SamplesOpt = "2000", seed: SeedOpt = "0", as_json: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")] = None,
) -> None:
    """Largest training run, compute-optimal model, binding limit and inference capacity of a fleet or plan."""
    _check_outputs(("--report", report))
    from gigafleet.capability import CapabilitySpec, fleet_slice, plan_fleets
    from gigafleet.capability import capability as run_capability
    from gigafleet.catalog import load_catalog
    from gigafleet.errors import InputError
    from gigafleet.quantities import parse_amount, parse_fraction, parse_positive
    from gigafleet.scenario import parse_counts

    catalog = load_catalog()
    share = parse_fraction(campus_share, "--campus-share") if campus_share is not None else None
    spec = CapabilitySpec(
        days=parse_amount(days, "--days"), precision=precision.strip().lower(),
        mfu=parse_fraction(mfu, "--mfu") if mfu is not None else None,
        training_share=parse_amount(training_share, "--training-share"),
        campus_share=share if share is not None else 1.0,
        linked_campuses=_int_flag(linked_campuses, "--linked-campuses", low=1, high=1000) or 1,
        serve_params=parse_positive(serve_params, "--serve-params"),
        goodput=parse_fraction(goodput, "--goodput") if goodput is not None else None,
        samples=_int_flag(samples, "--samples", low=10, high=100_000) or 2000,
        seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0, regime=_regime_flag(regime),
    )
    inputs: dict[str, Any] = {"chip": None, "accelerators": None, "plan_run_id": plan_run}
    if plan_run is not None:
        if accelerators is not None or fleet is not None:
            raise InputError("--plan", plan_run, "either --plan or a fleet (--accelerators/--fleet), not both")
        from gigafleet.store import load_run

        fleets = plan_fleets(catalog, load_run(plan_run, store), share)
    elif fleet is not None:
        counts = parse_counts(fleet, "--fleet")
        fleets = [fleet_slice(catalog, counts, sum(counts.values()), spec.campus_share, field="--fleet")]
        inputs["fleet"] = counts
    else:
        from gigafleet.quantities import parse_accelerators

        count = parse_accelerators(accelerators if accelerators is not None else "1M", "--accelerators")
        fleets = [fleet_slice(catalog, {chip.strip().lower(): count}, count, spec.campus_share)]
        inputs.update(chip=chip.strip().lower(), accelerators=count)
    from rich.console import Console

    with Console(stderr=True).status("estimating capability"):
        result = run_capability(catalog, fleets, spec, inputs)
    if report is not None:
        from gigafleet.reports.capability import write_capability_report

        typer.echo(f"report written to {write_capability_report(result, report)}", err=True)
    if as_json:
        _dump(result)
    else:
        _print_capability(result)


@app.command()
@_user_errors
def sweep(
    experiment: Annotated[str, typer.Argument(help="Experiment YAML or a shipped name (demo, "
                                                   "openai-100x-uncertainty, supply-shock, gas-supply-shock).")],
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Existing Dask scheduler, e.g. "
                                                                      "tcp://host:8786.")] = None,
    workers: Annotated[str | None, typer.Option("--workers", help="Local worker processes [default: CPUs].")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted sweep (skips stored runs).")]
    = False,
    store: Annotated[Path, typer.Option("--store", help="DuckDB run store.")] = Path("out/gigafleet.duckdb"),
    parquet: Annotated[Path | None, typer.Option("--parquet", help="Also write the runs as Parquet here "
                                                                   "[default: out/sweeps/SWEEP_ID.parquet].")]
    = None,
) -> None:
    """Run an experiment (axes x samples x replications) on Dask; resumable; results in DuckDB and Parquet."""
    _check_outputs(("--store", store), ("--parquet", parquet))
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from gigafleet.errors import InputError
    from gigafleet.uncertainty.experiment import load_experiment
    from gigafleet.uncertainty.sweep import export_parquet, run_sweep, validate_experiment

    loaded, text = load_experiment(experiment)
    n_workers = _int_flag(workers, "--workers", low=1, high=1024)
    if scheduler is not None and not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://[A-Za-z0-9_.\-\[\]:]{1,200}",
                                                  scheduler.strip()):
        raise InputError("--scheduler", scheduler, "a Dask scheduler address such as tcp://host:8786")
    validate_experiment(loaded)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(),
                  transient=False) as bar:
        task = bar.add_task(loaded.name, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        outcome = run_sweep(loaded, text, store=store, scheduler=scheduler, workers=n_workers, resume=resume,
                            progress=advance)
    target = parquet or store.parent / "sweeps" / f"{outcome['sweep_id']}.parquet"
    export_parquet(store, outcome["sweep_id"], target)
    typer.echo(f"sweep {outcome['sweep_id']}: {outcome['completed']}/{outcome['runs']} runs stored in {store} "
               f"({outcome['skipped_as_done']} already done); Parquet: {target}")


@app.command("report")
@_user_errors
def sweep_report_command(
    sweep_id: Annotated[str, typer.Argument(metavar="SWEEP_ID", help="Id printed by gigafleet sweep.")],
    store: Annotated[Path, typer.Option("--store", help="DuckDB run store.")] = Path("out/gigafleet.duckdb"),
    output: Annotated[str | None, typer.Option("--output", help="Output for the sensitivity analysis.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="HTML report path [default: out/SWEEP_ID.html].")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Summarise a sweep: P10/P50/P90 of outputs, fan charts by year, Sobol/Morris sensitivity (tornado)."""
    _check_outputs(("--html", html))
    from gigafleet.reports.sweep import write_sweep_report
    from gigafleet.uncertainty.sensitivity import summarise_sweep
    from gigafleet.uncertainty.sweep import load_results

    meta, runs = load_results(store, sweep_id)
    if output is not None and not output.strip():
        from gigafleet.errors import InputError

        raise InputError("--output", output, "the name of an output of the sweep, e.g. cost_usd")
    summary = summarise_sweep(meta, runs, output)
    target = html or store.parent / f"{sweep_id}.html"
    write_sweep_report(summary, target)
    if as_json:
        _dump(summary)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Sweep {sweep_id}: {summary['completed']}/{summary['runs']} runs")
    for column in ("Output", "P10", "P50", "P90"):
        table.add_column(column, justify="right" if column != "Output" else "left")
    for name, q in summary["outputs"].items():
        table.add_row(name, *(f"{q[p]:.4g}" for p in ("p10", "p50", "p90")))
    console.print(table)
    sens = summary["sensitivity"]
    if sens["method"]:
        console.print(f"Sensitivity of {sens['output']} ({sens['method']}):")
        key = "ST" if sens["method"] == "sobol" else "mu_star"
        for row in sorted(sens["parameters"], key=lambda r: -float(r[key])):
            console.print(f"  {row['name']}: {key} = {float(row[key]):.3g}")
    typer.echo(f"report written to {target}", err=True)


@app.command()
@_user_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[str, typer.Option("--port", help="TCP port (1-65535).")] = "8000",
    store: Annotated[Path | None, typer.Option("--store", help="DuckDB run store.")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", help="Require this token [default: a random one, printed with the URL].",
        envvar="GIGAFLEET_TOKEN")] = None,
    no_token: Annotated[bool, typer.Option("--no-token", help="No authentication (loopback only).")] = False,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="Extra Host header value to accept, e.g. fleet.example.org (repeatable).")] = None,
    max_jobs: Annotated[str, typer.Option("--max-jobs", help="Queued + running background jobs before 429.")]
    = "16",
) -> None:
    """Serve the web app and JSON API (OpenAPI docs at /docs); prints the URL with its access token."""
    from gigafleet.web.server import run_server

    run_server(host=host, port=_int_flag(port, "--port", low=1, high=65535) or 8000, store=store, token=token,
               no_token=no_token, allowed_hosts=list(allow_host or []),
               max_jobs=_int_flag(max_jobs, "--max-jobs", low=1, high=10_000) or 16)


def _print_installed(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from gigafleet.formatting import quantity

    console = Console()
    life = result["lifetime_years"]
    console.print(f"[bold]Installed base[/bold] through {result['through']} (data end {result['data_end']}"
                  f"{'' if result['complete'] else '; later shipments are not in the data'}"
                  f"{f'; retired after {life:g} years' if life else ''})")
    rows = (("accelerators", "Accelerators", "count"), ("h100e", "H100-equivalents", "count"),
            ("chip_power_gw", "Chip power (TDP)", "GW"), ("spend_usd", "Spend on accelerators", "USD"))
    table = Table(title="Installed base (P10 / P50 / P90)")
    table.add_column("Quantity")
    for column in ("P10", "P50", "P90"):
        table.add_column(column, justify="right")
    for key, label, kind in rows:
        table.add_row(label, *(quantity(result[key][p], kind) for p in ("p10", "p50", "p90")))
    console.print(table)
    vendors = Table(title="By vendor (P50)")
    for column in ("Vendor", "Accelerators", "H100e", "Chip GW", "Spend", "Quarters"):
        vendors.add_column(column, justify="left" if column in ("Vendor", "Quarters") else "right")
    for vendor, entry in result["by_vendor"].items():
        span = f"{entry['first_quarter'][:7]}..{entry['last_quarter'][:7]}" if entry["first_quarter"] else "none"
        vendors.add_row(vendor, quantity(entry["accelerators"]["p50"], "count"),
                        quantity(entry["h100e"]["p50"], "count"), quantity(entry["chip_power_gw"]["p50"], "GW"),
                        quantity(entry["spend_usd"]["p50"], "USD"), span)
    console.print(vendors)
    console.print(f"[dim]Source: {result['source']}. Chip power is TDP only; servers, network and cooling come on "
                  "top (gigafleet estimate). Spend grades by vendor: "
                  + ", ".join(f"{v} {g}" for v, g in result["spend_grades"].items()) + ".[/dim]")


@app.command()
@_user_errors
def installed(
    through: Annotated[str, typer.Option("--through", help="Cut-off: a year (2026), a quarter (2025-Q3) or a date.")]
    = "2026",
    lifetime_years: Annotated[str | None, typer.Option(
        "--lifetime-years", help="Retire chips shipped more than this many years before the cut-off.")] = None,
    vendor: Annotated[list[str] | None, typer.Option("--vendor", help="Only this vendor (nvidia, google, amd, "
                                                                       "amazon); repeatable.")] = None,
    samples: SamplesOpt = "4000", seed: SeedOpt = "20261201", as_json: JsonOpt = False,
) -> None:
    """The accelerators already shipped: count, H100e, chip power and spend (P10/P50/P90), from Epoch AI.

    Example: gigafleet installed --through 2026 --json
    """
    from gigafleet import inputs
    from gigafleet.catalog import load_catalog
    from gigafleet.installed import installed_base, parse_through

    cut = parse_through(through)
    life = (inputs.bounded(lifetime_years, "--lifetime-years", 0.25, 30, "years") if lifetime_years is not None
            else None)
    chosen = None
    if vendor:
        chosen = [v.strip().lower() for v in vendor]
        if len(set(chosen)) != len(chosen):
            from gigafleet.errors import InputError

            raise InputError("--vendor", ",".join(vendor), "each vendor once")
    count = inputs.int_flag(samples, "--samples", low=200, high=200_000)
    assert count is not None
    result = installed_base(load_catalog(), cut, lifetime_years=life, samples=count, seed=inputs.seed(seed),
                            vendors=chosen)
    if as_json:
        _dump(result)
    else:
        _print_installed(result)


@catalog_app.command("list")
@_user_errors
def catalog_list(kind: Annotated[str | None, typer.Argument(help="accelerators, cooling, facility, power_sources, "
                                                            "regions, baselines, supply, sites, failure_modes or "
                                                            "capability")] = None,
                 as_json: JsonOpt = False) -> None:
    """List catalogue items (all kinds, or one)."""
    from rich.console import Console
    from rich.table import Table

    from gigafleet.catalog import KINDS, load_catalog

    catalog = load_catalog()
    kinds = [catalog._kind(kind)] if kind is not None else list(KINDS)
    if as_json:
        _dump({k: [{"id": i, "label": catalog.item(k, i).label, "parameters": len(catalog.item(k, i).parameters)}
                   for i in catalog.ids(k)] for k in kinds})
        return
    table = Table(title="gigafleet catalogue")
    for column in ("Kind", "Id", "Label", "Parameters", "Grades"):
        table.add_column(column)
    for k in kinds:
        for item_id in catalog.ids(k):
            item = catalog.item(k, item_id)
            grades = "".join(sorted({p.grade for p in item.parameters.values()}))
            table.add_row(k, item_id, item.label, str(len(item.parameters)), grades)
    Console().print(table)


@catalog_app.command("show")
@_user_errors
def catalog_show(item_id: Annotated[str, typer.Argument(metavar="ID", help="Item id, e.g. gb200 or us-tx.")],
                 as_json: JsonOpt = False) -> None:
    """Show every parameter of one item with its range, grade, source and as-of date."""
    from rich.console import Console
    from rich.table import Table

    from gigafleet.catalog import load_catalog

    catalog = load_catalog()
    item = catalog.find(item_id.strip().lower())
    if as_json:
        _dump({"kind": item.kind, "id": item.id, "label": item.label, "parameters": [
            {"parameter": p.parameter, "unit": p.unit, "low": p.low, "mid": p.mid, "high": p.high,
             "grade": p.grade, "sources": list(p.sources), "as_of": p.as_of, "note": p.note}
            for p in item.parameters.values()]})
        return
    table = Table(title=f"{item.kind} / {item.id}: {item.label}")
    for column in ("Parameter", "Unit", "Low", "Mid", "High", "Grade", "Source", "As of"):
        table.add_column(column, overflow="fold", justify="right" if column in ("Low", "Mid", "High") else "left")

    def number(value: float, unit: str) -> str:
        return f"{value:.0f}" if unit == "year" else f"{value:,.6g}"

    for p in item.parameters.values():
        table.add_row(p.parameter, p.unit, number(p.low, p.unit), number(p.mid, p.unit), number(p.high, p.unit),
                      p.grade, ";".join(p.sources), p.as_of)
    console = Console()
    console.print(table)
    for p in item.parameters.values():
        if p.note:
            console.print(f"[bold]{p.parameter}[/bold]: {p.note}")
    cited = sorted({t for p in item.parameters.values() for t in p.sources})
    for tag in cited:
        source = catalog.sources[tag]
        console.print(f"[dim]{tag}: {source.title} — {source.publisher}, {source.date}. {source.url}[/dim]")


@catalog_app.command("check")
@_user_errors
def catalog_check(path_text: Annotated[str | None, typer.Option(
        "--path", help="Catalogue folder to check [default: the built-in one].")] = None) -> None:
    """Validate every row (unit, low <= mid <= high, grade, sources, as-of) and cross-row rules; exit 1 on defects."""
    from gigafleet.catalog import read_catalog
    from gigafleet.errors import InputError

    path = Path(path_text) if path_text is not None and path_text.strip() else None
    if path_text is not None and (path is None or not path.is_dir()):
        raise InputError("--path", path_text, "a catalogue folder holding sources.csv and <kind>.csv files")
    catalog = read_catalog(path)
    defects = catalog.check()
    rows = sum(1 for _ in catalog.parameters())
    if defects:
        for defect in defects:
            typer.echo(f"DEFECT {defect}", err=True)
        typer.echo(f"catalogue {catalog.root}: {len(defects)} defect(s) in {rows} rows", err=True)
        raise typer.Exit(1)
    typer.echo(f"catalogue {catalog.root}: {rows} rows, {len(catalog.sources)} sources, no defects")
    from gigafleet.catalog import KINDS

    money = ("capex", "_om_", "lcoe", "heat_rate", "lifetime", "capacity_factor")
    for kind in KINDS:
        grades = [p.grade for p in catalog.parameters(kind)]
        if not grades:
            continue
        counts = ", ".join(f"{g} {grades.count(g)}" for g in ("P", "S", "W", "D", "U") if grades.count(g))
        extra = ""
        if kind == "power_sources":
            unsourced = sum(1 for p in catalog.parameters(kind) if p.grade == "U"
                            and any(m in p.parameter for m in money))
            extra = f"; U among cost, heat rate, lifetime and capacity factor: {unsourced}"
        typer.echo(f"  {kind}: {len(grades)} rows, grades {counts}{extra}")
    if catalog.shipments:
        ends = sorted(r.end for r in catalog.shipments)
        typer.echo(f"  installed base: {len(catalog.installed_chips)} chip types, {len(catalog.shipments)} quarterly "
                   f"shipment rows, {min(r.start for r in catalog.shipments)} to {ends[-1]}")


@catalog_app.command("audit")
@_user_errors
def catalog_audit(
    plan_name: Annotated[str | None, typer.Option("--plan", help="Also move each row a plan reads and report its "
                                                                  "cost and final H100e (a shipped name or YAML; "
                                                                  "minutes: one solve per row end).")] = None,
    max_plan_rows: Annotated[str | None, typer.Option("--max-plan-rows", help="Move at most this many rows "
                                                                                "through the plan.")] = None,
    top: Annotated[str, typer.Option("--top", help="Rows to print (the JSON has them all).")] = "40",
    as_json: JsonOpt = False,
) -> None:
    """Rank catalogue rows by how much their low-to-high range moves headline outputs; grades and sources."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from gigafleet.audit import audit, top_unsourced
    from gigafleet.catalog import load_catalog
    from gigafleet.formatting import sig

    n_top = _int_flag(top, "--top", low=1, high=100_000)
    limit = _int_flag(max_plan_rows, "--max-plan-rows", low=1, high=100_000) if max_plan_rows is not None else None
    catalog = load_catalog()
    if plan_name is not None and not as_json:
        with Progress(TextColumn("[bold]catalog audit"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True) as bar:
            task = bar.add_task("audit", total=None)
            rows = audit(catalog, plan_name, max_plan_rows=limit,
                         progress=lambda done, total: bar.update(task, completed=done, total=total))
    else:
        rows = audit(catalog, plan_name, max_plan_rows=limit)
    flagged = top_unsourced(rows)
    if as_json:
        _dump({"rows": rows, "unsourced_in_top_40": flagged, "plan": plan_name})
        return
    table = Table(title=f"Catalogue rows by influence (top {n_top} of {len(rows)} with a range)", box=None)
    for column, justify in (("#", "right"), ("Row", "left"), ("Grade", "left"), ("Swing", "right"),
                            ("Moves most", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows[:n_top]:
        table.add_row(str(row["rank"]), f"{row['id']}.{row['parameter']}", row["grade"],
                      f"{100 * row['swing']:.1f}%" if row["swing"] > 0 else "-", row["output"])
    Console().print(table)
    import textwrap

    lines = [f"Grade U among the 40 most influential: {len(flagged)}"
             + (" (" + ", ".join(f"{r['id']}.{r['parameter']}" for r in flagged) + ")." if flagged else "."),
             "Swing = |output at the row's high - at its low| / output at mid values, the largest over capex, "
             "opex, facility power and energy of 100M H100 and 1 GW of GB200"
             + (f" and the cost and final H100e of plan {plan_name}" if plan_name else "") + f"; {sig(len(rows))} "
             "rows with a range."]
    for line in lines:
        typer.echo(textwrap.fill(line, width=80, break_on_hyphens=False))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except GigafleetError as exc:  # errors raised outside commands (e.g. while parsing)
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
