"""Generation costs from NREL ATB (via PyPSA technology-data): the shipped file is reproducible byte for byte, the
catalogue rows that cite it hold its values, and every LCOE row agrees with its own components."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from gigafleet.catalog import load_catalog
from gigafleet.power.lcoe import STORAGE, component_lcoe, lcoe_usd_per_mwh
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()


def _script():  # type: ignore[no-untyped-def]
    return load_script("derive_atb")


def test_shipped_rows_are_regenerated_byte_for_byte_from_the_excerpt() -> None:
    script = _script()
    assert script.render_derived(script.read_excerpt()) == script.DERIVED.read_bytes()


def test_excerpt_matches_upstream_when_a_checkout_is_given(tmp_path: Path) -> None:
    """With ``$GIGAFLEET_TECHDATA`` pointing at a PyPSA/technology-data checkout (commit 634cdc1), the excerpt and
    the rows are reproduced from the upstream files themselves."""
    upstream = os.environ.get("GIGAFLEET_TECHDATA")
    if not upstream or not Path(upstream, "outputs", "US", "costs_2030.csv").is_file():
        pytest.skip("set GIGAFLEET_TECHDATA to a technology-data checkout to compare with upstream")
    script = _script()
    excerpt = tmp_path / "excerpt.csv"
    script.write_csv(excerpt, script.UPSTREAM_COLUMNS, script.read_upstream(Path(upstream)))
    assert excerpt.read_bytes() == script.EXCERPT.read_bytes()


def test_catalogue_rows_citing_atb_hold_its_2030_values() -> None:
    with (ROOT / "gigafleet" / "data" / "generation_costs_atb.csv").open(encoding="utf-8") as handle:
        derived = {(r["id"], r["parameter"]): r for r in csv.DictReader(handle) if r["year"] == "2030"}
    cited = [p for p in CATALOG.parameters("power_sources") if "ATB24" in p.sources]
    assert len(cited) >= 15
    # lifetimes where technology-data's value is one end of a range whose other ends cite ATB-calc or the NRC
    one_end = {
        ("nuclear-large", "lifetime_years"): "low",
        ("ocgt", "lifetime_years"): "low",
        ("solar-pv", "lifetime_years"): "high",
    }
    checked = 0
    for parameter in cited:
        row = derived.get((parameter.id, parameter.parameter))
        if row is None:  # built from ATB figures of another technology or parameter: must say so and be D
            assert parameter.grade == "D" and ("ATB" in parameter.note or "component_lcoe" in parameter.note), (
                parameter.id,
                parameter.parameter,
            )
            continue
        checked += 1
        end = one_end.get((parameter.id, parameter.parameter))
        if end is not None:
            assert getattr(parameter, end) == float(row[end])
            continue
        assert (parameter.low, parameter.mid, parameter.high) == pytest.approx(
            (float(row["low"]), float(row["mid"]), float(row["high"])), rel=1e-6
        )
    assert checked >= 15


@pytest.mark.parametrize(
    "source",
    [
        s
        for s in CATALOG.ids("power_sources")
        if "lcoe_usd_per_mwh" in CATALOG.item("power_sources", s)
        and "capacity_factor" in CATALOG.item("power_sources", s)
        and s not in (*STORAGE, "grid")
    ],
)
def test_every_lcoe_row_agrees_with_its_own_components(source: str) -> None:
    """A catalogue LCOE row must contain the LCOE its own capex, O&M, fuel, CF and life give (mid gas and WACC)."""
    row = CATALOG.item("power_sources", source)["lcoe_usd_per_mwh"]
    low, mid, high = component_lcoe(CATALOG, source)
    assert low <= mid <= high
    assert row.low <= mid <= row.high, f"{source}: components give ${mid:.0f}/MWh, the row says {row.low}-{row.high}"


def test_lcoe_closed_form() -> None:
    """$1,000/kW, CF 1, 8%, 30 years, no O&M or fuel: 1000 x CRF / 8.766 MWh/kW-yr; fuel adds heat rate x price."""
    assert lcoe_usd_per_mwh(1000, 0, 0, 0, 1.0, 30, 0, 0.08) == pytest.approx(1000 * 0.08883 / 8.766, rel=1e-3)
    assert lcoe_usd_per_mwh(0, 0, 0, 7000, 1.0, 30, 4.0, 0.08) == pytest.approx(28.0)
