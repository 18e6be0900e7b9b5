"""Tests for gigafleet.reports.sitemap: the offline site map (catalogue sites, a plan's sites, shipped topojson).

The browser test opens a plan report from a file in Debian's Chromium with every non-``file:`` request aborted and
checks that the base map and the markers drew; the same page without the topojson preload must not draw (and must
try to fetch the topojson), which shows the check can fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from gigafleet.catalog import load_catalog
from gigafleet.reports import sitemap
from gigafleet.reports.sitemap import (
    TOPOJSON_NAME,
    TOPOJSON_PATH,
    MapSite,
    load_map_sites,
    plan_sites,
    site_map_figure,
    site_map_html,
    site_map_json,
    topojson_preload_script,
)
from gigafleet.testing.reports import plotly_bundle, section, without_bundle
from tests.test_web_browser import ARGS, CHROMIUM  # one Chromium set-up for every browser test

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

EVIL = "<script>alert('map')</script>"


def make_plan() -> dict[str, Any]:
    """A plan over 2027–2028 with four sites: placed by weather, by id, by id prefix, and one not placeable."""
    by_site = []
    for year, powers in ((2027, (0.5, 0.5, 0.5, 0.5)), (2028, (4.0, 1.0, 0.25, 2.0))):
        for (site, weather), gw in zip(
            (("louisiana", "richland-parish-la"), ("abilene-tx", ""), ("memphis", ""), ("texas", "")),
            powers,
            strict=True,
        ):
            row = {
                "year": year,
                "site": site,
                "facility_power_gw": gw,
                "datacentre_gw": gw / 1.2,
                "grid_gw_used": gw / 2,
                "grid_gw_available": 3.0,
                "accelerators": gw * 4e5,
                "h100e": gw * 1.5e6,
            }
            if weather:
                row["weather"] = weather
            by_site.append(row)
    power = [
        {"year": year, "site": site, "source": source, "capacity_gw": gw, "energy_twh": twh}
        for year, site, source, gw, twh in (
            (2027, "louisiana", "grid", 1.0, 4.0),
            (2028, "louisiana", "grid", 3.0, 20.0),
            (2028, "louisiana", "solar-pv", 2.0, 4.0),
            (2028, "abilene-tx", "grid", 1.0, 1.0),
            (2028, "abilene-tx", "ccgt", 1.0, 7.0),
            (2028, "memphis", "ccgt", 0.1, 0.2),
            (2028, "memphis", "battery-4h", 0.3, 0.0),
            (2028, "memphis", "recip", 0.3, 1.8),
        )
    ]
    return {"scenario": {"name": "map-test"}, "by_site": by_site, "power": power}


@pytest.fixture(scope="module")
def sites() -> list[MapSite]:
    return load_map_sites()


def test_every_catalogue_site_is_drawn_at_its_coordinates(sites: list[MapSite]) -> None:
    catalog = load_catalog()
    ids = catalog.ids("sites")
    assert len(ids) >= 10 and [site.id for site in sites] == ids
    trace = site_map_figure(sites).data[0]
    assert trace.type == "scattergeo" and trace.name == "Catalogue sites"
    assert list(trace.ids) == ids
    for site_id, lon, lat, hover in zip(trace.ids, trace.lon, trace.lat, trace.hovertext, strict=True):
        item = catalog.item("sites", site_id)
        assert (lat, lon) == (item["latitude_deg"].mid, item["longitude_deg"].mid)
        assert item.label.split(",")[0] in hover and "Grid import: " in hover
        region = catalog.site_attributes[site_id]["region"]
        assert f"Region: {region}" in hover
    abilene = trace.hovertext[ids.index("abilene-tx")]
    assert "Grid import: 1.2 GW (850 MW–1.2 GW)" in abilene


def test_plan_sites_are_placed_in_the_final_year_or_listed(sites: list[MapSite]) -> None:
    placed, unplaced = plan_sites(make_plan(), sites)
    assert [(s.id, s.location.id, s.located_by, s.year) for s in placed] == [
        ("louisiana", "richland-parish-la", "weather", 2028),
        ("abilene-tx", "abilene-tx", "site id", 2028),
        ("memphis", "memphis-tn", "site id prefix", 2028),
    ]
    assert unplaced == ["texas"]  # no catalogue site: listed, never guessed
    louisiana, abilene, memphis = placed
    assert louisiana.facility_power_gw == 4.0  # the final year's row, not 2027's
    assert louisiana.mix == (("grid", pytest.approx(20 / 24)), ("solar-pv", pytest.approx(4 / 24)))
    assert (abilene.dominant_source, memphis.dominant_source, memphis.mix_basis) == ("ccgt", "recip", "energy")
    assert [source for source, _ in memphis.mix] == ["recip", "ccgt"]  # zero energy is no share
    # An id that prefixes two catalogue sites (new-albany-oh, new-carlisle-in) is not placed either.
    ambiguous = {"by_site": [{"year": 2030, "site": "new", "facility_power_gw": 1.0}]}
    assert plan_sites(ambiguous, sites) == ([], ["new"])


def test_plan_markers_area_follows_facility_power_and_colour_the_main_source(sites: list[MapSite]) -> None:
    from gigafleet.reports.plan import render_plan_html

    fig = site_map_figure(sites, make_plan())
    plan_traces = fig.data[1:]
    size: dict[str, float] = {}
    for trace in plan_traces:
        size.update(zip(trace.ids, trace.marker.size, strict=True))
    assert set(size) == {"louisiana", "abilene-tx", "memphis"}
    powers = {"louisiana": 4.0, "abilene-tx": 1.0, "memphis": 0.25}
    assert size["louisiana"] > size["abilene-tx"] > size["memphis"]
    for site, power in powers.items():  # area ∝ GW: diameter² / GW is the same for every site
        assert size[site] ** 2 / power == pytest.approx(size["louisiana"] ** 2 / 4.0)
    # One trace per main source, coloured as the plan report's "Power by source" chart colours that source.
    by_source = {trace.meta: trace for trace in plan_traces}
    assert set(by_source) == {"grid", "ccgt", "recip"}
    report = without_bundle(render_plan_html(make_plan()))
    chart = report[report.index('id="chart-power-by-source"') :]
    for source, trace in by_source.items():
        assert f'"marker":{{"color":"{trace.marker.color}"}},"name":"{source}"' in chart, source
        assert trace.name == f"Plan 2028: mostly {source}"
    hover = by_source["grid"].hovertext[0]
    assert "Facility power: 4 GW" in hover and "grid 83.3% · solar-pv 16.7%" in hover


def test_a_tiny_site_keeps_a_visible_marker() -> None:
    assert sitemap.marker_diameters_px([1000.0, 1e-6, 0.0, None]) == [44.0, 9.0, 9.0, 9.0]


def test_site_found_through_the_scenario_file(sites: list[MapSite], tmp_path: Path) -> None:
    scenario = tmp_path / "plan.yaml"
    scenario.write_text("name: x\nsites:\n  - id: texas\n    region: us-tx\n    weather: shackelford-tx\n")
    plan = make_plan()
    plan["scenario"]["file"] = str(scenario)
    placed, unplaced = plan_sites(plan, sites)
    assert ("texas", "shackelford-tx", "scenario file") in [(s.id, s.location.id, s.located_by) for s in placed]
    assert unplaced == []
    scenario.write_text("sites: [unclosed")  # a file that no longer parses is ignored, not an error
    assert plan_sites(plan, sites)[1] == ["texas"]


def test_plan_site_names_are_escaped(sites: list[MapSite]) -> None:
    plan = make_plan()
    for row in plan["by_site"]:
        if row["site"] == "louisiana":
            row["site"] = EVIL
    html = site_map_html(sites, plan)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;map&#x27;)" in html


def test_topojson_is_small_and_has_every_layer_the_map_shows() -> None:
    assert TOPOJSON_PATH.is_file() and TOPOJSON_PATH.stat().st_size < 200_000
    topology = json.loads(TOPOJSON_PATH.read_text(encoding="utf-8"))
    assert topology["type"] == "Topology"
    shown = [key.removeprefix("show") for key, on in sitemap._GEO.items() if key.startswith("show") and on]
    layers = [layer for layer in shown if layer != "frame"]
    assert {"land", "countries", "coastlines"} <= set(layers)
    assert set(layers) <= set(topology["objects"]), layers


def test_bundled_plotlyjs_reads_preloaded_topojson_by_this_name() -> None:
    """The plotly.js that reports inline looks in PlotlyGeoAssets before fetching, under ``{scope}_{res}m``."""
    bundle = plotly_bundle()
    assert re.search(
        r"PlotlyGeoAssets\.topojson\[\w+\.topojsonName\]===void 0&&\w+\.push\(\w+\.fetchTopojson\(\)\)", bundle
    )
    assert re.search(r'e\.scope\.replace\(/ /g,"-"\),"_",e\.resolution\.toString\(\),"m"', bundle)
    geo = site_map_figure([]).layout.geo
    assert f"{geo.scope}_{geo.resolution}m" == TOPOJSON_NAME


def test_html_preloads_the_topojson_before_the_chart_and_fetches_nothing(sites: list[MapSite]) -> None:
    html = site_map_html(sites, make_plan())
    preload = topojson_preload_script()
    assert html.startswith(preload) and html.count(f'g.topojson["{TOPOJSON_NAME}"]=') == 1
    assert html.index(preload) < html.index("Plotly.newPlot(")
    data = re.fullmatch(r'<script>.*g\.topojson\["world_110m"\]=(\{.*\});\}\)\(\);</script>', preload, re.DOTALL)
    assert data is not None
    assert json.loads(data.group(1)) == json.loads(TOPOJSON_PATH.read_text(encoding="utf-8"))
    for text in ("cdn.plot.ly", "http://", "https://", "topojsonURL", "</script>" * 2):
        assert text not in html.replace(preload, preload.replace("</script>", "")), text
    for text in ('"projection":{"type":"natural earth"}', '"fitbounds":"locations"', '"showland":true'):
        assert text in html, text


def test_plan_report_has_the_sites_section_with_one_map(sites: list[MapSite]) -> None:
    from gigafleet.reports.plan import render_plan_html

    page = render_plan_html(make_plan())
    rest = without_bundle(page)
    assert rest.count(topojson_preload_script()) == 1 and rest.count('id="chart-site-map"') == 1
    sites_html = section(rest, "sites")
    assert "<h2>Sites</h2>" in sites_html and "Plan sites on the map, 2028" in sites_html
    assert "Not on the map (no catalogue site for them): texas." in sites_html
    assert "Richland Parish" in sites_html and "grid 83.3% · solar-pv 16.7%" in sites_html


def test_json_for_the_web(sites: list[MapSite]) -> None:
    out = site_map_json(make_plan(), sites)
    assert set(out) == {"figure", "config", "topojson_name", "topojson", "sites", "unplaced"}
    assert json.loads(json.dumps(out)) == out
    assert out["topojson_name"] == TOPOJSON_NAME
    assert out["topojson"] == json.loads(TOPOJSON_PATH.read_text(encoding="utf-8"))
    assert [trace["type"] for trace in out["figure"]["data"]] == ["scattergeo"] * 4
    assert out["figure"]["layout"]["geo"]["projection"]["type"] == "natural earth"
    assert out["sites"][0] == {
        "id": "louisiana",
        "catalog_site": "richland-parish-la",
        "year": 2028,
        "facility_power_gw": 4.0,
        "main_source": "grid",
        "mix": {"grid": pytest.approx(20 / 24), "solar-pv": pytest.approx(4 / 24)},
        "mix_basis": "energy",
    }
    assert out["unplaced"] == ["texas"]
    catalogue_only = site_map_json(catalog_sites=sites)
    assert len(catalogue_only["figure"]["data"]) == 1 and catalogue_only["sites"] == []


def _open_offline(path: Path, screenshot: Path | None) -> tuple[int, int, list[str]]:
    """Open ``path`` in Chromium with every non-file request aborted.

    Returns (base-map paths drawn, site markers drawn, URLs that were blocked).
    """
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", only_files)
            page.goto(path.as_uri())
            page.wait_for_selector("#chart-site-map .main-svg")
            countries = page.locator("#chart-site-map .geolayer .layer.countries path")
            for _ in range(100):  # drawn (land, countries and markers appear together), or its map request refused
                if countries.count() or blocked:
                    break
                page.wait_for_timeout(100)
            if blocked:
                page.wait_for_timeout(500)  # anything still to draw after the refusal
            base = page.locator("#chart-site-map .geolayer .layer.countries path").count()
            base += page.locator("#chart-site-map .geolayer .layer.land path").count()
            points = page.locator("#chart-site-map .scattergeo .point").count()
            if screenshot is not None:
                page.locator("#sites").screenshot(path=str(screenshot))
        finally:
            browser.close()
    return base, points, blocked


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_plan_report_map_draws_in_chromium_with_the_network_blocked(tmp_path: Path) -> None:
    from gigafleet.reports.plan import render_plan_html

    page = render_plan_html(make_plan())
    report = tmp_path / "plan.html"
    report.write_text(page, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    base, points, blocked = _open_offline(report, ARTIFACTS / "sitemap-plan-report.png")
    catalogue = len(load_map_sites())
    assert blocked == []
    assert base == 2  # one land path, one countries path
    assert points == catalogue + 3  # every catalogue site and the three placed plan sites

    # Broken once on purpose: without the preload plotly.js asks its CDN for the map and draws nothing.
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace(topojson_preload_script(), ""), encoding="utf-8")
    base, points, blocked = _open_offline(broken, None)
    assert (base, points) == (0, 0)
    assert [url for url in blocked if url.endswith(f"/{TOPOJSON_NAME}.json")], blocked
