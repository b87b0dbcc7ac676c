"""Which collectors a run needs, and what a failed source left undecided.

With ``--only``, the runner reads only the collectors whose declared capabilities
(:mod:`auditor.core.capabilities`) provide a facet the selected checks read
(:func:`relevant_collectors`): ``CheckSpec.facets``, or for a check that does not declare them
yet, its ``needs`` in facet terms (:data:`NEEDS_FACETS`). After collection,
:func:`collection_gaps` says what a failed source left undecided, so no earlier fail there is
reported as resolved (the stamping step's input until the finding lifecycle reads facets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from auditor.collectors.base import Collector
from auditor.core.capabilities import CapabilityRegistry
from auditor.core.completeness import Facet, SourceStatus
from auditor.core.evidence import Evidence
from auditor.core.registry import CheckSpec
from auditor.engine.stamping import Gaps


def relevant_collectors(
    collectors: Sequence[Collector], selected: Sequence[CheckSpec], only: Sequence[str] | None
) -> list[Collector]:
    """With ``--only``, just the collectors whose declared capabilities provide a facet the
    selected checks read (all of them when a check reports on every collector)."""
    if not only:
        return list(collectors)
    registry = CapabilityRegistry(tuple(c.capabilities for c in collectors))
    wanted = needed_facets(selected, registry)
    if wanted is None:
        return list(collectors)
    providers = set(registry.providers(wanted))
    return [c for c in collectors if c.capabilities.source in providers]


def needed_facets(
    selected: Sequence[CheckSpec], registry: CapabilityRegistry
) -> frozenset[Facet] | None:
    """The facets the selected checks read (``CheckSpec.facets``; for a check that does not
    declare them yet, its ``needs`` in facet terms); None when one reads every collector's
    report (``needs: collector``)."""
    wanted: set[Facet] = set()
    for spec in selected:
        if "collector" in spec.needs:
            return None
        if spec.facets:
            wanted.update(spec.facets)
            continue
        for need in spec.needs:
            if need == "platform":
                wanted.update(registry.account_facets())
            else:
                wanted.update(NEEDS_FACETS.get(need, ()))
    return frozenset(wanted)


NEEDS_FACETS: Mapping[str, frozenset[Facet]] = MappingProxyType(
    {
        "directory": frozenset({Facet.DIRECTORY, Facet.MAILBOX_TWO_FACTOR}),
        "vault": frozenset({Facet.VAULT}),
        "hibp": frozenset({Facet.BREACH}),
        "register": frozenset({Facet.REGISTER}),
        "whois": frozenset({Facet.REGISTRATION}),
        "lookalikes": frozenset({Facet.LOOKALIKES}),
        "handles": frozenset({Facet.HANDLES}),
    }
)
"""The ``needs`` vocabulary in facet terms, for checks that do not declare ``facets`` yet
(``platform`` is every facet a collector reads from the accounts themselves; ``inventory``, ``history``
and ``baseline`` come from the config and the store, not from a collector)."""


def collection_gaps(
    evidence: Evidence, selected: Sequence[CheckSpec], registry: CapabilityRegistry
) -> Gaps:
    """What could not be read this run (see :class:`auditor.engine.stamping.Gaps`): the assets
    some source reported a problem for, the accounts of every platform a failed source serves,
    and the checks that read a facet a failed record source provides."""
    failed_facets: set[Facet] = set()
    prefixes: list[str] = []
    assets = {p.asset_key for r in evidence.sources.values() for p in r.problems if p.asset_key}
    for report in evidence.sources.values():
        source_wide = any(p.asset_key is None for p in report.problems)
        if report.status is not SourceStatus.FAILED and not source_wide:
            continue  # read, or only some assets missing (those are in ``assets``)
        declared = registry.of(report.name)
        if declared is None:  # nothing declared: whatever it serves is unknown this run
            prefixes.append(f"account:{report.name}:")
            continue
        prefixes.extend(
            f"account:{p.platform}:" for p in declared.platforms if Facet.IDENTITY in p.provides
        )
        failed_facets |= declared.facets
    checks = frozenset(
        s.id for s in selected if failed_facets & (needed_facets((s,), registry) or frozenset())
    )
    return Gaps(checks=checks, assets=frozenset(assets), prefixes=tuple(prefixes))
