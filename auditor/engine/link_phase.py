"""The runner's second collection phase: registration data of the domains this run's profiles
and posts link to.

Collectors run in parallel, so the links of this run are known only once the platform
collectors have finished. A collector that also implements :class:`LinkedCollector` (the
registration collector ``whois``) is then asked for the domains linked from this run's account
evidence (:func:`collect_linked`), and what it returns is merged into its first-phase output
(:func:`merge_outputs`): one :class:`~auditor.core.evidence.DomainEvidence` per domain (the accounts
of both phases in ``linked_from``), the problems of both phases, requests and time added up. This
is still collection: no check runs before both phases are done.

Failures go through the one isolation boundary (:func:`auditor.engine.isolation.isolated`): a
:class:`~auditor.core.errors.CollectionError` or an unexpected exception in the second phase
becomes one problem on the collector's report (then ``partial`` when the first phase read
something, ``failed`` when neither did) and the first phase's evidence is kept; a
:class:`~auditor.core.errors.UserError` stops the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol, runtime_checkable

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.core.completeness import SourceStatus, combined_status
from auditor.core.evidence import AccountEvidence, DomainEvidence, EvidenceItem
from auditor.engine.isolation import isolated


@runtime_checkable
class LinkedCollector(Protocol):
    """A collector with a second phase over this run's account evidence."""

    def collect_linked(
        self, ctx: CollectContext, accounts: Mapping[str, AccountEvidence]
    ) -> CollectorOutput:
        """Evidence about what ``accounts`` link to (domains, for the registration collector)."""
        ...


def collect_linked(
    collector: Collector,
    first: CollectorOutput,
    ctx: CollectContext,
    accounts: Mapping[str, AccountEvidence],
) -> CollectorOutput:
    """``first`` merged with the collector's second phase; ``first`` unchanged when the
    collector has no second phase."""
    if not isinstance(collector, LinkedCollector):
        return first
    name = first.report.name
    second = isolated(name, "linked-domain phase", lambda: collector.collect_linked(ctx, accounts))
    return merge_outputs(first, second)


def merge_outputs(first: CollectorOutput, second: CollectorOutput) -> CollectorOutput:
    """One output from two phases of the same collector (the first phase's report name)."""
    problems = list(first.report.problems)
    problems.extend(p for p in second.report.problems if p not in problems)
    report = replace(
        first.report,
        status=combined_status(first.report.status, second.report.status),
        observed_at=max(first.report.observed_at, second.report.observed_at),
        problems=tuple(problems),
        requests=first.report.requests + second.report.requests,
        duration_s=first.report.duration_s + second.report.duration_s,
    )
    return CollectorOutput(report=report, items=merge_items(first.items, second.items))


def merged_status(first: SourceStatus | None, second: SourceStatus | None) -> SourceStatus:
    """One source's status over two phases: ``complete`` only when both were, ``failed`` only
    when both were, ``partial`` otherwise."""
    if first is second:
        return first or SourceStatus.FAILED
    return SourceStatus.PARTIAL


def merge_items(
    first: tuple[EvidenceItem, ...], second: tuple[EvidenceItem, ...]
) -> tuple[EvidenceItem, ...]:
    """The items of both phases, with one :class:`DomainEvidence` per domain: the first phase's
    answer unless only the second one knows whether the domain is registered, ``linked_from``
    the sorted union of both."""
    others: list[EvidenceItem] = []
    domains: dict[str, DomainEvidence] = {}
    for item in (*first, *second):
        if not isinstance(item, DomainEvidence):
            others.append(item)
            continue
        key = item.domain.lower()
        earlier = domains.get(key)
        domains[key] = item if earlier is None else _merge_domain(earlier, item)
    return (*others, *domains.values())


def _merge_domain(earlier: DomainEvidence, later: DomainEvidence) -> DomainEvidence:
    base = later if earlier.registered is None and later.registered is not None else earlier
    linked = tuple(sorted({*earlier.linked_from, *later.linked_from}))
    return replace(base, linked_from=linked)
