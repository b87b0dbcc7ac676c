"""The findings table: rows worst first, with results grouped where one row says it all.

Passes are grouped into one row per check (a large estate has thousands of them), and so are
not-verified results of one check that share their reason (the sentence made generic, see
:func:`reports.reasons.generic_reason`), source and facts: a platform that exposes nothing
yields the same result on every account. A grouped row names its assets; every other result
keeps its own row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from auditor.core.models import Finding, Status
from reports.reasons import generic_reason
from reports.rows import (
    asset_anchor,
    asset_label,
    asset_short,
    change_of,
    evidence_line,
    facts_of,
    finding_row,
    in_run,
    platform_of,
    tokens,
    when_short,
)
from reports.view_types import FindingRow

STATUS_ORDER = {Status.FAIL: 0, Status.NOT_VERIFIED: 1, Status.MUTED: 2, Status.PASS: 3}
"""Row order of statuses."""

GroupKey = tuple[str, int, str, str, str]
"""How not-verified results group: check, severity rank, generic reason, source, facts."""


def _member(finding: Finding) -> str:
    label = asset_label(finding.asset)
    return f"{label} ({finding.subject})" if finding.subject else label


def _group_detail(findings: Sequence[Finding], assets: int) -> str:
    noun = "result" if len(findings) == 1 else "results"
    if findings[0].status is Status.PASS:
        return f"{len(findings)} passing {noun} on {assets} asset(s)."
    example = min(findings, key=lambda f: (asset_label(f.asset), f.subject))
    return f"{len(findings)} {noun} on {assets} asset(s), such as: {example.detail}"


def group_row(
    findings: Sequence[Finding], run_started: datetime, run_finished: datetime | None = None
) -> FindingRow:
    """Several results of one check and one status as one row: all passes of a check, or the
    not-verified results of a check that share their generic reason, source and facts."""
    first = findings[0]
    status = first.status
    labels = sorted({asset_label(f.asset) for f in findings})
    platforms = tuple(sorted({platform_of(f.asset) for f in findings}))
    changes = {change_of(f, run_started) for f in findings}
    change = changes.pop() if len(changes) == 1 else "persisting"
    single = len(labels) == 1
    observed_at = when_short(max(f.evidence.observed_at for f in findings))
    first_seen = when_short(min(f.first_seen for f in findings))
    seen_in_run = all(in_run(f.evidence.observed_at, run_started, run_finished) for f in findings)
    return FindingRow(
        fingerprint="",
        check_id=first.check_id,
        title=first.title,
        category=first.category.value,
        severity=first.severity.value,
        severity_rank=first.severity.rank,
        status=status.value,
        status_label=status.value.replace("_", " "),
        platforms=platforms,
        filter_tokens=tokens(first.severity.value, first.category.value, platforms, status.value),
        asset=labels[0] if single else f"{len(labels)} assets",
        asset_short=asset_short(first.asset) if single else f"{len(labels)} assets",
        asset_anchor=asset_anchor(first.asset) if single else "",
        subject="",
        detail=_group_detail(findings, len(labels)),
        source=first.evidence.source,
        observed_at=observed_at,
        seen_in_run=seen_in_run,
        evidence_line=evidence_line(
            first.evidence.source,
            platforms,
            change,
            first_seen,
            None if seen_in_run else observed_at,
        ),
        facts=facts_of(first) if status is not Status.PASS else (),
        remediation=first.remediation,
        first_seen=first_seen,
        change=change,
        count=len(findings),
        assets=tuple(labels)
        if status is Status.PASS
        else tuple(sorted({_member(f) for f in findings})),
    )


def _order(finding: Finding) -> tuple[int, int, str, str, str]:
    return (
        STATUS_ORDER[finding.status],
        -finding.severity.rank,
        finding.check_id,
        finding.asset.key,
        finding.subject,
    )


def _unverified_key(finding: Finding) -> GroupKey:
    facts = repr(sorted(finding.evidence.facts.items(), key=lambda kv: kv[0]))
    return (
        finding.check_id,
        finding.severity.rank,
        generic_reason(finding),
        finding.evidence.source,
        facts,
    )


def table_rows(
    findings: Iterable[Finding], run_started: datetime, run_finished: datetime | None = None
) -> tuple[FindingRow, ...]:
    """Rows worst first: fails, not verified, muted, then one grouped row per passing check.

    ``run_finished`` bounds the run (see :attr:`FindingRow.seen_in_run`).
    """
    single: list[Finding] = []
    unverified: dict[GroupKey, list[Finding]] = defaultdict(list)
    passes: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.status is Status.PASS:
            passes[finding.check_id].append(finding)
        elif finding.status is Status.NOT_VERIFIED:
            unverified[_unverified_key(finding)].append(finding)
        else:
            single.append(finding)
    grouped: list[tuple[Finding, FindingRow]] = []
    for group in unverified.values():
        if len(group) == 1:
            single.append(group[0])
        else:
            ordered = sorted(group, key=_order)
            grouped.append((ordered[0], group_row(ordered, run_started, run_finished)))
    keyed = [(f, finding_row(f, run_started, run_finished)) for f in single]
    keyed.extend(grouped)
    keyed.sort(key=lambda pair: _order(pair[0]))
    rows = [row for _, row in keyed]
    groups = sorted(passes.values(), key=lambda g: (-g[0].severity.rank, g[0].check_id))
    rows.extend(group_row(g, run_started, run_finished) for g in groups)
    return tuple(rows)
