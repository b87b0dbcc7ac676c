"""The coverage matrix: what the platforms do not expose at all, shown once.

A structural gap (``not_exposed``: X shows no delegates, Bluesky has no roles) is the same on
every run; it is left out of the score and out of the "could not be verified" panel, and
listed here once per platform and check, with the compensating control the company holds
instead: a person's attestation (the second factor's ``attested_on``) or the last access
review of the account, from the inventory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from auditor.core.estate import AccountSpec, Estate
from auditor.core.models import Category, Finding
from auditor.core.scoring import is_structural
from reports.rows import asset_short, platform_of
from reports.view_types import CoverageGap

ACCOUNTS_LISTED = 6
"""Accounts named per row of the matrix."""


def _control(category: Category, spec: AccountSpec | None) -> str:
    """The compensating control for a gap of ``category`` on one account."""
    if spec is None:
        return "not in the inventory"
    if category is Category.AUTH and spec.two_factor is not None:
        attested = spec.two_factor
        by = f" by {attested.attested_by}" if attested.attested_by else ""
        return f"2FA ({attested.method.value}) attested {attested.attested_on.isoformat()}{by}"
    if spec.last_access_review is not None:
        return f"access review {spec.last_access_review.isoformat()}"
    if spec.two_factor is not None:
        return f"2FA attested {spec.two_factor.attested_on.isoformat()}"
    return "none recorded"


def coverage_gaps(findings: Iterable[Finding], estate: Estate | None) -> tuple[CoverageGap, ...]:
    """One row per (platform, check) with structural not-verified results, most results
    first."""
    grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if is_structural(finding):
            grouped[(platform_of(finding.asset), finding.check_id)].append(finding)
    rows: list[CoverageGap] = []
    for (platform, check_id), items in grouped.items():
        items.sort(key=lambda f: (asset_short(f.asset), f.subject))
        controls = dict.fromkeys(
            f"{asset_short(f.asset)}: "
            + _control(f.category, estate.account(f.asset.key) if estate else None)
            for f in items
        )
        listed = list(controls)
        rows.append(
            CoverageGap(
                platform=platform,
                check_id=check_id,
                title=items[0].title,
                count=len(items),
                controls=tuple(listed[:ACCOUNTS_LISTED]),
                more=max(0, len(listed) - ACCOUNTS_LISTED),
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.count, r.platform, r.check_id)))
