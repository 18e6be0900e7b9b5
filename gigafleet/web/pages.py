"""Server-rendered HTML pages of the web app (no inline scripts: behaviour lives in /static/app.js)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from gigafleet.errors import clip
from gigafleet.formatting import format_parameter, format_price, format_value
from gigafleet.reports.document import escape
from gigafleet.web.models import RUN_ID, PlanRequest, ScenarioData

STATIC = Path(__file__).parent / "static"

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2937}
nav{background:#111827;padding:.6rem 1rem}nav a{color:#e5e7eb;margin-right:1.2rem;text-decoration:none}
nav a:hover{color:#fff}main{max-width:1200px;margin:1rem auto;padding:0 1rem}
label{display:inline-block;min-width:11rem;margin:.2rem 0}input,select,textarea{font:inherit;padding:.25rem}
table{border-collapse:collapse;margin:.5rem 0}.scroll{overflow-x:auto;max-width:100%}
#catalog-table{font-size:.85rem}#catalog-table th{cursor:pointer;position:sticky;top:0;background:#fff}
#catalog-table td,#catalog-table th{text-align:left}#catalog-table td.num{text-align:right}
td,th{border-bottom:1px solid #e5e7eb;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}.error{color:#b91c1c;margin-left:.5rem}.muted{color:#6b7280}
button{font:inherit;padding:.3rem .9rem;margin:.3rem .3rem .3rem 0}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
textarea{width:100%;height:24rem;font-family:ui-monospace,monospace;font-size:.85rem}
.tabs button.active{background:#111827;color:#fff}fieldset{border:1px solid #e5e7eb;margin:.3rem 0;padding:.3rem .8rem}
.field{margin:.15rem 0}.field>label{display:inline-block;min-width:14rem;vertical-align:top}
.mapping,.array,.choices,.union{display:inline-block;vertical-align:top}.entry,.item{margin:.1rem 0}
.item{border-left:3px solid #e5e7eb;padding-left:.5rem}.choice{min-width:0;margin-right:.8rem}
button.small{padding:.05rem .5rem;font-size:.8rem}.invalid>label,.invalid>input{color:#b91c1c;border-color:#b91c1c}
.field-error{color:#b91c1c;margin-left:.5rem;font-size:.85rem}#scenario-errors code{margin-right:.4rem}
progress{width:20rem;vertical-align:middle}
"""

NAV = [
    ("/", "Estimate"),
    ("/check", "Claim check"),
    ("/scenarios", "Scenarios"),
    ("/sweeps", "Sweeps"),
    ("/runs", "Runs"),
    ("/compare", "Compare"),
    ("/sites", "Sites"),
    ("/catalog", "Catalogue"),
    ("/docs", "API"),
]


def page(title: str, body: str, page_id: str) -> HTMLResponse:
    """A full page with navigation, the shared stylesheet and the static scripts."""
    nav = "".join(f'<a href="{href}">{escape(label)}</a>' for href, label in NAV)
    return HTMLResponse(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · gigafleet</title><style>{CSS}</style><script src='/static/plotly.min.js'></script>"
        "<script src='/static/app.js' defer></script></head>"
        f"<body data-page='{escape(page_id)}'><nav>{nav}</nav><main><h1>{escape(title)}</h1>{body}</main>"
        "</body></html>"
    )


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


@functools.lru_cache(maxsize=1)
def _scenario_schema() -> dict[str, Any]:
    """The plan scenario's JSON Schema and, per field name, the catalogue ids it takes (``choices``)."""
    from gigafleet.buildout.scenario import PlanScenario
    from gigafleet.catalog import load_catalog

    catalog = load_catalog()
    chips = catalog.ids("accelerators")
    return {
        "schema": PlanScenario.model_json_schema(),
        "choices": {
            "chips": chips,
            "chip": chips,
            "region": catalog.ids("regions"),
            "cooling": catalog.ids("cooling"),
            "weather": catalog.ids("sites"),
            "onsite": [s for s in catalog.ids("power_sources") if s != "grid"],
        },
    }


def _yaml_keys(value: Any) -> Any:
    """JSON data with each all-digit key as the integer YAML would read it as (``"2026"`` -> ``2026``: JSON keys
    are always strings, and a scenario's year keys are integers)."""
    if isinstance(value, dict):
        return {
            (int(k) if isinstance(k, str) and k.isascii() and k.isdigit() else k): _yaml_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_yaml_keys(v) for v in value]
    return value


def rst_inline(text: str) -> str:
    """Docstring text as HTML: escaped, ````literal```` and ```role``` spans as ``<code>``, roles such as
    ``:func:`` dropped, blank lines as paragraph breaks.

    Examples
    --------
    >>> rst_inline("Same JSON as ``gigafleet estimate --json``; see :func:`plan`.")
    'Same JSON as <code>gigafleet estimate --json</code>; see <code>plan</code>.'
    >>> rst_inline("a < b")
    'a &lt; b'
    """
    import re

    html = escape(text.strip())
    html = re.sub(r"``(.+?)``", r"<code>\1</code>", html)
    html = re.sub(r"(?::[a-z]+)+:`~?(.+?)`", r"<code>\1</code>", html)
    html = re.sub(r"`([^`]+?)`", r"<code>\1</code>", html)
    return re.sub(r"\n\s*\n", "<br><br>", html)


ESTIMATE_PAGE_VALUES = {"chip": "gb200", "accelerators": "1M"}
"""Values the estimate page starts with (the rest start empty: the CLI's defaults)."""


def estimate_fields(catalog: Any) -> str:
    """The estimate form: one labelled input per field of :class:`~gigafleet.web.models.EstimateRequest` (selects
    for catalogue ids), its description as the tooltip and an error slot ``error-NAME`` each."""
    from gigafleet.web.models import EstimateRequest

    choices = {
        "chip": catalog.ids("accelerators"),
        "cooling": ["auto", *catalog.ids("cooling")],
        "region": catalog.ids("regions"),
    }
    rows = []
    for name, field in EstimateRequest.model_fields.items():
        start = ESTIMATE_PAGE_VALUES.get(name, field.default if field.default is not None else "")
        words = [{"it": "IT", "mfu": "MFU", "gw": "[GW]", "usd": "[USD]"}.get(w, w) for w in name.split("_")]
        label = " ".join(words)
        label = label[:1].upper() + label[1:]
        help_text = escape(field.description or "")
        if name in choices:
            control = f"<select name='{name}'>{_options(choices[name], str(start))}</select>"
        else:
            example = (field.examples or [""])[0]
            control = f"<input name='{name}' value='{escape(start)}' size='14' placeholder='{escape(example)}'>"
        rows.append(
            f"<div class='field'><label title='{help_text}'>{escape(label)}</label>{control}"
            f"<span class='error' id='error-{name}'></span></div>"
        )
    return "".join(rows)


def _options(values: list[str], selected: str) -> str:
    return "".join(
        f"<option value='{escape(v)}'{' selected' if v == selected else ''}>{escape(v)}</option>" for v in values
    )


def add_pages(app: FastAPI, store: Path) -> None:
    """Register the HTML pages and static files."""

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(
            _plotly_js(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/static/app.js", include_in_schema=False)
    def app_js() -> Response:
        return Response((STATIC / "app.js").read_text(encoding="utf-8"), media_type="application/javascript")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """API reference rendered from the OpenAPI schema (served locally: no CDN assets)."""
        schema = app.openapi()
        rows = []
        for path, methods in schema.get("paths", {}).items():
            for method, operation in methods.items():
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                ref = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                fields = ", ".join(schema.get("components", {}).get("schemas", {}).get(ref, {}).get("properties", {}))
                rows.append(
                    f"<tr><td><code>{escape(method.upper())}</code></td><td><code>{escape(path)}</code></td>"
                    f"<td>{escape(operation.get('summary', ''))}: {rst_inline(operation.get('description', ''))}"
                    f"</td><td>{escape(fields)}</td></tr>"
                )
        body = (
            "<p>Machine-readable schema: <a href='/openapi.json'>/openapi.json</a>. Errors are 422 with "
            "<code>detail[].loc</code> naming the field.</p><table><tr><th>Method</th><th>Path</th>"
            f"<th>What</th><th>JSON fields</th></tr>{''.join(rows)}</table>"
        )
        return page("HTTP API", body, "docs")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> HTMLResponse:
        from gigafleet.catalog import load_catalog

        body = (
            "<p class='muted'>Change any input: the estimate updates (P10 / P50 / P90 from the cited catalogue). "
            "Empty fields take the CLI's defaults; hover a name for its meaning.</p>"
            f"<form id='estimate-form'>{estimate_fields(load_catalog())}"
            "<button type='submit'>Estimate</button></form>"
            "<div class='grid'><div id='estimate-result'></div><div id='estimate-chart'></div></div>"
        )
        return page("What does a fleet take?", body, "estimate")

    @app.get("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_page() -> HTMLResponse:
        body = (
            "<form id='check-form'>"
            "<label>Accelerator <input name='chip' value='h100' size='10'></label><br>"
            "<label>Accelerators <input name='accelerators' value='100M' size='10'></label>"
            "<span class='error' id='error-accelerators'></span><br>"
            "<label>Claimed cost [USD] <input name='claim_capex_usd' value='3e12' size='10'></label><br>"
            "<label>Claimed power [GW] <input name='claim_power_gw' value='75' size='10'></label><br>"
            "<label>Claimed share <input name='claim_share_of' value='uk=0.75' size='10'></label><br>"
            "<button type='submit'>Check</button></form><div id='check-result'></div>"
        )
        return page("Check a claim", body, "check")

    saved_dir = store.parent / "scenarios"

    def scenario_files() -> dict[str, Path]:
        from gigafleet.safeio import shipped_files
        from gigafleet.scenario import SCENARIO_DIR

        files = shipped_files(SCENARIO_DIR, exclude=("default",))
        if saved_dir.is_dir():
            files.update(shipped_files(saved_dir))
        return files

    @app.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
    def scenarios_page() -> HTMLResponse:
        names = sorted(scenario_files())
        body = (
            f"<label>Shipped scenario <select id='scenario-name'>{_options(names, 'demo')}</select></label> "
            "<button id='scenario-load' type='button'>Load</button><br>"
            "<p class='muted'>The form is built from the scenario's typed model: every key, its bounds and the "
            "catalogue ids it takes (hover a name for its meaning). The YAML view shows the same scenario as text; "
            "the form does not keep a file's comments.</p>"
            "<div class='tabs'><button id='view-form' type='button' class='tab active'>Form</button>"
            "<button id='view-yaml' type='button' class='tab'>YAML</button></div>"
            "<div id='scenario-form'></div>"
            "<textarea id='scenario-yaml' spellcheck='false' hidden></textarea>"
            "<ul id='scenario-errors' class='error'></ul>"
            "<button id='scenario-validate' type='button'>Validate</button>"
            "<button id='scenario-run' type='button'>Run plan</button>"
            "<button id='scenario-cancel' type='button'>Cancel</button> "
            "<label>Save as <input id='scenario-save-name' size='16' placeholder='my-scenario'></label>"
            "<button id='scenario-save' type='button'>Save</button>"
            "<div><progress id='scenario-bar' max='1' value='0' hidden></progress> "
            "<span id='scenario-progress' class='muted'></span></div>"
        )
        return page("Scenario editor", body, "scenarios")

    @app.get("/api/scenario/schema", tags=["api"])
    def scenario_schema() -> dict[str, Any]:
        """The plan scenario's JSON Schema (from its pydantic model) and the catalogue ids each named field takes;
        the scenario editor builds its form from these."""
        return _scenario_schema()

    @app.post("/api/scenario/parse", tags=["api"])
    def scenario_parse(request: PlanRequest) -> dict[str, Any]:
        """A scenario's YAML (text or shipped name) as JSON data, parsed safely and not validated (the form shows
        a scenario with errors too, so that they can be fixed in it)."""
        import json

        from gigafleet.errors import InputError
        from gigafleet.safeio import load_yaml_text
        from gigafleet.web.models import plan_text

        data = load_yaml_text(plan_text(request), "yaml")
        if not isinstance(data, dict):
            raise InputError("yaml", "text", "a mapping of scenario keys")
        return {"data": json.loads(json.dumps(data, default=str))}

    @app.post("/api/scenario/yaml", response_class=PlainTextResponse, tags=["api"])
    def scenario_yaml(request: ScenarioData) -> str:
        """The form's data as YAML text (key order kept), for the editor's YAML view."""
        import yaml

        return str(yaml.safe_dump(_yaml_keys(request.data), sort_keys=False, allow_unicode=True, width=100))

    @app.get("/api/scenarios/{name}", response_class=PlainTextResponse, tags=["api"])
    def scenario_text(name: str) -> str:
        """The YAML text of a shipped or saved plan scenario."""
        files = scenario_files()
        if name not in files:
            raise HTTPException(404, f"no scenario {clip(name)}; known: {', '.join(sorted(files))}")
        return files[name].read_text(encoding="utf-8")

    @app.post("/api/scenarios/{name}", tags=["api"], status_code=201)
    def save_scenario(name: str, request: PlanRequest) -> dict[str, str]:
        """Validate and save a plan scenario under a new name (lowercase letters, digits, '-'; ≤ 40 characters)."""
        import re

        from gigafleet.errors import InputError
        from gigafleet.web.models import plan_text, validate_plan_text

        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", name):
            raise InputError("name", name, "lowercase letters, digits and '-' (at most 40 characters)")
        text = plan_text(request)
        validate_plan_text(text)
        from gigafleet.safeio import write_atomic

        write_atomic(saved_dir / f"{name}.yaml", text)
        return {"saved": name}

    @app.get("/sweeps", response_class=HTMLResponse, include_in_schema=False)
    def sweeps_page() -> HTMLResponse:
        from gigafleet.safeio import shipped_files
        from gigafleet.uncertainty.experiment import EXPERIMENT_DIR

        names = sorted(shipped_files(EXPERIMENT_DIR))
        body = (
            f"<label>Experiment <select id='sweep-name'>{_options(names, 'demo')}</select></label> "
            "<label><input type='checkbox' id='sweep-resume'> Resume a stored sweep</label> "
            "<button id='sweep-run' type='button'>Run sweep</button>"
            "<button id='sweep-cancel' type='button'>Cancel</button>"
            "<div id='sweep-errors' class='error'></div>"
            "<div><progress id='sweep-bar' max='1' value='0' hidden></progress> "
            "<span id='sweep-progress' class='muted'></span></div>"
            "<p class='muted'>Runs on a local Dask cluster; stored runs survive a cancel or a crash. Running an "
            "experiment that is already stored needs Resume (as the CLI's --resume): no stored run is redone.</p>"
            + _stored_sweeps()
        )
        return page("Sweeps", body, "sweeps")

    def _stored_sweeps() -> str:
        from gigafleet.uncertainty.sweep import list_sweeps

        rows = "".join(
            f"<tr><td><a href='/api/sweeps/{escape(s['sweep_id'])}/report'>{escape(s['sweep_id'])}</a></td>"
            f"<td>{escape(s['name'])}</td><td>{format_value(s['completed'], 'count')} of "
            f"{format_value(s['total_runs'], 'count')}</td><td>{escape(s['created_utc'])}</td></tr>"
            for s in list_sweeps(store)
        )
        head = "<tr><th>Sweep</th><th>Experiment</th><th>Runs stored</th><th>Created (UTC)</th></tr>"
        return f"<h2>Stored sweeps</h2><table id='sweeps-table'>{head}{rows}</table>" if rows else ""

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page() -> HTMLResponse:
        from gigafleet.store import list_runs
        from gigafleet.uncertainty.sweep import list_sweeps

        rows = list_runs(store)
        table = "".join(
            f"<tr><td><a href='/runs/{escape(r['run_id'])}'>{escape(r['run_id'])}</a></td><td>{escape(r['name'])}</td>"
            f"<td>{escape(r['kind'])}</td><td>{escape(r['status'])}</td><td>{escape(r['created_utc'])}</td></tr>"
            for r in rows
        )
        table += "".join(  # sweeps live in their own tables: listed here too, with their reports
            f"<tr><td><a href='/api/sweeps/{escape(s['sweep_id'])}/report'>{escape(s['sweep_id'])}</a></td>"
            f"<td>{escape(s['name'])}</td><td>sweep</td><td>{format_value(s['completed'], 'count')} of "
            f"{format_value(s['total_runs'], 'count')} runs</td><td>{escape(s['created_utc'])}</td></tr>"
            for s in list_sweeps(store)
        )
        ids = [r["run_id"] for r in rows if r["kind"] == "plan"]
        body = (
            "<table id='runs-table'><tr><th>Run</th><th>Scenario</th><th>Kind</th><th>Status</th><th>Created (UTC)"
            f"</th></tr>{table}</table>"
            if table
            else "<p>No runs yet: run a plan from the scenario editor or a sweep.</p>"
        )
        if len(ids) >= 2:
            body += (
                "<form action='/compare' method='get'>"
                f"<select name='a'>{_options(ids, ids[1])}</select> vs <select name='b'>{_options(ids, ids[0])}"
                "</select> <button type='submit'>Compare</button></form>"
            )
        return page("Runs", body, "runs")

    def _run(run_id: str) -> dict[str, Any]:
        from gigafleet.errors import InputError
        from gigafleet.store import load_run

        if not RUN_ID.match(run_id):
            raise HTTPException(404, "unknown run")
        try:
            return load_run(run_id, store)
        except InputError:
            raise HTTPException(404, f"no run {run_id}") from None

    def _years_table(result: dict[str, Any], table_id: str) -> str:
        head = (
            "<tr><th>Year</th><th>Accelerators</th><th>H100e</th><th>Facility power</th><th>Capex</th>"
            "<th>Short</th></tr>"
        )
        rows = "".join(
            f"<tr><td>{y['year']}</td><td>{format_value(y['accelerators'], 'count')}</td>"
            f"<td>{format_value(y['h100e'], 'count')}</td><td>{format_value(y['facility_power_gw'], 'power_gw')}</td>"
            f"<td>{format_value(y['capex_usd'], 'usd')}</td><td>{format_value(y['shortfall'], 'count')}</td></tr>"
            for y in result.get("years", [])
        )
        return f"<table id='{table_id}'>{head}{rows}</table>"

    @app.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_page(run_id: str) -> HTMLResponse:
        result = _run(run_id)
        from gigafleet.store import run_kind

        if run_kind(run_id, store) == "power":
            return _power_run_page(run_id, result)
        binding = "".join(
            f"<tr><td>{escape(b['limit'])}</td><td>{b['year']}</td><td>{escape(b['where'])}</td>"
            f"<td>{escape(format_price(b['shadow_price'], b['unit']))}</td></tr>"
            for b in result.get("binding", [])[:40]
        )
        downloads = " · ".join(
            f"<a href='/api/runs/{run_id}/download/{f}'>{f.upper()}</a>"
            for f in ("json", "csv", "parquet", "xlsx", "html")
        )
        downloads += f" · <a id='run-sites' href='/sites?run={escape(run_id)}'>sites on the map</a>"
        body = (
            f"<p>Status <b id='run-status'>{escape(result.get('status'))}</b>; scenario "
            f"{escape(result.get('scenario', {}).get('name'))}; downloads: {downloads}</p>"
            f"<div id='run-chart' data-run='{escape(run_id)}'></div>{_years_table(result, 'run-years')}"
            "<h2>Binding limits</h2><table><tr><th>Limit</th><th>Year</th><th>Where</th><th>Shadow price</th>"
            f"</tr>{binding}</table>"
        )
        return page(f"Run {run_id}", body, "run")

    def _power_run_page(run_id: str, result: dict[str, Any]) -> HTMLResponse:
        """A stored campus design: its headline numbers, capacities and downloads (the full report is one click)."""
        site = result.get("site", {})
        head = (
            ("Status", escape(result.get("status"))),
            ("LCOE", escape(format_value(result.get("lcoe_usd_per_mwh"), "usd")) + " per MWh"),
            ("Annual cost", escape(format_value(result.get("annual_cost_usd"), "usd"))),
            ("CO2 intensity", escape(format_value(result.get("co2_g_per_kwh"), "number")) + " g/kWh"),
        )
        rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in head)
        capacity = "".join(
            f"<tr><td>{escape(c['source'])}</td><td>{format_value(c['capacity_gw'], 'power_gw')}</td>"
            f"<td>{format_value(c['share_of_energy'] * 100, 'number')}%</td></tr>"
            for c in result.get("capacity", [])
        )
        downloads = " · ".join(
            f"<a href='/api/runs/{run_id}/download/{f}'>{'Report' if f == 'html' else f.upper()}</a>"
            for f in ("html", "json", "xlsx")
        )
        body = (
            f"<p>Campus power design for {escape(site.get('label'))}; downloads: {downloads}</p>"
            f"<table id='power-run'>{rows}</table><h2>Capacity by source</h2><table><tr><th>Source</th>"
            f"<th>Capacity</th><th>Share of energy</th></tr>{capacity}</table>"
        )
        return page(f"Run {run_id}", body, "run")

    @app.get("/api/sites", tags=["api"])
    def api_sites(run: str | None = None) -> dict[str, Any]:
        """The site map: every catalogue site and, with ``?run=ID``, a stored plan's sites in its final year (disc
        area by facility GW, colour by main power source). Returns the Plotly figure, its config and the base map
        (Natural Earth 1:110m, shipped with the package: nothing is fetched from the internet)."""
        from gigafleet.reports.sitemap import site_map_json

        return site_map_json(_run(run) if run is not None else None)

    @app.get("/sites", response_class=HTMLResponse, include_in_schema=False)
    def sites_page(run: str | None = None) -> HTMLResponse:
        """The catalogue's sites on an offline map; ``?run=ID`` adds a stored plan's sites."""
        from gigafleet.store import list_runs

        plans = [r["run_id"] for r in list_runs(store) if r["kind"] == "plan"]
        if run is not None:
            _run(run)  # 404 for an unknown run, before the page
        picker = (
            "<form action='/sites' method='get'><label>Plan <select name='run'>"
            f"<option value=''>(catalogue sites only)</option>{_options(plans, run or '')}</select></label> "
            "<button type='submit'>Show</button></form>"
            if plans
            else "<p class='muted'>Run a plan to see its sites on the map too.</p>"
        )
        body = (
            f"{picker}<p class='muted'>Every catalogue site (diamonds) and, for a plan, its sites in the final year: "
            "disc "
            "area by facility power, colour by main power source. The base map is shipped (Natural Earth 1:110m); "
            "nothing is fetched from the internet.</p>"
            f"<div id='site-map' data-run='{escape(run or '')}' style='height:560px'></div>"
            "<div id='site-notes' class='muted'></div>"
        )
        return page("Sites", body, "sites")

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(
        a: str | None = None, b: str | None = None, run: Annotated[list[str] | None, Query()] = None
    ) -> HTMLResponse:
        """Two to 12 stored plans side by side (``?run=ID&run=ID``; ``?a=ID&b=ID`` too): the totals with their
        deltas to the first, links to the full report and the JSON; for two runs, their years and a chart."""
        ids = [*(run or []), *(x for x in (a, b) if x)]
        if len(ids) < 2:
            return page("Compare runs", "<p>Pick two runs on the <a href='/runs'>runs page</a>.</p>", "compare")
        if len(ids) > 12:
            raise HTTPException(422, "run: 2 to 12 run ids")
        from gigafleet.compare import compare_runs
        from gigafleet.reports.compare import totals_table

        results = [_run(i) for i in ids]
        query = "&amp;".join(f"run={escape(i)}" for i in ids)
        body = (
            f"<div id='compare-totals'>{totals_table(compare_runs(results))}</div>"
            f"<p><a id='compare-report' href='/api/compare/report?{query}'>Full report</a> · "
            f"<a href='/api/compare?{query}'>JSON</a></p>"
        )
        if len(ids) == 2:
            (first, second), (left, right) = ids, results
            body += (
                "<div class='grid'>"
                f"<div><h2>{escape(first)}: {escape(left.get('scenario', {}).get('name'))}</h2>"
                f"{_years_table(left, 'compare-a')}</div>"
                f"<div><h2>{escape(second)}: {escape(right.get('scenario', {}).get('name'))}</h2>"
                f"{_years_table(right, 'compare-b')}</div></div>"
                f"<div id='compare-chart' data-a='{escape(first)}' data-b='{escape(second)}'></div>"
            )
        return page("Compare runs", body, "compare")

    def _source_link(source: Any, tag: str) -> str:
        """A source tag linked to its page (http(s) only), its title and publisher as the tooltip."""
        if source is None:
            return escape(tag)
        title = escape(f"{source.title} — {source.publisher}, {source.date}")
        url = str(source.url)
        if url.startswith(("https://", "http://")):
            return f"<a href='{escape(url)}' title='{title}' rel='noreferrer'>{escape(tag)}</a>"
        return f"<span title='{title}'>{escape(tag)}</span>"

    @app.get("/catalog", response_class=HTMLResponse, include_in_schema=False)
    def catalog_page(item: str | None = None) -> HTMLResponse:
        from gigafleet.catalog import KINDS, load_catalog

        catalog = load_catalog()
        if item:
            found = catalog.find(item)
            rows = "".join(
                f"<tr><td>{escape(p.parameter)}</td><td>{escape(p.unit)}</td>"
                + "".join(f"<td>{format_parameter(v, p.unit)}</td>" for v in (p.low, p.mid, p.high))
                + f"<td>{escape(p.grade)}</td><td>{escape(';'.join(p.sources))}</td><td>{escape(p.note)}</td></tr>"
                for p in found.parameters.values()
            )
            cited = sorted({t for p in found.parameters.values() for t in p.sources})
            sources = "".join(
                f"<li>{_source_link(catalog.sources[t], t)}: {escape(catalog.sources[t].title)} — "
                f"{escape(catalog.sources[t].publisher)}, {escape(catalog.sources[t].date)}</li>"
                for t in cited
            )
            body = (
                "<table><tr><th>Parameter</th><th>Unit</th><th>Low</th><th>Mid</th><th>High</th><th>Grade</th>"
                f"<th>Source</th><th>Note</th></tr>{rows}</table><h2>Sources</h2><ul>{sources}</ul>"
            )
            return page(f"{found.kind} / {found.label}", body, "catalog")
        known = catalog.sources
        table_rows = "".join(
            f"<tr><td>{escape(kind)}</td><td><a href='/catalog?item={escape(i)}'>{escape(i)}</a></td>"
            f"<td>{escape(p.parameter)}</td><td>{escape(p.unit)}</td>"
            + "".join(
                f"<td class='num' data-value='{v!r}'>{format_parameter(v, p.unit)}</td>" for v in (p.low, p.mid, p.high)
            )
            + f"<td>{escape(p.grade)}</td><td>"
            + ", ".join(_source_link(known.get(t), t) for t in p.sources)
            + f"</td><td>{escape(p.as_of)}</td></tr>"
            for kind in KINDS
            for i in catalog.ids(kind)
            for p in catalog.item(kind, i).parameters.values()
        )
        headers = ("Kind", "Item", "Parameter", "Unit", "Low", "Mid", "High", "Grade", "Sources", "As of")
        head = "".join(f"<th data-sort='{n}' title='Sort'>{escape(h)}</th>" for n, h in enumerate(headers))
        sections = (
            "<p><label>Search <input id='catalog-search' type='search' placeholder='gb200, pue, R34, U ...'></label> "
            "<span id='catalog-count' class='muted'></span> · <a href='/api/catalog/download/csv'>CSV</a> · "
            "<a href='/api/catalog'>JSON</a></p>"
            f"<div class='scroll'><table id='catalog-table'><thead><tr>{head}</tr></thead><tbody>{table_rows}</tbody>"
            "</table></div>"
            "<p class='muted'>Click a heading to sort; grades: P published, S specification, W widely quoted, "
            "D derived, U unsourced.</p>"
        )
        return page("Catalogue", sections, "catalog")
