"""How complete a piece of evidence is: per asset, per facet, decided once by the collector.

Every evidence item is made of *facets* (an account's profile, its role holders, its posts, the
second-factor policy of its business ...). The collector that produced the item states, for each
facet it provides, exactly one :class:`Completeness`:

- ``complete``: read in full;
- ``partial(reason)``: read, but something is missing (a page failed, a listing was truncated);
- ``unknown(reason)``: could not be read this time (auth, network, rate limit, malformed answer,
  circuit open);
- ``not_exposed(platform)``: the platform offers no way to read it (a structural gap).

A facet the collector did not state is ``unknown("not collected")``: completeness is never
assumed. Checks read it through :func:`facet_status` (one facet or the weakest of several); a
``pass`` needs ``complete`` on every facet the check reads. Merging two sources of the same facet
keeps the weaker of the two (:meth:`Completeness.weaker`).

A source's report has one :class:`SourceStatus` with one meaning everywhere: ``complete`` (every
facet it provides was read in full), ``partial`` (some asset or facet was not), ``failed``
(nothing usable was read).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar


class Facet(StrEnum):
    """The parts of evidence a check can read, each with its own completeness."""

    IDENTITY = "identity"
    """Whether the handle resolves, to which immutable id, and the account's state
    (``AccountEvidence.state``, ``account_id``, ``handle_verified``)."""
    TOKEN_OWNER = "token_owner"  # noqa: S105 (a facet name, not a secret)
    """Whose token the configured credential is (``AccountEvidence.token_account_id``)."""
    PROFILE = "profile"
    """Public profile fields and verification (``AccountEvidence.profile``)."""
    POSTS = "posts"
    """Recent posts in the policy window (``AccountEvidence.posts``)."""
    ROLES = "roles"
    """Who holds which role (``AccountEvidence.roles``)."""
    MEMBER_TWO_FACTOR = "member_two_factor"
    """Each role holder's second factor (``RoleHolder.two_factor`` and its method)."""
    APPS = "apps"
    """Connected third-party apps (``AccountEvidence.apps``)."""
    TWO_FACTOR_POLICY = "two_factor_policy"
    """The second-factor requirement of the account or the business/org that holds it
    (``AccountEvidence.two_factor_policy``, ``account_two_factor``)."""
    OWNERSHIP = "ownership"
    """Who owns the account or page (``AccountEvidence.owned_by_company``, ``owner_name``)."""
    REGISTRATION_EMAIL = "registration_email"
    """The email the account is registered to, where the platform tells."""
    DISCOVERY = "discovery"
    """The accounts a business, org or token controls (``DiscoveredAccount`` listings)."""
    DIRECTORY = "directory"
    """The people directory: who is active, who left, mailbox state."""
    MAILBOX_TWO_FACTOR = "mailbox_two_factor"
    """Mailboxes' 2-step verification (Google Workspace)."""
    VAULT = "vault"
    """The vault export's items."""
    BREACH = "breach"
    """Pwned Passwords range lookups of the vault's passwords."""
    REGISTER = "register"
    """The approved-content register."""
    REGISTRATION = "registration"
    """A domain's registration data (RDAP or WHOIS)."""
    LOOKALIKES = "lookalikes"
    """A lookalike-domain scan of one brand domain."""
    HANDLES = "handles"
    """Handle probes on one platform (lookalike candidates and claimable brand handles)."""


class Coverage(StrEnum):
    """The four states of :class:`Completeness`, strongest first."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    NOT_EXPOSED = "not_exposed"
    UNKNOWN = "unknown"


_RANK = {Coverage.COMPLETE: 0, Coverage.PARTIAL: 1, Coverage.NOT_EXPOSED: 2, Coverage.UNKNOWN: 3}


@dataclass(frozen=True)
class Completeness:
    """How completely one facet of one asset was read."""

    state: Coverage
    """complete, partial, unknown or not_exposed."""
    reason: str | None = None
    """Why it is not complete (for ``not_exposed``, the platform that does not expose it)."""

    @classmethod
    def complete(cls) -> Completeness:
        """Read in full."""
        return cls(Coverage.COMPLETE)

    @classmethod
    def partial(cls, reason: str) -> Completeness:
        """Read, but something is missing."""
        return cls(Coverage.PARTIAL, reason)

    @classmethod
    def unknown(cls, reason: str) -> Completeness:
        """Could not be read this time."""
        return cls(Coverage.UNKNOWN, reason)

    @classmethod
    def not_exposed(cls, platform: str) -> Completeness:
        """The platform offers no way to read it."""
        return cls(Coverage.NOT_EXPOSED, platform)

    @property
    def is_complete(self) -> bool:
        """True only for ``complete``: the one state a pass may rest on."""
        return self.state is Coverage.COMPLETE

    @property
    def structural(self) -> bool:
        """True for ``not_exposed``: a permanent platform limit, not a failure of this run."""
        return self.state is Coverage.NOT_EXPOSED

    def weaker(self, other: Completeness) -> Completeness:
        """The weaker of the two (merging two sources of one facet keeps the weaker)."""
        return other if _RANK[other.state] > _RANK[self.state] else self

    def describe(self) -> str:
        """``partial: page 3 failed`` style text for details and reports."""
        if self.state is Coverage.NOT_EXPOSED:
            return f"not exposed by {self.reason}"
        return self.state.value if self.reason is None else f"{self.state.value}: {self.reason}"


NOT_COLLECTED = Completeness.unknown("not collected")
"""A facet nobody stated: completeness is never assumed."""

FacetMap = Mapping[Facet, Completeness]
"""What a collector states for one evidence item."""


class HasFacets(Protocol):
    """Any evidence item that carries its facets' completeness."""

    @property
    def facets(self) -> FacetMap:
        """Completeness by facet, as the collector stated it."""
        ...


def facet_status(item: HasFacets | None, *facets: Facet) -> Completeness:
    """THE way to read completeness: the weakest of ``facets`` on ``item``.

    ``item`` None (nothing collected for the asset) and a facet the collector did not state
    are both :data:`NOT_COLLECTED`."""
    if item is None:
        return NOT_COLLECTED
    return weakest(item.facets.get(facet, NOT_COLLECTED) for facet in facets)


def weakest(states: Iterable[Completeness]) -> Completeness:
    """The weakest of ``states``; ``complete`` when there are none."""
    result = Completeness.complete()
    for state in states:
        result = result.weaker(state)
    return result


K = TypeVar("K")


def merge_facets(
    first: Mapping[K, Completeness], second: Mapping[K, Completeness]
) -> dict[K, Completeness]:
    """Two sources' statements about one item merged facet by facet, keeping the weaker; a
    facet only one source stated keeps that source's word."""
    merged = dict(first)
    for facet, state in second.items():
        merged[facet] = merged[facet].weaker(state) if facet in merged else state
    return merged


class SourceStatus(StrEnum):
    """How one source fared in one run: one meaning everywhere (CLI, reports, JSON, store)."""

    COMPLETE = "complete"
    """Every facet it provides was read in full for every asset it serves."""
    PARTIAL = "partial"
    """Something was read, but some asset or facet was not complete."""
    FAILED = "failed"
    """Nothing usable was read."""


def source_status(states: Iterable[Completeness], *, anything_read: bool = True) -> SourceStatus:
    """A source's status from the completeness it stated for every facet of every asset.
    Structural gaps (``not_exposed``) do not make a source partial: nothing failed."""
    if not anything_read:
        return SourceStatus.FAILED
    failing = [s for s in states if not s.is_complete and not s.structural]
    return SourceStatus.PARTIAL if failing else SourceStatus.COMPLETE


def combined_status(*statuses: SourceStatus) -> SourceStatus:
    """One status for a source read in several phases: complete when every phase was, failed
    when every phase failed, partial otherwise."""
    if all(s is SourceStatus.COMPLETE for s in statuses):
        return SourceStatus.COMPLETE
    if all(s is SourceStatus.FAILED for s in statuses):
        return SourceStatus.FAILED
    return SourceStatus.PARTIAL
