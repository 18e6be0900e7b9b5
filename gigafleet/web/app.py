"""The gigafleet web app and HTTP API (FastAPI).

API (OpenAPI at ``/docs``): ``POST /api/estimate`` and ``POST /api/check`` take the same fields as the CLI flags and
return the same JSON; ``POST /api/plan`` starts a background plan and returns a job id; ``GET /api/jobs/{id}``
(progress), ``DELETE /api/jobs/{id}`` (cancel); ``GET /api/runs``, ``GET /api/runs/{id}``,
``GET /api/runs/{id}/download/{format}``; ``GET /api/catalog``; ``POST /api/scenario/validate``;
``POST /api/sweep``, ``GET /api/sweeps/{id}[/report]``.

Pages: ``/`` (live estimate), ``/check``, ``/scenarios`` (editor), ``/sweeps``, ``/runs``, ``/runs/{id}``,
``/compare``, ``/catalog``. Scripts are static files (no inline scripts; CSP ``script-src 'self'``); plotly.js is
served from the installed plotly package. Inputs go through the same typed models and parsers as the CLI; errors
are 422 with the field name and never echo more than 200 characters of any input; downloads are addressed by run id
only.

Security (:mod:`gigafleet.web.security`): Host allow-list, token authentication (Bearer header or the cookie of a
one-time page exchange), same-origin writes, 256 KiB bodies counted as they arrive, security headers on every
response. Nothing in a request chooses code to run: YAML is parsed by :func:`gigafleet.safeio.load_yaml_text` (no
aliases), sweeps run only registered functions and shipped base scenarios, estimates are capped at
:data:`API_MAX_SAMPLES` samples and :data:`API_MAX_MEMORY_GB` GiB, and the job queue at ``max_jobs`` (429).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import io
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.types import ASGIApp

from gigafleet.errors import MAX_ECHO_CHARS, GigafleetError, InputError, clip
from gigafleet.reports.document import escape
from gigafleet.web.models import (
    API_MAX_MEMORY_GB,
    API_MAX_REPLICATIONS,
    API_MAX_SAMPLES,
    RUN_ID,
    CapabilityRequest,
    CheckRequest,
    EstimateRequest,
    InstalledRequestBody,
    PlanRequest,
    PowerRequest,
    ReliabilityRequest,
    ScenarioValidationError,
    SweepRequest,
    estimate_scenario,
    first_line,
    flag_texts,
    parse_experiment_text,
    parse_plan_text,
    plan_text,
    sweep_text,
    validate_plan_text,
)
from gigafleet.web.security import MAX_BODY_BYTES, Guard, GuardSettings

if TYPE_CHECKING:
    from gigafleet.buildout.scenario import PlanScenario
    from gigafleet.power.campus import CampusSpec
    from gigafleet.uncertainty.experiment import Experiment

__all__ = [
    "API_MAX_MEMORY_GB",
    "API_MAX_SAMPLES",
    "MAX_BODY_BYTES",
    "MAX_JOB_RECORDS",
    "RETRY_AFTER_S",
    "CheckRequest",
    "EstimateRequest",
    "Jobs",
    "PlanRequest",
    "SweepRequest",
    "create_app",
    "escape",
]

STATIC = Path(__file__).parent / "static"
MAX_JOB_RECORDS = 1000
"""Finished job records kept (oldest dropped first)."""
RETRY_AFTER_S = 10
"""``Retry-After`` of a 429 (job queue full) [s]."""
PLAN_PROGRESS = (("validating", 0.02), ("building model", 0.1), ("solving", 0.3), ("reporting", 0.9))
"""Share of a plan job done when each stage of :func:`gigafleet.buildout.solve.plan` starts (the solve is the
long one; the bar then waits at 0.3 until it ends)."""
MAX_ERRORS_SHOWN = 10
"""Most validation errors listed in one 422 response."""
MAX_DETAIL_CHARS = 4000
"""Rough cap on the length of one 422 response's error list [characters]."""


def _field_error(exc: InputError | GigafleetError) -> JSONResponse:
    field = getattr(exc, "field", "body")
    name = clip(str(field).lstrip("-").replace("-", "_"), quote=False)
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": ["body", name], "msg": clip(str(exc), 6 * MAX_ECHO_CHARS, quote=False), "type": "value_error"}
            ]
        },
    )


def validation_detail(errors: Iterable[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as a short 422 ``detail``: field names kept in ``loc``, every input clipped.

    No input, key or message is echoed longer than :data:`~gigafleet.errors.MAX_ECHO_CHARS` characters, at most
    :data:`MAX_ERRORS_SHOWN` errors are listed, and the list stays under about :data:`MAX_DETAIL_CHARS` characters,
    so a 200 KB bad body gives a response of a few KB.
    """
    detail: list[dict[str, Any]] = []
    size = 0
    errors = list(errors)
    for error in errors:
        if not isinstance(error, dict):
            continue
        loc = [part if isinstance(part, int) else clip(part, quote=False) for part in error.get("loc", ())][:12]
        item: dict[str, Any] = {
            "loc": loc,
            "msg": clip(error.get("msg", "invalid value"), quote=False),
            "type": clip(error.get("type", "value_error"), 60, quote=False),
        }
        if "input" in error:
            item["input"] = clip(error["input"])
        size += len(json.dumps(item))
        if detail and (len(detail) >= MAX_ERRORS_SHOWN or size > MAX_DETAIL_CHARS):
            detail.append(
                {"loc": ["body"], "msg": f"... and {len(errors) - len(detail)} more errors", "type": "value_error"}
            )
            break
        detail.append(item)
    return detail


def plan_progress(stage: str) -> float | None:
    """Share of a plan job done at the start of ``stage`` (:data:`PLAN_PROGRESS`); ``None`` for an unknown stage
    (the bar keeps its value)."""
    return next((share for prefix, share in PLAN_PROGRESS if stage.startswith(prefix)), None)


class QueueFullError(Exception):
    """The job queue holds ``max_jobs`` queued or running jobs."""


class Jobs:
    """Background plans and sweeps: a small thread pool (requests never wait for a solve) and a bounded queue.

    Parameters
    ----------
    store
        The DuckDB run store.
    max_jobs
        Most queued + running jobs; one more is refused (:class:`QueueFullError`, answered 429).
    workers
        Threads running jobs.
    """

    def __init__(self, store: Path, max_jobs: int = 16, workers: int = 2) -> None:
        self.store = store
        self.max_jobs = max_jobs
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gigafleet-job")
        self.lock = threading.Lock()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.futures: dict[str, concurrent.futures.Future[None]] = {}
        self.active = 0

    def _submit(self, record: dict[str, Any], work: Callable[[str], None]) -> str:
        """Queue ``work(job_id)`` unless the queue is full; drop the oldest finished records over the cap."""
        job_id = uuid.uuid4().hex[:12]
        with self.lock:
            if self.active >= self.max_jobs:
                raise QueueFullError(f"{self.active} jobs queued or running (at most {self.max_jobs})")
            self.active += 1
            self.jobs[job_id] = {"id": job_id, **record}
            try:
                self.futures[job_id] = self.pool.submit(self._guarded, job_id, work)
            except RuntimeError:  # the pool is shut down
                self.active -= 1
                del self.jobs[job_id]
                raise QueueFullError("the server is shutting down") from None
            self._prune()
        return job_id

    def _prune(self) -> None:
        """Drop the oldest finished records over :data:`MAX_JOB_RECORDS` (the caller holds the lock)."""
        finished = [k for k in self.jobs if k not in self.futures]
        for old in finished[: max(0, len(self.jobs) - MAX_JOB_RECORDS)]:
            del self.jobs[old]

    def _guarded(self, job_id: str, work: Callable[[str], None]) -> None:
        try:
            work(job_id)
        finally:
            with self.lock:
                self.active -= 1
                self.futures.pop(job_id, None)
                self._prune()  # also here: jobs still queued at the last submit finish over the cap

    def start(self, scenario: PlanScenario, text: str) -> str:
        """Queue a validated plan scenario (``text``: its YAML, stored with the run); returns the job id."""
        return self._submit(self._record(scenario.name), lambda job_id: self._run(job_id, scenario, text))

    def _update(self, job_id: str, **changes: Any) -> None:
        with self.lock:
            if job_id in self.jobs:
                self.jobs[job_id].update(changes)

    def _stage(self, job_id: str, stage: str) -> None:
        share = plan_progress(stage)
        self._update(job_id, stage=stage, **({"progress": share} if share is not None else {}))

    def _cancelled(self, job_id: str) -> bool:
        with self.lock:
            return bool(self.jobs.get(job_id, {}).get("status") == "cancelled")

    def _run(self, job_id: str, scenario: PlanScenario, text: str) -> None:
        def compute() -> dict[str, Any]:
            from gigafleet.buildout.solve import plan
            from gigafleet.catalog import load_catalog

            return plan(load_catalog(), scenario, source="web", progress=lambda stage: self._stage(job_id, stage))

        self._stored(job_id, "plan", compute, text, None, PLAN_PROGRESS[0][1])

    def start_power(self, spec: CampusSpec, text: str) -> str:
        """Queue a campus design (``text``: the request as JSON, stored with the run); returns the job id."""
        return self._submit(
            {**self._record(f"power {spec.site}"), "kind": "power"}, lambda job_id: self._power(job_id, spec, text)
        )

    def _power(self, job_id: str, spec: CampusSpec, text: str) -> None:
        seen: list[str] = []

        def stage(text: str) -> None:  # design_campus names each stage as it starts
            seen.append(text)
            self._update(job_id, stage=text, progress=min(0.9, 0.1 * len(seen) + (0.3 if "solving" in text else 0)))

        def compute() -> dict[str, Any]:
            from gigafleet.catalog import load_catalog
            from gigafleet.power.campus import design_campus

            return design_campus(load_catalog(), spec, progress=stage)

        self._stored(job_id, "power", compute, text, f"power {spec.site} {spec.it_load_gw:g} GW", 0.02)

    @staticmethod
    def _record(scenario: str) -> dict[str, Any]:
        """A new job's record: queued, nothing done."""
        return {
            "status": "queued",
            "stage": "queued",
            "progress": 0.0,
            "run_id": None,
            "error": None,
            "started": time.time(),
            "scenario": scenario,
        }

    def _stored(
        self, job_id: str, kind: str, compute: Callable[[], dict[str, Any]], text: str, name: str | None, first: float
    ) -> None:
        """Run ``compute`` unless the job was cancelled, store its result as a run of ``kind`` (``text``: its
        input), and record the run id; a failure is recorded, never raised (the store is untouched then: one
        transaction per run)."""
        from gigafleet.store import save_run

        try:
            if self._cancelled(job_id):
                return
            self._update(job_id, status="running", stage="validating", progress=first)
            result = compute()
            if self._cancelled(job_id):
                return
            run_id = save_run(kind, result, text, self.store, name=name)
            self._update(job_id, status="done", stage="done", run_id=run_id, progress=1.0)
        except Exception as exc:  # reported to the user
            self._update(job_id, status="failed", stage="failed", error=first_line(exc))

    def start_sweep(self, experiment: Experiment, text: str) -> str:
        """Queue a validated experiment (``text``: its YAML); returns the job id."""
        return self._submit(
            {
                "kind": "sweep",
                "status": "queued",
                "stage": "queued",
                "run_id": None,
                "sweep_id": None,
                "error": None,
                "started": time.time(),
                "scenario": experiment.name,
                "done": 0,
                "total": None,
                "progress": 0.0,
            },
            lambda job_id: self._sweep(job_id, experiment, text),
        )

    def _sweep(self, job_id: str, experiment: Experiment, text: str) -> None:
        from gigafleet.uncertainty.experiment import sweep_id
        from gigafleet.uncertainty.sweep import run_sweep

        try:
            if self._cancelled(job_id):
                return
            self._update(job_id, status="running", stage="starting workers", sweep_id=sweep_id(experiment))

            def progress(done: int, total: int) -> None:
                self._update(
                    job_id,
                    stage=f"{done}/{total} runs",
                    done=done,
                    total=total,
                    progress=done / total if total else 0.0,
                )

            outcome = run_sweep(
                experiment,
                text,
                store=self.store,
                workers=2,
                resume=True,  # checked when the request came (check_rerun); a cancelled job may be resumed
                progress=progress,
                cancelled=lambda: self._cancelled(job_id),
            )
            if not self._cancelled(job_id):
                self._update(job_id, status="done", stage=f"{outcome['completed']}/{outcome['runs']} runs")
        except Exception as exc:  # reported to the user; stored runs stay (resumable)
            self._update(job_id, status="failed", stage="failed", error=first_line(exc))

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a job: a queued one never starts; a running plan's result is discarded; a sweep stops."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                raise HTTPException(404, f"no job {clip(job_id)}")
            if job["status"] in ("queued", "running"):
                job.update(status="cancelled", stage="cancelled")
                future = self.futures.get(job_id)
                if future is not None and future.cancel():  # never started: its slot is free now
                    self.futures.pop(job_id, None)
                    self.active -= 1
            return dict(job)

    def get(self, job_id: str) -> dict[str, Any]:
        """A job's record (404 for an unknown id)."""
        with self.lock:
            if job_id not in self.jobs:
                raise HTTPException(404, f"no job {clip(job_id)}")
            return dict(self.jobs[job_id])


class GigafleetApp(FastAPI):
    """The FastAPI app with :class:`~gigafleet.web.security.Guard` outermost, so that its checks come first and
    its security headers reach every response (the server-error page included)."""

    guard_settings: GuardSettings = GuardSettings.create(None)

    def build_middleware_stack(self) -> ASGIApp:
        """The usual stack wrapped in the guard."""
        return Guard(super().build_middleware_stack(), self.guard_settings)


def create_app(
    store: Path | None = None, token: str | None = None, allowed_hosts: Iterable[str] | None = None, max_jobs: int = 16
) -> FastAPI:
    """The FastAPI application.

    Parameters
    ----------
    store
        DuckDB run store (default: :func:`gigafleet.store.store_path`).
    token
        Access token required on every request but the static scripts (``Authorization: Bearer``, or the cookie of
        the page exchange ``/?token=...``); ``None``: no authentication (Python API, tests, ``--no-token``).
    allowed_hosts
        Host header names accepted besides localhost, 127.0.0.1 and [::1] (with or without a port).
    max_jobs
        Most queued + running background jobs (plans and sweeps); more are answered 429 with ``Retry-After``.

    Raises
    ------
    InputError
        An empty token or ``max_jobs`` below 1.
    """
    from gigafleet.store import store_path

    if token is not None and not token.strip():
        raise InputError("token", token, "a non-empty token (or None for no authentication)")
    if max_jobs < 1:
        raise InputError("max_jobs", max_jobs, "a whole number of at least 1")
    app = GigafleetApp(
        title="gigafleet",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        description="Plan and simulate AI compute fleets: estimates, claim checks, build-out plans.",
    )
    app.guard_settings = GuardSettings.create(token, allowed_hosts)
    runs_store = store_path(store)
    jobs = Jobs(runs_store, max_jobs=max_jobs)
    app.state.jobs = jobs

    def start(submit: Callable[[], str]) -> dict[str, Any]:
        try:
            return jobs.get(submit())
        except QueueFullError as exc:
            raise HTTPException(
                429,
                f"job queue full: {exc}; retry in {RETRY_AFTER_S} s or cancel a job",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            ) from None

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": validation_detail(exc.errors())})

    @app.exception_handler(ValidationError)
    async def model_error(_request: Request, exc: ValidationError) -> JSONResponse:
        """A model built from request values refused them (never a 500)."""
        errors = [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
        return JSONResponse(status_code=422, content={"detail": validation_detail(errors)})

    @app.exception_handler(GigafleetError)
    async def gigafleet_error(_request: Request, exc: GigafleetError) -> JSONResponse:
        return _field_error(exc)

    @app.exception_handler(ScenarioValidationError)
    async def scenario_errors(_request: Request, exc: ScenarioValidationError) -> JSONResponse:
        """Every error of a scenario or experiment text at once, each with its key path."""
        errors = [{**e, "msg": str(e.get("msg", "")).removeprefix("Value error, ")} for e in exc.errors]
        return JSONResponse(status_code=422, content={"detail": validation_detail(errors)})

    # ---- API ----------------------------------------------------------------------------------------------
    @app.post("/api/estimate", tags=["api"])
    def api_estimate(request: EstimateRequest, display: bool = False) -> dict[str, Any]:
        """Same fields and JSON as ``gigafleet estimate --json``.

        With ``?display=true`` it adds ``display``: the rows of the CLI's table as printed text (``key``,
        ``label``, ``p10``, ``p50``, ``p90``), from the one number formatter, for pages that show the numbers."""
        from gigafleet.catalog import load_catalog
        from gigafleet.estimate import estimate
        from gigafleet.formatting import quantity_rows
        from gigafleet.scenario import FLAG_NAMES, to_spec

        scenario = estimate_scenario(request)
        catalog = load_catalog()
        spec = to_spec(catalog, scenario, FLAG_NAMES)
        result = estimate(spec, samples=scenario.samples, seed=scenario.seed, catalog=catalog)
        return {**result, "display": quantity_rows(result)} if display else result

    @app.post("/api/check", tags=["api"])
    def api_check(request: CheckRequest) -> dict[str, Any]:
        """Same fields and JSON as ``gigafleet check --json``."""
        from gigafleet.catalog import load_catalog
        from gigafleet.estimate import check
        from gigafleet.inputs import parse_claims
        from gigafleet.scenario import FLAG_NAMES, to_spec

        scenario = estimate_scenario(request)
        catalog = load_catalog()
        claims = parse_claims(
            request.claim_capex_usd, request.claim_power_gw, request.claim_energy_twh, list(request.claim_share_of)
        )  # the CLI's parser and bounds
        return check(
            to_spec(catalog, scenario, FLAG_NAMES),
            claims,
            samples=scenario.samples,
            seed=scenario.seed,
            catalog=catalog,
        )

    @app.post("/api/reliability", tags=["api"])
    def api_reliability(request: ReliabilityRequest) -> dict[str, Any]:
        """Same fields and JSON as ``gigafleet reliability --json``; ``max_memory_gb`` at most the API's cap."""
        from gigafleet.catalog import load_catalog
        from gigafleet.inputs import bounded, reliability_spec, replications_flag
        from gigafleet.reliability.summary import simulate_reliability

        flags = flag_texts(request)
        bounded(flags["max_memory_gb"], "max_memory_gb", 0.01, API_MAX_MEMORY_GB, "GiB")
        replications_flag(flags["replications"], API_MAX_REPLICATIONS, "replications")
        return simulate_reliability(load_catalog(), reliability_spec(**flags))

    @app.post("/api/capability", tags=["api"])
    def api_capability(request: CapabilityRequest) -> dict[str, Any]:
        """Same fields and JSON as ``gigafleet capability --json``; ``plan_run`` is a plan in this server's store."""
        from gigafleet.capability import capability
        from gigafleet.catalog import load_catalog
        from gigafleet.inputs import capability_inputs, int_flag

        flags = flag_texts(request)
        int_flag(flags["samples"], "--samples", low=10, high=API_MAX_SAMPLES)
        if request.plan_run is not None and not RUN_ID.match(request.plan_run):
            raise InputError("plan_run", request.plan_run, "a run id: 12 hexadecimal characters")
        catalog = load_catalog()
        fleets, spec, inputs = capability_inputs(catalog, **flags, store=runs_store)
        return capability(catalog, fleets, spec, inputs)

    @app.post("/api/installed", tags=["api"])
    def api_installed(request: InstalledRequestBody) -> dict[str, Any]:
        """Same fields and JSON as ``gigafleet installed --json`` (``vendor``: a list, as the repeated flag)."""
        from gigafleet.catalog import load_catalog
        from gigafleet.inputs import installed_request
        from gigafleet.installed import installed_base

        flags = flag_texts(request)
        parsed = installed_request(**{**flags, "vendor": flags["vendor"] or None})
        return installed_base(
            load_catalog(),
            parsed.through,
            lifetime_years=parsed.lifetime_years,
            samples=parsed.samples,
            seed=parsed.seed,
            vendors=parsed.vendors,
        )

    @app.post("/api/power", tags=["api"], status_code=202)
    def api_power(request: PowerRequest) -> dict[str, Any]:
        """Design a campus's power supply in the background (``gigafleet power``'s fields); poll
        ``/api/jobs/{id}``; the design (the CLI's ``--json``) lands in ``/api/runs`` as a run of kind ``power``.

        The request is checked (flags and catalogue) before it is queued; 429 when the job queue is full."""
        from gigafleet.catalog import load_catalog
        from gigafleet.inputs import campus_spec, replications_flag
        from gigafleet.power.campus import validate_campus

        flags = flag_texts(request)
        replications_flag(flags["replications"], API_MAX_REPLICATIONS, "replications")
        spec = campus_spec(**flags)
        validate_campus(load_catalog(), dataclasses.replace(spec, notes=[]))  # refused now, not in the job
        return start(lambda: jobs.start_power(spec, request.model_dump_json()))

    @app.post("/api/scenario/validate", tags=["api"])
    def api_validate(request: PlanRequest) -> dict[str, Any]:
        """Validate a plan scenario (YAML text or shipped name); 422 names the field."""
        validate_plan_text(plan_text(request))
        return {"valid": True}

    @app.post("/api/plan", tags=["api"], status_code=202)
    def api_plan(request: PlanRequest) -> dict[str, Any]:
        """Start a plan in the background; poll ``/api/jobs/{id}``; the run lands in ``/api/runs``.

        429 with ``Retry-After`` when the job queue is full."""
        text = plan_text(request)
        scenario = parse_plan_text(text)
        return start(lambda: jobs.start(scenario, text))

    @app.post("/api/sweep", tags=["api"], status_code=202)
    def api_sweep(request: SweepRequest) -> dict[str, Any]:
        """Start (or resume) a sweep in the background; poll ``/api/jobs/{id}``; report at /api/sweeps/{id}.

        The experiment is validated (model, registered function, parameter paths, size) before it is queued;
        429 with ``Retry-After`` when the job queue is full."""
        text = sweep_text(request)
        experiment = parse_experiment_text(text)
        from gigafleet.uncertainty.sweep import check_rerun

        check_rerun(runs_store, experiment, request.resume, "resume")  # as the CLI: refused now, not in the job
        return start(lambda: jobs.start_sweep(experiment, text))

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
        from gigafleet.reports.sweep import render_sweep_html

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
        """Download a run as json, csv (plan by year), parquet (plan by year), xlsx (every table) or html (report)."""
        result = _load(run_id)
        if fmt == "json":
            return Response(
                json.dumps(result, indent=2),
                media_type="application/json",
                headers={"Content-Disposition": f'attachment; filename="{run_id}.json"'},
            )
        if fmt in ("csv", "parquet"):
            import pandas as pd

            frame = pd.DataFrame(result.get("years", []))
            if fmt == "csv":
                return Response(
                    frame.to_csv(index=False),
                    media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{run_id}.csv"'},
                )
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            return Response(
                buffer.getvalue(),
                media_type="application/octet-stream",
                headers={"Content-Disposition": f'attachment; filename="{run_id}.parquet"'},
            )
        if fmt == "xlsx":  # every table of the run, one sheet each, as ``gigafleet plan --xlsx``
            from gigafleet.export import workbook_bytes

            return Response(
                workbook_bytes(result),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="{run_id}.xlsx"'},
            )
        if fmt == "html":  # the report of the run's kind (a fixed table: nothing stored chooses code)
            from gigafleet.reports.plan import render_plan_html
            from gigafleet.reports.power import render_power_html
            from gigafleet.store import run_kind

            render = {"plan": render_plan_html, "power": render_power_html}.get(run_kind(run_id, runs_store))
            if render is None:
                raise HTTPException(404, "this run has no HTML report")
            return HTMLResponse(render(result))
        raise HTTPException(404, f"unknown format {clip(fmt)}; use json, csv, parquet, xlsx or html")

    @app.get("/api/compare", tags=["api"])
    def api_compare(run: Annotated[list[str], Query(min_length=2, max_length=12)]) -> dict[str, Any]:
        """Stored plans side by side, as ``gigafleet compare RUN_ID ... --json``: ``?run=ID&run=ID``."""
        from gigafleet.compare import compare_runs

        return compare_runs([_load(run_id) for run_id in run])

    @app.get("/api/compare/report", tags=["api"], response_class=HTMLResponse)
    def api_compare_report(run: Annotated[list[str], Query(min_length=2, max_length=12)]) -> HTMLResponse:
        """The self-contained HTML report of ``gigafleet compare --report``."""
        from gigafleet.compare import compare_runs
        from gigafleet.reports.compare import render_compare_html

        return HTMLResponse(render_compare_html(compare_runs([_load(run_id) for run_id in run])))

    @app.get("/api/catalog/download/csv", tags=["api"])
    def api_catalog_csv() -> Response:
        """Every catalogue row as one CSV table (kind, item, parameter, unit, low, mid, high, grade, sources,
        as_of, note)."""
        import pandas as pd

        from gigafleet.catalog import KINDS, load_catalog

        catalog = load_catalog()
        rows = [
            {"kind": kind, "item": i, **p.record(), "sources": ";".join(p.sources)}
            for kind in KINDS
            for i in catalog.ids(kind)
            for p in catalog.item(kind, i).parameters.values()
        ]
        return Response(
            pd.DataFrame(rows).to_csv(index=False),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="gigafleet-catalogue.csv"'},
        )

    @app.get("/api/catalog", tags=["api"])
    def api_catalog() -> dict[str, Any]:
        """Every catalogue item: kind, id, label and parameters with range, grade and sources."""
        from gigafleet.catalog import KINDS, load_catalog

        catalog = load_catalog()
        return {
            kind: [
                {
                    "id": i,
                    "label": catalog.item(kind, i).label,
                    "parameters": [p.record() for p in catalog.item(kind, i).parameters.values()],
                }
                for i in catalog.ids(kind)
            ]
            for kind in KINDS
        } | {"sources": {t: s.__dict__ for t, s in catalog.sources.items()}}

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
