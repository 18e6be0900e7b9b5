"""One store discipline under load: 20 background plans and a stream of readers on one server, 0 lost, 0 5xx."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PLANS = 20


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from gigafleet.web.app import create_app
    from tests.conftest import serve

    store = tmp_path_factory.mktemp("concurrency") / "runs.duckdb"
    with serve(create_app(store, max_jobs=PLANS + 4)) as url:
        yield url, store


def test_twenty_plans_and_readers_lose_nothing(busy_server: tuple[str, Path]) -> None:
    """20 plans submitted at once while readers hit every read endpoint: every plan stored, no 5xx anywhere."""
    base, store = busy_server
    statuses: list[tuple[str, int]] = []

    async def main() -> list[dict[str, object]]:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            starts = await asyncio.gather(*(http.post("/api/plan", json={"scenario": "demo"}) for _ in range(PLANS)))
            assert [r.status_code for r in starts] == [202] * PLANS, [r.text for r in starts if r.status_code != 202]
            jobs = [r.json()["id"] for r in starts]
            finished: dict[str, dict[str, object]] = {}
            deadline = time.monotonic() + 300
            while len(finished) < PLANS and time.monotonic() < deadline:
                reads = await asyncio.gather(
                    http.get("/api/runs"),
                    http.get("/runs"),
                    http.get("/"),
                    *(http.get(f"/api/jobs/{j}") for j in jobs if j not in finished),
                )
                statuses.extend((str(r.url.path), r.status_code) for r in reads)
                runs = reads[0].json() if reads[0].status_code == 200 else []
                for run in runs[:3]:
                    for path in (
                        f"/api/runs/{run['run_id']}",
                        f"/api/runs/{run['run_id']}/download/csv",
                        f"/runs/{run['run_id']}",
                    ):
                        response = await http.get(path)
                        statuses.append((path, response.status_code))
                for response in reads[3:]:
                    state = response.json()
                    if state["status"] in ("done", "failed", "cancelled"):
                        finished[state["id"]] = state
                await asyncio.sleep(0.2)
            return list(finished.values())

    states = asyncio.run(main())
    assert len(states) == PLANS
    assert [s["status"] for s in states] == ["done"] * PLANS, [s.get("error") for s in states]
    errors = [(path, code) for path, code in statuses if code >= 500]
    assert errors == []
    from gigafleet.store import list_runs

    stored = {r["run_id"] for r in list_runs(store)}
    assert {s["run_id"] for s in states} <= stored and len(stored) == PLANS
