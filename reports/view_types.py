"""The shapes of the report view model: plain frozen values the templates turn into text.

Everything a renderer shows is here already formatted, counted, filtered and ordered; templates
only loop and print. Strings taken from evidence stay hostile: templates autoescape them, and a
URL only becomes a link through :attr:`Fact.href`, which holds a checked http(s) URL or None.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar, overload

from reports.history import RunCounts

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class Listing(Generic[RowT]):
    """A list a report shows in part: every row plus the arithmetic templates must not do (how
    many there are, the first N, how many are left out). Iterates, indexes and sizes like the
    tuple it wraps."""

    rows: tuple[RowT, ...]
    """Every row, in display order."""

    @property
    def total(self) -> int:
        """How many rows there are."""
        return len(self.rows)

    def head(self, limit: int) -> tuple[RowT, ...]:
        """The first ``limit`` rows."""
        return self.rows[:limit]

    def beyond(self, limit: int) -> int:
        """How many rows :meth:`head` leaves out."""
        return max(0, len(self.rows) - limit)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[RowT]:
        return iter(self.rows)

    @overload
    def __getitem__(self, index: int) -> RowT: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[RowT, ...]: ...

    def __getitem__(self, index: int | slice) -> RowT | tuple[RowT, ...]:
        return self.rows[index]


@dataclass(frozen=True)
class Fact:
    """One evidence fact as shown."""

    key: str
    """The fact's name."""
    text: str
    """Its value as text (lists joined, long values shortened)."""
    href: str | None = None
    """The value as a link target, only when it is an http or https URL."""


@dataclass(frozen=True)
class FindingRow:
    """One row of the findings table: one result, or a group of results: all passes of one
    check, or the not-verified results of one check that share the same reason and facts."""

    fingerprint: str
    """The result's fingerprint (empty for a grouped pass row)."""
    check_id: str
    """Check id."""
    title: str
    """The check's title."""
    category: str
    """Category value."""
    severity: str
    """Effective severity value."""
    severity_rank: int
    """1 (low) to 4 (critical), for sorting."""
    status: str
    """Shown status value: fail, not_verified, muted or pass."""
    status_label: str
    """Status for people (``not verified``, ``muted (fail)``)."""
    platforms: tuple[str, ...]
    """Platforms of the asset(s) (``domain`` or ``source`` for other assets)."""
    filter_tokens: str
    """Space-separated ``s:<severity> c:<category> p:<platform>… t:<status>`` tokens that the
    table's filters match."""
    asset: str
    """Asset label (``x @northwind``, ``northwind.example``, ``12 assets``)."""
    asset_short: str
    """Asset label without the platform (the table shows the platform in its own column)."""
    asset_anchor: str
    """Anchor of the asset's card, or empty."""
    subject: str
    """What within the asset."""
    detail: str
    """The concrete sentence (for a pass group: where it passed)."""
    source: str
    """Evidence source."""
    observed_at: str
    """When the evidence was observed (UTC, compact)."""
    seen_in_run: bool
    """The evidence was observed during this run (between its start and end)."""
    evidence_line: str
    """Where and when, in words, leaving out what the row already says: the source unless it
    is the row's platform, the first sighting unless the result is new, the observation time
    unless it was during this run (``source vault · first seen 2026-11-19 12:00``); may be
    empty."""
    facts: tuple[Fact, ...]
    """Evidence facts."""
    remediation: str
    """What to do."""
    first_seen: str
    """First seen (UTC, compact)."""
    change: str
    """new, regressed, persisting or resolved."""
    count: int = 1
    """Results in the row (more than 1 for a grouped row)."""
    assets: tuple[str, ...] = ()
    """For a grouped row, the assets concerned (``label (subject)`` when the results have
    subjects)."""


@dataclass(frozen=True)
class AdminLine:
    """One role holder on an account card."""

    name: str
    """Name, email or platform id (hostile text)."""
    role: str
    """The platform's role name."""
    full_admin: bool
    """Holds the highest role."""
    two_factor: str
    """``on``, ``off`` or ``unknown``."""
    pending: bool
    """An invitation not yet accepted."""


@dataclass(frozen=True)
class AssetCard:
    """One account or domain as a card: who owns it, who can act, its second factor."""

    anchor: str
    """HTML id of the card."""
    label: str
    """Asset label."""
    kind: str
    """account or domain."""
    platform: str
    """Platform, or ``domain``."""
    asset_id: str
    """Immutable id when known, else empty."""
    owner: str
    """Who owns it (inventory and platform views)."""
    admins: tuple[AdminLine, ...]
    """Role holders from the platform evidence."""
    admins_note: str
    """Why admins are not listed, or empty."""
    two_factor: str
    """Second-factor state in words."""
    two_factor_state: str
    """``ok``, ``bad`` or ``unknown``, for styling."""
    last_change: str
    """The latest change seen on the asset, in words, or empty."""
    open_by_severity: tuple[tuple[str, int], ...]
    """Open fails by severity (only non-zero)."""
    not_verified: int
    """Results that could not be verified."""
    issues: tuple[str, ...]
    """Titles of the worst open findings (at most five)."""
    passed: int
    """Passing results."""
    inventory: bool
    """Declared in the estate (an inventory account or a brand domain); False for assets only
    named by findings (discovered accounts, lookalikes, handles to claim). True for every asset
    when no estate was given."""


@dataclass(frozen=True)
class UnverifiedReason:
    """Results on one platform that could not be verified for one reason."""

    reason: str
    """The reason (a source problem or the check's own sentence)."""
    count: int
    """How many results."""
    checks: tuple[str, ...]
    """Check ids affected."""
    assets: tuple[str, ...]
    """Assets affected (the first ten)."""
    more_assets: int
    """Assets affected beyond those listed."""


@dataclass(frozen=True)
class UnverifiedGroup:
    """The not-verified results of one platform."""

    platform: str
    """Platform name, ``domain`` or the source name."""
    count: int
    """Results in the group."""
    reasons: tuple[UnverifiedReason, ...]
    """By reason, most frequent first (the first few; the findings table holds them all)."""
    more_reasons: int = 0
    """Reasons not listed."""
    more_results: int = 0
    """Results behind the reasons not listed."""


@dataclass(frozen=True)
class SourceLine:
    """How one collector fared."""

    name: str
    """Source name."""
    status: str
    """``complete``, ``partial`` or ``failed`` (:class:`auditor.core.completeness.SourceStatus`):
    only ``complete`` is drawn as read."""
    problems: tuple[str, ...]
    """Problems in words."""
    requests: int
    """HTTP requests made."""
    duration: str
    """Wall time, formatted."""


@dataclass(frozen=True)
class MuteLine:
    """One accepted risk in the mute register."""

    fingerprint: str
    """The muted result's fingerprint."""
    title: str
    """Check title, or the check id/fingerprint when the result is not in this run."""
    asset: str
    """Asset label, or empty."""
    owner: str
    """Who answers for it."""
    reason: str
    """Why it is accepted."""
    expires: str
    """Expiry, formatted."""
    days_left: int
    """Whole days until expiry (negative when expired)."""
    expiring_soon: bool
    """Expires within the warning window."""
    expired: bool
    """No longer applies."""
    hides_critical: bool = False
    """The muted result is a critical fail or gap (leadership must see it)."""
    origin: str = ""
    """Where it is written: empty for the store, else the mutes file entry and ticket."""


@dataclass(frozen=True)
class Incident:
    """One active-takeover signal."""

    account: str
    """The asset, as reports name it (``x northwind``)."""
    what: str
    """What happened, in a few words."""
    since: str
    """When it was first seen (UTC)."""
    first_action: str
    """The first thing to do."""
    detail: str
    """The result's concrete sentence."""
    check_id: str
    """The check that saw it."""
    fingerprint: str
    """The result's fingerprint."""


@dataclass(frozen=True)
class CoverageGap:
    """One row of the coverage matrix: a fact a platform does not expose for one check."""

    platform: str
    """The platform."""
    check_id: str
    """The check that cannot be verified there."""
    title: str
    """The check's title."""
    count: int
    """Results concerned."""
    controls: tuple[str, ...]
    """``account: compensating control`` (attestation or access review date), per account."""
    more: int = 0
    """Accounts not listed."""


@dataclass(frozen=True)
class Action:
    """One of the top actions: a check's remediation for its open fails."""

    check_id: str
    """Check id."""
    title: str
    """Check title."""
    severity: str
    """Worst severity among its open fails."""
    count: int
    """Open fails it resolves."""
    remediation: str
    """What to do."""
    assets: tuple[str, ...]
    """First affected assets."""
    more: int
    """Affected assets not listed."""


@dataclass(frozen=True)
class TrendSegment:
    """One severity's slice of a trend bar."""

    severity: str
    """Severity value."""
    count: int
    """Open fails of that severity."""
    y: float
    """Top of the slice in chart units."""
    height: float
    """Height in chart units."""


@dataclass(frozen=True)
class TrendBar:
    """One run in the trend chart."""

    run_id: str
    """Run id."""
    label: str
    """Short date."""
    x: float
    """Left edge in chart units."""
    center: float
    """Horizontal centre in chart units (for labels)."""
    top: float
    """Top of the bar in chart units."""
    total: int
    """Open fails."""
    score: str
    """Risk score, or ``n/a`` when unknown."""
    segments: tuple[TrendSegment, ...]
    """Stacked slices, worst severity on top."""
    current: bool
    """This run."""
    scoped: bool = False
    """A run of some checks only (``--only``): not comparable with the full-scope bars."""


@dataclass(frozen=True)
class Trend:
    """The trend chart's numbers."""

    width: float
    """Chart width in units."""
    height: float
    """Plot height in units."""
    bar_width: float
    """Bar width in units."""
    max_total: int
    """The largest bar (the y scale)."""
    bars: tuple[TrendBar, ...]
    """Oldest first."""
    previous_score: str | None = None
    """The previous run's score as its bar shows it (a number or ``n/a``); None for a first
    run."""
    scoped_hidden: int = 0
    """Earlier runs of some checks only, left out of the chart."""

    @property
    def runs(self) -> int:
        """How many runs the chart shows."""
        return len(self.bars)


@dataclass(frozen=True)
class FilterOptions:
    """Values offered by the findings table's filters."""

    severities: tuple[str, ...]
    """Severity values present."""
    categories: tuple[str, ...]
    """Category values present."""
    platforms: tuple[str, ...]
    """Platforms present."""
    statuses: tuple[str, ...]
    """Status values present."""


@dataclass(frozen=True)
class ReportView:
    """Everything a report shows about one run, computed once by :func:`reports.build_view`."""

    estate: str
    """Organization name."""
    run_id: str
    """Run id."""
    started_at: str
    """Start, formatted."""
    finished_at: str
    """End, formatted."""
    duration: str
    """Run duration, formatted."""
    tool_version: str
    """brand-auditor version."""
    config_digest: str
    """Short config digest."""
    previous_run_id: str
    """The run compared with, or empty."""
    counts: RunCounts
    """All counts (the one computation)."""
    score_band: str
    """low, moderate, high or severe."""
    score_formula: str
    """The score's formula in words."""
    severity_table: tuple[tuple[str, int, int], ...]
    """(severity, open fails, not verified) worst first."""
    new: Listing[FindingRow]
    """New failing results (regressions included), worst first."""
    new_urgent: Listing[FindingRow]
    """New failing results of critical or high severity, worst first."""
    regressed: Listing[FindingRow]
    """Results failing again after having been resolved."""
    resolved: Listing[FindingRow]
    """Results resolved since the previous run."""
    trend: Trend
    """Recent runs."""
    unverified: tuple[UnverifiedGroup, ...]
    """Not-verified results by platform and reason."""
    sources: tuple[SourceLine, ...]
    """Per-source collection."""
    cards: Listing[AssetCard]
    """Accounts then domains."""
    rows: Listing[FindingRow]
    """Findings table rows, worst first, passes grouped per check."""
    filters: FilterOptions
    """Filter values."""
    mutes: Listing[MuteLine]
    """Mute register, soonest expiry first."""
    actions: tuple[Action, ...]
    """Top five actions."""
    check_ids: tuple[str, ...]
    """Checks that produced results, for the check reference."""
    incidents: Listing[Incident] = Listing(())
    """Active-takeover signals: the banner that opens the report and the email."""
    coverage: tuple[CoverageGap, ...] = ()
    """Structural gaps (not exposed by the platform), once, with compensating controls."""
    active_mutes: int = 0
    """Mutes in force at the run's end."""
    notable_mutes: Listing[MuteLine] = Listing(())
    """Active mutes that expire within the warning window or hide a critical result."""
