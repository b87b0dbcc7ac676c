"""The overall risk score of a run: one number from 0 (nothing open) to 100 (saturated).

The formula is printed in every report next to the score, so a reader can recompute it:

* each open failing result weighs by its severity: critical 10, high 5, medium 2, low 1;
* each ``not_verified`` result weighs half of that (unknown is not safe, but is not a proven
  failure either); passes and muted results weigh nothing;
* the weighted sum ``R`` is divided by the number of assets audited ``A`` (at least 1), giving a
  load per asset ``L = R / A``;
* ``score = 100 × L / (L + 10)``: one open critical per asset scores 50, three score 75, and the
  score never exceeds 100, so estates of any size compare.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.core.models import Finding, Severity, Status

SEVERITY_WEIGHT: dict[Severity, float] = {
    Severity.CRITICAL: 10.0,
    Severity.HIGH: 5.0,
    Severity.MEDIUM: 2.0,
    Severity.LOW: 1.0,
}
"""Weight of one open failing result by severity."""

NOT_VERIFIED_FACTOR = 0.5
"""Share of the weight a ``not_verified`` result carries."""

SATURATION = 10.0
"""The per-asset load at which the score reaches 50."""

FORMULA = (
    "score = 100 × L / (L + 10), where L = (Σ open fails × weight + 0.5 × Σ not verified × "
    "weight) / assets audited; weights: critical 10, high 5, medium 2, low 1; passes and muted "
    "results count 0. One open critical per asset scores 50."
)
"""The formula in one sentence, for reports."""


def weighted_load(findings: Iterable[Finding]) -> float:
    """The weighted sum ``R`` of open fails and (partially) not-verified results."""
    total = 0.0
    for finding in findings:
        if finding.status is Status.FAIL:
            total += SEVERITY_WEIGHT[finding.severity]
        elif finding.status is Status.NOT_VERIFIED:
            total += SEVERITY_WEIGHT[finding.severity] * NOT_VERIFIED_FACTOR
    return total


def risk_score(findings: Iterable[Finding], asset_count: int) -> float:
    """The score from 0 to 100, rounded to one decimal."""
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
