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

from auditor.models import SourceReport


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


class AccountState(StrEnum):
    """Whether an account could be found and is usable."""

    ACTIVE = "active"
    NOT_FOUND = "not_found"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Profile:
    """Public profile fields used for tamper detection."""

    display_name: str | None = None
    """Display name."""
    bio: str | None = None
    """Bio, description or about text (plain text)."""
    link: str | None = None
    """Website link, expanded where the API gives it."""
    avatar_hash: str | None = None
    """A stable digest of the avatar URL or image."""
    banner_hash: str | None = None
    """A stable digest of the banner URL or image."""
    location: str | None = None
    """Location text."""
    pinned_post_id: str | None = None
    """Pinned post id."""
    verified: bool | None = None
    """Has a verification badge; None when the platform does not say."""
    verified_type: str | None = None
    """Badge type where the platform tells (business, government, blue ...)."""
    extra_links: tuple[str, ...] = ()
    """Other profile links (Mastodon fields, bio links)."""


@dataclass(frozen=True)
class Post:
    """One recent post by the account."""

    id: str
    """Platform post id."""
    created_at: datetime
    """When it was published."""
    text: str
    """Post text as published (hostile: never trusted)."""
    links: tuple[str, ...] = ()
    """Links in the post, expanded where the API gives them."""
    is_reply: bool = False
    """A reply to someone."""
    source_app: str | None = None
    """Publishing app or admin, where exposed."""
    url: str | None = None
    """Permalink."""


@dataclass(frozen=True)
class RoleHolder:
    """Someone (or some system identity) with a role on an account, page, org or business."""

    person_id: str
    """Platform id of the role holder."""
    name: str | None
    """Display name where exposed."""
    email: str | None
    """Email where exposed, lower-cased."""
    role: str
    """The platform's own role name (ADMIN, MANAGE, ADMINISTRATOR, admin ...)."""
    full_admin: bool
    """Can manage roles and settings (the highest role on the platform)."""
    privilege: int
    """Comparable privilege level: 0 viewer/analyst, 1 moderator, 2 editor/publisher,
    3 full admin."""
    two_factor: bool | None = None
    """Has a second factor; None when the platform does not say."""
    two_factor_method: str | None = None
    """The method where known (sms, totp, security_key ...)."""
    added_at: datetime | None = None
    """When the role was granted, where exposed."""
    pending: bool = False
    """An invitation or request not yet accepted."""
    is_system: bool = False
    """A system user or bot identity rather than a person."""


@dataclass(frozen=True)
class ConnectedApp:
    """A third-party app with rights on the account."""

    app_id: str
    """Platform id of the app or installation."""
    name: str
    """App name."""
    permissions: tuple[str, ...]
    """What it may do (platform terms)."""
    can_publish: bool
    """Can post as the brand."""
    can_admin: bool
    """Can change settings or roles."""


@dataclass(frozen=True)
class TwoFactorPolicy:
    """The second-factor policy of the business, org or account that holds the asset."""

    required_for: str
    """``none``, ``admins`` or ``all``."""
    source_field: str
    """Which API field said so (e.g. ``two_factor_type``, ``two_factor_requirement_enabled``)."""


@dataclass(frozen=True)
class AccountEvidence:
    """What a platform API says about one inventory account."""

    platform: str
    """Platform name."""
    handle: str
    """The inventory handle this evidence answers."""
    source: str
    """Collector name."""
    observed_at: datetime
    """When fetched."""
    state: AccountState
    """active, not_found, suspended, deactivated or unknown (could not be read)."""
    account_id: str | None = None
    """The immutable id the handle resolves to now."""
    token_account_id: str | None = None
    """The account id the configured token belongs to (``get_me``), when checked."""
    handle_verified: bool | None = None
    """The handle resolves to this account and back (Bluesky handle⇄DID, Mastodon rel=me where
    applicable); False when that two-way check failed; None when not checked."""
    profile: Profile | None = None
    """Public profile; None when not read."""
    posts: tuple[Post, ...] | None = None
    """Recent posts in the policy window; None when not read."""
    roles: tuple[RoleHolder, ...] | None = None
    """Role holders; None when the platform does not expose them or they could not be read."""
    roles_note: str | None = None
    """Why roles are None (e.g. ``YouTube does not expose channel managers``)."""
    apps: tuple[ConnectedApp, ...] | None = None
    """Connected apps; None when not exposed."""
    two_factor_policy: TwoFactorPolicy | None = None
    """The holding business/org policy; None when not exposed."""
    account_two_factor: bool | None = None
    """The account's own second factor, where the API tells (Bluesky emailAuthFactor)."""
    owned_by_company: bool | None = None
    """True when the company's business/org owns it, False when it is only accessed as a
    client (agency-owned); None when not exposed."""
    owner_name: str | None = None
    """Name of the owning business or org, where exposed."""
    registration_email: str | None = None
    """The email the account is registered to, where the API tells."""
    missing_scopes: tuple[str, ...] = ()
    """Scopes the token lacks for checks that need them."""
    cursor: str | None = None
    """Incremental fetch position (since_id, min_id, cursor) for the next run."""


@dataclass(frozen=True)
class DiscoveredAccount:
    """An account the company controls on a platform (found through its business or org)."""

    platform: str
    """Platform name."""
    handle: str
    """Handle or name."""
    account_id: str
    """Immutable id."""
    via: str
    """How it was found (``meta owned_pages``, ``github org``)."""
    observed_at: datetime
    """When."""


@dataclass(frozen=True)
class DomainEvidence:
    """Registration data for one domain."""

    domain: str
    """The domain, lower-cased."""
    source: str
    """``rdap`` or ``whois``."""
    observed_at: datetime
    """When fetched."""
    registered: bool | None
    """False when the registry says it does not exist; None when unknown."""
    expires_at: datetime | None = None
    """Registration expiry (the earliest when several are given)."""
    created_at: datetime | None = None
    """Registration date."""
    registrar: str | None = None
    """Registrar name."""
    statuses: tuple[str, ...] | None = None
    """EPP status codes, normalised to camelCase without URL (``clientTransferProhibited``)."""
    registrant_org: str | None = None
    """Registrant organisation when not redacted."""
    dnssec: bool | None = None
    """True when signed; None when not stated."""
    name_servers: tuple[str, ...] = ()
    """Name servers, lower-cased."""
    linked_from: tuple[str, ...] = ()
    """Asset keys whose profile or posts link to this domain (empty for brand domains)."""


@dataclass(frozen=True)
class LookalikeDomain:
    """A permutation of a brand domain and whether it is registered."""

    domain: str
    """The permutation."""
    fuzzer: str
    """Which permutation family produced it (addition, homoglyph, tld-swap ...)."""
    similarity: float
    """0..1, higher is closer to the brand domain."""
    registered: bool | None
    """Whether it is registered; None when the lookup failed."""
    registrar: str | None = None
    """Registrar when registered."""
    created_at: datetime | None = None
    """Registration date when known."""


@dataclass(frozen=True)
class LookalikeScan:
    """The lookalike scan of one brand domain."""

    brand_domain: str
    """The brand domain permuted."""
    observed_at: datetime
    """When scanned."""
    candidates: tuple[LookalikeDomain, ...]
    """Ranked candidates that were checked (capped per policy)."""
    generated: int
    """How many permutations were generated before ranking and capping."""


@dataclass(frozen=True)
class HandleProbe:
    """A platform lookup of a handle: a lookalike candidate or a brand handle to claim."""

    platform: str
    """Platform name."""
    handle: str
    """The handle looked up."""
    brand_handle: str
    """The brand handle it was derived from."""
    purpose: str
    """``lookalike`` or ``claim``."""
    observed_at: datetime
    """When looked up."""
    exists: bool | None
    """True when an account holds the handle; None when the lookup failed."""
    account_id: str | None = None
    """Its id, when it exists."""
    display_name: str | None = None
    """Its display name, when it exists."""
    reason: str | None = None
    """Why it was probed (``confusable``, ``typo: omission`` ...)."""


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

    def source_failed(self, name: str, asset_key: str | None = None) -> bool:
        """True when source ``name`` failed entirely, or for ``asset_key``."""
        report = self.sources.get(name)
        if report is None:
            return False
        if not report.ok and any(p.asset_key is None for p in report.problems):
            return True
        return asset_key is not None and any(p.asset_key == asset_key for p in report.problems)
