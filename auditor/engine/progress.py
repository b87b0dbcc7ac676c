"""Live progress of a run: what the runner reports while it collects and evaluates.

The runner talks to a :class:`Progress` (a protocol); the CLI picks the display: a rich live
table on a terminal (per-collector state and a check counter), plain log lines otherwise (cron,
CI, pipes), or nothing. Only names, counts and problem kinds are shown: never a secret, never
fetched text.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Protocol, TextIO

from auditor.core.completeness import SourceStatus

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    from auditor.core.models import SourceReport


class Progress(Protocol):
    """What the runner reports. Implementations must be thread-safe (collectors run in a pool)."""

    def collector_started(self, name: str) -> None:
        """A collector began."""

    def collector_finished(self, report: SourceReport) -> None:
        """A collector ended (``report.status`` says how it fared)."""

    def checks_started(self, total: int) -> None:
        """Evaluation began with ``total`` checks."""

    def check_finished(self, check_id: str, results: int) -> None:
        """A check produced ``results`` outcomes."""

    def done(self) -> None:
        """The run is over (close any live display)."""


class NullProgress:
    """Shows nothing."""

    def collector_started(self, name: str) -> None:
        """Ignored."""

    def collector_finished(self, report: SourceReport) -> None:
        """Ignored."""

    def checks_started(self, total: int) -> None:
        """Ignored."""

    def check_finished(self, check_id: str, results: int) -> None:
        """Ignored."""

    def done(self) -> None:
        """Ignored."""


def _state(report: SourceReport) -> str:
    kinds = ", ".join(sorted({p.kind for p in report.problems}))
    if report.status is SourceStatus.FAILED:
        return f"failed ({kinds or 'error'})"
    if report.status is SourceStatus.PARTIAL or report.problems:
        return f"partial: {len(report.problems)} problem(s) ({kinds or 'not read in full'})"
    return "complete"


class LogProgress:
    """One plain line per event, for logs and pipes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._lock = threading.Lock()
        self._checks_total = 0
        self._checks_done = 0

    def _line(self, text: str) -> None:
        with self._lock:
            print(f"brand-audit: {text}", file=self._stream, flush=True)

    def collector_started(self, name: str) -> None:
        """Log the start."""
        self._line(f"collecting {name}")

    def collector_finished(self, report: SourceReport) -> None:
        """Log the end with the state."""
        self._line(
            f"collected {report.name}: {_state(report)}, {report.requests} request(s),"
            f" {report.duration_s:.1f}s"
        )

    def checks_started(self, total: int) -> None:
        """Log the evaluation start."""
        self._checks_total = total
        self._line(f"evaluating {total} check(s)")

    def check_finished(self, check_id: str, results: int) -> None:
        """Count silently; log the total at the end."""
        self._checks_done += 1

    def done(self) -> None:
        """Log the end."""
        self._line(f"evaluated {self._checks_done}/{self._checks_total} check(s)")


class RichProgress:
    """A live table on a terminal: one row per collector, one row for checks."""

    def __init__(self, console: Console | None = None) -> None:
        from rich.console import Console
        from rich.live import Live

        self._console = console or Console(stderr=True)
        self._lock = threading.Lock()
        self._collectors: dict[str, str] = {}
        self._checks_total = 0
        self._checks_done = 0
        self._live: Live = Live(self._table(), console=self._console, refresh_per_second=8)
        self._live.start()

    def _table(self) -> Table:
        from rich.table import Table

        table = Table(title="brand-audit", show_header=True, expand=False)
        table.add_column("step")
        table.add_column("state")
        for name, state in self._collectors.items():
            table.add_row(name, state)
        if self._checks_total:
            table.add_row("checks", f"{self._checks_done}/{self._checks_total}")
        return table

    def _refresh(self) -> None:
        self._live.update(self._table())

    def collector_started(self, name: str) -> None:
        """Show the collector as running."""
        with self._lock:
            self._collectors[name] = "collecting..."
            self._refresh()

    def collector_finished(self, report: SourceReport) -> None:
        """Show the collector's state."""
        with self._lock:
            self._collectors[report.name] = f"{_state(report)} ({report.duration_s:.1f}s)"
            self._refresh()

    def checks_started(self, total: int) -> None:
        """Show the check counter."""
        with self._lock:
            self._checks_total = total
            self._refresh()

    def check_finished(self, check_id: str, results: int) -> None:
        """Advance the counter."""
        with self._lock:
            self._checks_done += 1
            self._refresh()

    def done(self) -> None:
        """Stop the live display, leaving the final table."""
        with self._lock:
            self._refresh()
            self._live.stop()


def choose_progress(stream: TextIO | None = None, *, quiet: bool = False) -> Progress:
    """Rich on a terminal, plain lines otherwise, nothing when ``quiet``."""
    target = stream or sys.stderr
    if quiet:
        return NullProgress()
    if target.isatty():
        return RichProgress()
    return LogProgress(target)
