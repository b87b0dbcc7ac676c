"""A circuit breaker per host: stop calling a source that is plainly dead.

After ``threshold`` consecutive failures against one origin (scheme, host, port) — connection
failures, timeouts, 5xx answers — the circuit *opens*: every later call of the run to that origin
fails fast with :class:`CircuitOpen` without touching the network. Once ``cooldown_s`` has
passed, one call is let through as a *half-open probe*: if it gets any answer below 500 the
circuit closes again, if it fails the circuit re-opens for another cool-down. Any answer below
500 (a 404, a 429, a 401: the host is alive) resets the count.

One :class:`Breakers` is built per run and shared by every client of the run through
:class:`auditor.http.client.HttpShared`: no module-level state. :class:`CircuitOpen` is a
:class:`~auditor.core.errors.NetworkFailure`, so each collector's existing translation turns it
into an unknown facet and a ``network`` problem, never into "not found".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from auditor.core.errors import NetworkFailure

Origin = tuple[str, str, int | None]
"""Scheme, lower-cased host and port (:func:`auditor.http.urls.origin`)."""

DEFAULT_THRESHOLD = 5
"""Consecutive failures that open a host's circuit."""

DEFAULT_COOLDOWN_S = 30.0
"""Seconds an open circuit waits before letting one probe through."""


class CircuitOpen(NetworkFailure):
    """The host failed too often in a row this run; the call was not made."""


class Admission(StrEnum):
    """What the breaker says about one call."""

    CLOSED = "closed"
    """The host is healthy (or not yet known): call it."""
    PROBE = "probe"
    """The circuit was open and its cool-down passed: this call is the one half-open probe."""
    REFUSED = "refused"
    """The circuit is open: fail fast."""


@dataclass
class _Circuit:
    """One origin's state."""

    failures: int = 0
    """Consecutive failures so far."""
    opened_at: float | None = None
    """When the circuit last opened (clock seconds); None while closed."""
    probe_at: float | None = None
    """When the half-open probe went out; a probe that never reports back (it raised before
    reaching the host) stops blocking others after another cool-down."""


class Breakers:
    """The circuits of one run, by origin (thread-safe)."""

    def __init__(
        self,
        threshold: int = DEFAULT_THRESHOLD,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError("a circuit needs a threshold of at least one failure")
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._circuits: dict[Origin, _Circuit] = {}
        self._lock = threading.Lock()

    def admit(self, origin: Origin) -> Admission:
        """Whether a call to ``origin`` may go out now."""
        with self._lock:
            circuit = self._circuits.get(origin)
            if circuit is None or circuit.opened_at is None:
                return Admission.CLOSED
            now = self._clock()
            since = circuit.opened_at if circuit.probe_at is None else circuit.probe_at
            if now - since < self.cooldown_s:
                return Admission.REFUSED
            circuit.probe_at = now
            return Admission.PROBE

    def succeeded(self, origin: Origin) -> None:
        """``origin`` answered (any status below 500): the circuit closes."""
        with self._lock:
            self._circuits.pop(origin, None)

    def failed(self, origin: Origin) -> None:
        """A connection failure, timeout or 5xx from ``origin``."""
        with self._lock:
            circuit = self._circuits.setdefault(origin, _Circuit())
            circuit.failures += 1
            if circuit.probe_at is not None or circuit.failures >= self.threshold:
                circuit.opened_at = self._clock()
                circuit.probe_at = None

    def is_open(self, origin: Origin) -> bool:
        """True while calls to ``origin`` are refused or wait for their probe."""
        with self._lock:
            circuit = self._circuits.get(origin)
            return circuit is not None and circuit.opened_at is not None

    def refusal(self, platform: str, origin: Origin) -> CircuitOpen:
        """The error a refused call raises (names the host, never a path or query)."""
        return CircuitOpen(
            f"{platform}: circuit open for {origin[1]} after {self.threshold} consecutive"
            " failures (connection, timeout or 5xx); not called again this run"
        )
