"""A local endpoint that records the alerts it receives (Apprise ``json://`` posts).

``AlertSink`` serves on 127.0.0.1 and a free port; point Apprise at ``sink.apprise_url``
(``json://127.0.0.1:PORT/alerts``). Each POST body is kept (parsed as JSON when it is JSON) with
the monotonic time it arrived, so the demo can show the alert and the benchmark can time it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MAX_BODY = 1_048_576
"""Largest alert kept."""


@dataclass(frozen=True)
class Received:
    """One alert as it arrived."""

    at: float
    """``time.monotonic()`` on arrival."""
    message: dict[str, Any]
    """The JSON body (Apprise's ``title``, ``message``, ``type`` ...)."""

    @property
    def text(self) -> str:
        """Title and message in one string."""
        return f"{self.message.get('title', '')}\n{self.message.get('message', '')}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.lock = threading.Condition()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY))
        try:
            message = json.loads(body)
        except ValueError:
            message = {"message": body.decode("utf-8", "replace")}
        with self.server.lock:
            self.server.received.append(
                Received(
                    time.monotonic(), message if isinstance(message, dict) else {"message": message}
                )
            )
            self.server.lock.notify_all()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class AlertSink:
    """The running endpoint (a context manager)."""

    def __init__(self) -> None:
        self._server = _Server()
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def apprise_url(self) -> str:
        """The Apprise URL that posts here."""
        return f"json://127.0.0.1:{self.port}/alerts"

    @property
    def received(self) -> list[Received]:
        """Every alert so far."""
        with self._server.lock:
            return list(self._server.received)

    def wait_for(self, needle: str, timeout_s: float) -> Received | None:
        """The first alert whose text contains ``needle``, waiting up to ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._server.lock:
            while True:
                for item in self._server.received:
                    if needle in item.text:
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._server.lock.wait(left)

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> AlertSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
