"""python-whois's parser under a time bound, in worker processes.

python-whois's TLD parsers are regular expressions; some backtrack catastrophically on real
replies (its .jp contact patterns take over a minute on a 932-character JPRS reply with blank
contact fields), and some raise on replies they did not expect (IndexError on .sg). A thread
cannot be stopped, so each parse runs in a worker process: :class:`BoundedParser` keeps a few
workers alive (spawned on first use, so the interpreter's threads are never forked) and hands
each parse to an idle one; a parse that exceeds ``limit_s`` kills its worker (a fresh one
replaces it on the next parse) and is :class:`ParseOutcome` ``timeout``. Every outcome is a
value, never an exception: ``fields`` (the python-whois dict), ``not_found`` (python-whois raised
``WhoisDomainNotFoundError``, which the caller does not trust on its own), ``failed`` (any other
exception, named) or ``timeout``.
"""

from __future__ import annotations

import multiprocessing
import queue
import re
import threading
import time
import weakref
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

STARTUP_LIMIT_S = 30.0
"""How long a new worker may take to import python-whois and report ready."""


@dataclass(frozen=True)
class ParseOutcome:
    """What python-whois made of one reply."""

    kind: str
    """``fields``, ``not_found``, ``failed`` or ``timeout``."""
    fields: dict[str, Any] = field(default_factory=dict)
    """python-whois's fields (``kind == "fields"``)."""
    detail: str = ""
    """The exception type for ``failed``, the bound for ``timeout``."""
    seconds: float = 0.0
    """Wall time of the parse in the worker (excluding worker start-up)."""


_JP_CONTACT_ANCHOR = re.compile(
    r"^(?:[a-z]\.\s*)?\[(?:Administrative|Technical) Contact\].*$|^Contact Information:.*$",
    re.I | re.M,
)
"""The lines python-whois's .jp contact patterns start from: from there they scan every later
line with a nested quantifier, which backtracks catastrophically when the wanted field is blank
or absent (77-86 s on a real 932-character JPRS reply)."""


def precheck(domain: str, text: str) -> str:
    """The text python-whois may safely be given: .jp replies lose their contact anchors
    (the contact fields are not used; every registration field is still there)."""
    if domain.rstrip(".").lower().endswith(".jp"):
        return _JP_CONTACT_ANCHOR.sub("", text)
    return text


def parse_in_process(domain: str, text: str) -> ParseOutcome:
    """One python-whois parse, in the calling process (what a worker runs)."""
    from whois.exceptions import WhoisDomainNotFoundError
    from whois.parser import WhoisEntry

    started = time.perf_counter()
    try:
        entry = WhoisEntry.load(domain, precheck(domain, text))
    except WhoisDomainNotFoundError:
        return ParseOutcome("not_found", seconds=time.perf_counter() - started)
    except Exception as exc:
        detail = type(exc).__name__
        return ParseOutcome("failed", detail=detail, seconds=time.perf_counter() - started)
    fields = {str(k): v for k, v in dict(entry).items()}
    return ParseOutcome("fields", fields, seconds=time.perf_counter() - started)


def _serve(conn: Connection) -> None:
    """Worker loop: answer ``(domain, text)`` requests until the pipe closes."""
    import whois.parser  # noqa: F401 (import before reporting ready: startup is not parse time)

    conn.send("ready")
    while True:
        try:
            domain, text = conn.recv()
        except EOFError:
            return
        conn.send(parse_in_process(domain, text))


class _Worker:
    """One worker process and its pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        try:
            ready = self.conn.poll(STARTUP_LIMIT_S) and self.conn.recv() == "ready"
        except (OSError, EOFError):
            ready = False
        if not ready:
            self.stop()
            raise OSError("python-whois worker did not start")

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


_REPLACING: Any = object()
"""Marks a slot whose worker is being replaced in the background."""


class BoundedParser:
    """python-whois parses in up to ``workers`` processes, each bounded by ``limit_s``."""

    def __init__(self, limit_s: float = 0.5, workers: int = 2) -> None:
        self.limit_s = limit_s
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(max(1, workers)):
            self._idle.put(None)  # a slot; its worker starts on first use
        self._lock = threading.Lock()
        self._warmed = False
        weakref.finalize(self, _stop_idle, self._idle)

    def _warm(self) -> None:
        """On first use, start every slot's worker in the background (a parse then waits for
        a ready worker instead of paying for a start-up inside its own time bound)."""
        with self._lock:
            if self._warmed:
                return
            self._warmed = True
            empty = 0
            while True:
                try:
                    slot = self._idle.get_nowait()
                except queue.Empty:
                    break
                if slot is None:
                    empty += 1
                else:
                    self._idle.put(slot)
                    break
            for _ in range(empty):
                threading.Thread(target=self._replace, daemon=True).start()

    def parse(self, domain: str, text: str) -> ParseOutcome:
        """python-whois's reading of ``text``; never raises for anything the parser does."""
        self._warm()
        slot = self._idle.get()
        worker: _Worker | None = slot
        try:
            if worker is None:
                worker = _Worker()
            worker.conn.send((domain, text))
            if not worker.conn.poll(self.limit_s):
                worker.stop()
                worker = _REPLACING  # a fresh worker takes the slot when it is ready
                threading.Thread(target=self._replace, daemon=True).start()
                return ParseOutcome(
                    "timeout", detail=f"over {self.limit_s:g} s", seconds=self.limit_s
                )
            outcome = worker.conn.recv()
            if not isinstance(outcome, ParseOutcome):
                raise OSError("python-whois worker sent an unexpected answer")
            return outcome
        except (OSError, EOFError) as exc:  # the worker died or could not start
            if worker is not None:
                worker.stop()
                worker = None
            return ParseOutcome("failed", detail=f"worker: {type(exc).__name__}")
        finally:
            if worker is not _REPLACING:
                self._idle.put(worker)

    def _replace(self) -> None:
        """Start a worker in the background for the slot a stopped one left."""
        try:
            self._idle.put(_Worker())
        except OSError:
            self._idle.put(None)  # the next parse tries again

    def close(self) -> None:
        """Stop the idle workers (a later parse starts new ones)."""
        with self._lock:
            self._warmed = False
        _stop_idle(self._idle)


def _stop_idle(idle: queue.LifoQueue[_Worker | None]) -> None:
    """Stop every idle worker and leave an empty slot in its place (also run when the parser
    is garbage-collected, so a long-running service does not collect worker processes)."""
    stopped = 0
    while True:
        try:
            worker = idle.get_nowait()
        except queue.Empty:
            break
        if worker is not None:
            worker.stop()
        stopped += 1
    for _ in range(stopped):
        idle.put(None)
