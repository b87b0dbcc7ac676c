"""The sandbox: local fake platform APIs (and a WHOIS server) serving a fictional brand estate.

``start_sandbox(world)`` starts everything on 127.0.0.1 and free ports and returns a
:class:`RunningSandbox` (a context manager) whose ``base_urls`` point collectors at it;
``serve(world, port)`` does the same in the foreground for ``brand-audit sandbox --world F``.
The demo audit, the tests and the benchmarks all run against it: real HTTP, no credentials, no
internet. Fault injection (latency, rate limits, 5xx, timeouts, broken bodies) comes from the
world's ``faults`` section or the ``faults=`` argument (which replaces the world's).
:meth:`RunningSandbox.change_world` swaps the world while serving (:mod:`auditor.sandbox.changes`
makes changed worlds), :mod:`auditor.sandbox.webhooks` delivers signed GitHub and Meta webhooks,
and :mod:`auditor.sandbox.alert_sink` is a local endpoint that records the alerts it receives.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TextIO

from auditor.sandbox.faults import Fault, FaultPlan, parse_faults
from auditor.sandbox.world import DEMO_WORLD, World, load_world

__all__ = ["DEMO_WORLD", "Fault", "RunningSandbox", "World", "load_world", "serve", "start_sandbox"]


class _Whois(Protocol):
    def start(self) -> tuple[str, int]: ...

    def stop(self) -> None: ...


class RunningSandbox:
    """A started sandbox; stop it with :meth:`stop` or by leaving the ``with`` block."""

    def __init__(self, world: World, faults: FaultPlan, port: int = 0) -> None:
        from auditor.sandbox.server import SandboxHTTPServer, mount

        self.world = world
        self._server = SandboxHTTPServer(port, mount(world), faults)
        host, bound = self._server.server_address[:2]
        self.port = int(bound)
        self.base_urls: dict[str, str] = {
            name: f"http://{host!s}:{self.port}/{name}" for name in self._server.platforms
        }
        """Base URL per config platform name (x, meta, linkedin, youtube, github ...)."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="sandbox", daemon=True
        )
        self._thread.start()
        self._whois = _start_whois(world)
        self.whois_server: str | None = None
        """``host:port`` of the WHOIS server, when the world has a ``whois`` section."""
        if self._whois is not None:
            whois_host, whois_port = self._whois.start()
            self.whois_server = f"{whois_host}:{whois_port}"

    @property
    def requests_served(self) -> int:
        """HTTP requests the server has received."""
        return self._server.requests_served

    @property
    def requests_by_platform(self) -> dict[str, int]:
        """HTTP requests received per platform prefix (``x``, ``github`` ...)."""
        return self._server.served_by_platform()

    def change_world(self, world: World) -> None:
        """Serve ``world`` from now on (the estate changes while the sandbox runs: a hijack in
        the demo, a rewritten profile in the watch benchmark); requests in flight finish on the
        old one."""
        from auditor.sandbox.server import mount

        self._server.platforms = mount(world)
        self.world = world

    @property
    def faults(self) -> FaultPlan:
        """The fault plan in force."""
        return self._server.faults

    def stop(self) -> None:
        """Stop serving and release the ports (idempotent)."""
        if self._whois is not None:
            self._whois.stop()
            self._whois = None
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _start_whois(world: World) -> _Whois | None:
    if "whois" not in world.sections:
        return None
    try:
        module = importlib.import_module("auditor.sandbox.whois_server")
    except ModuleNotFoundError as exc:
        if exc.name != "auditor.sandbox.whois_server":
            raise
        return None
    server: _Whois = module.WhoisServer(world.section("whois"))
    return server


def _world(world: Path | World, epoch: str) -> World:
    return world if isinstance(world, World) else load_world(world, epoch=epoch)


def start_sandbox(
    world: Path | World,
    *,
    faults: FaultPlan | Sequence[Fault] | Sequence[dict[str, Any]] | dict[str, Any] | None = None,
    port: int = 0,
    epoch: str = "current",
) -> RunningSandbox:
    """Start the sandbox for ``world``; ``faults`` (when given) replaces the world's faults.
    ``epoch="previous"`` serves the state the world file's ``previous`` overlay describes (see
    :mod:`auditor.sandbox.epochs`); a :class:`World` passed in is served as it is."""
    loaded = _world(world, epoch)
    plan = parse_faults(loaded.sections.get("faults") if faults is None else faults)
    return RunningSandbox(loaded, plan, port)


def serve(
    world: Path | World,
    port: int = 0,
    *,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
) -> None:
    """Run the sandbox in the foreground, printing its base URLs, until interrupted (or until
    ``stop`` is set)."""
    stream = out or sys.stdout
    sandbox = start_sandbox(world, port=port)
    try:
        for name, url in sorted(sandbox.base_urls.items()):
            stream.write(f"{name:17} {url}\n")
        if sandbox.whois_server:
            stream.write(f"{'whois':17} {sandbox.whois_server}\n")
        stream.write("Press Ctrl-C to stop.\n")
        stream.flush()
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
