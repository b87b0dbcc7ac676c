"""Evidence read from platform APIs: account identity and state, profiles, posts, role holders,
connected apps, second-factor policy, and the accounts a company's business or org controls.

Part of the evidence contract; import these types from :mod:`auditor.core.evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from auditor.core.completeness import FacetMap


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
    text_digest: str | None = None
    """Set only in a stored (minimised) snapshot: ``hmac-sha256:<hex>`` of the full text under
    the store's key, while ``text`` then holds a masked excerpt (personal data and the handles
    of people the post answers masked). None in a run's own evidence, whose ``text`` is whole."""
    source_app_id: str | None = None
    """The publishing app's or admin's platform id, where exposed (Meta ``admin_creator.id``),
    so an approval by id holds even when another identity takes the approved name."""


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
    facets: FacetMap = field(default_factory=dict)
    """Completeness of each facet of this item, stated by the collector (read it only through
    :func:`auditor.core.completeness.facet_status`; an unstated facet is unknown)."""


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
