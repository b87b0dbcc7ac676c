"""Which evidence each collector provides, in the vocabulary of a check's ``needs``.

Two uses: with ``--only``, the runner reads only the sources the selected checks need
(:func:`relevant_collectors`); after collection, :func:`collection_gaps` says what a failed or
incomplete source left undecided, so no earlier fail there is reported as resolved. A collector
not named in :data:`PROVIDES` is a platform API (``needs: platform``) whose accounts are those of
its platform (``meta`` also reads Instagram accounts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from auditor.collectors.base import Collector
from auditor.core.completeness import SourceStatus
from auditor.core.evidence import Evidence
from auditor.core.registry import CheckSpec
from auditor.engine.stamping import Gaps

PROVIDES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "directory": frozenset({"directory"}),
        "google_workspace": frozenset({"directory"}),
        "vault": frozenset({"vault", "hibp"}),
        "register": frozenset({"register"}),
        "whois": frozenset({"whois"}),
        "lookalikes": frozenset({"lookalikes"}),
        "handles": frozenset({"handles"}),
    }
)
"""The ``needs`` names each collector satisfies; any other collector is a platform API."""


def relevant_collectors(
    collectors: Sequence[Collector], selected: Sequence[CheckSpec], only: Sequence[str] | None
) -> list[Collector]:
    """With ``--only``, just the collectors whose evidence the selected checks need (all of them
    when a coverage check is selected, since it reports on every source)."""
    if not only:
        return list(collectors)
    needs = {need for spec in selected for need in spec.needs}
    if "collector" in needs:
        return list(collectors)
    platform = frozenset({"platform"})
    return [c for c in collectors if PROVIDES.get(c.name, platform) & needs]


PLATFORM_ASSETS: Mapping[str, tuple[str, ...]] = MappingProxyType({"meta": ("meta", "instagram")})
"""Platforms whose accounts a collector reads, when not just the collector's own name."""


def collection_gaps(evidence: Evidence, selected: Sequence[CheckSpec]) -> Gaps:
    """What could not be read this run (see :class:`auditor.engine.stamping.Gaps`): a source
    that failed, or reported a problem with no asset (a source-wide read such as a business's
    page listing), leaves every asset it serves undecided."""
    failed_needs: set[str] = set()
    prefixes: list[str] = []
    assets = {p.asset_key for r in evidence.sources.values() for p in r.problems if p.asset_key}
    for report in evidence.sources.values():
        failed = report.status is SourceStatus.FAILED
        if not failed and all(p.asset_key is not None for p in report.problems):
            continue  # read, or only some assets missing (those are in ``assets``)
        provides = PROVIDES.get(report.name)
        if provides is None:  # a platform API: its accounts are unknown this run
            platforms = PLATFORM_ASSETS.get(report.name, (report.name,))
            prefixes.extend(f"account:{platform}:" for platform in platforms)
        else:
            failed_needs |= provides
    checks = frozenset(s.id for s in selected if failed_needs & set(s.needs))
    return Gaps(checks=checks, assets=frozenset(assets), prefixes=tuple(prefixes))
