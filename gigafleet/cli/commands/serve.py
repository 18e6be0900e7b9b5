"""``gigafleet serve``: the web app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gigafleet.cli.app import app, user_errors
from gigafleet.inputs import int_flag as _int_flag


@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[str, typer.Option("--port", help="TCP port (1-65535).")] = "8000",
    store: Annotated[Path | None, typer.Option("--store", help="DuckDB run store.")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", help="Require this token [default: a random one, printed with the URL].",
        envvar="GIGAFLEET_TOKEN")] = None,
    no_token: Annotated[bool, typer.Option("--no-token", help="No authentication (loopback only).")] = False,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="Extra Host header value to accept, e.g. fleet.example.org (repeatable).")] = None,
    max_jobs: Annotated[str, typer.Option("--max-jobs", help="Queued + running background jobs before 429.")]
    = "16",
) -> None:
    """Serve the web app and JSON API (OpenAPI docs at /docs); prints the URL with its access token."""
    from gigafleet.web.server import run_server

    run_server(host=host, port=_int_flag(port, "--port", low=1, high=65535) or 8000, store=store, token=token,
               no_token=no_token, allowed_hosts=list(allow_host or []),
               max_jobs=_int_flag(max_jobs, "--max-jobs", low=1, high=10_000) or 16)
