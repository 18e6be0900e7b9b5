"""The web UI in a real browser: Playwright driving Debian's Chromium (installed by `.ci/run` through apt).

Screenshots of each page are saved under ``test-artifacts/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images" / "web"
"""Where ``make screenshots`` (GIGAFLEET_DOCS_SCREENSHOTS=1) writes the pictures of docs/web.md."""


DOCS_SHOTS = (
    "01-estimate",
    "04-run",
    "05-compare",
    "06-catalog-table",
    "07-scenario-form-errors",
    "08-scenario-form-run",
    "09-sites",
)
"""The screenshots docs/web.md shows (JPEG, viewport-sized)."""


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot under test-artifacts/; with GIGAFLEET_DOCS_SCREENSHOTS=1 (``make screenshots``) the ones
    docs/web.md shows are also written to docs/images/web/ (so the pictures in the docs are made by this test)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
    if os.environ.get("GIGAFLEET_DOCS_SCREENSHOTS") == "1" and name in DOCS_SHOTS:
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMAGES / f"{name}.jpg"), type="jpeg", quality=70, full_page=False)


pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed here (.ci/run installs it with apt)"
)


def test_estimate_error_plan_and_compare_in_the_browser(server: str) -> None:
    import re

    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

        page.goto(server + "/")
        page.wait_for_selector("#estimate-table")
        shown = page.inner_text("#estimate-table")
        assert "Facility power" in shown and "$" in shown and "e+" not in shown
        page.wait_for_selector("#estimate-chart .main-svg")
        shot(page, "01-estimate")

        page.fill("input[name=accelerators]", "1OOM")
        page.click("#estimate-form button[type=submit]")
        expect(page.locator("#error-accelerators")).to_contain_text("1OOM")
        expect(page.locator("#estimate-table")).to_have_count(0)  # no stale result beside the error
        shot(page, "02-field-error")

        run_ids = []
        for attempt in range(2):
            page.goto(server + "/scenarios")
            expect(page.locator("#scenario-yaml")).to_have_value(re.compile("name:"))
            page.click("#scenario-run")
            page.wait_for_selector("#run-link", timeout=120_000)
            assert "job" in page.inner_text("#scenario-progress")
            if attempt == 0:
                shot(page, "03-plan-progress-done")
            run_ids.append(page.inner_text("#run-link").split()[-1])
        page.click("#run-link")
        page.wait_for_selector("#run-years")
        page.wait_for_selector("#run-chart .main-svg")
        assert "2029" in page.inner_text("#run-years")
        shot(page, "04-run")

        page.goto(server + f"/compare?a={run_ids[0]}&b={run_ids[1]}")
        page.wait_for_selector("#compare-a")
        page.wait_for_selector("#compare-b")
        page.wait_for_selector("#compare-chart .main-svg")
        assert "Capex, all years" in page.inner_text("#compare-totals")
        shot(page, "05-compare")

        page.goto(server + "/catalog")
        total = page.locator("#catalog-table tbody tr").count()
        assert total > 900 and f"{total} of {total} rows" in page.inner_text("#catalog-count")
        page.fill("#catalog-search", "gb200 tdp_w")
        expect(page.locator("#catalog-count")).to_contain_text(" of ")
        assert page.locator("#catalog-table tbody tr:not([hidden])").count() == 1
        page.fill("#catalog-search", "")
        page.click("#catalog-table th[data-sort='5']")  # Mid, ascending by value
        first = float(page.locator("#catalog-table tbody tr").first.locator("td").nth(5).get_attribute("data-value"))
        page.click("#catalog-table th[data-sort='5']")  # and descending
        top = float(page.locator("#catalog-table tbody tr").first.locator("td").nth(5).get_attribute("data-value"))
        assert first <= top and top > 1e9
        assert page.locator("#catalog-table a[href^='https://']").count() > 100  # sources link to their pages
        shot(page, "06-catalog-table", full_page=False)
        page.goto(server + "/catalog?item=gb200")
        assert "tdp_w" in page.content()
        shot(page, "06-catalog")
        browser.close()
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_token_exchange_in_the_browser(token_server: tuple[str, str]) -> None:
    """Opening the printed address once: the token leaves the address bar, the HttpOnly cookie (invisible to
    scripts) authenticates the page's own API calls; another browser without it gets the token page."""
    from playwright.sync_api import sync_playwright

    url, token = token_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/?token={token}")
        assert page.url == url + "/"
        page.wait_for_selector("#estimate-table")
        assert "gigafleet_token" not in page.evaluate("document.cookie")
        assert page.evaluate("fetch('/api/runs').then((r) => r.status)") == 200
        stranger = browser.new_context().new_page()
        response = stranger.goto(url + "/")
        assert response is not None and response.status == 401
        assert stranger.locator("input[name=token]").count() == 1
        stranger.fill("input[name=token]", token)
        stranger.click("button[type=submit]")
        stranger.wait_for_selector("#estimate-table")
        assert stranger.url == url + "/"
        browser.close()


def test_scenario_form_shows_every_error_and_runs_a_plan(server: str) -> None:
    """The scenario editor's form is built from the pydantic model: the shipped demo fills it; two bad values give
    two errors at once, each naming its key path and marking its field; fixed, the form's scenario validates,
    round-trips through the YAML view and runs as a plan with a progress bar to the end."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/scenarios")
        site_id = page.locator("[data-path='sites.0.id'] > input")
        expect(site_id).to_have_value("texas")
        expect(page.locator("#scenario-yaml")).to_be_hidden()
        assert page.locator("#scenario-form [data-path]").count() > 60  # every key of the model, nested ones too
        page.fill("[data-path='supply.buyer_share'] > input", "2")
        page.fill("[data-path='years.end'] > input", "1999")
        page.click("#scenario-validate")
        errors = page.locator("#scenario-errors li")
        expect(errors).to_have_count(2)
        listed = page.inner_text("#scenario-errors")
        assert "supply.buyer_share" in listed and "years.end" in listed, listed
        expect(page.locator("[data-path='supply.buyer_share'].invalid")).to_have_count(1)
        expect(page.locator("[data-path='years.end'].invalid")).to_have_count(1)
        shot(page, "07-scenario-form-errors")

        page.fill("[data-path='supply.buyer_share'] > input", "0.3")
        page.fill("[data-path='years.end'] > input", "2029")
        page.click("#scenario-validate")
        expect(page.locator("#scenario-progress")).to_have_text("valid")
        expect(errors).to_have_count(0)
        page.click("#view-yaml")
        expect(page.locator("#scenario-yaml")).to_be_visible()
        assert "buyer_share: 0.3" in page.input_value("#scenario-yaml")
        page.fill("#scenario-yaml", page.input_value("#scenario-yaml").replace("name: demo", "name: demo-edited"))
        page.click("#view-form")
        expect(page.locator("[data-path='name'] > input")).to_have_value("demo-edited")

        page.click("#scenario-run")
        expect(page.locator("#scenario-bar")).to_be_visible()
        page.wait_for_selector("#run-link", timeout=120_000)
        assert page.eval_on_selector("#scenario-bar", "(bar) => bar.value") == 1
        shot(page, "08-scenario-form-run")
        browser.close()


def test_site_map_draws_offline_with_a_plans_sites(server: str) -> None:
    """The Sites page draws the catalogue's sites and a stored plan's on the shipped base map, with every request
    off the server refused (no CDN): land and country paths drawn, one marker per site."""
    import time

    import httpx
    from playwright.sync_api import sync_playwright

    from gigafleet.reports.sitemap import load_map_sites

    job = httpx.post(server + "/api/plan", json={"scenario": "demo"}).json()
    for _ in range(1200):
        job = httpx.get(f"{server}/api/jobs/{job['id']}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        blocked: list[str] = []

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith(server):
                request_route.continue_()
            else:
                blocked.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.goto(f"{server}/runs/{job['run_id']}")
        page.click("#run-sites")
        page.wait_for_selector("#site-map[data-drawn]")
        page.wait_for_selector("#site-map .geolayer .layer.countries path")
        assert page.locator("#site-map .geolayer .layer.land path").count() > 0
        assert page.get_attribute("#site-map", "data-drawn") == "2"  # the demo's two campuses
        points = page.locator("#site-map .scattergeo .point").count()
        assert points == len(load_map_sites()) + 2, points
        shot(page, "09-sites", full_page=False)
        browser.close()
    assert blocked == [], blocked
