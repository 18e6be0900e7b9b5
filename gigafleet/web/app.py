"""The gigafleet web app and HTTP API (FastAPI).

API (OpenAPI at ``/docs``): ``POST /api/estimate`` and ``POST /api/check`` take the same fields as the CLI flags and
return the same JSON; ``POST /api/plan`` starts a background plan and returns a job id; ``GET /api/jobs/{id}``
(progress), ``DELETE /api/jobs/{id}`` (cancel); ``GET /api/runs``, ``GET /api/runs/{id}``,
``GET /api/runs/{id}/download/{format}``; ``GET /api/catalog``; ``POST /api/scenario/validate``.

Pages: ``/`` (live estimate), ``/check``, ``/scenarios`` (editor), ``/runs``, ``/runs/{id}``, ``/compare``,
``/catalog``. Scripts are static files (no inline scripts; CSP ``script-src 'self'``); plotly.js is served from the
installed plotly package. Inputs go through the same typed models and parsers as the CLI; errors are 422 with the
field name; downloads are addressed by run id only.
"""

from __future__ import annotations

import concurrent.futures
import html
import io
import json
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from gigafleet.errors import GigafleetError, InputError

RUN_ID = re.compile(r"^[0-9a-f]{12}$")
MAX_BODY_BYTES = 256 * 1024
STATIC = Path(__file__).parent / "static"


class EstimateRequest(BaseModel):
    """Fields of ``gigafleet estimate`` (amounts accept 100M, 3e12 ...)."""

    model_config = ConfigDict(extra="forbid")
    chip: str | None = Field(None, examples=["gb200"])
    fleet: str | None = Field(None, examples=["h100=40M,gb200=60M"])
    accelerators: str | float | None = Field(None, examples=["100M"])
    it_power_gw: str | float | None = None
    facility_power_gw: str | float | None = None
    budget_usd: str | float | None = None
    cooling: str = "auto"
    region: str = "us"
    year: str | int | None = None
    utilisation: str | float | None = None
    mfu: str | float | None = None
    samples: str | int = Field(1000, examples=[1000])
    seed: str | int = 0


class CheckRequest(EstimateRequest):
    """Fields of ``gigafleet check``."""

    claim_capex_usd: str | float | None = None
    claim_power_gw: str | float | None = None
    claim_energy_twh: str | float | None = None
    claim_share_of: list[str] = Field(default_factory=list, examples=[["uk=0.75"]])


class PlanRequest(BaseModel):
    """A plan scenario: a shipped name or YAML text."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | None = Field(None, examples=["demo"])
    yaml: str | None = Field(None, max_length=200_000)


class SweepRequest(BaseModel):
    """An experiment: a shipped name or YAML text."""

    model_config = ConfigDict(extra="forbid")
    experiment: str | None = Field(None, examples=["demo"])
    yaml: str | None = Field(None, max_length=200_000)


def _field_error(exc: InputError | GigafleetError) -> JSONResponse:
    field = getattr(exc, "field", "body")
    name = str(field).lstrip("-").replace("-", "_")
    return JSONResponse(status_code=422, content={"detail": [{"loc": ["body", name], "msg": str(exc),
                                                              "type": "value_error"}]})


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


API_MAX_SAMPLES = 100_000


def _scenario(request: EstimateRequest) -> Any:
    from gigafleet.cli import _build_scenario, _int_flag

    _int_flag(str(request.samples), "--samples", low=1, high=API_MAX_SAMPLES)  # the API caps work per request

    return _build_scenario(chip=request.chip, fleet=request.fleet, accelerators=_text(request.accelerators),
                           it_power_gw=_text(request.it_power_gw), facility_power_gw=_text(request.facility_power_gw),
                           budget_usd=_text(request.budget_usd), cooling=request.cooling, region=request.region,
                           year=_text(request.year), utilisation=_text(request.utilisation), mfu=_text(request.mfu),
                           samples=str(request.samples), seed=str(request.seed), scenario_file=None)


class Jobs:
    """Background plan runs (a small thread pool: requests never wait for a solve)."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
        self.lock = threading.Lock()
        self.jobs: dict[str, dict[str, Any]] = {}

    def start(self, name: str, text: str) -> str:
        job_id = uuid.uuid4().hex[:12]
        with self.lock:
            self.jobs[job_id] = {"id": job_id, "status": "queued", "stage": "queued", "run_id": None, "error": None,
                                 "started": time.time(), "scenario": name}
        self.pool.submit(self._run, job_id, text)
        return job_id

    def _update(self, job_id: str, **changes: Any) -> None:
        with self.lock:
            self.jobs[job_id].update(changes)

    def _run(self, job_id: str, text: str) -> None:
        import yaml

        from gigafleet.buildout.scenario import PlanScenario
        from gigafleet.buildout.solve import plan
        from gigafleet.catalog import load_catalog
        from gigafleet.store import save_run

        try:
            if self.jobs[job_id]["status"] == "cancelled":
                return
            self._update(job_id, status="running", stage="validating")
            scenario = PlanScenario.model_validate(yaml.safe_load(text))
            result = plan(load_catalog(), scenario, source="web",
                          progress=lambda stage: self._update(job_id, stage=stage))
            if self.jobs[job_id]["status"] == "cancelled":
                return
            run_id = save_run("plan", result, text, self.store)
            self._update(job_id, status="done", stage="done", run_id=run_id)
        except Exception as exc:  # reported to the user; the store is untouched (one transaction per run)
            self._update(job_id, status="failed", stage="failed", error=str(exc).splitlines()[0][:500])

    def start_sweep(self, name: str, text: str) -> str:
        job_id = uuid.uuid4().hex[:12]
        with self.lock:
            self.jobs[job_id] = {"id": job_id, "kind": "sweep", "status": "queued", "stage": "queued", "run_id": None,
                                 "sweep_id": None, "error": None, "started": time.time(), "scenario": name,
                                 "done": 0, "total": None}
        self.pool.submit(self._sweep, job_id, text)
        return job_id

    def _sweep(self, job_id: str, text: str) -> None:
        import yaml

        from gigafleet.uncertainty.experiment import Experiment, sweep_id
        from gigafleet.uncertainty.sweep import run_sweep

        try:
            experiment = Experiment.model_validate(yaml.safe_load(text))
            self._update(job_id, status="running", stage="starting workers", sweep_id=sweep_id(experiment))

            def progress(done: int, total: int) -> None:
                self._update(job_id, stage=f"{done}/{total} runs", done=done, total=total)

            outcome = run_sweep(experiment, text, store=self.store, workers=2, resume=True, progress=progress,
                                cancelled=lambda: self.jobs[job_id]["status"] == "cancelled")
            if self.jobs[job_id]["status"] != "cancelled":
                self._update(job_id, status="done", stage=f"{outcome['completed']}/{outcome['runs']} runs")
        except Exception as exc:  # reported to the user; stored runs stay (resumable)
            self._update(job_id, status="failed", stage="failed", error=str(exc).splitlines()[0][:500])

    def cancel(self, job_id: str) -> dict[str, Any]:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                raise HTTPException(404, f"no job {job_id}")
            if job["status"] in ("queued", "running"):
                job.update(status="cancelled", stage="cancelled")
            return dict(job)

    def get(self, job_id: str) -> dict[str, Any]:
        with self.lock:
            if job_id not in self.jobs:
                raise HTTPException(404, f"no job {job_id}")
            return dict(self.jobs[job_id])


def create_app(store: Path | None = None, token: str | None = None) -> FastAPI:
    """The FastAPI application (store: DuckDB run store; token: required bearer token, if any)."""
    from gigafleet.store import store_path

    app = FastAPI(title="gigafleet", version="0.1.0", docs_url=None, redoc_url=None,
                  description="Plan and simulate AI compute fleets: estimates, claim checks, build-out plans.")
    runs_store = store_path(store)
    jobs = Jobs(runs_store)
    app.state.jobs = jobs

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return JSONResponse(status_code=413, content={"detail": f"request body over {MAX_BODY_BYTES} bytes"})
        if token is not None and not request.url.path.startswith("/static/"):
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or \
                request.query_params.get("token", "")
            if given != token:
                return JSONResponse(status_code=401, content={"detail": "missing or wrong token"})
        response: Response = await call_next(request)
        report = request.url.path.endswith(("/download/html", "/report"))
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'" + (" 'unsafe-inline' 'unsafe-eval'" if report else "")
            + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(GigafleetError)
    async def gigafleet_error(_request: Request, exc: GigafleetError) -> JSONResponse:
        return _field_error(exc)

    # ---- API ----------------------------------------------------------------------------------------------
    @app.post("/api/estimate", tags=["api"])
    def api_estimate(request: EstimateRequest) -> dict[str, Any]:
        """Same fields and JSON as ``gigafleet estimate --json``."""
        from gigafleet.catalog import load_catalog
        from gigafleet.estimate import estimate
        from gigafleet.scenario import FLAG_NAMES, to_spec

        scenario = _scenario(request)
        catalog = load_catalog()
        spec = to_spec(catalog, scenario, FLAG_NAMES)
        return estimate(spec, samples=scenario.samples, seed=scenario.seed, catalog=catalog)

    @app.post("/api/check", tags=["api"])
    def api_check(request: CheckRequest) -> dict[str, Any]:
        """Same fields and JSON as ``gigafleet check --json``."""
        from gigafleet.catalog import load_catalog
        from gigafleet.claims import Claims, check_claims, resolve_baseline
        from gigafleet.estimate import summarise
        from gigafleet.fleet import simulate_fleet
        from gigafleet.quantities import parse_positive
        from gigafleet.scenario import FLAG_NAMES, to_spec

        scenario = _scenario(request)
        catalog = load_catalog()
        shares = {}
        for item in request.claim_share_of:
            key, sep, value = item.partition("=")
            if not sep:
                raise InputError("--claim-share-of", item, "KEY=SHARE such as uk=0.75")
            resolve_baseline(catalog, key)
            shares[key.strip()] = parse_positive(value, "--claim-share-of")
        claims = Claims(
            capex_usd=parse_positive(str(request.claim_capex_usd), "--claim-capex-usd")
            if request.claim_capex_usd is not None else None,
            power_gw=parse_positive(str(request.claim_power_gw), "--claim-power-gw")
            if request.claim_power_gw is not None else None,
            energy_twh_per_year=parse_positive(str(request.claim_energy_twh), "--claim-energy-twh")
            if request.claim_energy_twh is not None else None,
            share_of=shares)
        if claims.is_empty():
            raise InputError("claims", "none", "at least one claim_* field")
        spec = to_spec(catalog, scenario, FLAG_NAMES)
        result = simulate_fleet(catalog, spec, scenario.samples, scenario.seed)
        return {"schema_version": 1, "claims": check_claims(catalog, result, claims),
                "estimate": summarise(result, catalog, samples=scenario.samples, seed=scenario.seed)}

    @app.post("/api/scenario/validate", tags=["api"])
    def api_validate(request: PlanRequest) -> dict[str, Any]:
        """Validate a plan scenario (YAML text or shipped name); 422 names the field."""
        text = _plan_text(request)
        _validate_plan_text(text)
        return {"valid": True}

    @app.post("/api/plan", tags=["api"], status_code=202)
    def api_plan(request: PlanRequest) -> dict[str, Any]:
        """Start a plan in the background; poll ``/api/jobs/{id}``; the run lands in ``/api/runs``."""
        text = _plan_text(request)
        name = _validate_plan_text(text)
        return jobs.get(jobs.start(name, text))

    @app.post("/api/sweep", tags=["api"], status_code=202)
    def api_sweep(request: SweepRequest) -> dict[str, Any]:
        """Start (or resume) a sweep in the background; poll ``/api/jobs/{id}``; report at /api/sweeps/{id}."""
        import yaml

        from gigafleet.catalog import load_catalog
        from gigafleet.uncertainty.experiment import EXPERIMENT_DIR, Experiment, expand_runs

        if (request.experiment is None) == (request.yaml is None):
            raise InputError("experiment", "both or neither", "either experiment (a shipped name) or yaml (text)")
        if request.yaml is not None:
            text = request.yaml
        else:
            shipped = {p.stem: p for p in EXPERIMENT_DIR.glob("*.yaml")}
            if request.experiment not in shipped:
                raise InputError("experiment", request.experiment, sorted(shipped))
            text = shipped[str(request.experiment)].read_text(encoding="utf-8")
        try:
            experiment = Experiment.model_validate(yaml.safe_load(text))
        except Exception as exc:
            raise InputError("yaml", "text", str(exc).splitlines()[0]) from None
        expand_runs(load_catalog(), experiment)  # unknown paths and bad bounds fail here, not in the background
        return jobs.get(jobs.start_sweep(experiment.name, text))

    @app.get("/api/sweeps/{sweep}", tags=["api"])
    def api_sweep_summary(sweep: str) -> dict[str, Any]:
        """A sweep's summary (P10/P50/P90, fan charts, sensitivity), as ``gigafleet report --json``."""
        from gigafleet.uncertainty.sensitivity import summarise_sweep
        from gigafleet.uncertainty.sweep import load_results

        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,120}", sweep):
            raise HTTPException(404, "unknown sweep")
        try:
            meta, runs = load_results(runs_store, sweep)
        except InputError:
            raise HTTPException(404, f"no sweep {sweep}") from None
        return summarise_sweep(meta, runs)

    @app.get("/api/sweeps/{sweep}/report", tags=["api"])
    def api_sweep_report(sweep: str) -> Response:
        """The sweep's HTML report (tornado and fan charts)."""
        from gigafleet.sweep_report import render_sweep_html

        return HTMLResponse(render_sweep_html(api_sweep_summary(sweep)))

    @app.get("/api/jobs/{job_id}", tags=["api"])
    def api_job(job_id: str) -> dict[str, Any]:
        """A background job's status and stage (queued, building model, solving ..., done, failed, cancelled)."""
        return jobs.get(job_id)

    @app.delete("/api/jobs/{job_id}", tags=["api"])
    def api_cancel(job_id: str) -> dict[str, Any]:
        """Cancel a background job (its result is discarded if the solve is already running)."""
        return jobs.cancel(job_id)

    @app.get("/api/runs", tags=["api"])
    def api_runs() -> list[dict[str, Any]]:
        """Runs in the store, newest first."""
        from gigafleet.store import list_runs

        return [{**r, "created_utc": str(r["created_utc"])} for r in list_runs(runs_store)]

    @app.get("/api/runs/{run_id}", tags=["api"])
    def api_run(run_id: str) -> dict[str, Any]:
        """A stored run's result JSON."""
        return _load(run_id)

    @app.get("/api/runs/{run_id}/download/{fmt}", tags=["api"])
    def api_download(run_id: str, fmt: str) -> Response:
        """Download a run as json, csv (plan by year), parquet (plan by year) or html (report)."""
        result = _load(run_id)
        if fmt == "json":
            return Response(json.dumps(result, indent=2), media_type="application/json",
                            headers={"Content-Disposition": f'attachment; filename="{run_id}.json"'})
        if fmt in ("csv", "parquet"):
            import pandas as pd

            frame = pd.DataFrame(result.get("years", []))
            if fmt == "csv":
                return Response(frame.to_csv(index=False), media_type="text/csv",
                                headers={"Content-Disposition": f'attachment; filename="{run_id}.csv"'})
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            return Response(buffer.getvalue(), media_type="application/octet-stream",
                            headers={"Content-Disposition": f'attachment; filename="{run_id}.parquet"'})
        if fmt == "html":
            from gigafleet.plan_report import render_plan_html

            return HTMLResponse(render_plan_html(result))
        raise HTTPException(404, f"unknown format {fmt!r}; use json, csv, parquet or html")

    @app.get("/api/catalog", tags=["api"])
    def api_catalog() -> dict[str, Any]:
        """Every catalogue item: kind, id, label and parameters with range, grade and sources."""
        from gigafleet.catalog import KINDS, load_catalog

        catalog = load_catalog()
        return {kind: [{"id": i, "label": catalog.item(kind, i).label,
                        "parameters": [{"parameter": p.parameter, "unit": p.unit, "low": p.low, "mid": p.mid,
                                        "high": p.high, "grade": p.grade, "sources": list(p.sources),
                                        "as_of": p.as_of, "note": p.note}
                                       for p in catalog.item(kind, i).parameters.values()]}
                       for i in catalog.ids(kind)] for kind in KINDS} | {
            "sources": {t: s.__dict__ for t, s in catalog.sources.items()}}

    def _load(run_id: str) -> dict[str, Any]:
        if not RUN_ID.match(run_id):
            raise HTTPException(404, "run ids are 12 hexadecimal characters")
        from gigafleet.store import load_run

        try:
            return load_run(run_id, runs_store)
        except InputError:
            raise HTTPException(404, f"no run {run_id}") from None

    from gigafleet.web.pages import add_pages

    add_pages(app, runs_store)
    return app


def _plan_text(request: PlanRequest) -> str:
    if (request.scenario is None) == (request.yaml is None):
        raise InputError("scenario", "both or neither", "either scenario (a shipped name) or yaml (text)")
    if request.yaml is not None:
        return request.yaml
    from gigafleet.scenario import SCENARIO_DIR

    name = str(request.scenario)
    shipped = {p.stem: p for p in SCENARIO_DIR.glob("*.yaml") if p.stem != "default"}
    if name not in shipped:
        raise InputError("scenario", name, sorted(shipped))
    return shipped[name].read_text(encoding="utf-8")


def _validate_plan_text(text: str) -> str:
    import yaml
    from pydantic import ValidationError

    from gigafleet.buildout.scenario import PlanScenario, check_plan_scenario
    from gigafleet.catalog import load_catalog

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError("yaml", "text", f"valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise InputError("yaml", "text", "a mapping of scenario keys")
    try:
        scenario = PlanScenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(loc or "yaml", first.get("input"), first["msg"]) from None
    check_plan_scenario(load_catalog(), scenario, "scenario")
    return scenario.name


def escape(value: object) -> str:
    """HTML-escape any value."""
    return html.escape(str(value), quote=True)
