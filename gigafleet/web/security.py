"""The web app's guard: one pure ASGI middleware in front of everything (the app's own error pages included).

For every HTTP request, in this order:

1. **Host allow-list** (against DNS rebinding): the ``Host`` header must name ``localhost``, ``127.0.0.1``,
   ``[::1]`` or an allowed host (the bound host and ``--allow-host`` values), with or without a port; else 400.
2. **Authentication** (when a token is configured): ``Authorization: Bearer <token>`` (scheme case-insensitive), or
   the session cookie a browser gets by opening a page once with ``?token=<token>`` (the page answers 303 to the
   same address without the token and sets an HttpOnly, SameSite=Strict cookie holding an HMAC of the token, never
   the token). A token in the query of an ``/api`` call is not accepted. Else 401 with ``WWW-Authenticate: Bearer``.
3. **Same-origin writes**: a POST/PUT/PATCH/DELETE authenticated by the cookie (or with no token configured) from a
   browser must come from the app's own origin (``Origin`` / ``Sec-Fetch-Site``); else 403.
4. **Body limit**: a declared ``Content-Length`` over :data:`MAX_BODY_BYTES` is refused at once (413); otherwise the
   body is read from ``receive`` into a buffer and the request is refused (413) as soon as more than
   :data:`MAX_BODY_BYTES` bytes arrive, whatever the transfer encoding (chunked bodies included).

Every response (200, 303, 400, 401, 403, 404, 413, 422, 429, 500 ...) carries the security headers of
:func:`security_headers`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 256 * 1024
"""Largest request body accepted [bytes]."""

COOKIE_NAME = "gigafleet_token"
"""Name of the session cookie set by the token exchange."""

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
"""Host header names always accepted (with or without a port)."""

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PREFIXES = ("/static/",)
"""Paths served without authentication (the app's own scripts; nothing private)."""

REPORT_SUFFIXES = ("/download/html", "/report")
"""Paths of self-contained HTML reports: their CSP allows the inline Plotly bundle they embed."""


def normalise_host(value: str) -> str | None:
    """The host part of a ``Host`` header or ``--allow-host`` value, lower-case, port removed.

    IPv6 literals keep (or gain) their brackets. Returns ``None`` for an empty or malformed value.

    Examples
    --------
    >>> normalise_host("LocalHost:8000"), normalise_host("[::1]:8000"), normalise_host("::1")
    ('localhost', '[::1]', '[::1]')
    """
    text = value.strip().lower()
    if not text or any(c in text for c in " /\\@?#\t\r\n,"):
        return None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        rest = text[end + 1 :]
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return None
        return text[: end + 1]
    if text.count(":") > 1:
        return f"[{text}]"  # a bare IPv6 literal (as given to --host ::1)
    host, sep, port = text.partition(":")
    if sep and not port.isdigit():
        return None
    return host or None


def cookie_value(token: str) -> str:
    """The session cookie's value for ``token``: an HMAC-SHA256 of it (stable across restarts, not the token)."""
    return hmac.new(token.encode("utf-8"), b"gigafleet session cookie v1", hashlib.sha256).hexdigest()


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """Security headers for a response to ``path`` (CSP: scripts only from the app; reports allow inline Plotly)."""
    report = path.endswith(REPORT_SUFFIXES)
    csp = (
        "default-src 'self'; script-src 'self'"
        + (" 'unsafe-inline' 'unsafe-eval'" if report else "")
        + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    return [
        (b"content-security-policy", csp.encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]


@dataclass(frozen=True)
class GuardSettings:
    """What the guard enforces.

    Parameters
    ----------
    token
        The access token, or ``None`` for no authentication (the Python API, tests, ``--no-token`` on loopback).
    allowed_hosts
        Host names accepted besides :data:`LOOPBACK_HOSTS` (normalised by :func:`normalise_host`).
    max_body_bytes
        Largest request body accepted [bytes].
    """

    token: str | None = None
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    max_body_bytes: int = MAX_BODY_BYTES

    @classmethod
    def create(
        cls, token: str | None, allowed_hosts: Iterable[str] | None = None, max_body_bytes: int = MAX_BODY_BYTES
    ) -> GuardSettings:
        """Settings from a token and host names (``None`` entries and malformed names are dropped)."""
        hosts = {normalise_host(h) for h in (allowed_hosts or [])}
        return cls(
            token=token,
            allowed_hosts=frozenset(h for h in hosts if h) | set(LOOPBACK_HOSTS),
            max_body_bytes=max_body_bytes,
        )


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


def _cookies(raw: bytes | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (raw or b"").decode("latin-1").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key and key not in out:
            out[key] = value.strip().strip('"')
    return out


def _json(status: int, detail: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    return (
        status,
        json.dumps({"detail": detail}).encode("utf-8"),
        {"content-type": "application/json", **(headers or {})},
    )


LOGIN_PAGE = """<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>gigafleet · token</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;color:#1f2937}}
input{{font:inherit;padding:.3rem;width:24rem}}button{{font:inherit;padding:.3rem .9rem}}</style></head>
<body><h1>gigafleet</h1><p>{message}</p><form method='get'><label>Token <input type='password' name='token'
autocomplete='off' autofocus></label> <button type='submit'>Open</button></form>
<p>The token is printed by <code>gigafleet serve</code> with the address (<code>?token=...</code>).</p></body></html>
"""


class Guard:
    """Pure ASGI middleware enforcing :class:`GuardSettings` (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: GuardSettings) -> None:
        self.app = app
        self.settings = settings
        self._token = settings.token.encode("utf-8") if settings.token is not None else None
        self._cookie = cookie_value(settings.token) if settings.token is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one request, then pass it (with its buffered body) to the app."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # the app has no websockets
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", "/"))
        extra = security_headers(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in extra}
                message = {
                    **message,
                    "headers": [(k, v) for k, v in message.get("headers", []) if bytes(k).lower() not in names] + extra,
                }
            await send(message)

        refusal = self._refusal(scope, path)
        if refusal is not None:
            await self._respond(send_with_headers, *refusal)
            return
        length = _header(scope, b"content-length")
        if length is not None and not length.strip().isdigit():
            await self._respond(send_with_headers, *_json(400, "Content-Length is not a number"))
            return
        if length is not None and int(length) > self.settings.max_body_bytes:
            await self._respond(send_with_headers, *self._too_large(True))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away before sending its body
            body = message.get("body", b"")
            size += len(body)
            if size > self.settings.max_body_bytes:
                await self._respond(send_with_headers, *self._too_large(False))
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)

    def _too_large(self, declared: bool) -> tuple[int, bytes, dict[str, str]]:
        limit = self.settings.max_body_bytes
        detail = f"request body over {limit:,} bytes ({limit // 1024} KiB) is not accepted"
        return _json(413, detail if declared else detail + " (counted as it arrived)", {"connection": "close"})

    def _refusal(self, scope: Scope, path: str) -> tuple[int, bytes, dict[str, str]] | None:
        """Why a request is refused before the app sees it (status, body, headers), or ``None``."""
        raw_host = _header(scope, b"host")
        host = normalise_host(raw_host.decode("latin-1")) if raw_host is not None else None
        if host is None or host not in self.settings.allowed_hosts:
            return _json(
                400,
                "Host header not allowed; open the app as http://127.0.0.1:PORT/ or start "
                "gigafleet serve with --allow-host NAME",
            )
        method = str(scope.get("method", "GET")).upper()
        if self._token is None:
            return self._cross_origin(scope, method)
        if path.startswith(PUBLIC_PREFIXES):
            return None
        api = path == "/openapi.json" or path == "/api" or path.startswith("/api/")
        query = parse_qsl(
            bytes(scope.get("query_string", b"")).decode("latin-1"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="replace",
        )
        given = [value for key, value in query if key == "token"]
        if given and not api and method in ("GET", "HEAD"):
            if len(given) == 1 and secrets.compare_digest(given[0].encode("utf-8"), self._token):
                return self._exchange(scope, [(k, v) for k, v in query if k != "token"])
            return self._unauthorised(api, "wrong token")
        authorization = _header(scope, b"authorization")
        if authorization is not None:
            scheme, _, credentials = authorization.strip().partition(b" ")
            if scheme.lower() == b"bearer" and secrets.compare_digest(credentials.strip(), self._token):
                return None
            return self._unauthorised(api, "wrong token")
        cookie = _cookies(_header(scope, b"cookie")).get(COOKIE_NAME)
        if (
            cookie is not None
            and self._cookie is not None
            and secrets.compare_digest(cookie.encode("latin-1", errors="replace"), self._cookie.encode("ascii"))
        ):
            return self._cross_origin(scope, method)
        return self._unauthorised(api, "missing token")

    @staticmethod
    def _cross_origin(scope: Scope, method: str) -> tuple[int, bytes, dict[str, str]] | None:
        """403 for a browser write (cookie or no token) that does not come from the app's own origin."""
        if method not in UNSAFE_METHODS:
            return None
        site = _header(scope, b"sec-fetch-site")
        if site is not None and site.strip().lower() not in (b"same-origin", b"none"):
            return _json(403, "cross-origin request refused")
        origin = _header(scope, b"origin")
        if origin is None:
            return None
        host = (_header(scope, b"host") or b"").decode("latin-1").strip().lower()
        netloc = urlsplit(origin.decode("latin-1").strip()).netloc.lower()
        if not netloc or netloc != host:
            return _json(403, "cross-origin request refused")
        return None

    def _exchange(self, scope: Scope, rest: list[tuple[str, str]]) -> tuple[int, bytes, dict[str, str]]:
        """303 to the same page without the token, setting the session cookie."""
        raw_path = bytes(scope.get("raw_path") or str(scope.get("path", "/")).encode("utf-8")).decode("latin-1")
        # never '//host' or '/\\host' (browsers read both as an address on another site)
        location = "/" + raw_path.lstrip("/\\").replace("\\", "%5C")
        if rest:
            location += "?" + urlencode(rest)
        assert self._cookie is not None
        return (
            303,
            b"",
            {
                "location": location,
                "cache-control": "no-store",
                "set-cookie": f"{COOKIE_NAME}={self._cookie}; HttpOnly; SameSite=Strict; Path=/",
            },
        )

    @staticmethod
    def _unauthorised(api: bool, why: str) -> tuple[int, bytes, dict[str, str]]:
        headers = {"www-authenticate": "Bearer", "cache-control": "no-store"}
        if api:
            return _json(
                401, f"{why}: send 'Authorization: Bearer <token>' (the token gigafleet serve printed)", headers
            )
        page = LOGIN_PAGE.format(
            message=html.escape(f"{why.capitalize()}: open the address gigafleet serve printed, or enter its token.")
        )
        return 401, page.encode("utf-8"), {"content-type": "text/html; charset=utf-8", **headers}

    @staticmethod
    async def _respond(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode("ascii")))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})
