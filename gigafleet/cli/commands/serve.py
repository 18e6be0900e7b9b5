"""``gigafleet serve``: the web app."""

from gigafleet.cli.app import app, user_errors
from gigafleet.cli.options import AllowHostOpt, HostOpt, MaxJobsOpt, NoTokenOpt, PortOpt, ServeStoreOpt, TokenOpt
from gigafleet.inputs import int_flag as _int_flag


@app.command()
@user_errors
def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = "8000",
    store: ServeStoreOpt = None,
    token: TokenOpt = None,
    no_token: NoTokenOpt = False,
    allow_host: AllowHostOpt = None,
    max_jobs: MaxJobsOpt = "16",
) -> None:
    """Serve the web app and JSON API (OpenAPI docs at /docs); prints the URL with its access token."""
    from gigafleet.web.server import run_server

    run_server(
        host=host,
        port=_int_flag(port, "--port", low=1, high=65535) or 8000,
        store=store,
        token=token,
        no_token=no_token,
        allowed_hosts=list(allow_host or []),
        max_jobs=_int_flag(max_jobs, "--max-jobs", low=1, high=10_000) or 16,
    )
