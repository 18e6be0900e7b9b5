"""The installed base (Epoch AI chip sales): reproducible data, calibration against Epoch's own totals, the CLI
contract and plans that start from it."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gigafleet.catalog import load_catalog, read_catalog
from gigafleet.cli import app
from gigafleet.installed import calibration, installed_base, parse_through, vintages
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()
runner = CliRunner()


def _script():  # type: ignore[no-untyped-def]
    return load_script("derive_installed")


def test_shipments_are_regenerated_byte_for_byte_from_the_excerpt() -> None:
    script = _script()
    assert script.derive().encode() == script.DERIVED.read_bytes()


def test_excerpt_matches_upstream_when_a_checkout_is_given() -> None:
    """With ``$GIGAFLEET_EPOCH_CHIPS`` pointing at an ai-chip-counts checkout (commit d1b1bc3), the shipped
    excerpt equals the upstream files."""
    upstream = os.environ.get("GIGAFLEET_EPOCH_CHIPS")
    if not upstream or not Path(upstream, "csv_export").is_dir():
        pytest.skip("set GIGAFLEET_EPOCH_CHIPS to an ai-chip-counts checkout to compare with upstream")
    script = _script()
    for name, path in script.UPSTREAM_FILES.items():
        assert (script.EXCERPT / name).read_bytes() == Path(upstream, path).read_bytes(), name


def test_every_epoch_quarter_is_shipped_once() -> None:
    folder = ROOT / "gigafleet" / "data" / "upstream" / "epoch_ai_chip_counts"
    count = 0
    for file in (
        "nvidia_calendar_quarter_chip_timelines.csv",
        "amd_chip_timelines.csv",
        "tpu_calendar_quarter_chip_timelines.csv",
        "trainium_chip_timelines.csv",
    ):
        with (folder / file).open(encoding="utf-8") as handle:
            count += sum(1 for _ in csv.DictReader(handle))
    assert len(CATALOG.shipments) == count
    keys = [(r.chip, r.start) for r in CATALOG.shipments]
    assert len(set(keys)) == len(keys)
    h100 = [r for r in CATALOG.shipments if r.chip == "h100" and r.start == "2023-07-01"]
    assert h100 and h100[0].units[1] > 0 and h100[0].price_usd == (30000.0, 34641.0, 40000.0)


@pytest.mark.parametrize("row", calibration(CATALOG), ids=lambda r: f"{r['vendor']}-{r['metric']}")
def test_totals_reproduce_epochs_own_cumulative_totals(row: dict[str, float]) -> None:
    """Medians within 3% and 5th/95th percentiles within 10% of Epoch's cumulative totals (which come from
    Epoch's own Monte Carlo over the same quarters): checks both the data and the correlation model."""
    assert row["ours_p50"] == pytest.approx(row["epoch_p50"], rel=0.03)
    assert row["ours_p5"] == pytest.approx(row["epoch_p5"], rel=0.10)
    assert row["ours_p95"] == pytest.approx(row["epoch_p95"], rel=0.10)


def test_correlation_matters_for_the_width() -> None:
    """Breaking the calibrated correlation (all chips of a vendor independent) narrows Nvidia's 5th-95th width
    by more than a quarter, so the test above can fail."""
    import dataclasses

    correlation = CATALOG.item("supply", "shipment-correlation")
    zero = {name: dataclasses.replace(p, low=0.0, mid=0.0, high=0.0) for name, p in correlation.parameters.items()}
    broken = dataclasses.replace(
        CATALOG,
        items={
            **CATALOG.items,
            "supply": {
                **CATALOG.items["supply"],
                "shipment-correlation": dataclasses.replace(correlation, parameters=zero),
            },
        },
    )
    ours = next(r for r in calibration(broken) if r["vendor"] == "nvidia" and r["metric"] == "units")
    width = (ours["ours_p95"] - ours["ours_p5"]) / (ours["epoch_p95"] - ours["epoch_p5"])
    assert width < 0.75


def test_totals_grow_with_the_cut_off_and_p10_p50_p90_are_ordered() -> None:
    previous = 0.0
    for through in ("2022", "2023", "2024", "2025-Q2", "2025", "2026"):
        result = installed_base(CATALOG, through, samples=1000)
        for key in ("accelerators", "h100e", "chip_power_gw", "spend_usd"):
            q = result[key]
            assert 0 <= q["p10"] <= q["p50"] <= q["p90"], (through, key)  # type: ignore[index]
        assert result["h100e"]["p50"] > previous  # type: ignore[index]
        previous = result["h100e"]["p50"]  # type: ignore[index]


def test_medians_add_up_to_the_shipment_rows_and_tdp_power() -> None:
    result = installed_base(CATALOG, "2025", samples=20000)
    rows = [r for r in CATALOG.shipments if r.end <= "2025-12-31"]
    units = sum(r.units[1] for r in rows)
    power_gw = sum(r.units[1] * CATALOG.installed_chips[r.chip].tdp_w for r in rows) / 1e9
    assert result["accelerators"]["p50"] == pytest.approx(units, rel=0.03)  # type: ignore[index]
    assert result["chip_power_gw"]["p50"] == pytest.approx(power_gw, rel=0.03)  # type: ignore[index]
    vendors = result["by_vendor"]
    assert sum(v["h100e"]["p50"] for v in vendors.values()) == pytest.approx(  # type: ignore[attr-defined]
        result["h100e"]["p50"], rel=0.05
    )  # type: ignore[index]


def test_epochs_nvidia_power_is_reproduced() -> None:
    """Chip power = units x Epoch's TDPs: Nvidia's cumulative power through Q4 2025 is Epoch's 8,562 MW."""
    result = installed_base(CATALOG, "2025", samples=20000, vendors=["nvidia"])
    assert result["chip_power_gw"]["p50"] == pytest.approx(8.562, rel=0.03)  # type: ignore[index]


def test_retirement_removes_old_quarters() -> None:
    everything = installed_base(CATALOG, "2026", samples=1000)
    young = installed_base(CATALOG, "2026", samples=1000, lifetime_years=3)
    assert young["accelerators"]["p50"] < everything["accelerators"]["p50"]  # type: ignore[index]
    a100 = {r["chip"]: r for r in young["by_chip"]}  # type: ignore[union-attr]
    assert "a100" not in a100  # every Epoch A100 quarter ended before 2024


def test_parse_through() -> None:
    assert parse_through("2025").end.isoformat() == "2025-12-31"
    assert parse_through("2025-Q2").end.isoformat() == "2025-06-30"
    assert parse_through("2025-q1").end.isoformat() == "2025-03-31"
    assert parse_through("2024-02-29").end.isoformat() == "2024-02-29"
    for bad in ("2021", "25", "2025-Q5", "2025-13-01", "soon", "", "2101"):
        with pytest.raises(Exception, match="--through"):
            parse_through(bad)


def test_cli_json_contract() -> None:
    result = runner.invoke(app, ["installed", "--through", "2026", "--json", "--samples", "1000"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("accelerators", "h100e", "chip_power_gw", "spend_usd"):
        assert set(data[key]) == {"p10", "p50", "p90"}
    assert set(data["by_vendor"]) == {"nvidia", "google", "amd", "amazon"}
    assert data["complete"] is False and data["data_end"] == "2026-03-31"
    table = runner.invoke(app, ["installed", "--through", "2024"])
    assert table.exit_code == 0 and "Installed base" in table.output and "nvidia" in table.output
    assert max(len(line) for line in table.output.splitlines()) <= 80


def test_vintages_keep_epochs_h100e() -> None:
    rows = vintages(CATALOG, "2024")
    total = sum(float(r["h100e"]) for r in rows)  # type: ignore[arg-type]
    expected = sum(r.h100e[1] for r in CATALOG.shipments if r.end <= "2024-12-31")
    assert total == pytest.approx(expected)
    for row in rows:
        factor = CATALOG.item("accelerators", str(row["chip"]))["h100e_factor"].mid
        assert float(row["count"]) * factor == pytest.approx(float(row["h100e"]))  # type: ignore[arg-type]


def _plan_with_installed(tmp_path: Path, existing: object) -> Path:
    data = yaml.safe_load((ROOT / "gigafleet" / "scenarios" / "ai-2027.yaml").read_text(encoding="utf-8"))
    data["existing"] = existing
    path = tmp_path / "installed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_plan_starts_from_the_installed_base(tmp_path: Path) -> None:
    from gigafleet.buildout.scenario import existing_rows, load_plan_scenario

    path = _plan_with_installed(
        tmp_path, {"installed": {"through": 2024, "share": 0.5, "sites": {"northern-virginia": 0.6, "texas": 0.4}}}
    )
    scenario = load_plan_scenario(path)
    rows = existing_rows(CATALOG, scenario)
    h100e = sum(r.count * CATALOG.item("accelerators", r.chip)["h100e_factor"].mid for r in rows)
    expected = 0.5 * sum(r.h100e[1] for r in CATALOG.shipments if r.end <= "2024-12-31")
    assert h100e == pytest.approx(expected, rel=1e-9)
    assert {r.site for r in rows} == {"northern-virginia", "texas"}
    shorthand = load_plan_scenario(_plan_with_installed(tmp_path, "installed"))
    assert {r.site for r in existing_rows(CATALOG, shorthand)} == {s.id for s in shorthand.sites}


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        ({"installed": {"through": 2025}}, "existing.installed.through"),
        ({"installed": {"sites": {"mars": 1.0}}}, "existing.installed.sites"),
        ({"installed": {"sites": {"texas": 0.5}}}, "sum to 1"),
        ({"installed": {"share": 0}}, "share"),
        ({"installed": {"colour": "red"}}, "unknown key"),
    ],
)
def test_plan_installed_errors(tmp_path: Path, existing: object, message: str) -> None:
    result = runner.invoke(app, ["plan", str(_plan_with_installed(tmp_path, existing)), "--no-store"])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_plan_installed_needs_the_proxy_chips(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "gigafleet" / "scenarios" / "demo.yaml").read_text(encoding="utf-8"))
    data["existing"] = "installed"
    path = tmp_path / "demo-installed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["plan", str(path), "--no-store"])
    assert result.exit_code == 2
    assert "chips" in result.output and "installed base" in result.output


def test_catalog_check_flags_a_bad_shipment_row(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(ROOT / "gigafleet" / "data", folder)
    text = (folder / "shipments.csv").read_text(encoding="utf-8").splitlines()
    fields = text[1].split(",")
    fields[4], fields[6] = fields[6], fields[4]  # units low > high
    text[1] = ",".join(fields)
    text.append("h999,nvidia,2025-01-01,2025-03-31,1,2,3,1,2,3,,,,EPOCHCHIPS,")
    (folder / "shipments.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    defects = [str(d) for d in read_catalog(folder).check()]
    assert any("units must satisfy low <= mid <= high" in d for d in defects)
    assert any("'h999' is not in installed_chips.csv" in d for d in defects)
