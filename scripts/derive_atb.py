"""Derive gigafleet's generation-cost rows from NREL's Annual Technology Baseline as processed by PyPSA.

Upstream: repository ``PyPSA/technology-data``, files ``outputs/US/costs_{2025,2030,2035}.csv`` (NREL ATB 2024,
2022 USD; ``financial_case`` Market; ``scenario`` Advanced / Moderate / Conservative). The figures are NREL's
(CC BY 4.0); this script is gigafleet's own.

Usage::

    python scripts/derive_atb.py --upstream PATH/TO/technology-data      # refresh the excerpt and the rows
    python scripts/derive_atb.py                                         # rebuild the rows from the excerpt

Writes ``gigafleet/data/upstream/technology_data_us_excerpt.csv`` (the upstream rows used, verbatim columns;
only with ``--upstream``) and ``gigafleet/data/generation_costs_atb.csv`` (one row per source, parameter and
year with low/mid/high). Both are deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = ROOT / "gigafleet" / "data" / "upstream" / "technology_data_us_excerpt.csv"
DERIVED = ROOT / "gigafleet" / "data" / "generation_costs_atb.csv"
YEARS = (2025, 2030, 2035)
UPSTREAM_COLUMNS = (
    "year",
    "technology",
    "parameter",
    "value",
    "unit",
    "source",
    "currency_year",
    "financial_case",
    "scenario",
)
BTU_PER_KWH = 3412.142
"""Btu in one kWh: heat rate [Btu/kWh] = 3412.142 / efficiency."""

SOURCES: dict[str, str] = {
    "ccgt": "NG 2-on-1 Combined Cycle (F-Frame)",
    "nuclear-large": "nuclear",
    "nuclear-smr": "Nuclear - Small",
    "solar-pv": "Utility PV - Class 4",
    "wind-onshore": "Land-Based Wind - Class 5 - Technology 1",
    "battery-4h": "Utility-Scale Battery Storage - 4Hr",
}
"""gigafleet power source → ATB technology (PV class 4 and wind class 5: mid-range US resource classes)."""

PARAMETERS = ("investment", "FOM", "VOM", "CF", "lifetime", "efficiency")

LIFETIME_SOURCES: dict[str, str] = {
    "ocgt": "OCGT",
    "solar-pv": "solar-utility",
    "wind-onshore": "onwind",
    "battery-4h": "battery storage",
}
"""gigafleet power source → the technology-data row whose ``lifetime`` it takes (DEA or ATB workbook, see the
row's source): ATB's own tables for these technologies carry no lifetime."""


def read_upstream(folder: Path) -> list[dict[str, str]]:
    """The upstream rows gigafleet uses, from a technology-data checkout."""
    rows = []
    wanted = set(SOURCES.values())
    lifetimes = set(LIFETIME_SOURCES.values())
    for year in YEARS:
        with (folder / "outputs" / "US" / f"costs_{year}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["financial_case"] not in ("Market", ""):
                    continue
                if (row["technology"] in wanted and row["parameter"] in PARAMETERS) or (
                    row["technology"] in lifetimes and row["parameter"] == "lifetime"
                ):
                    rows.append({"year": str(year), **{k: row[k].strip() for k in UPSTREAM_COLUMNS[1:]}})
    rows.sort(key=lambda r: tuple(r[k] for k in UPSTREAM_COLUMNS))
    return rows


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    """Write rows as CSV with LF line ends and minimal quoting (byte-stable)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def _cases(rows: list[dict[str, str]], technology: str, parameter: str, year: str) -> dict[str, float]:
    found = {
        r["scenario"] or "any": float(r["value"])
        for r in rows
        if r["technology"] == technology and r["parameter"] == parameter and r["year"] == year
    }
    if "any" in found and len(found) == 1:
        return {"Advanced": found["any"], "Moderate": found["any"], "Conservative": found["any"]}
    return {k: v for k, v in found.items() if k != "any"}


DERIVED_COLUMNS = ("id", "parameter", "unit", "year", "low", "mid", "high", "currency_year", "atb_technology", "method")


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def derive(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """gigafleet rows: low/mid/high = min/Moderate/max over the ATB cases (Advanced/Moderate/Conservative)."""
    out = []
    for source, technology in SOURCES.items():
        for year in (str(y) for y in YEARS):
            investment = _cases(rows, technology, "investment", year)
            series: list[tuple[str, str, dict[str, float], str]] = [
                ("capex_usd_per_kw", "USD/kW", investment, "ATB investment (overnight capex)")
            ]
            fom = _cases(rows, technology, "FOM", year)
            if fom and investment:
                series.append(
                    (
                        "fixed_om_usd_per_kw_year",
                        "USD/kW/yr",
                        {k: fom[k] / 100.0 * investment[k] for k in fom if k in investment},
                        "ATB FOM [%/yr of investment] x investment, case by case",
                    )
                )
            vom = _cases(rows, technology, "VOM", year)
            if vom:
                series.append(("variable_om_usd_per_mwh", "USD/MWh", vom, "ATB VOM (excludes fuel)"))
            cf = _cases(rows, technology, "CF", year)
            if cf:
                series.append(("capacity_factor", "fraction", cf, "ATB capacity factor"))
            life = _cases(rows, technology, "lifetime", year)
            if life:
                series.append(("lifetime_years", "year", life, "technology-data lifetime row (see its source)"))
            efficiency = _cases(rows, technology, "efficiency", year)
            if efficiency:
                series.append(
                    (
                        "heat_rate_btu_per_kwh",
                        "Btu/kWh",
                        {k: BTU_PER_KWH / v for k, v in efficiency.items()},
                        "3412.142 / technology-data efficiency (see its source)",
                    )
                )
            for parameter, unit, cases, method in series:
                if not cases:
                    continue
                values = sorted(cases.values())
                mid = cases.get("Moderate", values[len(values) // 2])
                out.append(
                    {
                        "id": source,
                        "parameter": parameter,
                        "unit": unit,
                        "year": year,
                        "low": _fmt(values[0]),
                        "mid": _fmt(mid),
                        "high": _fmt(values[-1]),
                        "currency_year": "2022" if "USD" in unit else "",
                        "atb_technology": technology,
                        "method": method,
                    }
                )
    for source, technology in LIFETIME_SOURCES.items():
        for year in (str(y) for y in YEARS):
            life = _cases(rows, technology, "lifetime", year)
            if life:
                value = _fmt(life["Moderate"])
                out.append(
                    {
                        "id": source,
                        "parameter": "lifetime_years",
                        "unit": "year",
                        "year": year,
                        "low": value,
                        "mid": value,
                        "high": value,
                        "currency_year": "",
                        "atb_technology": technology,
                        "method": "technology-data lifetime row (see its source)",
                    }
                )
    return out


def read_excerpt(path: Path = EXCERPT) -> list[dict[str, str]]:
    """The shipped excerpt of upstream rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def render_derived(rows: list[dict[str, str]]) -> bytes:
    """The derived file's bytes for these upstream rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DERIVED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(derive(rows))
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", type=Path, help="a PyPSA/technology-data checkout (refreshes the excerpt)")
    args = parser.parse_args()
    if args.upstream is not None:
        write_csv(EXCERPT, UPSTREAM_COLUMNS, read_upstream(args.upstream))
    DERIVED.write_bytes(render_derived(read_excerpt()))
    print(f"wrote {DERIVED.relative_to(ROOT)} from {EXCERPT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
