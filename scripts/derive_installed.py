"""Derive gigafleet's shipment rows (the installed base) from Epoch AI's chip-count model.

Upstream: repository ``epoch-research/ai-chip-counts`` (MIT; Epoch publishes the data under CC BY), files
``csv_export/{nvidia_calendar_quarter,amd,tpu_calendar_quarter,trainium}_chip_timelines.csv`` (quarterly
shipments by chip with 5th/50th/95th percentiles), the ``*_cumulative_totals.csv`` files used to check the
calibration, and ``data_inputs/Nvidia annual prices.csv`` (low/high price per chip and year). The figures are
Epoch's; this script is gigafleet's own.

Usage::

    python scripts/derive_installed.py --upstream PATH/TO/ai-chip-counts   # refresh the excerpt and the rows
    python scripts/derive_installed.py                                     # rebuild the rows from the excerpt

Writes ``gigafleet/data/upstream/epoch_ai_chip_counts/*.csv`` (verbatim copies; only with ``--upstream``) and
``gigafleet/data/shipments.csv``: one row per chip and calendar quarter with units and H100e (low/mid/high =
Epoch's 5th percentile, median, 95th percentile) and, where Epoch's price table covers the chip and year, the
unit price (low/high from the table, mid their geometric mean as Epoch computes it). Deterministic: the same
input gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import shutil
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = ROOT / "gigafleet" / "data" / "upstream" / "epoch_ai_chip_counts"
CHIP_MAP = ROOT / "gigafleet" / "data" / "installed_chips.csv"
DERIVED = ROOT / "gigafleet" / "data" / "shipments.csv"
COMMIT = "d1b1bc311479ed385befa400e94533afc8b59fb7"

TIMELINES: dict[str, str] = {
    "nvidia": "nvidia_calendar_quarter_chip_timelines.csv",
    "amd": "amd_chip_timelines.csv",
    "google": "tpu_calendar_quarter_chip_timelines.csv",
    "amazon": "trainium_chip_timelines.csv",
}
"""Vendor → Epoch's quarterly timeline file (calendar quarters)."""

TOTALS = (
    "nvidia_cumulative_totals.csv",
    "amd_cumulative_totals.csv",
    "tpu_cumulative_totals.csv",
    "trainium_cumulative_totals.csv",
)
PRICES = "nvidia_annual_prices.csv"
UPSTREAM_FILES: dict[str, str] = {
    **{name: f"csv_export/{name}" for name in (*TIMELINES.values(), *TOTALS)},
    PRICES: "data_inputs/Nvidia annual prices.csv",
}

PRICE_COLUMNS: dict[str, str] = {
    "a100": "A100",
    "a800": "A100",
    "h100": "H100",
    "h800": "H100",
    "h20": "H20",
    "b200": "GB200",
    "b300": "GB300",
}
"""gigafleet chip → the column prefix of Epoch's Nvidia price table that prices it (export variants at their
parent's price; Blackwell and Blackwell Ultra at Epoch's GB200/GB300 per-GPU price)."""

COLUMNS = (
    "chip",
    "vendor",
    "start",
    "end",
    "units_low",
    "units_mid",
    "units_high",
    "h100e_low",
    "h100e_mid",
    "h100e_high",
    "price_low_usd",
    "price_mid_usd",
    "price_high_usd",
    "source",
    "note",
)


def _date(text: str) -> date:
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def _prices(folder: Path) -> dict[tuple[str, int], tuple[float, float]]:
    """(Epoch price column prefix, year) → (low, high) [USD]."""
    out: dict[tuple[str, int], tuple[float, float]] = {}
    with (folder / PRICES).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        if not row or not row[0].strip().isdigit():
            continue
        year = int(row[0])
        for prefix in set(PRICE_COLUMNS.values()):
            try:
                low = float(row[header.index(f"{prefix} low")].replace(",", "").replace("$", ""))
                high = float(row[header.index(f"{prefix} high")].replace(",", "").replace("$", ""))
            except (ValueError, IndexError):
                continue
            out[(prefix, year)] = (low, high)
    return out


def derive(folder: Path = EXCERPT) -> str:
    """The text of ``shipments.csv`` from an excerpt folder."""
    with CHIP_MAP.open(newline="", encoding="utf-8") as handle:
        chips = {(row["vendor"], row["epoch_name"]): row["chip"] for row in csv.DictReader(handle)}
    prices = _prices(folder)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = []
    for vendor, file in TIMELINES.items():
        with (folder / file).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                chip = chips.get((vendor, row["Chip type"].strip()))
                if chip is None:
                    raise SystemExit(f"{file}: chip type {row['Chip type']!r} has no row in installed_chips.csv")
                units = sorted(
                    float(row[k])
                    for k in (
                        "Number of Units (5th percentile)",
                        "Number of Units",
                        "Number of Units (95th percentile)",
                    )
                )
                h100e = sorted(
                    float(row[k])
                    for k in ("H100e (5th percentile)", "Compute estimate in H100e (median)", "H100e (95th percentile)")
                )
                start, end = _date(row["Start date"]), _date(row["End date"])
                notes = row.get("Notes", "")
                note = "incomplete quarter (Epoch)" if "Incomplete" in notes else ""
                price = ("", "", "")
                source = "EPOCHCHIPS"
                prefix = PRICE_COLUMNS.get(chip)
                year = start.year if (prefix, start.year) in prices else start.year - 1
                if prefix is not None and (prefix, year) in prices:
                    low, high = prices[(prefix, year)]
                    price = (f"{low:.0f}", f"{math.sqrt(low * high):.0f}", f"{high:.0f}")
                    source = "EPOCHCHIPS;EPOCHPRICE"
                    if year != start.year:
                        note = "; ".join(filter(None, [note, f"priced at Epoch's {year} range (no {start.year} row)"]))
                rows.append((vendor, chip, start, end, units, h100e, price, source, note))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    for vendor, chip, start, end, units, h100e, price, source, note in rows:
        writer.writerow(
            [
                chip,
                vendor,
                start.isoformat(),
                end.isoformat(),
                *(f"{v:.0f}" for v in units),
                *(f"{v:.0f}" for v in h100e),
                *price,
                source,
                note,
            ]
        )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", type=Path, help="an ai-chip-counts checkout (work tree) to refresh from")
    args = parser.parse_args()
    if args.upstream is not None:
        EXCERPT.mkdir(parents=True, exist_ok=True)
        for name, path in UPSTREAM_FILES.items():
            shutil.copyfile(args.upstream / path, EXCERPT / name)
    DERIVED.write_text(derive(), encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
