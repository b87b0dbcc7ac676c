"""The report's panels: what could not be verified, how sources fared, the mute register, the
top actions and the trend of recent runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from auditor.core.completeness import SourceStatus
from auditor.core.models import (
    AuditRun,
    Finding,
    Mute,
    Severity,
    SourceProblem,
    SourceReport,
    Status,
)
from auditor.core.scoring import SEVERITY_WEIGHT, is_structural
from reports.history import SEVERITIES, RunSummary
from reports.reasons import generic_reason
from reports.rows import asset_label, platform_of
from reports.view_types import (
    Action,
    MuteLine,
    SourceLine,
    Trend,
    TrendBar,
    TrendSegment,
    UnverifiedGroup,
    UnverifiedReason,
)

KIND_WORDS = {
    "auth": "credentials rejected",
    "permission": "permission missing",
    "network": "network failure",
    "timeout": "timed out",
    "rate_limit": "rate limited",
    "server": "server error",
    "malformed": "malformed response",
    "not_found": "not found",
    "config": "not configured",
    "internal": "internal error",
}
"""Source problem kinds in words."""

TOP_ACTIONS = 5
"""How many actions the summary lists."""

ASSETS_LISTED = 10
"""Assets named per not-verified reason; the rest are counted."""

REASONS_LISTED = 8
"""Reasons listed per platform in the not-verified panel; the rest are counted (the findings
table lists every result)."""

TREND_RUNS = 12
"""Runs shown in the trend (the current one included)."""


def problem_text(problem: SourceProblem) -> str:
    """A source problem in words: ``permission missing (pages_manage): detail``."""
    kind = KIND_WORDS.get(problem.kind, problem.kind)
    scope = f" ({problem.scope})" if problem.scope else ""
    return f"{kind}{scope}: {problem.detail}"


def _problem_index(sources: Iterable[SourceReport]) -> tuple[dict[str, str], dict[str, str]]:
    per_asset: dict[str, str] = {}
    per_source: dict[str, str] = {}
    for report in sources:
        for problem in report.problems:
            if problem.asset_key is None:
                per_source.setdefault(report.name, f"{report.name} {problem_text(problem)}")
            else:
                per_asset.setdefault(problem.asset_key, f"{report.name} {problem_text(problem)}")
    return per_asset, per_source


def _reason_line(reason: str, items: list[Finding], generic: bool) -> UnverifiedReason:
    """One reason of the panel. A reason made generic (asset names taken out, so that results
    group) is shown as the concrete sentence of its first result, never with placeholders."""
    labels = sorted({asset_label(f.asset) for f in items})
    example = min(items, key=lambda f: (asset_label(f.asset), f.subject))
    return UnverifiedReason(
        reason=example.detail if generic else reason,
        count=len(items),
        checks=tuple(sorted({f.check_id for f in items})),
        assets=tuple(labels[:ASSETS_LISTED]),
        more_assets=max(0, len(labels) - ASSETS_LISTED),
    )


def unverified_groups(run: AuditRun) -> tuple[UnverifiedGroup, ...]:
    """Not-verified results by platform, then by reason: a source problem when one explains
    the gap, else the check's sentence made generic (see :func:`generic_reason`)."""
    per_asset, per_source = _problem_index(run.sources)
    grouped: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    generic: set[str] = set()
    for finding in run.findings:
        if finding.status is not Status.NOT_VERIFIED or is_structural(finding):
            continue
        reason = per_asset.get(finding.asset.key) or per_source.get(finding.evidence.source)
        if reason is None:
            reason = generic_reason(finding)
            generic.add(reason)
        grouped[platform_of(finding.asset)][reason].append(finding)
    groups: list[UnverifiedGroup] = []
    for platform, reasons in grouped.items():
        lines = [_reason_line(r, items, r in generic) for r, items in reasons.items()]
        lines.sort(key=lambda r: (-r.count, r.reason))
        rest = lines[REASONS_LISTED:]
        groups.append(
            UnverifiedGroup(
                platform,
                sum(r.count for r in lines),
                tuple(lines[:REASONS_LISTED]),
                more_reasons=len(rest),
                more_results=sum(r.count for r in rest),
            )
        )
    return tuple(sorted(groups, key=lambda g: (-g.count, g.platform)))


def source_state(report: SourceReport) -> SourceStatus:
    """How a source fared, as every report shows it (``failed`` when it was never stated)."""
    return report.status or SourceStatus.FAILED


_STATE_ORDER = {SourceStatus.FAILED: 0, SourceStatus.PARTIAL: 1, SourceStatus.COMPLETE: 2}


def source_lines(sources: Iterable[SourceReport]) -> tuple[SourceLine, ...]:
    """Each collector's outcome: failed ones first, then partial, then complete."""
    ordered = sorted(sources, key=lambda s: (_STATE_ORDER[source_state(s)], not s.problems, s.name))
    return tuple(
        SourceLine(
            name=s.name,
            status=source_state(s).value,
            problems=tuple(problem_text(p) for p in s.problems),
            requests=s.requests,
            duration=f"{s.duration_s:.1f} s",
        )
        for s in ordered
    )


def mute_lines(
    run: AuditRun, mutes: Iterable[Mute], now: datetime, warn_days: int
) -> tuple[MuteLine, ...]:
    """The mute register: given mutes plus those attached to results, soonest expiry first."""
    by_fp = {f.fingerprint: f for f in run.findings}
    known: dict[str, Mute] = {f.mute.fingerprint: f.mute for f in run.findings if f.mute}
    known.update({m.fingerprint: m for m in mutes})
    lines: list[MuteLine] = []
    for mute in known.values():
        finding = by_fp.get(mute.fingerprint)
        left = mute.expires - now
        lines.append(
            MuteLine(
                fingerprint=mute.fingerprint,
                title=f"{finding.check_id}: {finding.title}" if finding else mute.fingerprint,
                asset=asset_label(finding.asset) if finding else "",
                owner=mute.owner,
                reason=mute.reason,
                expires=mute.last_day.isoformat(),
                days_left=left.days,
                expiring_soon=timedelta(0) < left <= timedelta(days=warn_days),
                expired=not mute.active(now),
                hides_critical=finding is not None
                and finding.status is Status.MUTED
                and finding.severity is Severity.CRITICAL,
                origin=f"{mute.origin} ({mute.ticket})" if mute.origin else "",
            )
        )
    return tuple(sorted(lines, key=lambda m: (m.days_left, m.fingerprint)))


def top_actions(
    findings: Iterable[Finding], incident_checks: Collection[str] = ()
) -> tuple[Action, ...]:
    """Group open fails by check; rank incidents first (``incident_checks``: a takeover in
    progress comes before hygiene), then by worst severity, then total weight; keep five."""
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.status is Status.FAIL:
            by_check[finding.check_id].append(finding)

    def rank(items: list[Finding]) -> tuple[bool, int, float, str]:
        weight = sum(SEVERITY_WEIGHT[f.severity] for f in items)
        incident = items[0].check_id in incident_checks
        return (not incident, -max(f.severity.rank for f in items), -weight, items[0].check_id)

    actions: list[Action] = []
    for items in sorted(by_check.values(), key=rank)[:TOP_ACTIONS]:
        worst = max(items, key=lambda f: f.severity.rank)
        labels = list(dict.fromkeys(asset_label(f.asset) for f in items))
        actions.append(
            Action(
                check_id=worst.check_id,
                title=worst.title,
                severity=worst.severity.value,
                count=len(items),
                remediation=worst.remediation,
                assets=tuple(labels[:5]),
                more=max(0, len(labels) - 5),
            )
        )
    return tuple(actions)


def _segments(counts: Mapping[str, int], total_height: float, scale: float) -> list[TrendSegment]:
    segments: list[TrendSegment] = []
    top = total_height
    for severity in reversed(SEVERITIES):  # low at the bottom, critical on top
        count = int(counts.get(severity.value, 0))
        if not count:
            continue
        height = count * scale
        top -= height
        segments.append(TrendSegment(severity.value, count, round(top, 2), round(height, 2)))
    return segments


def trend(history: Sequence[RunSummary], current: RunSummary) -> Trend:
    """Stacked bars of open fails by severity for the recent full-scope runs, oldest first
    (earlier runs of some checks only would read as sudden drops: they are left out and
    counted; the current run is shown, marked, when it is scoped)."""
    others = [h for h in history if h.run_id != current.run_id]
    earlier = sorted((h for h in others if not h.scope), key=lambda h: h.finished_at)
    runs = [*earlier[-(TREND_RUNS - 1) :], current]
    days = [r.finished_at.strftime("%m-%d") for r in runs]
    same_day = len(set(days)) < len(days)
    label_format = "%m-%d %H:%M" if same_day else "%m-%d"
    width, height, gap = 600.0, 120.0, 8.0
    bar = min(48.0, (width - gap * (len(runs) + 1)) / len(runs))
    peak = max(1, *(r.open_total for r in runs))
    scale = height / peak
    bars = tuple(
        TrendBar(
            run_id=r.run_id,
            label=r.finished_at.strftime(label_format) + (" scoped" if r.scope else ""),
            x=round(gap + i * (bar + gap), 2),
            center=round(gap + i * (bar + gap) + bar / 2, 2),
            top=round(height - r.open_total * scale, 2),
            total=r.open_total,
            score="n/a" if r.risk_score is None else f"{r.risk_score:g}",
            segments=tuple(_segments(r.open_by_severity, height, scale)),
            current=r is current,
            scoped=bool(r.scope),
        )
        for i, r in enumerate(runs)
    )
    previous = bars[-2].score if len(bars) > 1 else None
    return Trend(
        width=width,
        height=height,
        bar_width=round(bar, 2),
        max_total=peak,
        bars=bars,
        previous_score=previous,
        scoped_hidden=sum(1 for h in others if h.scope),
    )
