"""Typed evidence: what collectors read from platforms, registries and company records.

Collectors produce these values; checks read them and nothing else. ``None`` in a field always
means "not known" (the source did not expose it, or could not be read): a check must turn it into
``not_verified``, never into a pass. No value here ever holds a secret: vault passwords are reduced
to derived facts (strength, length, age, reuse groups, breach count) before they leave the vault
collector.

The whole :class:`Evidence` bundle round-trips through JSON with ``pydantic.TypeAdapter`` so the
store can keep each run's snapshot and hand it back as ``previous`` to the next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from auditor.core.account_evidence import (
    AccountEvidence,
    AccountState,
    ConnectedApp,
    DiscoveredAccount,
    Post,
    Profile,
    RoleHolder,
    TwoFactorPolicy,
)
from auditor.core.completeness import Completeness, FacetMap, SourceStatus
from auditor.core.domain_evidence import (
    DomainEvidence,
    HandleProbe,
    LookalikeDomain,
    LookalikeScan,
    RegistryAnswer,
)
from auditor.core.models import SourceReport

__all__ = [
    "AccountEvidence",
    "AccountState",
    "ConnectedApp",
    "ContentRegister",
    "DiscoveredAccount",
    "DomainEvidence",
    "Evidence",
    "EvidenceItem",
    "HandleProbe",
    "LookalikeDomain",
    "LookalikeScan",
    "PeopleDirectory",
    "Person",
    "PersonStatus",
    "Post",
    "Profile",
    "RegisterEntry",
    "RegistryAnswer",
    "RoleHolder",
    "TwoFactorPolicy",
    "VaultEvidence",
    "VaultItem",
]


class PersonStatus(StrEnum):
    """A person's state in the people directory."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEPARTED = "departed"
    DELETED = "deleted"


@dataclass(frozen=True)
class Person:
    """One person or mailbox in the company's directory."""

    email: str
    """Primary email, lower-cased."""
    name: str
    """Display name."""
    status: PersonStatus
    """active, suspended, departed or deleted."""
    departed_on: date | None = None
    """When the person left, if they did."""
    two_sv_enrolled: bool | None = None
    """Mailbox 2-step verification enrolled (Google Workspace); None when unknown."""
    two_sv_enforced: bool | None = None
    """Mailbox 2-step verification enforced; None when unknown."""
    aliases: tuple[str, ...] = ()
    """Other addresses that deliver to this mailbox."""


@dataclass(frozen=True)
class PeopleDirectory:
    """The people directory as read in this run."""

    source: str
    """``directory`` (CSV) or ``google_workspace``."""
    observed_at: datetime
    """When it was read."""
    people: tuple[Person, ...]
    """Everyone listed."""

    facets: FacetMap = field(default_factory=dict)
    """Completeness of each facet of this item, stated by the collector (read it only through
    :func:`auditor.core.completeness.facet_status`; an unstated facet is unknown)."""

    def find(self, email: str) -> Person | None:
        """The person whose email or alias matches (case-insensitive), or None."""
        wanted = email.strip().lower()
        for person in self.people:
            if person.email == wanted or wanted in person.aliases:
                return person
        return None


@dataclass(frozen=True)
class VaultItem:
    """Derived, secret-free facts about one login item in the company vault."""

    item_id: str
    """The vault's item id."""
    name: str
    """The item's title."""
    username: str | None
    """The login's username (often the registration email)."""
    uris: tuple[str, ...]
    """Login URIs."""
    has_password: bool
    """Whether the item holds a password at all."""
    password_length: int | None
    """Length of the password; None when absent."""
    strength_score: int | None
    """zxcvbn score 0-4; None when absent, or not scored because no inventory account links
    the item (only linked items are judged by auth.password-weak)."""
    password_changed_at: datetime | None
    """Last password change, from history or revision date; None when the export lacks it."""
    has_totp: bool
    """A TOTP seed is stored in this same item."""
    reused_with: tuple[str, ...] = ()
    """Ids of other items holding the same password (empty when unique)."""
    breach_count: int | None = None
    """Times the password appears in Pwned Passwords; None when not checked or the check
    failed."""
    created_at: datetime | None = None
    """Item creation time, when exported."""
    collection: str | None = None
    """Folder or collection name, when exported."""
    password_changed_exact: bool = True
    """False when ``password_changed_at`` is only an upper bound (the item's revision date,
    which any edit moves): the password may be older, never newer."""
    readers: tuple[str, ...] | None = None
    """Emails of everyone who can read the item, where the vault tells (a Bitwarden
    organization item with the members list); None when it cannot."""


@dataclass(frozen=True)
class VaultEvidence:
    """The vault export as read in this run."""

    source: str
    """``vault`` (the collector name)."""
    format: str
    """``bitwarden`` or ``1password-csv``."""
    observed_at: datetime
    """When it was read."""
    items: tuple[VaultItem, ...]
    """Login items."""
    breach_checked: bool = False
    """True when every password was looked up in the Pwned Passwords range API."""

    facets: FacetMap = field(default_factory=dict)
    """Completeness of each facet of this item, stated by the collector (read it only through
    :func:`auditor.core.completeness.facet_status`; an unstated facet is unknown)."""

    def find(self, ref: str) -> VaultItem | None:
        """The item whose id or name equals ``ref`` (case-insensitive for names)."""
        for item in self.items:
            if item.item_id == ref or item.name.lower() == ref.lower():
                return item
        return None


@dataclass(frozen=True)
class RegisterEntry:
    """One approved post in the approved-content register."""

    platform: str
    """Platform the post is approved for."""
    handle: str
    """Account handle."""
    post_id: str | None
    """Platform post id once published, when known."""
    text: str | None
    """Approved text (matched after normalisation) when no id is known."""
    approved_by: str
    """Who approved it."""
    approved_on: date | None = None
    """When."""


@dataclass(frozen=True)
class ContentRegister:
    """The approved-content register as read in this run."""

    source: str
    """``register``."""
    observed_at: datetime
    """When it was read."""
    entries: tuple[RegisterEntry, ...]
    """Approved posts."""
    facets: FacetMap = field(default_factory=dict)
    """Completeness of each facet of this item, stated by the collector (read it only through
    :func:`auditor.core.completeness.facet_status`; an unstated facet is unknown)."""


EvidenceItem = (
    PeopleDirectory
    | VaultEvidence
    | ContentRegister
    | AccountEvidence
    | DiscoveredAccount
    | DomainEvidence
    | LookalikeScan
    | HandleProbe
)
"""Anything a collector may return."""


@dataclass(frozen=True)
class Evidence:
    """Everything collected in one run, assembled by the runner from collector outputs."""

    collected_at: datetime
    """When collection finished."""
    sources: Mapping[str, SourceReport] = field(default_factory=dict)
    """Per-source reports by source name."""
    people: PeopleDirectory | None = None
    """The people directory; None when not configured or unreadable."""
    vault: VaultEvidence | None = None
    """The vault export; None when not configured or unreadable."""
    register: ContentRegister | None = None
    """The approved-content register; None when not configured or unreadable."""
    accounts: Mapping[str, AccountEvidence] = field(default_factory=dict)
    """Platform evidence by account asset key (``account:x:acme``)."""
    discovered: tuple[DiscoveredAccount, ...] = ()
    """Accounts the company controls according to the platforms."""
    domains: Mapping[str, DomainEvidence] = field(default_factory=dict)
    """Registration data by domain."""
    lookalikes: Mapping[str, LookalikeScan] = field(default_factory=dict)
    """Lookalike scans by brand domain."""
    handles: tuple[HandleProbe, ...] = ()
    """Handle lookups (lookalike candidates and claimable brand handles)."""
    discovery: Mapping[str, Completeness] = field(default_factory=dict)
    """Completeness of discovery (the accounts a business, org or token controls) by platform;
    a platform missing here was not discovered."""

    def source_failed(self, name: str) -> bool:
        """True when source ``name`` ran and read nothing usable (its stated status is
        ``failed``). Per-asset and per-facet completeness is read through
        :func:`~auditor.core.completeness.facet_status`, never from problem lists."""
        report = self.sources.get(name)
        return report is not None and report.status is SourceStatus.FAILED
