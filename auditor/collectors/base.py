"""The collector plug-in axis: one :class:`Collector` per evidence source.

A collector reads one source (a platform API, a registry, a company file) and returns typed
evidence plus a :class:`~auditor.core.models.SourceReport`. It never judges: no thresholds, no pass or
fail. It translates its SDK's or HTTP layer's errors into :mod:`auditor.core.errors` types at its own
boundary; a problem with one asset goes into the report's ``problems`` (with that asset's key)
and the collector carries on with the rest. Raising a :class:`~auditor.core.errors.CollectionError`
means the whole source failed.

Each collector declares its :class:`~auditor.core.capabilities.Capabilities` (plain data on its
class) and states, for every item it returns, the completeness of each facet it provides
(:class:`FacetReads` collects what one account's reads left incomplete), and its report's
:class:`~auditor.core.completeness.SourceStatus` (:func:`report_status`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import ClassVar, TypeVar

from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Completeness, Coverage, Facet, SourceStatus
from auditor.core.errors import AuthFailed, CollectionError, NotFound
from auditor.core.estate import Estate, Policy
from auditor.core.evidence import AccountEvidence, AccountState, Evidence, EvidenceItem
from auditor.core.models import SourceProblem, SourceReport

T = TypeVar("T")


@dataclass(frozen=True)
class CollectContext:
    """What a collector may know about the run."""

    estate: Estate
    """The declared estate (which accounts, domains and people to look at)."""
    policy: Policy
    """Policy (content window, lookalike cap ...)."""
    now: datetime
    """The run's reference time (aware UTC)."""
    previous: Evidence | None = None
    """The previous run's evidence, for incremental fetches and conditional requests."""


@dataclass(frozen=True)
class CollectorOutput:
    """What one collector returns."""

    report: SourceReport
    """How collection went."""
    items: tuple[EvidenceItem, ...]
    """The evidence read."""
    discovery: Mapping[str, Completeness] = field(default_factory=lambda: MappingProxyType({}))
    """Completeness of discovery (the accounts a business, org or token controls) by platform,
    for the platforms this collector discovers on."""


class Collector(ABC):
    """One evidence source."""

    name: str = ""
    """Source name, used in reports and ``SourceReport.name``."""
    scopes: tuple[str, ...] = ()
    """Scopes or permissions the configured credential needs for every check to be decidable."""
    capabilities: ClassVar[Capabilities] = Capabilities(source="")
    """What it reads and what its platforms do not expose (the capability registry's entry)."""

    @abstractmethod
    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read the source. Raise :class:`~auditor.core.errors.CollectionError` only when nothing
        could be read; per-asset problems go into the report."""


class FacetReads:
    """What the reads of one asset left incomplete, facet by facet, and the problems behind it
    (a working record of one asset's read, so not frozen). A failure on one endpoint marks only
    the facets that endpoint feeds; the facets already read keep their word."""

    def __init__(self, asset_key: str | None) -> None:
        self.asset_key = asset_key
        """The asset the problems are about (None: source-wide)."""
        self.states: dict[Facet, Completeness] = {}
        """The facets found incomplete, with why."""
        self.problems: list[SourceProblem] = []
        """What could not be read."""

    def attempt(self, facets: Sequence[Facet], read: Callable[[], T]) -> T | None:
        """``read()``, or None with ``facets`` unknown and a problem recorded when it raises a
        :class:`CollectionError` (a refused token and a missing account still propagate: they
        are about the whole source or the whole account)."""
        try:
            return read()
        except (AuthFailed, NotFound):
            raise
        except CollectionError as exc:
            self.failed(facets, exc)
            return None

    def failed(self, facets: Iterable[Facet], exc: CollectionError) -> None:
        """``facets`` unknown because of ``exc``, and the problem recorded."""
        self.mark(facets, Completeness.unknown(f"{exc.kind.value}: {exc.detail}"))
        self.problems.append(SourceProblem(exc.kind.value, exc.detail, self.asset_key, exc.scope))

    def lacks(self, facets: Iterable[Facet], exc: CollectionError) -> None:
        """``facets`` unknown because the token lacks a permission: a gap of the setup (the
        evidence's ``missing_scopes`` names it), recorded without a problem."""
        self.mark(facets, Completeness.unknown(f"{exc.kind.value}: {exc.detail}"))

    def mark(self, facets: Iterable[Facet], state: Completeness) -> None:
        """``facets`` at most ``state`` (a facet keeps the weaker of what it was told)."""
        for facet in facets:
            earlier = self.states.get(facet)
            self.states[facet] = state if earlier is None else earlier.weaker(state)

    def truncated(self, facet: Facet, what: str) -> Callable[[int], None]:
        """The paginator's ``on_truncated`` for a listing that feeds ``facet``: the facet
        becomes ``partial`` when the listing stops at its page cap."""

        def note(pages: int) -> None:
            self.mark((facet,), Completeness.partial(f"{what} truncated at {pages} pages"))

        return note


def stated_account(
    capabilities: Capabilities, evidence: AccountEvidence, reads: FacetReads
) -> AccountEvidence:
    """``evidence`` with every facet stated from what its reads met: an account that could not
    be read has every facet unknown; a gone, suspended or deactivated one has its identity
    complete and nothing else read; an active one has what ``reads`` marked, ``complete`` for
    the other facets its collector provides, and ``not_exposed`` for what its platform hides
    (:meth:`~auditor.core.capabilities.Capabilities.stated`)."""
    platform = evidence.platform
    if evidence.state is AccountState.UNKNOWN:
        first = reads.problems[0] if reads.problems else None
        reason = f"{first.kind}: {first.detail}" if first else "the account could not be read"
        facets = capabilities.unread(platform, reason)
    elif evidence.state is not AccountState.ACTIVE:
        facets = {
            **capabilities.unread(platform, f"the account is {evidence.state.value}"),
            Facet.IDENTITY: Completeness.complete(),
        }
    else:
        facets = capabilities.stated(platform, {**evidence.facets, **reads.states})
    return replace(evidence, facets=facets)


def report_status(
    items: Iterable[EvidenceItem], problems: Sequence[SourceProblem], *, anything_read: bool
) -> SourceStatus:
    """A source's status: failed when nothing usable was read; partial when a problem was
    recorded (every failed read records one) or some facet of some item is ``partial`` (a
    truncated listing records none); complete otherwise. A facet that is ``unknown`` without a
    problem is unknowable by setup (no token configured, a page the business does not own) and
    does not make the run's read partial; ``not_exposed`` never does."""
    if not anything_read:
        return SourceStatus.FAILED
    partial = any(
        state.state is Coverage.PARTIAL
        for item in items
        for state in getattr(item, "facets", {}).values()
    )
    return SourceStatus.PARTIAL if problems or partial else SourceStatus.COMPLETE
