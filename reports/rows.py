"""Findings as table rows: formatting of assets, times, evidence and facts.

:mod:`reports.table` orders the rows and groups them. Fact values are shortened and only an http(s) URL becomes a link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from auditor.core.models import Asset, AssetKind, Finding, Status
from reports.history import is_regressed
from reports.view_types import Fact, FindingRow

FACT_MAX = 300
"""Longest fact value shown (longer values are cut with an ellipsis)."""


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
    return "a-" + hashlib.sha256(asset.key.encode("utf-8")).hexdigest()[:12]


def safe_href(value: str) -> str | None:
    """The value when it is an absolute http(s) URL with a host, else None."""
    text = value.strip()
    if not text[:6].lower().startswith(("http:", "https:")):
        return None  # the common case, decided without parsing
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


def in_run(observed: datetime, run_started: datetime, run_finished: datetime | None) -> bool:
    """``observed`` lies within the run (after its start, and before its end when known)."""
    return run_started <= observed and (run_finished is None or observed <= run_finished)


def evidence_line(
    source: str, platforms: Sequence[str], change: str, first_seen: str, seen: str | None
) -> str:
    """See :attr:`FindingRow.evidence_line`; ``seen`` is None when observed during the run."""
    parts: list[str] = []
    if tuple(platforms) != (source,):
        parts.append(f"source {source}")
    if change != "new":
        parts.append(f"first seen {first_seen}")
    if seen is not None:
        parts.append(f"evidence seen {seen}")
    return " · ".join(parts)


def finding_row(
    finding: Finding, run_started: datetime, run_finished: datetime | None = None
) -> FindingRow:
    """One result as a row (``run_finished`` bounds the run, for :attr:`seen_in_run`)."""
    status = finding.status
    label = status.value.replace("_", " ")
    if status is Status.MUTED:
        label = f"muted ({finding.effective_status.value.replace('_', ' ')})"
    platforms = (platform_of(finding.asset),)
    change = change_of(finding, run_started)
    seen_in_run = in_run(finding.evidence.observed_at, run_started, run_finished)
    observed_at = when_short(finding.evidence.observed_at)
    first_seen = when_short(finding.first_seen)
    return FindingRow(
        fingerprint=finding.fingerprint,
        check_id=finding.check_id,
        title=finding.title,
        category=finding.category.value,
        severity=finding.severity.value,
        severity_rank=finding.severity.rank,
        status=status.value,
        status_label=label,
        platforms=platforms,
        filter_tokens=tokens(
            finding.severity.value, finding.category.value, platforms, status.value
        ),
        asset=asset_label(finding.asset),
        asset_short=asset_short(finding.asset),
        asset_anchor=asset_anchor(finding.asset),
        subject=finding.subject,
        detail=finding.detail,
        source=finding.evidence.source,
        observed_at=observed_at,
        seen_in_run=seen_in_run,
        evidence_line=evidence_line(
            finding.evidence.source,
            platforms,
            change,
            first_seen,
            None if seen_in_run else observed_at,
        ),
        facts=facts_of(finding),
        remediation=finding.remediation,
        first_seen=first_seen,
        change=change,
    )
