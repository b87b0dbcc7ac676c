"""What the reliability bench tried and what held: one :class:`Tally` per item of the table.

Each item of ``bench/reliability.py`` (bad input, faults, crashes, concurrency, secrets, untrusted
content, files) fills one tally: every attempt is recorded as held or failed, and a failed attempt
keeps one line saying exactly what broke (the defect to fix). The table prints the counts; the
failure lines follow it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_EXAMPLES = 12
"""Failure lines kept per distinct reason (the count is always exact)."""


@dataclass
class Tally:
    """Attempts of one item."""

    item: str
    """Row label (``1 bad input`` ...)."""
    tried: int = 0
    """Attempts made."""
    held: int = 0
    """Attempts where every property held."""
    failures: list[str] = field(default_factory=list)
    """One line per failed attempt (at most :data:`MAX_EXAMPLES` per reason)."""
    notes: list[str] = field(default_factory=list)
    """Context for the reader (classification counts, timings)."""
    _reasons: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        """Attempts that did not hold."""
        return self.tried - self.held

    def ok(self) -> None:
        """One attempt that held."""
        self.tried += 1
        self.held += 1

    def fail(self, reason: str, example: str = "") -> None:
        """One attempt that did not hold: ``reason`` groups, ``example`` says which."""
        self.tried += 1
        seen = self._reasons.get(reason, 0)
        self._reasons[reason] = seen + 1
        if seen < MAX_EXAMPLES:
            self.failures.append(f"{reason}: {example}" if example else reason)

    def check(self, held: bool, reason: str, example: str = "") -> bool:
        """Record one attempt; returns ``held``."""
        if held:
            self.ok()
        else:
            self.fail(reason, example)
        return held

    def reasons(self) -> dict[str, int]:
        """Failure counts by reason."""
        return dict(self._reasons)


def table(tallies: Sequence[Tally]) -> str:
    """The one table: item, tried, held, failed."""
    width = max([len(t.item) for t in tallies] + [4])
    lines = [f"{'item':<{width}}  {'tried':>7}  {'held':>7}  {'failed':>7}"]
    lines.append("-" * len(lines[0]))
    for t in tallies:
        lines.append(f"{t.item:<{width}}  {t.tried:>7}  {t.held:>7}  {t.failed:>7}")
    return "\n".join(lines)


def details(tallies: Sequence[Tally]) -> str:
    """Notes and failure lines under the table."""
    out: list[str] = []
    for t in tallies:
        if t.notes:
            out.append(f"[{t.item}] " + "; ".join(t.notes))
        for reason, count in t.reasons().items():
            out.append(f"[{t.item}] FAILED x{count}: {reason}")
        for line in t.failures:
            out.append(f"    {line}")
    return "\n".join(out)
