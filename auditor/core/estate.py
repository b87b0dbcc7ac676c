"""The company's declared estate and policy, as checks see them.

:mod:`auditor.config.loading` validates the YAML and builds these frozen values; checks read them through
:class:`auditor.core.registry.CheckContext`. Every policy threshold has a documented default here, which
the README's config walkthrough repeats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

from auditor.core.models import Asset, Severity

DEFAULT_FREE_MAIL_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
    "yandex.com",
    "zoho.com",
    "fastmail.com",
)
"""Mail domains anyone can register on; a brand account registered there is critical."""

DEFAULT_SHORTENERS = (
    "bit.ly",
    "tinyurl.com",
    "t.ly",
    "is.gd",
    "ow.ly",
    "buff.ly",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "rb.gy",
    "tiny.cc",
    "s.id",
    "v.gd",
    "goo.su",
    "t.co",
    "lnkd.in",
)
"""Link shorteners that hide where a link goes."""


BUSINESS_PLATFORMS = ("meta_business", "github_enterprise", "google_workspace")
"""Inventory platforms of businesses that hold accounts: a Meta Business portfolio, a GitHub
enterprise, a Google Workspace tenant. They are assets of their own (``businesses:`` in the
config): their admins, 2FA requirement and credentials are checked on them, once."""


class OwnerKind(StrEnum):
    """Who owns an account according to the inventory."""

    COMPANY = "company"
    AGENCY = "agency"
    PERSON = "person"


class TwoFactorMethod(StrEnum):
    """An attested second factor."""

    NONE = "none"
    SMS = "sms"
    VOICE = "voice"
    EMAIL = "email"
    TOTP = "totp"
    PUSH = "push"
    SECURITY_KEY = "security_key"
    PASSKEY = "passkey"

    @property
    def weak(self) -> bool:
        """SMS and voice can be SIM-swapped."""
        return self in (TwoFactorMethod.SMS, TwoFactorMethod.VOICE)


@dataclass(frozen=True)
class Attestation:
    """A person's statement about an account's second factor."""

    method: TwoFactorMethod
    """The strongest method the account has."""
    attested_on: date
    """When it was last confirmed."""
    attested_by: str | None = None
    """Who confirmed it."""


@dataclass(frozen=True)
class Agency:
    """An approved agency working on the company's accounts."""

    name: str
    """Agency name."""
    domains: tuple[str, ...]
    """Its email domains."""


@dataclass(frozen=True)
class Organization:
    """The company itself."""

    name: str
    """Company name."""
    email_domains: tuple[str, ...]
    """Company email domains (lower-case)."""
    agencies: tuple[Agency, ...] = ()
    """Approved agencies."""
    public_emails: tuple[str, ...] = ()
    """Published contact emails: never PII findings."""
    public_phones: tuple[str, ...] = ()
    """Published contact phone numbers (E.164 or as written): never PII findings."""
    default_region: str = "US"
    """Region for parsing phone numbers written without a country code."""
    legal_names: tuple[str, ...] = ()
    """Names the company is registered under (registrant comparisons: a domain registered to
    one of them is the company's)."""
    brand_names: tuple[str, ...] = ()
    """Brand and product names people know the company by (lookalike display names, "official
    <brand>" scam wording)."""

    def is_company_email(self, email: str) -> bool:
        """True when the address is on a company domain (or a subdomain of one)."""
        domain = email.rsplit("@", 1)[-1].strip().lower()
        return any(domain == d or domain.endswith("." + d) for d in self.email_domains)

    def agency_for(self, email: str) -> Agency | None:
        """The approved agency whose domain the address is on, if any."""
        domain = email.rsplit("@", 1)[-1].strip().lower()
        for agency in self.agencies:
            if any(domain == d or domain.endswith("." + d) for d in agency.domains):
                return agency
        return None


@dataclass(frozen=True)
class AccountSpec:
    """One brand account as the inventory records it."""

    platform: str
    """x, meta (a Facebook page), instagram, linkedin, youtube, github, mastodon, bluesky."""
    handle: str
    """Handle, page username, org login, channel handle, or full Mastodon acct."""
    id: str | None = None
    """The immutable platform id when known."""
    owner: OwnerKind = OwnerKind.COMPANY
    """Who owns it."""
    owner_name: str | None = None
    """The agency's or person's name when not the company."""
    registered_email: str | None = None
    """The email the account is registered to."""
    vault_item: str | None = None
    """The vault item id or name holding its credential."""
    two_factor: Attestation | None = None
    """Attested second factor."""
    expected_admins: tuple[str, ...] = ()
    """Emails or platform ids of people expected to hold roles."""
    last_access_review: date | None = None
    """When access was last reviewed."""
    approved_apps: tuple[str, ...] = ()
    """Apps allowed to publish or administer this account (names or ids)."""
    tags: tuple[str, ...] = ()
    """Free labels (region, team)."""
    business: str | None = None
    """Asset key of the inventory business that holds it (``account:meta_business:acme``)."""
    credentials: tuple[str, ...] = ()
    """Kinds of the account's own credential given in the config (``oauth2_token``,
    ``oauth1``); the values stay in the config, never in the estate."""
    credential_holders: tuple[str, ...] = ()
    """Emails of the people who can read the account's password (lower-case), as the
    inventory records them."""

    @property
    def asset(self) -> Asset:
        """The account as an asset."""
        return Asset.account(self.platform, self.handle, self.id)

    @property
    def is_business(self) -> bool:
        """True for a business that holds accounts (``businesses:`` in the config)."""
        return self.platform in BUSINESS_PLATFORMS


@dataclass(frozen=True)
class DomainSpec:
    """A brand domain."""

    name: str
    """The domain, lower-case."""
    lookalikes: bool = True
    """Scan for lookalike registrations."""


@dataclass(frozen=True)
class Launch:
    """An upcoming launch whose terms must not appear before the embargo."""

    name: str
    """Launch name."""
    terms: tuple[str, ...]
    """Terms that reveal it."""
    embargo_until: datetime
    """Timezone-aware end of the embargo."""


@dataclass(frozen=True)
class ChangeWindow:
    """A planned campaign window in which listed profile fields may change."""

    account_key: str
    """Asset key of the account (``account:x:acme``)."""
    starts: datetime
    """Window start (aware)."""
    ends: datetime
    """Window end (aware)."""
    fields: tuple[str, ...]
    """Profile field names allowed to change (``bio``, ``avatar_hash`` ...)."""
    reason: str = ""
    """Why."""


@dataclass(frozen=True)
class Policy:
    """Thresholds and lists that decide when a check fails. Defaults are the documented ones."""

    max_full_admins: int = 3
    """access.excess-admins fails above this."""
    min_full_admins: int = 2
    """access.single-admin fails below this many full admins."""
    access_review_max_days: int = 90
    """access.review-overdue fails when the last review is older."""
    attestation_max_days: int = 180
    """coverage.evidence-stale fails when a 2FA attestation is older."""
    password_min_score: int = 3
    """auth.password-weak fails below this zxcvbn score."""
    password_min_length: int = 14
    """auth.password-weak fails below this length."""
    password_max_age_days: int = 365
    """auth.password-stale fails when the password is older."""
    domain_expiry_days: int = 60
    """domain.expiring fails (medium) within this many days; high within 30, critical 14."""
    posting_burst_factor: float = 3.0
    """content.posting-burst fails when the window's posts exceed usual rate times this."""
    posting_window_hours: int = 24
    """The burst window."""
    content_window_days: int = 14
    """How far back posts are read."""
    lookalike_cap: int = 50
    """Lookalike candidates checked per brand domain, closest first."""
    free_mail_domains: tuple[str, ...] = DEFAULT_FREE_MAIL_DOMAINS
    """Free-mail domains (registration there is critical)."""
    approved_apps: tuple[str, ...] = ()
    """Apps approved on every account."""
    approved_registrars: tuple[str, ...] = ()
    """Registrars allowed for brand domains (empty: the check is not_verified)."""
    allowed_link_domains: tuple[str, ...] = ()
    """Domains posts and profiles may link to without review (brand domains are implied)."""
    shorteners: tuple[str, ...] = DEFAULT_SHORTENERS
    """Known link shorteners."""
    claim_platforms: tuple[str, ...] = ()
    """Platforms where the brand handle should be held (impersonation.handle-unclaimed); with
    ``brand_handles`` per platform, every platform listed there too."""
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    """Check id to severity, raising or lowering the default."""


@dataclass(frozen=True)
class Estate:
    """Everything the company declares about itself."""

    organization: Organization
    """The company."""
    accounts: tuple[AccountSpec, ...] = ()
    """Brand accounts."""
    domains: tuple[DomainSpec, ...] = ()
    """Brand domains."""
    launches: tuple[Launch, ...] = ()
    """Embargoed launches."""
    change_windows: tuple[ChangeWindow, ...] = ()
    """Approved profile-change windows."""
    brand_handles: tuple[str, ...] = ()
    """Brand names and handles to protect from lookalikes (defaults to account handles); with
    per-platform handles, all of them."""
    platform_handles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Brand handles to claim and watch per platform (``brand_handles`` written as a mapping);
    empty when one list applies to every platform."""

    def handles_for(self, platform: str) -> tuple[str, ...]:
        """The brand handles to watch on ``platform``: its own list when the config gives
        handles per platform (none when it lists nothing for it), else every brand handle."""
        if self.platform_handles:
            return self.platform_handles.get(platform, ())
        return self.brand_handles

    def held_by(self, business_key: str) -> tuple[AccountSpec, ...]:
        """The inventory accounts that name ``business_key`` as their business."""
        return tuple(a for a in self.accounts if a.business == business_key)

    def account(self, key: str) -> AccountSpec | None:
        """The inventory account with this asset key (the first one, in inventory order)."""
        return self._accounts_by_key.get(key)

    @cached_property
    def _accounts_by_key(self) -> Mapping[str, AccountSpec]:
        """Asset key to the first inventory account with it, built once per estate (the estate
        is immutable), so :meth:`account` takes constant time."""
        index: dict[str, AccountSpec] = {}
        for spec in self.accounts:
            index.setdefault(spec.asset.key, spec)
        return index
