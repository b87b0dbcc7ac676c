"""The report view model: one :class:`~reports.view_types.ReportView` computed once per run.

:func:`build_view` does all counting, filtering, grouping and ordering, so the HTML report, the
leadership email and any other renderer only turn the same numbers into text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from auditor.core.estate import Estate
from auditor.core.evidence import Evidence
from auditor.core.models import AuditRun, Change, Mute, Status
from auditor.core.scoring import FORMULA, risk_band
from reports.cards import asset_cards
from reports.coverage import coverage_gaps
from reports.history import SEVERITIES, STATUSES, RunSummary, count_run, summarize
from reports.incidents import incidents_of
from reports.panels import mute_lines, source_lines, top_actions, trend, unverified_groups
from reports.rows import finding_row, when
from reports.table import table_rows
from reports.view_types import FilterOptions, FindingRow, Listing, ReportView

URGENT_RANK = 3
"""Severity rank from which a new fail leads the leadership email (high and critical)."""

MUTE_WARNING_DAYS = 14
"""A mute expiring within this many days is flagged as expiring soon."""


def _duration(run: AuditRun) -> str:
    seconds = max(0.0, (run.finished_at - run.started_at).total_seconds())
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _filters(rows: Iterable[FindingRow]) -> FilterOptions:
    severities: set[str] = set()
    categories: set[str] = set()
    platforms: set[str] = set()
    statuses: set[str] = set()
    for row in rows:
        severities.add(row.severity)
        categories.add(row.category)
        platforms.update(row.platforms)
        statuses.add(row.status)
    return FilterOptions(
        severities=tuple(s.value for s in SEVERITIES if s.value in severities),
        categories=tuple(sorted(categories)),
        platforms=tuple(sorted(platforms)),
        statuses=tuple(s.value for s in STATUSES if s.value in statuses),
    )


def _changes(
    run: AuditRun,
) -> tuple[tuple[FindingRow, ...], tuple[FindingRow, ...], tuple[FindingRow, ...]]:
    new = [f for f in run.findings if f.status is Status.FAIL and f.change is Change.NEW]
    resolved = [f for f in run.findings if f.change is Change.RESOLVED]
    order = sorted(new, key=lambda f: (-f.severity.rank, f.check_id, f.asset.key, f.subject))
    new_rows = tuple(finding_row(f, run.started_at) for f in order)
    regressed = tuple(r for r in new_rows if r.change == "regressed")
    resolved_rows = tuple(
        finding_row(f, run.started_at)
        for f in sorted(resolved, key=lambda f: (-f.severity.rank, f.check_id, f.asset.key))
    )
    return new_rows, regressed, resolved_rows


def build_view(
    run: AuditRun,
    history: Sequence[RunSummary] = (),
    mutes: Iterable[Mute] = (),
    *,
    estate: Estate | None = None,
    evidence: Evidence | None = None,
    now: datetime | None = None,
) -> ReportView:
    """Compute everything the reports show about ``run``.

    ``history`` holds summaries of earlier runs of the same estate (any order; the current run
    is added from ``run`` itself). ``mutes`` are the store's mutes (the register also lists the
    mutes attached to results). ``estate`` and ``evidence`` enrich the account cards (owner,
    role holders, second factor); without them the cards say what is unknown. ``now`` (default:
    the run's end) decides which mutes expire soon.
    """
    moment = now or run.finished_at
    counts = count_run(run)
    rows = table_rows(run.findings, run.started_at, run.finished_at)
    new, regressed, resolved = _changes(run)
    mute_register = mute_lines(run, mutes, moment, MUTE_WARNING_DAYS)
    incidents = incidents_of(run)
    return ReportView(
        estate=run.estate_name,
        run_id=run.id,
        started_at=when(run.started_at),
        finished_at=when(run.finished_at),
        duration=_duration(run),
        tool_version=run.tool_version,
        config_digest=run.config_digest[:12],
        previous_run_id=run.previous_run_id or "",
        counts=counts,
        score_band=risk_band(counts.risk_score),
        score_formula=FORMULA,
        severity_table=tuple(
            (s.value, counts.open_by_severity[s.value], counts.not_verified_by_severity[s.value])
            for s in SEVERITIES
        ),
        new=Listing(new),
        new_urgent=Listing(tuple(r for r in new if r.severity_rank >= URGENT_RANK)),
        regressed=Listing(regressed),
        resolved=Listing(resolved),
        trend=trend(history, summarize(run, counts)),
        unverified=unverified_groups(run),
        sources=source_lines(run.sources),
        cards=Listing(tuple(asset_cards(run, estate, evidence))),
        rows=Listing(tuple(rows)),
        filters=_filters(rows),
        mutes=Listing(tuple(mute_register)),
        actions=top_actions(run.findings, {i.check_id for i in incidents}),
        check_ids=tuple(sorted({f.check_id for f in run.findings})),
        incidents=Listing(incidents),
        coverage=coverage_gaps(run.findings, estate),
        active_mutes=sum(1 for m in mute_register if not m.expired),
        notable_mutes=Listing(
            tuple(
                m for m in mute_register if not m.expired and (m.expiring_soon or m.hides_critical)
            )
        ),
    )
