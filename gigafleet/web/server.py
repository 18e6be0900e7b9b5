"""``gigafleet serve``: check the options, print the address with its token, run uvicorn.

Like Jupyter: a random token is generated unless one is given, and printed with the address
(``http://127.0.0.1:8000/?token=...``); opening that address once sets a session cookie. ``--no-token`` is allowed
only on a loopback interface. Every refusal is an :class:`~gigafleet.errors.InputError` (one line, exit 2), raised
before anything is bound or started.
"""

from __future__ import annotations

import errno
import os
import secrets
import socket
import sys
from pathlib import Path
from urllib.parse import quote

from gigafleet.errors import InputError
from gigafleet.web.security import normalise_host

LOOPBACK = ("127.0.0.1", "::1", "localhost")
"""Interfaces on which ``--no-token`` is allowed."""

WILDCARDS = ("0.0.0.0", "::")
"""Hosts that bind every interface."""

TOKEN_ENV = "GIGAFLEET_TOKEN"
"""Environment variable holding the token (as ``--token``); set but empty is an error."""

KEEP_ALIVE_S = 75
"""How long [s] an idle keep-alive connection stays open. uvicorn's default (5 s) equals the idle expiry of
common HTTP clients (httpx's is 5 s), so a client may send a request on a connection at the instant the server
closes it and see "Server disconnected without sending a response"; 75 s is the common proxy default (nginx,
AWS ALB 60 s), longer than any client's expiry."""


def check_token(host: str, token: str | None, no_token: bool) -> str | None:
    """The token to require: the given one, a new random one, or ``None`` (``--no-token``, loopback only).

    Raises
    ------
    InputError
        An empty token, ``--token`` with ``--no-token``, or ``--no-token`` off loopback.
    """
    if token is None and os.environ.get(TOKEN_ENV) is not None and not os.environ[TOKEN_ENV].strip():
        raise InputError(
            TOKEN_ENV, os.environ[TOKEN_ENV], "a non-empty token, or unset it (a random token is the default)"
        )
    if token is not None and no_token:
        raise InputError("--no-token", "with --token", "either --token (or GIGAFLEET_TOKEN) or --no-token, not both")
    if no_token:
        if host.strip().lower() not in LOOPBACK:
            raise InputError(
                "--no-token",
                f"--host {host}",
                "a loopback --host (127.0.0.1, ::1 or localhost); off loopback keep the token (the default)",
            )
        return None
    if token is None:
        return secrets.token_urlsafe(32)
    if not token.strip():
        raise InputError(
            "--token", token, "a non-empty token (omit --token for a random one; --no-token for none, loopback only)"
        )
    if not (token.isascii() and token.isprintable()) or any(c.isspace() for c in token):
        raise InputError("--token", "(not shown)", "printable ASCII characters without spaces")
    return token


def check_allowed_hosts(values: list[str]) -> list[str]:
    """``--allow-host`` values, each a host name or address (a port is accepted and ignored)."""
    for value in values:
        if normalise_host(value) is None:
            raise InputError("--allow-host", value, "a host name or address such as fleet.example.org")
    return list(values)


def check_port(host: str, port: int) -> None:
    """Bind (and release) ``host:port`` now, so a busy or forbidden port is a one-line error, not a traceback.

    Raises
    ------
    InputError
        ``--host`` is not an address of this machine, or ``--port`` cannot be bound.
    """
    if not 1 <= port <= 65535:
        raise InputError("--port", port, "a port from 1 to 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            sock.bind((host, port))
    except socket.gaierror:
        raise InputError("--host", host, "an address or name of this machine (127.0.0.1, ::1, 0.0.0.0 ...)") from None
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise InputError("--host", host, "an address of this machine (127.0.0.1, ::1, 0.0.0.0 ...)") from None
        reason = "in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or type(exc).__name__).lower()
        raise InputError("--port", port, f"a free port you may bind ({port} on {host}: {reason})") from None


def server_url(host: str, port: int, token: str | None) -> str:
    """The address to open (with ``?token=`` when there is a token); a wildcard host is shown as this machine."""
    shown = socket.gethostname() if host in WILDCARDS else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/" + (f"?token={quote(token, safe='')}" if token is not None else "")


def run_server(
    host: str, port: int, store: Path | None, token: str | None, no_token: bool, allowed_hosts: list[str], max_jobs: int
) -> None:
    """Check the options, print the address (with the token) and the run store, then serve until interrupted.

    Parameters
    ----------
    host, port
        Interface and TCP port to bind.
    store
        DuckDB run store (default: :func:`gigafleet.store.store_path`).
    token
        Access token (``--token`` / ``GIGAFLEET_TOKEN``); ``None``: a random one.
    no_token
        Serve without authentication (loopback hosts only).
    allowed_hosts
        Extra ``Host`` header names to accept (``--allow-host``), e.g. the name a reverse proxy forwards.
    max_jobs
        Queued + running background jobs before new ones get 429.

    Raises
    ------
    InputError
        Any refused option (empty token, ``--no-token`` off loopback, a busy port ...), before anything starts.
    """
    import uvicorn

    from gigafleet.store import store_path
    from gigafleet.web.app import create_app

    if normalise_host(host) is None:
        raise InputError("--host", host, "an address or name of this machine (127.0.0.1, ::1, 0.0.0.0 ...)")
    required = check_token(host, token, no_token)
    hosts = check_allowed_hosts(allowed_hosts)
    if max_jobs < 1:
        raise InputError("--max-jobs", max_jobs, "a whole number of at least 1")
    check_port(host, port)
    names = [host, *hosts]
    if host in WILDCARDS:
        names.append(socket.gethostname())
    runs = store_path(store)
    app = create_app(runs, token=required, allowed_hosts=names, max_jobs=max_jobs)
    generated = token is None and required is not None
    url = server_url(host, port, required if generated else None)
    lines = [f"gigafleet: serving on {url}"]
    if required is not None and not generated:
        lines.append("gigafleet: open it with ?token=<your token> once, or send 'Authorization: Bearer <token>'")
    if required is None:
        lines.append("gigafleet: no token (--no-token): any program on this machine can use it")
    if host.strip().lower() not in LOOPBACK:
        lines.append(
            f"gigafleet: listening on {host}, reachable from other machines; browsers must use one of "
            f"{', '.join(sorted(set(names) - set(WILDCARDS)))} or localhost (add names with --allow-host)"
        )
    lines.append(f"gigafleet: run store {runs.absolute()}")
    print("\n".join(lines), file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, timeout_keep_alive=KEEP_ALIVE_S)
