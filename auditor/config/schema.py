"""The config file's schema: pydantic models for every section of the YAML.

Every model forbids unknown fields (a misspelling must not silently disable a check) and is
frozen. :mod:`auditor.config.loading` loads a file into :class:`ConfigModel` (``${ENV}``
references in ``SecretStr`` fields stay references until the part that uses them reads them),
and converts the estate and policy into
:mod:`auditor.core.estate` values; import these models from :mod:`auditor.config.loading`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from auditor.core import estate as est
from auditor.core.models import Severity


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgencyModel(_Strict):
    name: str
    domains: list[str] = Field(min_length=1)


class OrganizationModel(_Strict):
    name: str = Field(min_length=1)
    email_domains: list[str] = Field(min_length=1)
    agencies: list[AgencyModel] = []
    public_emails: list[str] = []
    public_phones: list[str] = []
    default_region: str = "US"
    legal_names: list[str] = []
    brand_names: list[str] = []


class AttestationModel(_Strict):
    method: est.TwoFactorMethod
    attested_on: date
    attested_by: str | None = None


class AccountCredentialsModel(_Strict):
    """One account's own credentials (``${ENV}`` references), used where a platform answers a
    question only to the account itself (X ``/2/users/me``, YouTube ``channels?mine=true``, a
    Meta Page token)."""

    token: SecretStr | None = None
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _complete(self) -> AccountCredentialsModel:
        oauth1 = [
            self.consumer_key,
            self.consumer_secret,
            self.access_token,
            self.access_token_secret,
        ]
        if any(oauth1) and not all(oauth1):
            raise ValueError(
                "OAuth 1.0a needs consumer_key, consumer_secret, access_token and "
                "access_token_secret together"
            )
        if self.token is None and not any(oauth1):
            raise ValueError("a token or the four OAuth 1.0a values")
        return self

    def names(self) -> tuple[str, ...]:
        """Which kinds of credential are given (never their values)."""
        kinds = ("oauth2_token",) if self.token is not None else ()
        return kinds + (("oauth1",) if self.access_token is not None else ())


class _InventoryEntry(_Strict):
    """What the inventory records about an account or a business: the same facts for both."""

    handle: str = Field(min_length=1)
    id: str | None = None
    registered_email: str | None = None
    vault_item: str | None = None
    two_factor: AttestationModel | None = None
    expected_admins: list[str] = []
    last_access_review: date | None = None
    approved_apps: list[str] = []
    credential_holders: list[str] = []
    tags: list[str] = []


class AccountModel(_InventoryEntry):
    platform: Literal[
        "x", "meta", "instagram", "linkedin", "youtube", "github", "mastodon", "bluesky"
    ]
    owner: est.OwnerKind = est.OwnerKind.COMPANY
    owner_name: str | None = None
    business: str | None = Field(default=None, description="handle of an entry in 'businesses'")
    credentials: AccountCredentialsModel | None = None


class BusinessModel(_InventoryEntry):
    """A business that holds accounts: a Meta Business portfolio, a GitHub enterprise, a Google
    Workspace tenant. Its admins, 2FA requirement and credentials are checked on it, once."""

    platform: Literal["meta_business", "github_enterprise", "google_workspace"]


class DomainModel(_Strict):
    name: str = Field(min_length=3)
    lookalikes: bool = True


class LaunchModel(_Strict):
    name: str
    terms: list[str] = Field(min_length=1)
    embargo_until: datetime
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ChangeWindowModel(_Strict):
    account: str = Field(description="platform:handle")
    starts: datetime
    ends: datetime
    fields: list[str] = Field(min_length=1)
    reason: str = ""
    timezone: str = "UTC"


class PolicyModel(_Strict):
    max_full_admins: int = Field(default=3, ge=1)
    min_full_admins: int = Field(default=2, ge=1)
    access_review_max_days: int = Field(default=90, ge=1)
    attestation_max_days: int = Field(default=180, ge=1)
    password_min_score: int = Field(default=3, ge=0, le=4)
    password_min_length: int = Field(default=14, ge=1)
    password_max_age_days: int = Field(default=365, ge=1)
    domain_expiry_days: int = Field(default=60, ge=1)
    posting_burst_factor: float = Field(default=3.0, gt=1)
    posting_window_hours: int = Field(default=24, ge=1)
    content_window_days: int = Field(default=14, ge=1)
    lookalike_cap: int = Field(default=50, ge=1)
    free_mail_domains: list[str] | None = None
    approved_apps: list[str] = []
    approved_registrars: list[str] = []
    allowed_link_domains: list[str] = []
    shorteners: list[str] | None = None
    claim_platforms: list[str] = []
    severity: dict[str, Severity] = {}
    max_mute_days: int = Field(default=365, ge=1)


class DirectorySource(_Strict):
    csv: Path | None = None
    google_workspace: bool = False


class VaultSource(_Strict):
    bitwarden: Path | None = None
    bitwarden_members: Path | None = None
    onepassword_csv: Path | None = None
    check_breaches: bool = True


class RegisterSource(_Strict):
    csv: Path


class SourcesModel(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    directory: DirectorySource | None = None
    vault: VaultSource | None = None
    content_register: RegisterSource | None = Field(default=None, alias="register")


class PlatformModel(_Strict):
    """Credentials and endpoint of one API. Unused keys for a platform are ignored by it."""

    base_url: str | None = None
    token: SecretStr | None = None
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    business_id: str | None = None
    plc_directory: str | None = None
    dns_resolver: str | None = None
    organization: str | None = None
    customer: str | None = None
    version: str | None = None
    concurrency: int = Field(default=8, ge=1, le=64)
    rate_per_second: float | None = Field(default=None, gt=0)
    timeout_s: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)

    @field_validator("base_url", "plc_directory", "dns_resolver")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"an http(s):// URL, got {value[:60]!r}")
        return value


class WhoisModel(_Strict):
    server: str | None = Field(default=None, description="host:port")
    timeout_s: float = Field(default=10.0, gt=0)


class NetworkModel(_Strict):
    allow_private: bool = False
    rate_limit_budget_s: float = Field(default=60.0, ge=0)
    user_agent: str | None = None


class StorageModel(_Strict):
    path: Path = Path("brand-audit.db")
    keep_runs: int | None = Field(default=None, ge=1)
    retention_days: int = Field(default=400, ge=1)


class SmtpModel(_Strict):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    timeout_s: float = Field(default=20.0, gt=0)
    ca_file: Path | None = None


class MailModel(_Strict):
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    smtp: SmtpModel | None = None
    outbox: Path | None = None
    subject_prefix: str = "[brand-audit]"


class ScheduleModel(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    cron: str
    timezone: str = "UTC"
    only: list[str] = []
    profile: str | None = None
    recipients: list[str] = []
    report: Literal["full", "leadership"] = "full"
    jitter_s: int = Field(default=0, ge=0)
    email: bool = True


class ProfileModel(_Strict):
    only: list[str] = Field(min_length=1)
    fail_on: Severity | None = None
    description: str = ""


PUBLISHED_LIMITS_15MIN: dict[str, int] = {
    "x": 300,
    "mastodon": 900,
    "bluesky": 9000,
    "youtube": 104,
    "linkedin": 100,
    "github": 1250,
    "meta": 50,
}
"""Each polled platform's published request limit per 15 minutes (reference/platform-apis.md):
X users lookup 300 per app; Mastodon 300 per 5 min; Bluesky 3,000 per 5 min; YouTube 10,000
units a day; GitHub 5,000 an hour; Meta 200 calls an hour per user. LinkedIn publishes no number
(daily quotas seen only in its portal): 100 is a conservative ceiling."""


class WatchHookModel(_Strict):
    """One platform's webhook: the secret that signs its deliveries (and Meta's verify token)."""

    secret: SecretStr
    verify_token: SecretStr | None = None


class WatchModel(_Strict):
    """``watch:``: which accounts ``brand-audit watch`` observes, its receiver and budgets."""

    accounts: list[str] = Field(default=[], description="platform:handle")
    tags: list[str] = []
    all: bool = False
    bind: str = "127.0.0.1"
    port: int = Field(default=8787, ge=0, le=65535)
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=26_214_400)
    interval_s: int = Field(default=60, ge=5)
    safety_poll_s: int = Field(default=900, ge=60)
    budgets: dict[str, int] = {}
    github: WatchHookModel | None = None
    meta: WatchHookModel | None = None

    @field_validator("budgets")
    @classmethod
    def _within_published(cls, value: dict[str, int]) -> dict[str, int]:
        for platform, budget in value.items():
            limit = PUBLISHED_LIMITS_15MIN.get(platform)
            if limit is None:
                known = ", ".join(PUBLISHED_LIMITS_15MIN)
                raise ValueError(f"unknown platform {platform!r} (expected one of {known})")
            if not 1 <= budget <= limit:
                raise ValueError(
                    f"{platform}: requests per 15 minutes between 1 and the published limit"
                    f" {limit}, got {budget}"
                )
        return value


class AlertsModel(_Strict):
    """``alerts:``: Apprise URLs (``${ENV}`` secrets), the least severity alerted, a rate cap."""

    urls: list[SecretStr] = Field(min_length=1)
    min_severity: Severity = Severity.HIGH
    max_per_hour: int = Field(default=20, ge=1)


class ConfigModel(_Strict):
    version: Literal[1] = 1
    organization: OrganizationModel
    accounts: list[AccountModel] = []
    businesses: list[BusinessModel] = []
    domains: list[DomainModel] = []
    brand_handles: (
        list[str]
        | dict[
            Literal["x", "instagram", "linkedin", "youtube", "github", "mastodon", "bluesky"],
            list[str],
        ]
    ) = []
    launches: list[LaunchModel] = []
    change_windows: list[ChangeWindowModel] = []
    policy: PolicyModel = PolicyModel()
    sources: SourcesModel = SourcesModel()
    platforms: dict[
        Literal[
            "x",
            "meta",
            "linkedin",
            "youtube",
            "github",
            "mastodon",
            "bluesky",
            "google_workspace",
            "hibp",
            "rdap",
        ],
        PlatformModel,
    ] = {}
    whois: WhoisModel = WhoisModel()
    network: NetworkModel = NetworkModel()
    storage: StorageModel = StorageModel()
    mail: MailModel | None = None
    schedules: list[ScheduleModel] = []
    profiles: dict[str, ProfileModel] = {}
    mutes: Path | None = None
    watch: WatchModel | None = None
    alerts: AlertsModel | None = None
