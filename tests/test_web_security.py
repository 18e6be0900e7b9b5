"""Web security (issue 12): token auth and cookie exchange, Host allow-list, streamed body limit, short 422s,
YAML bombs, bounded job queue, sweeps that cannot name code, and ``gigafleet serve``'s option checks."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gigafleet.errors import InputError
from gigafleet.web.app import MAX_BODY_BYTES, MAX_JOB_RECORDS, Jobs, create_app
from gigafleet.web.security import COOKIE_NAME, cookie_value
from gigafleet.web.server import KEEP_ALIVE_S

TOKEN = "s3cret-Token_0123456789"
BASE = "http://localhost:8000"
HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _secure(response: httpx.Response) -> bool:
    return (
        all(name in response.headers for name in HEADERS)
        and "script-src 'self'" in response.headers["content-security-policy"]
        and response.headers["x-content-type-options"] == "nosniff"
    )


@pytest.fixture
def guarded(store: Path) -> TestClient:
    return TestClient(create_app(store, token=TOKEN), base_url=BASE, raise_server_exceptions=False)


@pytest.fixture
def open_client(store: Path) -> TestClient:
    return TestClient(
        create_app(store, allowed_hosts=["fleet.example.org"]), base_url=BASE, raise_server_exceptions=False
    )


# ---- authentication ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({}, "", 401),
        ({"authorization": "Bearer wrong"}, "", 401),
        ({"authorization": f"Bearer {TOKEN}"}, "", 200),
        ({"authorization": f"bearer {TOKEN}"}, "", 200),
        ({"authorization": f"BEARER  {TOKEN} "}, "", 200),
        ({"authorization": TOKEN}, "", 401),
        ({"authorization": f"Basic {TOKEN}"}, "", 401),
        ({"authorization": f"Bearer {TOKEN}x"}, "", 401),
        ({"cookie": f"{COOKIE_NAME}={TOKEN}"}, "", 401),  # the cookie holds an HMAC, never the token
        ({}, f"?token={TOKEN}", 401),  # a token in the query of an API call is refused
        ({"cookie": f"{COOKIE_NAME}={cookie_value(TOKEN)}"}, "", 200),
    ],
    ids=[
        "none",
        "wrong",
        "bearer",
        "lower-case",
        "spaces",
        "no-scheme",
        "basic",
        "longer",
        "raw-cookie",
        "api-query",
        "cookie",
    ],
)
def test_auth_matrix(guarded: TestClient, headers: dict[str, str], query: str, status: int) -> None:
    response = guarded.get("/api/runs" + query, headers=headers)
    assert response.status_code == status, response.text
    assert _secure(response)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
        assert TOKEN not in response.text


def test_every_protected_operation_needs_the_token(guarded: TestClient) -> None:
    for method, path in (
        ("POST", "/api/estimate"),
        ("POST", "/api/plan"),
        ("POST", "/api/sweep"),
        ("DELETE", "/api/jobs/abc"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/"),
        ("GET", "/runs"),
        ("GET", "/api/scenarios/demo"),
    ):
        response = guarded.request(method, path, json={"scenario": "demo"} if method == "POST" else None)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer" and _secure(response)
    assert guarded.get("/static/app.js").status_code == 200  # the app's own script is public
    estimate = guarded.post(
        "/api/estimate",
        json={"chip": "h100", "accelerators": "1k", "samples": 100},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert estimate.status_code == 200


def test_page_token_exchange_sets_a_strict_cookie_and_redirects(guarded: TestClient) -> None:
    wrong = guarded.get("/?token=nope", follow_redirects=False)
    assert wrong.status_code == 401 and "text/html" in wrong.headers["content-type"]
    assert "name='token'" in wrong.text and _secure(wrong) and wrong.headers["www-authenticate"] == "Bearer"
    assert COOKIE_NAME not in guarded.cookies

    exchange = guarded.get(f"/catalog?item=gb200&token={TOKEN}", follow_redirects=False)
    assert exchange.status_code == 303 and _secure(exchange)
    assert exchange.headers["location"] == "/catalog?item=gb200"
    cookie = exchange.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and TOKEN not in cookie
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= {part.strip() for part in cookie.split(";")}

    assert guarded.get("/catalog?item=gb200").status_code == 200  # the cookie now authenticates pages ...
    assert guarded.get("/api/runs").status_code == 200  # ... and the page's own fetch() calls
    same_origin = guarded.post(
        "/api/estimate",
        json={"chip": "h100", "accelerators": "1k", "samples": 100},
        headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"},
    )
    assert same_origin.status_code == 200
    for headers in (
        {"Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
        {"Origin": "http://localhost:9999"},
    ):
        cross = guarded.post("/api/estimate", json={"chip": "h100", "accelerators": "1k"}, headers=headers)
        assert cross.status_code == 403 and _secure(cross), headers
    assert guarded.get("/", follow_redirects=False).status_code == 200


def test_exchange_never_redirects_off_site(store: Path) -> None:
    app = create_app(store, token=TOKEN)
    status, headers, _ = _asgi(app, "GET", "//evil.example/", query=f"token={TOKEN}".encode())
    assert status == 303 and headers["location"] == "/evil.example/"
    for path in ("/\\evil.example/", "/\\/evil.example/", "/a\\b"):  # browsers read '/\\' as '//'
        status, headers, _ = _asgi(app, "GET", path, query=f"token={TOKEN}".encode())
        location = headers["location"]
        assert status == 303 and location.startswith("/") and not location.startswith(("//", "/\\"))
        assert "\\" not in location


def test_empty_token_config_is_refused(store: Path) -> None:
    for token in ("", "   "):
        with pytest.raises(InputError, match="token"):
            create_app(store, token=token)
    with pytest.raises(InputError, match="max_jobs"):
        create_app(store, max_jobs=0)


def test_no_token_mode_refuses_cross_origin_writes(open_client: TestClient) -> None:
    body = {"chip": "h100", "accelerators": "1k", "samples": 100}
    assert open_client.post("/api/estimate", json=body).status_code == 200  # curl, scripts: no Origin
    assert open_client.post("/api/estimate", json=body, headers={"Origin": BASE}).status_code == 200
    assert open_client.post("/api/estimate", json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    assert open_client.get("/api/runs", headers={"Origin": "http://evil.example"}).status_code == 200  # reads: CORS


def test_cookie_exchange_on_a_real_server(token_server: tuple[str, str]) -> None:
    url, token = token_server
    with httpx.Client(base_url=url, timeout=30) as browser:
        assert browser.get("/api/runs").status_code == 401
        landed = browser.get(f"/?token={token}", follow_redirects=True)
        assert landed.status_code == 200 and str(landed.url) == url + "/" and "estimate-form" in landed.text
        assert browser.get("/api/runs").status_code == 200
    with httpx.Client(base_url=url, timeout=30) as other:
        assert other.get("/api/runs").status_code == 401
        assert other.get("/api/runs", headers={"Authorization": f"Bearer {token}"}).status_code == 200


# ---- Host allow-list ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 400),
        ("evil.example:8000", 400),
        ("localhost.evil.example", 400),
        ("fleet.example.org.evil.example", 400),
        ("127.0.0.1.nip.io", 400),
        ("", 400),
        ("localhost:8000", 200),
        ("localhost", 200),
        ("LOCALHOST:8000", 200),
        ("127.0.0.1:8000", 200),
        ("[::1]:8000", 200),
        ("[::1]", 200),
        ("fleet.example.org", 200),
        ("Fleet.Example.org:443", 200),
    ],
)
def test_host_matrix(open_client: TestClient, host: str, status: int) -> None:
    response = open_client.get("/api/runs", headers={"host": host})
    assert response.status_code == status, host
    assert _secure(response)


def test_host_is_checked_before_the_token(guarded: TestClient) -> None:
    response = guarded.get("/api/runs", headers={"host": "evil.example", "authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and _secure(response)


def test_security_headers_on_every_status(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(store, max_jobs=1)

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("boom")

    release = threading.Event()
    jobs: Jobs = app.state.jobs
    monkeypatch.setattr(jobs, "_run", lambda job_id, scenario, text: release.wait(30))
    client = TestClient(app, base_url=BASE, raise_server_exceptions=False)
    guarded = TestClient(create_app(store, token=TOKEN), base_url=BASE, raise_server_exceptions=False)
    try:
        seen = {
            200: client.get("/"),
            401: guarded.get("/api/runs"),
            303: guarded.get(f"/?token={TOKEN}", follow_redirects=False),
            400: client.get("/", headers={"host": "evil.example"}),
            404: client.get("/nowhere"),
            413: client.post("/api/estimate", content=b"x" * (MAX_BODY_BYTES + 1)),
            422: client.post("/api/estimate", json={"accelerators": "1OOM"}),
            202: client.post("/api/plan", json={"scenario": "demo"}),
            429: client.post("/api/plan", json={"scenario": "demo"}),
            500: client.get("/boom"),
        }
    finally:
        release.set()
    for status, response in seen.items():
        assert response.status_code == status, (status, response.text[:200])
        assert _secure(response), status
    assert "Traceback" not in seen[500].text and "boom" not in seen[500].text


# ---- request bodies ----------------------------------------------------------------------------------------------
def _asgi(
    app: FastAPI,
    method: str,
    path: str,
    *,
    chunks: Iterator[bytes] | None = None,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Call the ASGI app directly (a chunked body without Content-Length, as a server would pass it)."""
    sent: list[dict[str, Any]] = []
    stream = iter(chunks or [])

    async def receive() -> dict[str, Any]:
        piece = next(stream, None)
        if piece is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"), *(headers or [])],
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_chunked_body_over_the_limit_is_refused_as_it_arrives(store: Path) -> None:
    pulled = 0

    def hundred_megabytes() -> Iterator[bytes]:
        nonlocal pulled
        for _ in range(1600):
            pulled += 1
            yield b" " * 65536

    status, headers, body = _asgi(create_app(store), "POST", "/api/estimate", chunks=hundred_megabytes())
    assert status == 413 and len(body) < 300 and "content-security-policy" in headers
    assert pulled <= MAX_BODY_BYTES // 65536 + 1  # stopped reading at the limit, not after 100 MB

    small = json.dumps({"chip": "h100", "accelerators": "1k", "samples": 100}).encode()
    status, _, body = _asgi(create_app(store), "POST", "/api/estimate", chunks=iter([small[:10], small[10:]]))
    assert status == 200 and b"facility_power_gw" in body  # a chunked body under the limit is read whole


def test_chunked_body_over_the_limit_on_a_real_server(server: str) -> None:
    def eight_megabytes() -> Iterator[bytes]:
        for _ in range(128):
            yield b" " * 65536

    response = httpx.post(
        server + "/api/estimate", content=eight_megabytes(), timeout=30, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and len(response.content) < 300 and _secure(response)
    declared = httpx.post(
        server + "/api/estimate",
        content=b" " * (MAX_BODY_BYTES + 1),
        timeout=30,
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 413


def test_an_idle_keep_alive_connection_outlives_the_clients_expiry(server: str) -> None:
    """A connection idle for longer than uvicorn's default keep-alive (5 s, httpx's idle expiry too) still answers.

    With the default, the server closes it at 5 s, and a client reusing it at that instant (the CI failure of
    ``test_twenty_plans_and_readers_lose_nothing``) reads "Server disconnected without sending a response".
    """
    import http.client

    assert KEEP_ALIVE_S > 2 * 5
    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=30)
    try:
        connection.request("GET", "/api/runs")
        assert connection.getresponse().read() and connection.sock is not None
        time.sleep(6)
        connection.request("GET", "/api/runs")  # same socket: http.client never reconnects on its own
        assert connection.getresponse().status == 200
    finally:
        connection.close()


BIG = "x" * 200_000


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/estimate", {"chip": BIG, "accelerators": "1M"}),
        ("/api/estimate", {"chip": "h100", "accelerators": BIG}),
        ("/api/estimate", {"chip": "h100", "samples": [BIG]}),
        ("/api/estimate", {"colour": BIG}),
        ("/api/estimate", {BIG: 1}),
        ("/api/estimate", {f"k{i}": i for i in range(15_000)}),
        ("/api/estimate", b'{"chip": "' + BIG.encode()),
        ("/api/estimate", [BIG]),
        ("/api/check", {"chip": "h100", "accelerators": "1M", "claim_share_of": ["x" * 100] * 1500}),
        ("/api/check", {"chip": "h100", "accelerators": "1M", "claim_share_of": [BIG[:150_000] + "=0.5"]}),
        ("/api/scenario/validate", {"yaml": f"name: demo\n{BIG[:190_000]}: 1\n"}),
        ("/api/scenario/validate", {"yaml": f"name: {BIG[:190_000]}\n"}),
        ("/api/scenario/validate", {"yaml": "[" * 100_000}),
        ("/api/sweep", {"yaml": f"name: {BIG[:190_000]}\nkind: function\nfunction: ishigami\n"}),
        ("/api/sweep", {"yaml": f"name: x\nkind: function\nfunction: {BIG[:190_000]}\n"}),
        ("/api/sweep", {"experiment": BIG}),
        ("/api/plan", {"scenario": BIG}),
        ("/api/scenarios/ok-name", {"yaml": BIG}),
    ],
)
def test_422_bodies_stay_short(open_client: TestClient, path: str, body: Any) -> None:
    if isinstance(body, bytes):
        response = open_client.post(path, content=body, headers={"content-type": "application/json"})
    else:
        response = open_client.post(path, json=body)
    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < 5000, len(response.content)
    assert BIG[:300] not in response.text and _secure(response)
    detail = response.json()["detail"]
    assert isinstance(detail, list) and all("loc" in item and "msg" in item for item in detail)


def test_422_keeps_pydantic_field_names(open_client: TestClient) -> None:
    response = open_client.post("/api/estimate", json={"chip": "h100", "samples": [1], "seed": {"a": 1}})
    assert response.status_code == 422
    locs = {".".join(map(str, item["loc"])) for item in response.json()["detail"]}
    assert any(loc.startswith("body.samples") for loc in locs) and any(loc.startswith("body.seed") for loc in locs)


def test_yaml_bomb_is_refused_quickly(open_client: TestClient) -> None:
    assert len(BOMB.encode()) < 500
    for path, body in (
        ("/api/scenario/validate", {"yaml": BOMB}),
        ("/api/plan", {"yaml": BOMB}),
        ("/api/sweep", {"yaml": BOMB}),
        ("/api/scenarios/bomb", {"yaml": BOMB}),
    ):
        started = time.perf_counter()
        response = open_client.post(path, json=body)
        assert response.status_code == 422, path
        assert time.perf_counter() - started < 2.0
        assert len(response.content) < 1000 and "alias" in response.text.lower() and "lol" not in response.text


# ---- job queue -----------------------------------------------------------------------------------------------------
def test_full_queue_is_429_with_retry_after(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(store, max_jobs=1)
    jobs: Jobs = app.state.jobs
    release = threading.Event()
    monkeypatch.setattr(jobs, "_run", lambda job_id, scenario, text: release.wait(30))
    client = TestClient(app, base_url=BASE)
    try:
        first = client.post("/api/plan", json={"scenario": "demo"})
        assert first.status_code == 202
        full = client.post("/api/plan", json={"scenario": "demo"})
        assert full.status_code == 429 and full.headers["retry-after"] == "10" and _secure(full)
        assert "queue" in full.json()["detail"]
        assert client.post("/api/sweep", json={"experiment": "demo"}).status_code == 429  # one queue for both
        assert client.post("/api/plan", json={"scenario": "nope"}).status_code == 422  # validated first
    finally:
        release.set()
    for _ in range(100):
        if jobs.active == 0:
            break
        time.sleep(0.05)
    assert jobs.active == 0
    monkeypatch.setattr(jobs, "_run", lambda job_id, scenario, text: None)
    assert client.post("/api/plan", json={"scenario": "demo"}).status_code == 202  # room again


def test_real_plans_fill_the_queue(store: Path) -> None:
    client = TestClient(create_app(store, max_jobs=1), base_url=BASE)
    first = client.post("/api/plan", json={"scenario": "demo"})
    second = client.post("/api/plan", json={"scenario": "demo"})
    assert first.status_code == 202 and second.status_code == 429 and second.headers["retry-after"] == "10"
    client.delete(f"/api/jobs/{first.json()['id']}")


def test_cancelled_queued_job_frees_its_slot_and_records_are_capped(store: Path) -> None:
    jobs = Jobs(store, max_jobs=2, workers=1)
    release = threading.Event()
    blocking = jobs._submit({"status": "queued"}, lambda job_id: bool(release.wait(30)))
    queued = jobs._submit({"status": "queued"}, lambda job_id: None)
    assert jobs.active == 2
    jobs.cancel(queued)
    assert jobs.active == 1 and jobs.get(queued)["status"] == "cancelled"
    release.set()
    jobs.get(blocking)
    many = Jobs(store, max_jobs=10_000, workers=4)
    for _ in range(MAX_JOB_RECORDS + 50):
        many._submit({"status": "done"}, lambda job_id: None)
    many.pool.shutdown(wait=True)
    assert len(many.jobs) <= MAX_JOB_RECORDS + 4


# ---- sweeps cannot name code or paths --------------------------------------------------------------------------
def _experiment(**changes: Any) -> dict[str, Any]:
    return {
        "name": "web-check",
        "kind": "function",
        "function": "ishigami",
        "sample": {"method": "random", "n": 4, "seed": 1, "parameters": {"function.x1": {"low": 0, "high": 1}}},
        "outputs": ["y"],
        **changes,
    }


@pytest.mark.parametrize(
    "experiment",
    [
        _experiment(function="builtins:dict"),
        _experiment(function="os:system"),
        _experiment(function="logging:basicConfig"),
        _experiment(function="gigafleet.uncertainty.testfunctions:ishigami"),
        _experiment(name="../../../../evil"),
        _experiment(name="/tmp/evil"),
        {"name": "web-plan", "kind": "plan", "base": "/etc/passwd"},
        {"name": "web-plan", "kind": "plan", "base": "../gigafleet/scenarios/demo.yaml"},
        _experiment(sample=None, axes={"function.x1": list(range(10_000)), "function.x2": list(range(10_000))}),
        _experiment(
            sample={
                "method": "sobol",
                "n": 100_000,
                "parameters": {f"function.p{i}": {"low": 0, "high": 1} for i in range(300)},
            }
        ),
    ],
    ids=[
        "builtins-dict",
        "os-system",
        "logging",
        "module-path",
        "name-traversal",
        "name-absolute",
        "base-path",
        "base-relative",
        "axes-explosion",
        "sobol-explosion",
    ],
)
def test_sweep_refuses_code_paths_and_huge_runs_before_queueing(store: Path, experiment: dict[str, Any]) -> None:
    import yaml

    app = create_app(store)
    client = TestClient(app, base_url=BASE)
    started = time.perf_counter()
    response = client.post("/api/sweep", json={"yaml": yaml.safe_dump(experiment)})
    assert response.status_code == 422, response.text
    assert time.perf_counter() - started < 5.0
    assert app.state.jobs.jobs == {} and len(response.content) < 5000


# ---- gigafleet serve -------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    monkeypatch.delenv("GIGAFLEET_TOKEN", raising=False)
    return calls


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"token": ""}, "--token"),
        ({"token": "   "}, "--token"),
        ({"token": "has space"}, "--token"),
        ({"no_token": True, "host": "0.0.0.0"}, "--no-token"),
        ({"no_token": True, "host": "192.0.2.1"}, "--no-token"),
        ({"no_token": True, "token": "abc"}, "--no-token"),
        ({"allowed_hosts": ["a b"]}, "--allow-host"),
        ({"allowed_hosts": ["evil.example/path"]}, "--allow-host"),
        ({"max_jobs": 0}, "--max-jobs"),
        ({"host": ""}, "--host"),
        ({"host": "not a host"}, "--host"),
    ],
)
def test_run_server_refuses_bad_options_without_starting(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], options: dict[str, Any], field: str
) -> None:
    from gigafleet.web.server import run_server

    arguments: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": _free_port(),
        "store": tmp_path / "runs.duckdb",
        "token": None,
        "no_token": False,
        "allowed_hosts": [],
        "max_jobs": 4,
        **options,
    }
    with pytest.raises(InputError) as caught:
        run_server(**arguments)
    assert caught.value.field == field
    assert uvicorn_calls == []


def test_run_server_refuses_a_busy_port(tmp_path: Path, uvicorn_calls: list[dict[str, Any]]) -> None:
    from gigafleet.web.server import run_server

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(InputError, match="free port") as caught:
            run_server("127.0.0.1", port, tmp_path / "runs.duckdb", None, False, [], 4)
    assert caught.value.field == "--port" and uvicorn_calls == []


def test_run_server_prints_the_url_with_a_random_token(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    from gigafleet.web.server import run_server

    port = _free_port()
    run_server("127.0.0.1", port, tmp_path / "runs.duckdb", None, False, ["fleet.example.org"], 3)
    printed = capsys.readouterr().err
    prefix = f"gigafleet: serving on http://127.0.0.1:{port}/?token="
    assert prefix in printed and str(tmp_path / "runs.duckdb") in printed
    token = printed.split(prefix, 1)[1].split()[0]
    assert len(token) >= 40
    (call,) = uvicorn_calls
    assert call["host"] == "127.0.0.1" and call["port"] == port
    client = TestClient(call["app"], base_url=f"http://127.0.0.1:{port}")
    assert client.get("/api/runs").status_code == 401
    assert client.get("/api/runs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert (
        client.get("/api/runs", headers={"Authorization": f"Bearer {token}", "host": "fleet.example.org"}).status_code
        == 200
    )
    assert call["app"].state.jobs.max_jobs == 3
    assert call["timeout_keep_alive"] == KEEP_ALIVE_S

    run_server("127.0.0.1", port, tmp_path / "runs.duckdb", "my-own-token", False, [], 3)
    assert "my-own-token" not in capsys.readouterr().err  # a token the user chose is not printed
    run_server("localhost", port, tmp_path / "runs.duckdb", None, True, [], 3)
    printed = capsys.readouterr().err
    assert f"http://localhost:{port}/" in printed and "token=" not in printed
    assert TestClient(uvicorn_calls[-1]["app"], base_url=f"http://localhost:{port}").get("/api/runs").status_code == 200
    run_server("0.0.0.0", port, tmp_path / "runs.duckdb", None, False, [], 3)  # all interfaces: keeps a token
    printed = capsys.readouterr().err
    assert f"http://{socket.gethostname()}:{port}/?token=" in printed and "other machines" in printed
    wide = TestClient(uvicorn_calls[-1]["app"], base_url=f"http://{socket.gethostname()}:{port}")
    assert wide.get("/api/runs").status_code == 401  # the host name is allowed, the token still needed
    assert wide.get("/api/runs", headers={"host": "evil.example"}).status_code == 400


def test_serve_command_errors_are_one_line(uvicorn_calls: list[dict[str, Any]]) -> None:
    from typer.testing import CliRunner

    from gigafleet.cli import app

    for arguments, env in (
        (["serve", "--token", ""], {}),
        (["serve", "--host", "0.0.0.0", "--no-token"], {}),
        (["serve"], {"GIGAFLEET_TOKEN": ""}),
    ):
        result = CliRunner().invoke(app, arguments, env=env)
        assert result.exit_code == 2, (arguments, result.output)
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert uvicorn_calls == []
