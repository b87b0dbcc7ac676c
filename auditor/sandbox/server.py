"""The sandbox server: every fake platform API on one local port, with fault injection.

One :class:`~http.server.ThreadingHTTPServer` on 127.0.0.1 (a free port unless one is given)
serves each platform under its prefix (``/x``, ``/meta``, ``/github`` ...), so a collector's
``base_url`` is ``http://127.0.0.1:PORT/<platform>``. Route modules are listed explicitly in
:data:`ROUTE_MODULES`; each validates its own world section. Every GET answered with 200 gets an
``ETag`` (a digest of the body) and ``If-None-Match`` is honoured with 304, as real APIs do, so
conditional requests can be exercised. Faults come from :mod:`auditor.sandbox.faults`.

The server logs method, path (never the query string) and status, never a header: requests
carry tokens.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from auditor.sandbox import (
    routes_bluesky,
    routes_github,
    routes_google,
    routes_hibp,
    routes_linkedin,
    routes_mastodon,
    routes_meta,
    routes_rdap,
    routes_x,
    routes_youtube,
)
from auditor.sandbox.faults import Fault, FaultKind, FaultPlan
from auditor.sandbox.routing import Request, Response, Route
from auditor.sandbox.world import World

log = logging.getLogger(__name__)

ROUTE_MODULES: tuple[ModuleType, ...] = (
    routes_x,
    routes_meta,
    routes_linkedin,
    routes_youtube,
    routes_github,
    routes_mastodon,
    routes_bluesky,
    routes_google,
    routes_rdap,
    routes_hibp,
)
"""Every platform the sandbox serves, in prefix order."""


def route_modules() -> list[ModuleType]:
    """Every route module."""
    return list(ROUTE_MODULES)


@dataclass(frozen=True)
class Platform:
    """One mounted platform: its prefix, routes and rate-limit answer."""

    name: str
    """Prefix and config platform name."""
    routes: tuple[Route, ...]
    """Its routes, bound to its world section."""
    module: ModuleType
    """The route module (for ``rate_limited``)."""


class SandboxHTTPServer(ThreadingHTTPServer):
    """The HTTP server, holding the mounted platforms, the fault plan and a request counter."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int, platforms: Mapping[str, Platform], faults: FaultPlan) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.platforms = dict(platforms)
        self.faults = faults
        self._served = 0
        self._by_platform: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def requests_served(self) -> int:
        """Requests received so far."""
        with self._lock:
            return self._served

    def count(self, prefix: str = "") -> None:
        """Count one request (and one for its platform prefix)."""
        with self._lock:
            self._served += 1
            if prefix in self.platforms:
                self._by_platform[prefix] = self._by_platform.get(prefix, 0) + 1

    def served_by_platform(self) -> dict[str, int]:
        """Requests received so far per platform prefix."""
        with self._lock:
            return dict(self._by_platform)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid-answer (a killed audit, a timed-out read) is routine for a
        fault-injecting server: log it at debug level instead of printing a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("sandbox: client %s went away", client_address)
            return
        super().handle_error(request, client_address)


def mount(world: World) -> dict[str, Platform]:
    """Every route module bound to its world section, by prefix."""
    platforms: dict[str, Platform] = {}
    for module in route_modules():
        name = str(module.PLATFORM)
        routes = tuple(module.routes(world.section(name)))
        platforms[name] = Platform(name, routes, module)
    return platforms


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        return  # the default logs the request line, whose query string may hold a token

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        prefix, _, rest = parts.path.lstrip("/").partition("/")
        self.server.count(prefix)
        rest = "/" + rest
        platform = self.server.platforms.get(prefix)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if platform is None:
            self._send(Response.json({"error": "unknown platform prefix"}, 404))
            return
        latency_ms, fault = self.server.faults.decide(prefix, rest)
        if latency_ms:
            time.sleep(latency_ms / 1000.0)
        if fault is not None and self._inject(fault, platform):
            return
        request = Request(
            method=method,
            path=rest,
            query=Request.parse_query(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        response = _dispatch(platform, request)
        log.debug("%s /%s%s -> %s", method, prefix, rest, response.status)
        if fault is not None and fault.kind is FaultKind.TRUNCATED:
            self._send(response, truncate=True)
            return
        self._send(_conditional(request, response))

    def _inject(self, fault: Fault, platform: Platform) -> bool:
        """Answer with the fault; False when the fault needs the real response (truncation)."""
        if fault.kind is FaultKind.RATE_LIMIT:
            self._send(platform.module.rate_limited(fault.retry_after_s, time.time()))
        elif fault.kind is FaultKind.SERVER_ERROR:
            self._send(Response.json({"error": "injected server error"}, fault.status))
        elif fault.kind is FaultKind.MALFORMED:
            self._send(
                Response(200, b'{"data": [{"id": "1", "te', {"Content-Type": "application/json"})
            )
        elif fault.kind is FaultKind.TIMEOUT:
            time.sleep(fault.seconds)
            self.close_connection = True
        elif fault.kind is FaultKind.DISCONNECT:
            self.close_connection = True
        elif fault.kind in _REFUSALS:
            status, message = _REFUSALS[fault.kind]
            self._send(Response.json({"error": message}, status))
        else:
            return False
        return True

    def _send(self, response: Response, *, truncate: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if truncate:
            self.wfile.write(response.body[: len(response.body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(response.body)


_REFUSALS = {
    FaultKind.UNAUTHORIZED: (401, "injected: the token is not valid"),
    FaultKind.FORBIDDEN: (403, "injected: the token lacks the permission"),
}
"""Status and message of the faults that refuse the caller."""


def _dispatch(platform: Platform, request: Request) -> Response:
    for route in platform.routes:
        groups = route.matches(request.method, request.path)
        if groups is None:
            continue
        bound = Request(
            request.method, request.path, request.query, request.headers, request.body, groups
        )
        try:
            return route.handler(bound)
        except Exception as exc:  # isolation boundary: one broken handler must not kill the server
            log.warning(
                "sandbox handler for /%s%s failed: %s",
                platform.name,
                request.path,
                type(exc).__name__,
            )
            return Response.json({"error": "sandbox handler failed"}, 500)
    return Response.json({"error": "not found", "path": request.path}, 404)


def _conditional(request: Request, response: Response) -> Response:
    if request.method != "GET" or response.status != 200:
        return response
    etag = (
        response.headers.get("ETag") or '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    )
    headers = {**response.headers, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(304, b"", {"ETag": etag})
    return Response(response.status, response.body, headers)
