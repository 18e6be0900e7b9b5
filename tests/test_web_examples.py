"""One request path: every CLI example of the docs, run through the HTTP API, gives the CLI's ``--json``.

The examples are read from README.md and docs/*.md (lines starting ``gigafleet estimate|check|reliability|
capability|installed|power``); each flag becomes the JSON field of its parameter (``--carbon-cap-g-per-kwh`` ->
``carbon_cap``, as the API's request models name them). Output flags (``--json``, ``--report`` ...) are dropped.
Either the two JSON documents are equal, timings aside, or the API refuses the request under one of its documented
caps (memory, samples) with a 422 naming the field; an example the API cannot take (a scenario file, a full-year
power design that takes minutes) is listed and skipped with its reason, so that the list stays honest.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gigafleet.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("estimate", "check", "reliability", "capability", "installed", "power")
OUTPUT_FLAGS = {"--json": 0, "--report": 1, "--csv": 1, "--parquet": 1, "--xlsx": 1}
TIMINGS = {"seconds", "build_seconds", "events_per_second", "run_id"}
SKIPPED = {
    "--scenario": "a scenario file on the client's disk (the API takes fields, not server paths)",
    "--plan": "needs a stored plan id (tested in test_capability_of_a_stored_plan_matches)",
}


def _examples() -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in doc.read_text(encoding="utf-8").splitlines():
            if re.match(rf"^gigafleet ({'|'.join(COMMANDS)}) ", line):
                command = line.split("  #", 1)[0].split(" # ", 1)[0].strip()
                found.setdefault(command, doc.name)
    return sorted(found.items())


EXAMPLES = _examples()


def _param_names(command: str) -> dict[str, tuple[str, bool]]:
    """Flag -> (parameter name, takes several values)."""
    params = typer.main.get_command(app).commands[command].params  # type: ignore[attr-defined]
    return {opt: (p.name, bool(getattr(p, "multiple", False))) for p in params for opt in p.opts}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _request(words: list[str]) -> tuple[str, dict[str, Any], list[str]]:
    command, args = words[1], words[2:]
    names = _param_names(command)
    body: dict[str, Any] = {}
    cli: list[str] = []
    index = 0
    while index < len(args):
        flag = args[index]
        if flag in OUTPUT_FLAGS:
            index += 1 + OUTPUT_FLAGS[flag]
            continue
        name, multiple = names[flag]
        value = args[index + 1]
        cli += [flag, value]
        if multiple:
            body.setdefault(name, []).append(value)
        else:
            body[name] = value
        index += 2
    return command, body, cli


def test_the_docs_have_examples_of_every_command() -> None:
    commands = {example.split()[1] for example, _ in EXAMPLES}
    assert commands == set(COMMANDS), commands
    assert len(EXAMPLES) >= 25


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from gigafleet.web.app import create_app

    return TestClient(create_app(tmp_path_factory.mktemp("examples") / "runs.duckdb"), base_url="http://127.0.0.1")


def _api(client: TestClient, command: str, body: dict[str, Any]) -> tuple[int, Any]:
    if command != "power":
        response = client.post(f"/api/{command}", json=body)
        return response.status_code, response.json()
    started = client.post("/api/power", json=body)
    if started.status_code != 202:
        return started.status_code, started.json()
    job = started.json()
    for _ in range(1200):
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    return 200, client.get(f"/api/runs/{job['run_id']}").json()


@pytest.mark.parametrize(("example", "doc"), EXAMPLES, ids=[e for e, _ in EXAMPLES])
def test_a_cli_example_through_the_api_gives_the_cli_json(client: TestClient, example: str, doc: str) -> None:
    words = shlex.split(example)
    for flag, reason in SKIPPED.items():
        if flag in words:
            pytest.skip(f"{doc}: {reason}")
    if words[1] == "power" and "repdays" not in words:
        pytest.skip(f"{doc}: a full-year design (about a minute per run; the repdays examples cover the path)")
    command, body, cli = _request(words)
    status, answer = _api(client, command, body)
    if status == 422:  # an API cap: it must name the field and be a documented one
        message = json.dumps(answer)
        assert any(cap in message for cap in ("max_memory_gb", "--accelerators", "samples")), message
        return
    assert status == 200, answer
    run = CliRunner().invoke(app, [command, *cli, "--json"])
    assert run.exit_code == 0, run.output
    assert _strip(answer) == _strip(json.loads(run.stdout)), example


def test_capability_of_a_stored_plan_matches(client: TestClient, tmp_path: Path) -> None:
    from gigafleet.web.app import create_app

    store = tmp_path / "runs.duckdb"
    local = TestClient(create_app(store), base_url="http://127.0.0.1")
    job = local.post("/api/plan", json={"scenario": "demo"}).json()
    for _ in range(1200):
        job = local.get(f"/api/jobs/{job['id']}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    answer = local.post("/api/capability", json={"plan_run": job["run_id"], "samples": "300"}).json()
    run = CliRunner().invoke(
        app, ["capability", "--plan", job["run_id"], "--store", str(store), "--samples", "300", "--json"]
    )
    assert run.exit_code == 0, run.output
    assert _strip(answer) == _strip(json.loads(run.stdout))
    assert local.post("/api/capability", json={"plan_run": "../etc"}).status_code == 422
