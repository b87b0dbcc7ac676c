"""Findings as table rows: formatting of assets, times and facts, and grouping of passes.

Passes are grouped into one row per check (a large estate has thousands of them), every other
result keeps its own row. Fact values are shortened and only an http(s) URL becomes a link.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from auditor.models import Asset, AssetKind, Finding, Status
from reports.history import is_regressed
from reports.view_types import Fact, FindingRow

FACT_MAX = 300
"""Longest fact value shown (longer values are cut with an ellipsis)."""

STATUS_ORDER = {Status.FAIL: 0, Status.NOT_VERIFIED: 1, Status.MUTED: 2, Status.PASS: 3}
"""Row order of statuses."""


def when(value: datetime) -> str:
    """A timestamp for people: ``2026-11-22 16:00 UTC``."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def when_short(value: datetime) -> str:
    """A compact UTC timestamp for table rows: ``2026-11-22 16:00``."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def platform_of(asset: Asset) -> str:
    """The platform label of an asset (``domain`` for domains, ``source`` for sources)."""
    if asset.kind is AssetKind.ACCOUNT:
        return asset.platform or "unknown"
    return asset.kind.value


def asset_label(asset: Asset) -> str:
    """How an asset is named in reports."""
    if asset.kind is AssetKind.ACCOUNT:
        return f"{asset.platform} {asset.handle or asset.id or '?'}"
    if asset.kind is AssetKind.DOMAIN:
        return asset.domain or "?"
    return f"{asset.kind.value} {asset.handle or '?'}"


def asset_short(asset: Asset) -> str:
    """The asset's name without its platform."""
    if asset.kind is AssetKind.ACCOUNT:
        return asset.handle or asset.id or "?"
    return asset_label(asset)


def tokens(severity: str, category: str, platforms: Iterable[str], status: str) -> str:
    """Filter tokens of a row (see :attr:`FindingRow.filter_tokens`)."""
    return " ".join(
        [f"s:{severity}", f"c:{category}", *(f"p:{p}" for p in platforms), f"t:{status}"]
    )


def asset_anchor(asset: Asset) -> str:
    """A stable, markup-safe HTML id for the asset's card (accounts and domains have cards;
    other assets get an empty anchor)."""
    if asset.kind not in (AssetKind.ACCOUNT, AssetKind.DOMAIN):
        return ""
    return "asset-" + hashlib.sha256(asset.key.encode("utf-8")).hexdigest()[:12]


def safe_href(value: str) -> str | None:
    """The value when it is an absolute http(s) URL with a host, else None."""
    text = value.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return text
    return None


def _shorten(text: str) -> str:
    return text if len(text) <= FACT_MAX else text[: FACT_MAX - 1] + "…"


def facts_of(finding: Finding) -> tuple[Fact, ...]:
    """The finding's evidence facts, shortened, URLs checked."""
    shown: list[Fact] = []
    for key, value in finding.evidence.facts.items():
        if isinstance(value, list):
            text = ", ".join("" if v is None else str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        href = safe_href(text) if isinstance(value, str) else None
        shown.append(Fact(key=str(key), text=_shorten(text), href=href))
    return tuple(shown)


def change_of(finding: Finding, run_started: datetime) -> str:
    """new, regressed, persisting or resolved."""
    return "regressed" if is_regressed(finding, run_started) else finding.change.value


def finding_row(finding: Finding, run_started: datetime) -> FindingRow:
    """One result as a row."""
    status = finding.status
    label = status.value.replace("_", " ")
    if status is Status.MUTED:
        label = f"muted ({finding.effective_status.value.replace('_', ' ')})"
    return FindingRow(
        fingerprint=finding.fingerprint,
        check_id=finding.check_id,
        title=finding.title,
        category=finding.category.value,
        severity=finding.severity.value,
        severity_rank=finding.severity.rank,
        status=status.value,
        status_label=label,
        platforms=(platform_of(finding.asset),),
        filter_tokens=tokens(
            finding.severity.value,
            finding.category.value,
            (platform_of(finding.asset),),
            status.value,
        ),
        asset=asset_label(finding.asset),
        asset_short=asset_short(finding.asset),
        asset_anchor=asset_anchor(finding.asset),
        subject=finding.subject,
        detail=finding.detail,
        source=finding.evidence.source,
        observed_at=when_short(finding.evidence.observed_at),
        facts=facts_of(finding),
        remediation=finding.remediation,
        first_seen=when_short(finding.first_seen),
        change=change_of(finding, run_started),
    )


def _pass_group(findings: Sequence[Finding]) -> FindingRow:
    first = findings[0]
    labels = sorted({asset_label(f.asset) for f in findings})
    platforms = tuple(sorted({platform_of(f.asset) for f in findings}))
    noun = "result" if len(findings) == 1 else "results"
    return FindingRow(
        fingerprint="",
        check_id=first.check_id,
        title=first.title,
        category=first.category.value,
        severity=first.severity.value,
        severity_rank=first.severity.rank,
        status=Status.PASS.value,
        status_label="pass",
        platforms=platforms,
        filter_tokens=tokens(
            first.severity.value, first.category.value, platforms, Status.PASS.value
        ),
        asset=labels[0] if len(labels) == 1 else f"{len(labels)} assets",
        asset_short=asset_short(first.asset) if len(labels) == 1 else f"{len(labels)} assets",
        asset_anchor=asset_anchor(first.asset) if len(labels) == 1 else "",
        subject="",
        detail=f"{len(findings)} passing {noun} on {len(labels)} asset(s).",
        source=first.evidence.source,
        observed_at=when_short(max(f.evidence.observed_at for f in findings)),
        facts=(),
        remediation=first.remediation,
        first_seen=when_short(min(f.first_seen for f in findings)),
        change="persisting",
        count=len(findings),
        assets=tuple(labels),
    )


def _order(finding: Finding) -> tuple[int, int, str, str, str]:
    return (
        STATUS_ORDER[finding.status],
        -finding.severity.rank,
        finding.check_id,
        finding.asset.key,
        finding.subject,
    )


def table_rows(findings: Iterable[Finding], run_started: datetime) -> tuple[FindingRow, ...]:
    """Rows worst first: fails, not verified, muted, then one grouped row per passing check."""
    single: list[Finding] = []
    passes: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.status is Status.PASS:
            passes[finding.check_id].append(finding)
        else:
            single.append(finding)
    rows = [finding_row(f, run_started) for f in sorted(single, key=_order)]
    groups = sorted(passes.values(), key=lambda g: (-g[0].severity.rank, g[0].check_id))
    rows.extend(_pass_group(g) for g in groups)
    return tuple(rows)
