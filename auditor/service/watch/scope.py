"""The watch list, and the collector wrapper that reads only the accounts due in a run.

``watch:`` names accounts (``platform:handle``), tags, or ``all``; :func:`watched_accounts`
resolves them against the inventory. A watch run is an ordinary audit
(:func:`auditor.engine.runner.audit`) of the whole estate with the :data:`WATCH_CHECKS`, so the
same checks, lifecycle, mutes, store and run ids apply. What makes it cheap is
:class:`ScopedCollector`: each platform collector reads only the accounts due in this run (those
a webhook named, or whose poll is due within the budget); for every other account of its
platform it hands on the previous run's evidence unchanged (each item keeps its own
``observed_at``), so the stored snapshot stays whole for the next run's comparisons and
nothing is re-judged on evidence that was not read again. An account the previous run has no
evidence for is reported as a per-asset problem, so no earlier fail on it can count as resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.config.loading import AppConfig
from auditor.core.completeness import Completeness, Facet, SourceStatus, combined_status
from auditor.core.errors import ConfigError, ErrorKind
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, EvidenceItem
from auditor.core.models import SourceProblem, SourceReport

WATCH_CHECKS = (
    "content",
    "access",
    "ownership.identity-mismatch",
    "ownership.account-unreachable",
)
"""What a watch run evaluates: the checks a takeover trips (content, access, identity)."""


def watched_accounts(config: AppConfig) -> tuple[AccountSpec, ...]:
    """The inventory accounts ``watch:`` selects; :class:`ConfigError` naming the field when
    ``watch`` is missing, names an unknown account, or selects nothing."""
    watch = config.model.watch
    file = str(config.path)
    if watch is None:
        raise ConfigError("add a 'watch' section (accounts, tags or all: true)", file=file)
    accounts = config.estate.accounts
    if watch.all:
        chosen = list(accounts)
    else:
        by_key = {f"{a.platform}:{a.handle.lower()}": a for a in accounts}
        chosen = []
        for index, name in enumerate(watch.accounts):
            spec = by_key.get(name.strip().lower())
            if spec is None:
                raise ConfigError(
                    f"expected platform:handle of an account in 'accounts', got {name!r}",
                    file=file,
                    field=f"watch.accounts.{index}",
                )
            chosen.append(spec)
        tags = set(watch.tags)
        chosen.extend(a for a in accounts if tags & set(a.tags))
    unique = tuple(dict.fromkeys(chosen))
    if not unique:
        raise ConfigError("expected at least one account to watch", file=file, field="watch")
    return unique


def platforms_of(collector: Collector) -> tuple[str, ...]:
    """The account platforms a platform collector reads, from its declared capabilities (none
    for record, registration and handle sources)."""
    return tuple(
        p.platform for p in collector.capabilities.platforms if Facet.IDENTITY in p.provides
    )


class ScopedCollector(Collector):
    """A platform collector limited to the accounts due in this run (see the module docstring);
    it declares what the collector it wraps declares (:func:`scoped` makes one class each)."""

    def __init__(self, inner: Collector, due: frozenset[str]) -> None:
        self.inner = inner
        self.name = inner.name
        self.scopes = inner.scopes
        self.due = due

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read the due accounts; carry the previous evidence of the others."""
        platforms = platforms_of(self.inner)
        mine = [a for a in ctx.estate.accounts if a.platform in platforms]
        read = tuple(a for a in mine if a.asset.key in self.due)
        previous = ctx.previous.accounts if ctx.previous else {}
        carried: list[EvidenceItem] = []
        problems: list[SourceProblem] = []
        for spec in mine:
            key = spec.asset.key
            if key in self.due:
                continue
            if key in previous:
                carried.append(_carried(previous[key]))
            else:
                problems.append(
                    SourceProblem(
                        kind=ErrorKind.CONFIG.value,
                        detail="not read by this watch run and not in the previous run",
                        asset_key=key,
                    )
                )
        if read:
            output = self.inner.collect(replace(ctx, estate=replace(ctx.estate, accounts=read)))
        else:
            report = SourceReport(
                name=self.name, status=SourceStatus.COMPLETE, observed_at=datetime.now(UTC)
            )
            output = CollectorOutput(report=report, items=())
        status = output.report.status
        if problems:
            status = combined_status(status, SourceStatus.PARTIAL)
        report = replace(
            output.report, status=status, problems=(*output.report.problems, *problems)
        )
        return CollectorOutput(report=report, items=(*output.items, *carried))


def _carried(item: AccountEvidence) -> AccountEvidence:
    """The previous run's evidence of an account this watch run did not read: its posts were
    stored minimised (a digest and a masked excerpt), so no content check may judge them again;
    what else was stored whole keeps its word."""
    unread = Completeness.unknown("posts not re-read by this watch run (stored minimised)")
    return replace(item, facets={**item.facets, Facet.POSTS: unread})


def scoped(collectors: Sequence[Collector], due: frozenset[str]) -> list[Collector]:
    """Every platform collector wrapped to read only ``due``; record sources unchanged."""
    return [_scoped_class(c)(c, due) if platforms_of(c) else c for c in collectors]


def _scoped_class(collector: Collector) -> type[ScopedCollector]:
    """A :class:`ScopedCollector` subclass declaring ``collector``'s capabilities."""
    return type(
        f"Scoped{type(collector).__name__}",
        (ScopedCollector,),
        {"capabilities": collector.capabilities},
    )
