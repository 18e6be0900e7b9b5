"""The catalogue: every shipped row is valid, and `check` catches each kind of defect."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from gigafleet.catalog import DATA_DIR, H100_FP8_DENSE_TFLOPS, KINDS, REQUIRED_ITEMS, load_catalog, read_catalog
from gigafleet.errors import CatalogError, InputError


def test_shipped_catalogue_has_no_defects() -> None:
    catalog = read_catalog(DATA_DIR)
    assert [str(d) for d in catalog.check()] == []


def test_at_most_a_tenth_of_the_rows_are_unsourced() -> None:
    """Grade U (a maintainers' estimate) stays at or under 10 % of the catalogue rows."""
    rows = list(load_catalog().parameters())
    unsourced = [p for p in rows if p.grade == "U"]
    assert len(rows) > 900
    assert len(unsourced) <= 0.10 * len(rows), f"{len(unsourced)} of {len(rows)} rows are grade U"


def test_required_items_present_with_ids_as_the_issue_spells_them() -> None:
    catalog = load_catalog()
    for kind, ids in REQUIRED_ITEMS.items():
        assert set(ids) <= set(catalog.ids(kind)), kind
    assert {"a100", "h100", "gb200", "gb300", "mi355x", "tpu-v7", "trainium2"} <= set(catalog.ids("accelerators"))


def test_every_row_has_unit_range_source_date_grade() -> None:
    catalog = load_catalog()
    rows = list(catalog.parameters())
    assert len(rows) > 300
    for p in rows:
        assert p.unit and p.sources and p.as_of and p.grade in "PSWDU"
        assert p.low <= p.mid <= p.high
        for tag in p.sources:
            assert tag in catalog.sources


def test_h100_reference_values() -> None:
    h100 = load_catalog().item("accelerators", "h100")
    assert h100["tdp_w"].mid == 700
    assert h100["bf16_dense_tflops"].mid == pytest.approx(989, rel=0.01)
    assert h100["fp8_dense_tflops"].mid == pytest.approx(H100_FP8_DENSE_TFLOPS, rel=0.001)
    assert h100["h100e_factor"].mid == pytest.approx(1.0, rel=0.001)


def test_baselines_reproduce_published_figures() -> None:
    """Validation cases F1, F6, F7: the baseline rows and their definitions."""
    catalog = load_catalog()

    def twh(item_id: str) -> float:
        return catalog.item("baselines", item_id)["energy_twh_per_year"].mid

    assert twh("uk-demand") == pytest.approx(310, rel=0.01)
    assert twh("us-datacentres-2023") == pytest.approx(176, rel=0.01)
    assert twh("world-datacentres-2024") == pytest.approx(415, rel=0.01)
    assert twh("world-datacentres-2030") == pytest.approx(945, rel=0.01)
    assert twh("world-demand") == pytest.approx(30856, rel=0.01)
    for item_id in catalog.ids("baselines"):
        for p in catalog.item("baselines", item_id).parameters.values():
            assert len(p.note) > 20, f"{item_id} needs a definition"


def test_unknown_id_suggests_close_match() -> None:
    with pytest.raises(InputError, match="did you mean 'gb200'"):
        load_catalog().item("accelerators", "gb20O", field_name="--chip")
    with pytest.raises(InputError, match="--region"):
        load_catalog().item("regions", "atlantis", field_name="--region")


# ---- defect detection on damaged copies --------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(folder: Path, file: str, change: Callable[[list[dict[str, str]]], None]) -> None:
    path = folder / file
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _drop(rows: list[dict[str, str]], item_id: str) -> None:
    rows[:] = [r for r in rows if r["id"] != item_id]


def _row(rows: list[dict[str, str]], item_id: str, parameter: str) -> dict[str, str]:
    return next(r for r in rows if r["id"] == item_id and r["parameter"] == parameter)


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("accelerators.csv", lambda rows: _row(rows, "h100", "tdp_w").update(low="800"), "low <= mid <= high"),
        ("accelerators.csv", lambda rows: _row(rows, "h100", "tdp_w").update(unit=""), "unit is empty"),
        ("accelerators.csv", lambda rows: _row(rows, "h100", "tdp_w").update(source=""), "source is empty"),
        ("accelerators.csv", lambda rows: _row(rows, "h100", "tdp_w").update(source="R9999"), "R9999"),
        ("accelerators.csv", lambda rows: _row(rows, "h100", "tdp_w").update(as_of="last year"), "as_of"),
        ("accelerators.csv", lambda rows: _row(rows, "h100", "tdp_w").update(grade="X"), "grade"),
        ("accelerators.csv", lambda rows: _row(rows, "h100", "tdp_w").update(mid="seven hundred"), "not a number"),
        ("accelerators.csv", lambda rows: rows.remove(_row(rows, "gb200", "tdp_w")), "'tdp_w' is missing"),
        (
            "accelerators.csv",
            lambda rows: _row(rows, "h100", "h100e_factor").update(low="2", mid="2", high="2"),
            "h100e_factor",
        ),
        (
            "accelerators.csv",
            lambda rows: _row(rows, "h100", "it_power_kw").update(low="0.5", mid="0.5", high="0.5"),
            "server_power_kw must not exceed it_power_kw",
        ),
        (
            "cooling.csv",
            lambda rows: _row(rows, "air", "peak_pue").update(low="1.0", mid="1.0", high="1.0"),
            "pue must not exceed peak_pue",
        ),
        ("baselines.csv", lambda rows: _row(rows, "uk-demand", "energy_twh_per_year").update(note=""), "definition"),
        ("regions.csv", lambda rows: _drop(rows, "us-tx"), "'us-tx' is missing"),
    ],
)
def test_check_finds_each_defect(
    tmp_path: Path, file: str, change: Callable[[list[dict[str, str]]], None], expected: str
) -> None:
    folder = _copy(tmp_path)
    _edit(folder, file, change)
    defects = [str(d) for d in read_catalog(folder).check()]
    assert any(expected in d for d in defects), defects
    with pytest.raises(CatalogError, match="defect"):
        load_catalog(folder)


def test_missing_file_and_bad_header_are_defects(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "cooling.csv").unlink()
    (folder / "regions.csv").write_text("id,value\nus,1\n", encoding="utf-8")
    defects = [str(d) for d in read_catalog(folder).check()]
    assert any("cooling.csv" in d and "missing" in d for d in defects)
    assert any("regions.csv" in d and "header" in d for d in defects)


def test_all_kinds_have_items() -> None:
    catalog = load_catalog()
    for kind in KINDS:
        assert catalog.ids(kind), kind


def test_power_costs_heat_rates_lives_and_capacity_factors_are_all_sourced() -> None:
    """Issue 14: no unsourced (grade U) cost, heat-rate, lifetime or capacity-factor row in power_sources.csv."""
    catalog = load_catalog()
    money = ("capex", "_om_", "lcoe", "heat_rate", "lifetime", "capacity_factor")
    unsourced = [
        (p.id, p.parameter)
        for p in catalog.parameters("power_sources")
        if p.grade == "U" and any(m in p.parameter for m in money)
    ]
    assert unsourced == []
    for region in catalog.ids("regions"):  # every region prices gas and builds at its own cost
        item = catalog.item("regions", region)
        assert item["gas_price_usd_per_mmbtu"].mid > 0 and item["solar_capex_factor"].mid > 0


def test_catalog_check_prints_grades_per_file() -> None:
    from typer.testing import CliRunner

    from gigafleet.cli import app

    out = CliRunner().invoke(app, ["catalog", "check"]).output
    assert "power_sources:" in out and "U among cost, heat rate, lifetime and capacity factor: 0" in out
