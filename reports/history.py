"""Counts of one run and the summaries of recent runs that feed the report's trend.

:func:`count_run` is THE one place where a run's results are counted (by status, open fails
and not-verified results by severity, new / resolved / regressed, risk score). The view model,
the trend and the JSON report's summary all read it, so the numbers agree everywhere.

A history entry is a :class:`RunSummary`. The store keeps per-run counts as JSON (``status``,
``open_by_severity``, ``change``); :meth:`RunSummary.from_counts` reads that shape, and
:func:`summarize` builds one from a finished :class:`~auditor.core.models.AuditRun`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.core.models import AuditRun, Change, Finding, Severity, Status
from auditor.core.scoring import audited_assets, risk_score

SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
"""Severities from the worst down, the order every report lists them in."""

STATUSES = (Status.FAIL, Status.NOT_VERIFIED, Status.MUTED, Status.PASS)
"""Statuses in report order."""


def is_regressed(finding: Finding, run_started: datetime) -> bool:
    """Failing again: new relative to the previous run, but first seen failing before it.

    The runner stamps ``first_seen`` with the earliest time the fingerprint was seen in the same
    status family anywhere in the history, so a new fail that was first seen before this run
    started had been resolved earlier and now fails again.
    """
    return (
        finding.change is Change.NEW
        and finding.status is Status.FAIL
        and finding.first_seen < run_started
    )


@dataclass(frozen=True)
class RunCounts:
    """Everything counted about one run, computed once by :func:`count_run`."""

    by_status: Mapping[str, int]
    """Results by status (``fail``, ``not_verified``, ``muted``, ``pass``), zeros included."""
    open_by_severity: Mapping[str, int]
    """Unmuted failing results by severity, zeros included."""
    not_verified_by_severity: Mapping[str, int]
    """Not-verified results by severity, zeros included."""
    new: int
    """Failing results that did not fail in the previous run (regressions included)."""
    resolved: int
    """Results that failed in the previous run and no longer fail."""
    regressed: int
    """Failing results that had been resolved earlier and fail again."""
    assets: int
    """Assets the run looked at."""
    risk_score: float
    """See :mod:`reports.scoring`."""

    @property
    def open_total(self) -> int:
        """All unmuted failing results."""
        return sum(self.open_by_severity.values())


def count_run(run: AuditRun) -> RunCounts:
    """Count a run's results once."""
    by_status = {s.value: 0 for s in STATUSES}
    open_sev = {s.value: 0 for s in SEVERITIES}
    nv_sev = {s.value: 0 for s in SEVERITIES}
    new = resolved = regressed = 0
    for finding in run.findings:
        by_status[finding.status.value] += 1
        if finding.change is Change.RESOLVED:
            resolved += 1
        if finding.status is Status.FAIL:
            open_sev[finding.severity.value] += 1
            if finding.change is Change.NEW:
                new += 1
                regressed += is_regressed(finding, run.started_at)
        elif finding.status is Status.NOT_VERIFIED:
            nv_sev[finding.severity.value] += 1
    return RunCounts(
        by_status=by_status,
        open_by_severity=open_sev,
        not_verified_by_severity=nv_sev,
        new=new,
        resolved=resolved,
        regressed=regressed,
        assets=audited_assets(run.assets),
        risk_score=risk_score(run.findings, audited_assets(run.assets)),
    )


@dataclass(frozen=True)
class RunSummary:
    """One earlier run as the trend shows it."""

    run_id: str
    """The run's id."""
    finished_at: datetime
    """When it finished."""
    open_by_severity: Mapping[str, int]
    """Unmuted failing results by severity (missing severities count 0)."""
    by_status: Mapping[str, int]
    """Results by status (missing statuses count 0)."""
    new: int = 0
    """New results in that run."""
    resolved: int = 0
    """Resolved results in that run."""
    risk_score: float | None = None
    """Its risk score, when known (stored with the run)."""
    scope: tuple[str, ...] = ()
    """What ``--only`` named; empty for a full-scope run."""

    @property
    def open_total(self) -> int:
        """All unmuted failing results."""
        return sum(self.open_by_severity.values())

    @classmethod
    def from_counts(
        cls, run_id: str, finished_at: datetime, counts: Mapping[str, Any]
    ) -> RunSummary:
        """Read the store's per-run counts (``status``, ``open_by_severity``, ``change``, and
        optionally ``risk_score``); unknown or malformed parts count as zero."""
        change = _int_map(counts.get("change"))
        score = counts.get("risk_score")
        scope = counts.get("scope")
        return cls(
            run_id=run_id,
            finished_at=finished_at,
            open_by_severity=_int_map(counts.get("open_by_severity")),
            by_status=_int_map(counts.get("status")),
            new=change.get(Change.NEW.value, 0),
            resolved=change.get(Change.RESOLVED.value, 0),
            risk_score=float(score) if isinstance(score, int | float) else None,
            scope=tuple(str(s) for s in scope) if isinstance(scope, list) else (),
        )


def _int_map(value: object) -> dict[str, int]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): int(v) for k, v in value.items() if isinstance(v, int)}


def summarize(run: AuditRun, counts: RunCounts | None = None) -> RunSummary:
    """The history entry for a finished run."""
    counted = counts or count_run(run)
    return RunSummary(
        run_id=run.id,
        finished_at=run.finished_at,
        open_by_severity=dict(counted.open_by_severity),
        by_status=dict(counted.by_status),
        new=counted.new,
        resolved=counted.resolved,
        risk_score=counted.risk_score,
        scope=run.scope,
    )
