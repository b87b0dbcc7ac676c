"""Fault injection for the sandbox: latency, rate limits, 5xx, timeouts, broken bodies.

A world file's ``faults`` section (or the ``faults=`` argument of ``start_sandbox``, which then
replaces the world's) lists rules::

    faults:
      seed: 7                      # RNG seed for probabilistic rules (default 0)
      rules:
        - platform: x              # a route prefix, or "*" (default) for every platform
          path: "^/2/users/\\d+/tweets$"   # optional regex over the path after the prefix
          kind: rate_limit         # latency | rate_limit | server_error | timeout |
                                   # disconnect | malformed | truncated | unauthorized |
                                   # forbidden
          probability: 0.1         # or: every: 3 (every 3rd matching request); neither: always
          times: 2                 # optional cap on how often the rule fires
          latency_ms: 50           # latency: the delay
          retry_after_s: 1         # rate_limit: what the platform's 429 announces
          status: 503              # server_error: the status (default 503)
          seconds: 1.5             # timeout: how long to stall before closing (default 2.0)

A bare list of rules is accepted too. ``latency`` rules add delay and let the request continue;
every other kind answers the request instead of the route (the first one that fires wins).
``disconnect`` closes the connection without an answer (the client sees a reset);
``unauthorized`` and ``forbidden`` answer 401 and 403 with a JSON error body (a token revoked
mid-run, a scope withdrawn).
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.core.errors import InputFileError


class FaultKind(StrEnum):
    """What a fault does to a request."""

    LATENCY = "latency"
    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    DISCONNECT = "disconnect"
    MALFORMED = "malformed"
    TRUNCATED = "truncated"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class Fault:
    """One fault rule."""

    kind: FaultKind
    """What it does."""
    platform: str = "*"
    """Route prefix it applies to, or ``*``."""
    path: str | None = None
    """Regex (search) over the path after the prefix; None for every path."""
    probability: float | None = None
    """Fire with this probability (seeded RNG)."""
    every: int | None = None
    """Fire on every Nth matching request."""
    times: int | None = None
    """Fire at most this many times."""
    latency_ms: int = 0
    """Delay for latency faults."""
    retry_after_s: int = 1
    """What a rate-limit fault announces."""
    status: int = 503
    """Status of a server-error fault."""
    seconds: float = 2.0
    """How long a timeout fault stalls before closing the connection."""

    def applies(self, platform: str, path: str) -> bool:
        """True when the rule covers this request."""
        if self.platform not in ("*", platform):
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass
class FaultPlan:
    """The rules in force, their counters, and the seeded RNG (thread-safe)."""

    rules: tuple[Fault, ...] = ()
    """Rules in order."""
    seed: int = 0
    """RNG seed."""
    _seen: dict[int, int] = field(default_factory=dict)
    _fired: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311 - reproducible test faults, not crypto

    @property
    def fired(self) -> int:
        """How many times any rule has fired so far."""
        with self._lock:
            return sum(self._fired.values())

    def decide(self, platform: str, path: str) -> tuple[int, Fault | None]:
        """Total injected latency (ms) and the terminal fault, if any, for one request."""
        latency = 0
        terminal: Fault | None = None
        with self._lock:
            for index, rule in enumerate(self.rules):
                terminal_taken = terminal is not None and rule.kind is not FaultKind.LATENCY
                if terminal_taken or not rule.applies(platform, path):
                    continue
                if not self._fires(index, rule):
                    continue
                if rule.kind is FaultKind.LATENCY:
                    latency += rule.latency_ms
                elif terminal is None:
                    terminal = rule
        return latency, terminal

    def _fires(self, index: int, rule: Fault) -> bool:
        if rule.times is not None and self._fired.get(index, 0) >= rule.times:
            return False
        seen = self._seen[index] = self._seen.get(index, 0) + 1
        if rule.every is not None:
            fired = seen % rule.every == 0
        elif rule.probability is not None:
            fired = self._rng.random() < rule.probability
        else:
            fired = True
        if fired:
            self._fired[index] = self._fired.get(index, 0) + 1
        return fired


def parse_faults(raw: Any, where: str = "faults") -> FaultPlan:
    """A :class:`FaultPlan` from a world's ``faults`` section, a rule list, or Fault values."""
    if raw is None:
        return FaultPlan()
    if isinstance(raw, FaultPlan):
        return raw
    seed = 0
    rules_raw: Any = raw
    if isinstance(raw, Mapping):
        seed = int(raw.get("seed", 0))
        rules_raw = raw.get("rules") or []
    if not isinstance(rules_raw, Sequence) or isinstance(rules_raw, str):
        raise InputFileError("expected a list of fault rules", field=where)
    rules = tuple(
        rule if isinstance(rule, Fault) else _rule(rule, f"{where}.{i}")
        for i, rule in enumerate(rules_raw)
    )
    return FaultPlan(rules=rules, seed=seed)


_FIELDS = {
    "platform": str,
    "path": str,
    "probability": float,
    "every": int,
    "times": int,
    "latency_ms": int,
    "retry_after_s": int,
    "status": int,
    "seconds": float,
}


def _rule(raw: Any, where: str) -> Fault:
    if not isinstance(raw, Mapping):
        raise InputFileError("expected a mapping", field=where)
    try:
        kind = FaultKind(str(raw.get("kind")))
    except ValueError:
        expected = ", ".join(k.value for k in FaultKind)
        raise InputFileError(f"expected kind to be one of {expected}", field=where) from None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "kind":
            continue
        if key not in _FIELDS:
            raise InputFileError("unknown field", field=f"{where}.{key}")
        try:
            values[key] = _FIELDS[key](value)
        except (TypeError, ValueError):
            raise InputFileError(
                f"expected a {_FIELDS[key].__name__}", field=f"{where}.{key}"
            ) from None
    if values.get("every") is not None and values["every"] < 1:
        raise InputFileError("expected every >= 1", field=f"{where}.every")
    return Fault(kind=kind, **values)
