"""The webhook receiver: a Starlette app served by uvicorn on 127.0.0.1 by default.

Routes (mounted only for the platforms ``watch:`` configures a secret for):

- ``POST /webhooks/github``: GitHub organization webhooks.
- ``GET /webhooks/meta``: Meta's subscription handshake: answers ``hub.challenge`` only when
  ``hub.mode`` is ``subscribe`` and ``hub.verify_token`` equals the configured token.
- ``POST /webhooks/meta``: Meta Page (and Instagram) notifications.
- ``GET /healthz``: ``ok``.

Every POST passes these gates in order, and only then is its body parsed:

1. **413** when ``Content-Length`` or the bytes actually read exceed ``watch.max_body_bytes``
   (the body is read in chunks and the read stops at the limit);
2. **415** unless the content type is ``application/json``;
3. **401** unless ``X-Hub-Signature-256`` is the HMAC-SHA256 of the raw body under the
   configured secret (constant-time comparison);
4. **400** when a GitHub delivery has no ``X-GitHub-Delivery`` or the verified body is not the
   documented shape;
5. the delivery is stored in the :class:`~auditor.service.watch.inbox.Inbox` (**503** when the
   store cannot take it, so the sender retries), then answered **202** (``accepted``), **200**
   (``duplicate``: a delivery id seen before) or **202** (``ignored``: no watched account).

Nothing is logged with a header value, a query string or a body. TLS is the reverse proxy's job
(README "Watch").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from auditor.core.errors import StoreError
from auditor.core.estate import AccountSpec
from auditor.http import signatures
from auditor.service.watch.events import WatchEvent, github_events, meta_events
from auditor.service.watch.inbox import Inbox

LOG = logging.getLogger("auditor.watch")


@dataclass(frozen=True)
class HookSecrets:
    """What the receiver verifies deliveries with (never logged)."""

    github: bytes | None = None
    """The GitHub webhook secret; None: no GitHub route."""
    meta: bytes | None = None
    """The Meta app secret; None: no Meta routes."""
    meta_verify_token: str | None = None
    """The token Meta's subscription handshake must present."""
    max_body_bytes: int = 1_048_576
    """Largest body accepted."""


@dataclass
class Tally:
    """What the receiver answered, by outcome (``accepted``, ``duplicate``, ``ignored``,
    ``unsigned``, ``forged``, ``too_large``, ``wrong_type``, ``malformed``, ``unavailable``)."""

    counts: Counter[str] = field(default_factory=Counter)
    """Deliveries by outcome."""


class _TooLarge(Exception):
    """The body passed the size limit."""


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json"


class Receiver:
    """The receiver's handlers, bound to its secrets, inbox and watch list."""

    def __init__(
        self,
        secrets: HookSecrets,
        inbox: Inbox,
        watched: Sequence[AccountSpec],
        on_accept: Callable[[], None],
    ) -> None:
        self.secrets = secrets
        self.inbox = inbox
        self.watched = tuple(watched)
        self.on_accept = on_accept
        self.tally = Tally()

    def app(self) -> Starlette:
        """The ASGI app."""
        routes = [Route("/healthz", self.health, methods=["GET"])]
        if self.secrets.github:
            routes.append(Route("/webhooks/github", self.github, methods=["POST"]))
        if self.secrets.meta:
            routes.append(Route("/webhooks/meta", self.meta_handshake, methods=["GET"]))
            routes.append(Route("/webhooks/meta", self.meta, methods=["POST"]))
        return Starlette(routes=routes)

    async def health(self, _: Request) -> Response:
        """Liveness."""
        return PlainTextResponse("ok")

    def _reject(self, outcome: str, status: int) -> Response:
        self.tally.counts[outcome] += 1
        LOG.warning("webhook delivery refused: %s (%d)", outcome, status)
        return JSONResponse({"status": outcome}, status_code=status)

    async def _verified_body(self, request: Request, secret: bytes) -> bytes | Response:
        """The raw body once it passed size, type and signature; else the refusal."""
        try:
            body = await _body(request, self.secrets.max_body_bytes)
        except _TooLarge:
            return self._reject("too_large", 413)
        if not _is_json(request):
            return self._reject("wrong_type", 415)
        header = request.headers.get("x-hub-signature-256")
        if not header:
            return self._reject("unsigned", 401)
        if not signatures.verify(secret, body, header):
            return self._reject("forged", 401)
        return body

    async def github(self, request: Request) -> Response:
        """A GitHub organization webhook delivery."""
        assert self.secrets.github is not None  # the route exists only with a secret
        body = await self._verified_body(request, self.secrets.github)
        if isinstance(body, Response):
            return body
        delivery = request.headers.get("x-github-delivery", "").strip()
        event = request.headers.get("x-github-event", "").strip()
        if not delivery or len(delivery) > 100 or not event:
            return self._reject("malformed", 400)
        try:
            events = github_events(event, json.loads(body), self.watched)
        except (ValueError, RecursionError):
            return self._reject("malformed", 400)
        return await self._store(f"github:{delivery}", events)

    async def meta_handshake(self, request: Request) -> Response:
        """Meta's subscription handshake."""
        params = request.query_params
        token = self.secrets.meta_verify_token or ""
        offered = params.get("hub.verify_token", "")
        matches = bool(token) and hmac.compare_digest(
            offered.encode("utf-8", "replace"), token.encode("utf-8")
        )
        if params.get("hub.mode") != "subscribe" or not matches:
            return self._reject("handshake_refused", 403)
        challenge = params.get("hub.challenge", "")
        if not challenge or len(challenge) > 200 or not challenge.isprintable():
            return self._reject("malformed", 400)
        LOG.info("Meta webhook subscription confirmed")
        return PlainTextResponse(challenge)

    async def meta(self, request: Request) -> Response:
        """A Meta Page notification."""
        assert self.secrets.meta is not None  # the route exists only with a secret
        body = await self._verified_body(request, self.secrets.meta)
        if isinstance(body, Response):
            return body
        try:
            events = meta_events(json.loads(body), self.watched)
        except (ValueError, RecursionError):  # JSONDecodeError and MalformedDelivery
            return self._reject("malformed", 400)
        return await self._store("meta:" + hashlib.sha256(body).hexdigest(), events)

    async def _store(self, delivery_id: str, events: Sequence[WatchEvent]) -> Response:
        if not events:
            self.tally.counts["ignored"] += 1
            return JSONResponse({"status": "ignored"}, status_code=202)
        try:
            added = await run_in_threadpool(
                self.inbox.accept, delivery_id, events, datetime.now(UTC)
            )
        except StoreError:
            return self._reject("unavailable", 503)
        if not added:
            self.tally.counts["duplicate"] += 1
            return JSONResponse({"status": "duplicate"}, status_code=200)
        self.tally.counts["accepted"] += 1
        LOG.info(
            "webhook delivery accepted: %s for %s",
            ", ".join(sorted({e.kind for e in events})),
            ", ".join(sorted({e.account_key for e in events})),
        )
        self.on_accept()
        return JSONResponse({"status": "accepted"}, status_code=202)


class ServerThread:
    """uvicorn serving an app in a background thread (signals stay with the main thread)."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="watch-receiver", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve())
        except BaseException as exc:  # isolation boundary: reported by start()
            self.error = exc

    def start(self, timeout_s: float = 10.0) -> tuple[str, int]:
        """Start serving; the bound host and port (a free one when 0 was asked)."""
        self._thread.start()
        waited = 0.0
        while not self._server.started and self._thread.is_alive() and waited < timeout_s:
            self._thread.join(0.02)
            waited += 0.02
        if not self._server.started:
            raise OSError(f"the webhook receiver could not start ({type(self.error).__name__})")
        sock = self._server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return str(host), int(port)

    def stop(self) -> None:
        """Finish the requests in flight, then stop."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
