"""``gigafleet capability``: FLOP/s, the largest training run and inference capacity of a fleet or a plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gigafleet.cli.app import Tables, app, check_outputs, emit, regime_flag, stages, user_errors
from gigafleet.cli.options import (
    DEFAULT_SAMPLES_TEXT,
    AcceleratorsOpt,
    CampusShareOpt,
    CapabilityChipOpt,
    CsvOpt,
    DaysOpt,
    FleetOpt,
    GoodputOpt,
    JsonOpt,
    LinkedCampusesOpt,
    MfuOpt,
    ParquetDirOpt,
    PlanRunOpt,
    PrecisionOpt,
    RegimeOpt,
    ReportOpt,
    SamplesOpt,
    SeedOpt,
    ServeParamsOpt,
    StoreOpt,
    TrainingShareOpt,
    XlsxOpt,
)
from gigafleet.cli.tables import print_capability
from gigafleet.inputs import SEED_MAX
from gigafleet.inputs import int_flag as _int_flag

if TYPE_CHECKING:
    from gigafleet.capability import CapabilitySpec
    from gigafleet.catalog import Catalog


@app.command()
@user_errors
def capability(
    accelerators: AcceleratorsOpt = None,
    chip: CapabilityChipOpt = "gb200",
    fleet: FleetOpt = None,
    plan_run: PlanRunOpt = None,
    store: StoreOpt = None,
    days: DaysOpt = "100",
    precision: PrecisionOpt = "bf16",
    mfu: MfuOpt = None,
    goodput: GoodputOpt = None,
    training_share: TrainingShareOpt = "0.5",
    campus_share: CampusShareOpt = None,
    linked_campuses: LinkedCampusesOpt = "1",
    serve_params: ServeParamsOpt = "405B",
    regime: RegimeOpt = "auto",
    samples: SamplesOpt = DEFAULT_SAMPLES_TEXT,
    seed: SeedOpt = "0",
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    csv_dir: CsvOpt = None,
    parquet_dir: ParquetDirOpt = None,
    xlsx: XlsxOpt = None,
) -> None:
    """Largest training run, compute-optimal model, binding limit and inference capacity of a fleet or plan."""
    tables = Tables(csv_dir, parquet_dir, xlsx)
    check_outputs(("--report", report))
    from gigafleet.capability import capability as run_capability
    from gigafleet.catalog import load_catalog
    from gigafleet.quantities import parse_fraction

    catalog = load_catalog()
    share = parse_fraction(campus_share, "--campus-share") if campus_share is not None else None
    spec = _spec(
        days, precision, mfu, training_share, share, linked_campuses, serve_params, goodput, samples, seed, regime
    )
    fleets, inputs = _fleets(catalog, spec, share, plan_run, store, fleet, accelerators, chip)

    with stages("capability") as stage:
        stage("fleet, reliability regimes and limits")
        result = run_capability(catalog, fleets, spec, inputs)
    emit(result, as_json=as_json, show=print_capability, report=report, kind="capability", tables=tables)


def _spec(
    days: str,
    precision: str,
    mfu: str | None,
    training_share: str,
    campus_share: float | None,
    linked_campuses: str,
    serve_params: str,
    goodput: str | None,
    samples: str,
    seed: str,
    regime: str,
) -> CapabilitySpec:
    """The run's settings from the flags, each bounded (errors name the flag)."""
    from gigafleet.capability import CapabilitySpec
    from gigafleet.quantities import parse_amount, parse_fraction, parse_positive

    return CapabilitySpec(
        days=parse_amount(days, "--days"),
        precision=precision.strip().lower(),
        mfu=parse_fraction(mfu, "--mfu") if mfu is not None else None,
        training_share=parse_amount(training_share, "--training-share"),
        campus_share=campus_share if campus_share is not None else 1.0,
        linked_campuses=_int_flag(linked_campuses, "--linked-campuses", low=1, high=1000) or 1,
        serve_params=parse_positive(serve_params, "--serve-params"),
        goodput=parse_fraction(goodput, "--goodput") if goodput is not None else None,
        samples=_int_flag(samples, "--samples", low=10, high=100_000) or 2000,
        seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
        regime=regime_flag(regime),
    )


def _fleets(
    catalog: Catalog,
    spec: CapabilitySpec,
    share: float | None,
    plan_run: str | None,
    store: Path | None,
    fleet: str | None,
    accelerators: str | None,
    chip: str,
) -> tuple[list[Any], dict[str, Any]]:
    """The fleets to evaluate (a stored plan's years, ``--fleet`` counts or one chip) and the inputs to report."""
    from gigafleet.capability import fleet_slice, plan_fleets
    from gigafleet.errors import InputError
    from gigafleet.scenario import parse_counts

    inputs: dict[str, Any] = {"chip": None, "accelerators": None, "plan_run_id": plan_run}
    if plan_run is not None:
        if accelerators is not None or fleet is not None:
            raise InputError("--plan", plan_run, "either --plan or a fleet (--accelerators/--fleet), not both")
        from gigafleet.store import load_run

        return plan_fleets(catalog, load_run(plan_run, store), share), inputs
    if fleet is not None:
        counts = parse_counts(fleet, "--fleet")
        inputs["fleet"] = counts
        return [fleet_slice(catalog, counts, sum(counts.values()), spec.campus_share, field="--fleet")], inputs
    from gigafleet.quantities import parse_accelerators

    count = parse_accelerators(accelerators if accelerators is not None else "1M", "--accelerators")
    inputs.update(chip=chip.strip().lower(), accelerators=count)
    return [fleet_slice(catalog, {chip.strip().lower(): count}, count, spec.campus_share)], inputs
