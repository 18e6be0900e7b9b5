"""HTTP API: every endpoint, bad input (422 naming the field, never 500), security, fuzzing, concurrent load."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from gigafleet.web.app import MAX_BODY_BYTES, create_app


@pytest.fixture(scope="module")
def client(store: Path) -> TestClient:
    return TestClient(create_app(store), base_url="http://localhost", raise_server_exceptions=False)


def _plan(client: TestClient, **body: object) -> dict:  # type: ignore[type-arg]
    started = client.post("/api/plan", json=body)
    assert started.status_code == 202, started.text
    job = started.json()["id"]
    for _ in range(240):
        state = client.get(f"/api/jobs/{job}").json()
        if state["status"] in ("done", "failed", "cancelled"):
            return state  # type: ignore[no-any-return]
        time.sleep(0.25)
    raise AssertionError("plan did not finish")


def test_estimate_matches_cli_json(client: TestClient) -> None:
    import json

    from typer.testing import CliRunner

    from gigafleet.cli import app

    body = {"chip": "gb200", "accelerators": "1M", "samples": 300, "seed": 2}
    api = client.post("/api/estimate", json=body)
    assert api.status_code == 200
    cli = CliRunner().invoke(
        app, ["estimate", "--chip", "gb200", "--accelerators", "1M", "--samples", "300", "--seed", "2", "--json"]
    )
    assert api.json() == json.loads(cli.stdout)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"chip": "gb200", "accelerators": "1OOM"}, "accelerators"),
        ({"chip": "h10O", "accelerators": "1M"}, "chip"),
        ({"chip": "h100", "accelerators": "1M", "region": "mars"}, "region"),
        ({"chip": "h100", "accelerators": "1M", "it_power_gw": 3}, "sizing"),
        ({"chip": "h100", "accelerators": "-1"}, "accelerators"),
        ({"chip": "h100", "accelerators": "1M", "samples": 10_000_000}, "samples"),
        ({"chip": "h100", "accelerators": "1M", "colour": "red"}, "colour"),
    ],
)
def test_estimate_bad_input_is_422_with_field(client: TestClient, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = client.post("/api/estimate", json=body)
    assert response.status_code == 422
    assert any(field in ".".join(map(str, item["loc"])) for item in response.json()["detail"])


def test_check_endpoint(client: TestClient) -> None:
    response = client.post(
        "/api/check",
        json={
            "chip": "h100",
            "accelerators": "100M",
            "claim_power_gw": 75,
            "claim_share_of": ["uk=0.75"],
            "samples": 300,
        },
    )
    assert response.status_code == 200
    claims = {c["claim"]: c for c in response.json()["claims"]}
    assert claims["power_gw"]["matches"].startswith("chip-only")
    bad = client.post("/api/check", json={"chip": "h100", "accelerators": "1M"})
    assert bad.status_code == 422


def test_check_matches_cli_json(client: TestClient) -> None:
    """One path for claims (``estimate.check``): the API's JSON is the CLI's ``check --json``, byte for byte."""
    import json

    from typer.testing import CliRunner

    from gigafleet.cli import app

    body = {
        "chip": "h100",
        "accelerators": "2M",
        "claim_capex_usd": "9e10",
        "claim_energy_twh": 30,
        "claim_share_of": ["uk=0.1", "germany=0.05"],
        "samples": 300,
        "seed": 4,
    }
    api = client.post("/api/check", json=body)
    assert api.status_code == 200
    cli = CliRunner().invoke(
        app,
        [
            "check",
            "--chip",
            "h100",
            "--accelerators",
            "2M",
            "--claim-capex-usd",
            "9e10",
            "--claim-energy-twh",
            "30",
            "--claim-share-of",
            "uk=0.1",
            "--claim-share-of",
            "germany=0.05",
            "--samples",
            "300",
            "--seed",
            "4",
            "--json",
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert api.json() == json.loads(cli.stdout)
    assert {row["claim"] for row in api.json()["claims"]} == {"capex_usd", "energy_twh_per_year", "share_of"}


def test_plan_job_runs_and_downloads(client: TestClient) -> None:
    state = _plan(client, scenario="demo")
    assert state["status"] == "done"
    run_id = state["run_id"]
    assert any(r["run_id"] == run_id for r in client.get("/api/runs").json())
    result = client.get(f"/api/runs/{run_id}").json()
    assert result["status"] == "optimal" and len(result["years"]) == 4
    for fmt, kind in (
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("parquet", "application/octet-stream"),
        ("html", "text/html"),
        ("xlsx", "application/vnd.openxmlformats"),
    ):
        download = client.get(f"/api/runs/{run_id}/download/{fmt}")
        assert download.status_code == 200 and download.headers["content-type"].startswith(kind)
    assert client.get(f"/api/runs/{run_id}/download/exe").status_code == 404
    again = _plan(client, scenario="demo")["run_id"]
    compared = client.get(f"/api/compare?run={run_id}&run={again}")
    assert compared.status_code == 200 and compared.json()["baseline"] == run_id
    from gigafleet.compare import compare_runs

    assert compared.json() == compare_runs([client.get(f"/api/runs/{i}").json() for i in (run_id, again)])
    totals = client.get(f"/compare?run={run_id}&run={again}&run={run_id}").text
    assert "id='compare-totals'" in totals and "id='compare-chart'" not in totals and "($0, 0%)" in totals
    assert "chart-h100e" in client.get(f"/api/compare/report?run={run_id}&run={again}").text
    for bad in (f"/api/compare?run={run_id}", "/api/compare?run=zzz&run=yyy"):
        assert client.get(bad).status_code in (404, 422), bad
    page = client.get(f"/runs/{run_id}").text  # the one formatter: no exponents, prices with their units
    assert "e+" not in page.split("<h2>Binding limits</h2>", 1)[1] and "$" in page


def test_numbers_on_pages_come_from_the_one_formatter(client: TestClient) -> None:
    from gigafleet.formatting import format_value, quantity_rows

    body = {"chip": "gb200", "accelerators": "30k", "samples": 300}
    plain = client.post("/api/estimate", json=body).json()
    shown = client.post("/api/estimate?display=true", json=body).json()
    assert "display" not in plain and {k: v for k, v in shown.items() if k != "display"} == plain
    assert shown["display"] == quantity_rows(plain)
    rows = {row["key"]: row for row in shown["display"]}
    assert rows["facility_power_gw"]["p50"] == format_value(plain["facility_power_gw"]["p50"], "power_gw")
    assert rows["facility_power_gw"]["p50"].endswith(" MW")  # 30k GB200 draw tens of MW, not "0.0612 GW"
    catalog = client.get("/catalog?item=h100").text
    assert "<td>2023</td>" in catalog and "2,023" not in catalog  # a year is not a count


def test_plan_validation_cancel_and_unknowns(client: TestClient) -> None:
    bad = client.post("/api/scenario/validate", json={"yaml": "name: x\nyears: {start: 2026, end: 2025}\n"})
    assert bad.status_code == 422 and "years" in bad.text
    ok = client.post("/api/scenario/validate", json={"scenario": "demo"})
    assert ok.status_code == 200
    assert client.post("/api/plan", json={"scenario": "nope"}).status_code == 422
    assert client.post("/api/plan", json={}).status_code == 422
    started = client.post("/api/plan", json={"scenario": "openai-100x"}).json()
    cancelled = client.delete(f"/api/jobs/{started['id']}").json()
    assert cancelled["status"] in ("cancelled", "done")
    assert client.get("/api/jobs/unknown").status_code == 404
    for path in ("/api/runs/../../etc/passwd", "/api/runs/zzzzzzzzzzzz", "/api/runs/0123456789ab/download/json"):
        assert client.get(path).status_code == 404


def test_catalog_scenarios_and_pages(client: TestClient) -> None:
    catalog = client.get("/api/catalog").json()
    assert "gb200" in {i["id"] for i in catalog["accelerators"]} and "R34" in catalog["sources"]
    assert client.get("/api/scenarios/demo").text.startswith("#")
    for path in (
        "/",
        "/check",
        "/scenarios",
        "/runs",
        "/compare",
        "/catalog",
        "/catalog?item=gb200",
        "/docs",
        "/static/app.js",
        "/static/plotly.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_security_headers_body_limit_and_token(store: Path) -> None:
    client = TestClient(create_app(store), base_url="http://localhost")
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline' 'unsafe" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    big = client.post(
        "/api/estimate",
        content=b"{" + b" " * (MAX_BODY_BYTES + 10) + b"}",
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    guarded = TestClient(create_app(store, token="s3cret"), base_url="http://localhost")
    assert guarded.get("/api/runs").status_code == 401
    assert guarded.get("/api/runs", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_openapi_fuzzing_finds_no_server_errors(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every operation of the schema, fuzzed: 0 server errors. Plans and sweeps are validated for real, but the
    queued job itself does nothing (and the queue is small), so no solve runs long."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    app = create_app(store, allowed_hosts=["testserver"], max_jobs=2)  # schemathesis calls the app as testserver
    jobs = app.state.jobs
    monkeypatch.setattr(jobs, "_run", lambda job_id, scenario, text: jobs._update(job_id, status="done"))
    monkeypatch.setattr(jobs, "_sweep", lambda job_id, experiment, text: jobs._update(job_id, status="done"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = []
    calls: list[tuple[str, str, int]] = []

    operations = [result.ok() for result in schema.get_all_operations()]
    for op in operations:
        starts_jobs = op.method.upper() == "POST" and op.path in ("/api/plan", "/api/sweep")

        @settings(max_examples=12 if starts_jobs else 25, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call()
            calls.append((case.method, case.operation.path, response.status_code))
            if response.status_code >= 500:
                failures.append((case.method, case.path, response.status_code, response.text[:200]))

        check()
    assert failures == []
    covered = {(method.upper(), path) for method, path, _ in calls}
    assert {(op.method.upper(), op.path) for op in operations} <= covered
    assert {("POST", "/api/plan"), ("POST", "/api/sweep")} <= covered
    codes = [code for _, _, code in calls]
    assert len(codes) >= 100 and 200 in codes and 422 in codes


def test_concurrent_load_on_loopback(server: str) -> None:
    """200 estimate requests, 8 at a time, on loopback: 0 errors; p95 latency printed."""
    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        limit = asyncio.Semaphore(8)
        async with httpx.AsyncClient(base_url=server, timeout=60) as http:

            async def one(i: int) -> None:
                async with limit:
                    started = time.perf_counter()
                    response = await http.post(
                        "/api/estimate", json={"chip": "h100", "accelerators": f"{i + 1}k", "samples": 200}
                    )
                    latencies.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        errors.append(response.status_code)

            await asyncio.gather(*(one(i) for i in range(200)))

    asyncio.run(main())
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"load test: 200 requests, 8 concurrent, p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, errors {len(errors)}"
    )
    assert errors == []


def test_notebook_repr_and_plot() -> None:
    from gigafleet.notebook import estimate

    result = estimate(accelerators="100k", chip="h100", samples=200)
    html_table = result._repr_html_()
    assert "<table>" in html_table and "Facility power" in html_table
    figure = result.plot()
    assert len(figure.data) == 1 and figure.data[0].y[3] == result["facility_power_gw"]["p50"]
    from gigafleet.errors import InputError

    with pytest.raises(InputError, match="--accelerators"):
        estimate(accelerators="1OOM", chip="h100")


def test_docs_page_is_served_locally(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/estimate" in docs.text and "cdn" not in docs.text.lower()


def test_save_scenario(client: TestClient) -> None:
    text = client.get("/api/scenarios/demo").text.replace("name: demo", "name: my-demo")
    saved = client.post("/api/scenarios/my-demo", json={"yaml": text})
    assert saved.status_code == 201
    assert client.get("/api/scenarios/my-demo").text == text
    assert client.post("/api/scenarios/..%2Fetc", json={"yaml": text}).status_code in (404, 422)
    assert client.post("/api/scenarios/Bad Name", json={"yaml": text}).status_code == 422
    assert client.post("/api/scenarios/broken", json={"yaml": "name: x\nchips: []\n"}).status_code == 422


def test_sweep_job_summary_report_and_errors(client: TestClient) -> None:
    import yaml

    experiment = {
        "name": "web-sweep",
        "kind": "function",
        "function": "ishigami",
        "sample": {"method": "random", "n": 6, "seed": 1, "parameters": {"function.x1": {"low": -3.14, "high": 3.14}}},
        "axes": {"function.a": [7.0]},
        "outputs": ["y"],
    }
    started = client.post("/api/sweep", json={"yaml": yaml.safe_dump(experiment)})
    assert started.status_code == 202, started.text
    job = started.json()["id"]
    for _ in range(240):
        state = client.get(f"/api/jobs/{job}").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.25)
    assert state["status"] == "done", state
    summary = client.get(f"/api/sweeps/{state['sweep_id']}").json()
    assert summary["completed"] == 6 and "y" in summary["outputs"]
    assert client.get(f"/api/sweeps/{state['sweep_id']}/report").status_code == 200
    assert client.get("/api/sweeps/nope").status_code == 404
    again = client.post("/api/sweep", json={"yaml": yaml.safe_dump(experiment)})  # as the CLI without --resume
    assert again.status_code == 422 and "resume" in again.text and "6 of 6 runs stored" in again.text
    resumed = client.post("/api/sweep", json={"yaml": yaml.safe_dump(experiment), "resume": True})
    assert resumed.status_code == 202
    assert state["sweep_id"] in client.get("/sweeps").text  # stored sweeps are listed, with their reports
    bad = client.post(
        "/api/sweep",
        json={"yaml": yaml.safe_dump({**experiment, "sample": {"parameters": {"weather.x": {"low": 0, "high": 1}}}})},
    )
    assert bad.status_code == 422
    assert client.post("/api/sweep", json={"experiment": "nope"}).status_code == 422


def test_catalogue_downloads_as_one_csv(client: TestClient) -> None:
    import csv
    import io

    from gigafleet.catalog import KINDS, load_catalog

    response = client.get("/api/catalog/download/csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    catalog = load_catalog()
    assert len(rows) == sum(len(catalog.item(k, i).parameters) for k in KINDS for i in catalog.ids(k))
    h100 = next(r for r in rows if r["item"] == "h100" and r["parameter"] == "tdp_w")
    assert float(h100["mid"]) == 700 and h100["grade"] and h100["sources"]


def test_defaults_are_the_clis(client: TestClient) -> None:
    """One request path: a request that names no samples or seed gets the CLI's defaults, so the same JSON."""
    import json

    from typer.testing import CliRunner

    from gigafleet.cli import app
    from gigafleet.cli.options import DEFAULT_SAMPLES_TEXT
    from gigafleet.scenario import DEFAULT_SAMPLES

    assert DEFAULT_SAMPLES_TEXT == str(DEFAULT_SAMPLES)
    api = client.post("/api/estimate", json={"chip": "h100", "accelerators": "100k"})
    cli = CliRunner().invoke(app, ["estimate", "--chip", "h100", "--accelerators", "100k", "--json"])
    assert api.status_code == 200 and cli.exit_code == 0, cli.output
    assert api.json() == json.loads(cli.stdout) and api.json()["inputs"]["samples"] == DEFAULT_SAMPLES


def test_every_scenario_error_at_once_with_its_path(client: TestClient) -> None:
    """Four mistakes in one scenario: one 422 lists all four, each with its key path (not only the first)."""
    text = (
        "name: bad\nyears: {start: 2026, end: 2029}\nchips: [gb200]\nobjective: cheapest\n"
        "sites:\n  - {id: a, region: us-tx, grid_gw: {2026: lots}, colour: red}\nsupply: {}\n"
    )
    detail = client.post("/api/scenario/validate", json={"yaml": text}).json()["detail"]
    paths = {".".join(str(p) for p in item["loc"][2:]) for item in detail}
    assert paths == {"objective", "sites.0.grid_gw.2026", "sites.0.colour", "supply.buyer_share"}, detail
    assert all(item["loc"][:2] == ["body", "yaml"] for item in detail)
    assert client.post("/api/plan", json={"yaml": text}).json()["detail"] == detail  # the same check before a job


def test_the_form_round_trips_a_scenario(client: TestClient) -> None:
    """The editor's form: the model's JSON Schema with catalogue choices, YAML parsed to data, and the data written
    back as YAML that validates (year keys back to integers)."""
    from gigafleet.buildout.scenario import PlanScenario

    schema = client.get("/api/scenario/schema").json()
    assert schema["schema"] == PlanScenario.model_json_schema()
    assert "gb200" in schema["choices"]["chips"] and "abilene-tx" in schema["choices"]["weather"]
    data = client.post("/api/scenario/parse", json={"scenario": "demo"}).json()["data"]
    assert data["targets"]["values"]["2029"] == "5M"  # JSON keys are text; amounts stay as written
    text = client.post("/api/scenario/yaml", json={"data": data}).text
    assert "2029: 5M" in text
    assert client.post("/api/scenario/validate", json={"yaml": text}).json() == {"valid": True}
    assert client.post("/api/scenario/parse", json={"yaml": "- a list"}).status_code == 422
    assert client.post("/api/scenario/parse", json={"yaml": "a: &x 1\nb: *x\n"}).status_code == 422  # no aliases


def test_jobs_report_their_progress(client: TestClient) -> None:
    from gigafleet.web.app import PLAN_PROGRESS, plan_progress

    state = _plan(client, scenario="demo")
    assert state["status"] == "done" and state["progress"] == 1.0
    shares = [share for _, share in PLAN_PROGRESS]
    assert shares == sorted(shares) and 0 < shares[0] and shares[-1] < 1
    assert plan_progress("solving with highs (1,165 variables, 980 constraints)") == PLAN_PROGRESS[2][1]
    assert plan_progress("something new") is None


def test_api_reference_renders_docstring_markup(client: TestClient) -> None:
    docs = client.get("/docs").text
    assert "<code>gigafleet estimate --json</code>" in docs and "``" not in docs


def test_power_runs_as_a_job_and_is_listed_with_plans_and_sweeps(client: TestClient) -> None:
    body = {"site": "abilene-tx", "it_load_gw": "0.3", "hours": "repdays", "days": "4"}
    job = client.post("/api/power", json=body).json()
    assert job["kind"] == "power"
    for _ in range(600):
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["status"] == "done" and job["progress"] == 1.0, job
    run_id = job["run_id"]
    listed = {r["run_id"]: r for r in client.get("/api/runs").json()}
    assert listed[run_id]["kind"] == "power" and listed[run_id]["name"] == "power abilene-tx 0.3 GW"
    result = client.get(f"/api/runs/{run_id}").json()
    assert result["site"]["id"] == "abilene-tx" and result["status"] == "optimal"
    report = client.get(f"/api/runs/{run_id}/download/html").text
    assert "abilene" in report.lower() and "<!DOCTYPE html>" in report
    page = client.get(f"/runs/{run_id}").text
    assert "id='power-run'" in page and "LCOE" in page
    runs = client.get("/runs").text
    assert f"/runs/{run_id}" in runs and ">power<" in runs
    refused = client.post("/api/power", json={**body, "site": "atlantis"})
    assert refused.status_code == 422 and "--site" in refused.text  # checked before a job is queued
    assert client.post("/api/power", json={**body, "it_load_gw": "-1"}).status_code == 422
