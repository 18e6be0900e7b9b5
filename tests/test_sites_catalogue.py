"""The world site catalogue (issue 18): >= 40 campuses, each complete, placed, in a known region, with a status."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gigafleet.catalog import DATA_DIR, SITE_PARAMETERS, SITE_STATUSES, load_catalog, read_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def test_at_least_forty_sites_each_complete(catalog) -> None:  # type: ignore[no-untyped-def]
    sites = catalog.ids("sites")
    assert len(sites) >= 40
    for site_id in sites:
        item = catalog.item("sites", site_id)
        missing = [p for p in SITE_PARAMETERS if p not in item]
        assert not missing, f"{site_id}: missing {missing}"


def test_coordinates_in_range_and_distinct(catalog) -> None:  # type: ignore[no-untyped-def]
    points = set()
    for site_id in catalog.ids("sites"):
        item = catalog.item("sites", site_id)
        lat, lon = item["latitude_deg"], item["longitude_deg"]
        assert -90 <= lat.low <= lat.mid <= lat.high <= 90, site_id
        assert -180 <= lon.low <= lon.mid <= lon.high <= 180, site_id
        assert lat.high - lat.low <= 1.0 and lon.high - lon.low <= 1.0, f"{site_id}: position band over +/-0.5 deg"
        points.add((round(lat.mid, 2), round(lon.mid, 2)))
    assert len(points) >= 38  # a few campuses share a town point (e.g. two in El Paso's climate), not many


def test_regions_exist_and_status_is_allowed(catalog) -> None:  # type: ignore[no-untyped-def]
    regions = set(catalog.ids("regions"))
    for site_id in catalog.ids("sites"):
        attributes = catalog.site_attributes[site_id]
        assert attributes["region"] in regions, site_id
        assert attributes.get("status") in SITE_STATUSES, f"{site_id}: status {attributes.get('status')!r}"


def test_every_source_tag_exists(catalog) -> None:  # type: ignore[no-untyped-def]
    for site_id in catalog.ids("sites"):
        for parameter in catalog.item("sites", site_id).parameters.values():
            assert parameter.sources and all(tag in catalog.sources for tag in parameter.sources), site_id
        tags = [t.strip() for t in catalog.site_attributes[site_id]["source"].split(";") if t.strip()]
        assert tags and all(tag in catalog.sources for tag in tags), site_id


def test_spread_over_the_world(catalog) -> None:  # type: ignore[no-untyped-def]
    countries = {catalog.site_attributes[s]["country"] for s in catalog.ids("sites")}
    assert len(countries) >= 10
    assert any(catalog.item("sites", s)["latitude_deg"].mid < 0 for s in catalog.ids("sites"))  # southern hemisphere
    statuses = {catalog.site_attributes[s]["status"] for s in catalog.ids("sites")}
    assert statuses == set(SITE_STATUSES)


def test_new_sites_carry_few_unsourced_rows(catalog) -> None:  # type: ignore[no-untyped-def]
    rows = [p for s in catalog.ids("sites") for p in catalog.item("sites", s).parameters.values()]
    unsourced = [p for p in rows if p.grade == "U"]
    assert len(unsourced) <= 0.05 * len(rows), f"{len(unsourced)} of {len(rows)} site rows are grade U"


def test_bad_status_is_a_defect(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / "site_attributes.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(",operating\n") > 0
    path.write_text(text.replace(",operating\n", ",shelved\n", 1), encoding="utf-8")
    defects = read_catalog(folder).defects
    assert any("status 'shelved'" in d.message for d in defects)


def test_status_column_is_optional(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / "site_attributes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    stripped = [line.rsplit(",", 1)[0] for line in lines]
    path.write_text("\n".join(stripped) + "\n", encoding="utf-8")
    catalog = read_catalog(folder)
    assert not [d for d in catalog.defects if d.file == "site_attributes.csv"]
    assert "status" not in catalog.site_attributes["abilene-tx"]
