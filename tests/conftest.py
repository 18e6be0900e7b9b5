"""Shared fixtures: live gigafleet servers on loopback (one without a token, one with)."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web") / "runs.duckdb"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    from gigafleet.web.server import KEEP_ALIVE_S

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", timeout_keep_alive=KEEP_ALIVE_S)
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(200):
        if instance.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[str]:
    from gigafleet.web.app import create_app

    with serve(create_app(store)) as url:
        yield url


@pytest.fixture(scope="module")
def token_server(store: Path) -> Iterator[tuple[str, str]]:
    """A server requiring a token, as ``gigafleet serve`` runs it: (base URL, token)."""
    from gigafleet.web.app import create_app

    token = secrets.token_urlsafe(32)
    with serve(create_app(store, token=token)) as url:
        yield url, token
