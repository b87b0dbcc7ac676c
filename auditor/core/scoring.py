"""The overall risk score of a run: one number from 0 (nothing open) to 100 (saturated).

The formula is printed in every report next to the score, so a reader can recompute it:

* each open failing result weighs by its severity: critical 10, high 5, medium 2, low 1;
* each *actionable* ``not_verified`` result (the evidence could not be read this time) weighs
  half of that: unknown is not safe, but is not a proven failure either;
* *structural* unknowns (the platform does not expose the fact at all: X shows no delegates,
  Bluesky has no roles) weigh nothing: no action of the team can change them, so they would
  only hold the score up forever. Reports list them once, in the coverage matrix, with the
  compensating control (an attestation) instead;
* passes and muted results weigh nothing;
* the weighted sum ``R`` is divided by the number of assets audited ``A`` (accounts,
  businesses and domains; never the evidence sources; at least 1), giving a load per asset
  ``L = R / A``;
* ``score = 100 × L / (L + 10)``: one open critical per asset scores 50, three score 75, and the
  score never exceeds 100, so estates of any size compare.

The store keeps each run's score (:mod:`auditor.store.database`), so a trend reads it back
rather than recomputing it with today's formula.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.core.completeness import Coverage
from auditor.core.models import Asset, AssetKind, Finding, Severity, Status

SEVERITY_WEIGHT: dict[Severity, float] = {
    Severity.CRITICAL: 10.0,
    Severity.HIGH: 5.0,
    Severity.MEDIUM: 2.0,
    Severity.LOW: 1.0,
}
"""Weight of one open failing result by severity."""

NOT_VERIFIED_FACTOR = 0.5
"""Share of the weight an actionable ``not_verified`` result carries."""

SATURATION = 10.0
"""The per-asset load at which the score reaches 50."""

AUDITED_KINDS = frozenset({AssetKind.ACCOUNT, AssetKind.DOMAIN, AssetKind.ORGANIZATION})
"""Assets the denominator counts: accounts, businesses (organizations) and domains."""

COMPLETENESS_FACT = "completeness"
"""The evidence fact in which a check states the completeness a ``not_verified`` rests on
(:class:`~auditor.core.completeness.Coverage` value, or ``Completeness.describe()`` text)."""

FORMULA = (
    "score = 100 × L / (L + 10), where L = (Σ open fails × weight + 0.5 × Σ actionable not "
    "verified × weight) / assets audited (accounts, businesses, domains); weights: critical 10, "
    "high 5, medium 2, low 1; passes, muted results and structural gaps (not exposed by the "
    "platform) count 0. One open critical per asset scores 50."
)
"""The formula in one sentence, for reports."""


def is_structural(finding: Finding) -> bool:
    """A ``not_verified`` result resting on a platform limit (``not_exposed``), not on a
    failure to read this time."""
    if finding.effective_status is not Status.NOT_VERIFIED:
        return False
    stated = finding.evidence.facts.get(COMPLETENESS_FACT)
    if not isinstance(stated, str):
        return False
    return stated == Coverage.NOT_EXPOSED.value or stated.startswith("not exposed")


def audited_assets(assets: Iterable[Asset]) -> int:
    """How many accounts, businesses and domains a run audited (sources not counted)."""
    return sum(1 for asset in assets if asset.kind in AUDITED_KINDS)


def weighted_load(findings: Iterable[Finding]) -> float:
    """The weighted sum ``R`` of open fails and (partially) actionable not-verified results."""
    total = 0.0
    for finding in findings:
        if finding.status is Status.FAIL:
            total += SEVERITY_WEIGHT[finding.severity]
        elif finding.status is Status.NOT_VERIFIED and not is_structural(finding):
            total += SEVERITY_WEIGHT[finding.severity] * NOT_VERIFIED_FACTOR
    return total


def risk_score(findings: Iterable[Finding], asset_count: int) -> float:
    """The score from 0 to 100, rounded to one decimal (``asset_count``: see
    :func:`audited_assets`)."""
    load = weighted_load(findings) / max(1, asset_count)
    return round(100.0 * load / (load + SATURATION), 1)


def risk_band(score: float) -> str:
    """A word for the score: low, moderate, high or severe."""
    if score < 10:
        return "low"
    if score < 35:
        return "moderate"
    if score < 60:
        return "high"
    return "severe"
