"""GitHub collector: an inventory GitHub organization, its owners, members, outside
collaborators, their second factors, app installations and the org's 2FA requirement.

Reads the REST API (``platforms.github.base_url``, default ``https://api.github.com``) with the
``Accept`` and ``X-GitHub-Api-Version`` headers. The owner-only facts (the org's
``two_factor_requirement_enabled``, the ``2fa_disabled`` / ``2fa_insecure`` member filters, app
installations, invitations) need a token of an org owner with ``admin:org``; without them the
evidence keeps those fields ``None`` and lists the scope in ``missing_scopes``, so the checks say
``not_verified`` instead of guessing. Lists are paginated through the ``Link`` header.

The parsing functions (``parse_*``) are pure and tested on GitHub's own example payloads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import requests

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.community import (
    Harvest,
    as_list,
    as_object,
    digest,
    flag,
    make_client,
    required_text,
    text,
)
from auditor.errors import CollectionError, NotFound, PermissionMissing, RateLimited
from auditor.estate import AccountSpec
from auditor.evidence import (
    AccountEvidence,
    AccountState,
    ConnectedApp,
    DiscoveredAccount,
    EvidenceItem,
    Profile,
    RoleHolder,
    TwoFactorPolicy,
)

if TYPE_CHECKING:
    from auditor.config import AppConfig
    from auditor.http import HttpClient, HttpShared

PLATFORM: Final = "github"
"""Platform and source name."""
DEFAULT_BASE_URL = "https://api.github.com"
"""The public REST API."""
API_VERSION = "2022-11-28"
"""The REST API version requested (overridable with ``platforms.github.version``)."""
ORG_SCOPE = "admin:org"
"""The classic-token scope the owner-only facts need."""
PUBLISH_PERMISSIONS = ("contents", "issues")
"""Installation permissions that let an app publish as the org when granted ``write``."""
ADMIN_PERMISSIONS = ("administration", "members", "organization_administration")
"""Installation permissions that let an app change settings or people when granted ``write``."""
HEADERS = {"Accept": "application/vnd.github+json"}
"""Sent with every request (the API version header is set on the client)."""
OWNER_LOOKUP_CAP = 25
"""At most this many owners without a listed email are looked up for their public email."""


@dataclass(frozen=True)
class OrgFacts:
    """What ``GET /orgs/{org}`` says."""

    login: str
    """Org login."""
    id: str
    """Immutable org id."""
    profile: Profile
    """Public profile fields."""
    two_factor_policy: TwoFactorPolicy | None
    """The 2FA requirement; None when the token cannot see it (not an owner)."""
    billing_email: str | None
    """Billing email (owner-only), lower-cased."""


@dataclass(frozen=True)
class Member:
    """One user in a member or collaborator list."""

    login: str
    """User login."""
    id: str
    """Immutable user id."""
    name: str | None
    """Display name when the list includes it."""
    email: str | None
    """Public email when the list includes it, lower-cased."""
    is_bot: bool
    """A bot account rather than a person."""


@dataclass(frozen=True)
class SecondFactors:
    """Who lacks 2FA or uses an insecure method, as the owner-only list filters say."""

    disabled: frozenset[str] | None
    """Logins without 2FA; None when the filter could not be read."""
    insecure: frozenset[str] | None
    """Logins with an insecure method (SMS); None when the filter could not be read."""

    def of(self, login: str) -> tuple[bool | None, str | None]:
        """(has a second factor, method) for ``login``; None when the filters say nothing."""
        if self.disabled is not None and login in self.disabled:
            return False, None
        if self.insecure is not None and login in self.insecure:
            return True, "sms"
        if self.disabled is not None:
            return True, None
        return None, None


def parse_org(payload: object) -> OrgFacts:
    """Parse ``GET /orgs/{org}``."""
    org = as_object(payload, "github org")
    required = flag(org, "two_factor_requirement_enabled")
    policy = (
        None
        if required is None
        else TwoFactorPolicy(
            required_for="all" if required else "none",
            source_field="two_factor_requirement_enabled",
        )
    )
    verified = flag(org, "is_verified")
    profile = Profile(
        display_name=text(org, "name"),
        bio=text(org, "description"),
        link=text(org, "blog") or None,
        avatar_hash=digest(text(org, "avatar_url")),
        location=text(org, "location"),
        verified=verified,
        verified_type="domain" if verified else None,
        extra_links=tuple(
            f"https://twitter.com/{handle}" for handle in [text(org, "twitter_username")] if handle
        ),
    )
    billing = text(org, "billing_email")
    return OrgFacts(
        login=required_text(org, "login", "github org"),
        id=required_text(org, "id", "github org"),
        profile=profile,
        two_factor_policy=policy,
        billing_email=billing.lower() if billing else None,
    )


def parse_users(payload: object) -> list[Member]:
    """Parse a list of simple users (members, outside collaborators, owners)."""
    members: list[Member] = []
    for raw in as_list(payload, "github user list"):
        user = as_object(raw, "github user")
        email = text(user, "email")
        members.append(
            Member(
                login=required_text(user, "login", "github user"),
                id=required_text(user, "id", "github user"),
                name=text(user, "name"),
                email=email.lower() if email else None,
                is_bot=text(user, "type") == "Bot",
            )
        )
    return members


def parse_installations(payload: object) -> list[ConnectedApp]:
    """Parse one page of ``GET /orgs/{org}/installations`` (``{total_count, installations}``)."""
    page = as_object(payload, "github installations")
    apps: list[ConnectedApp] = []
    for raw in as_list(page.get("installations"), "github installations"):
        item = as_object(raw, "github installation")
        permissions = item.get("permissions") or {}
        granted = {
            str(name): str(level)
            for name, level in as_object(permissions, "github installation permissions").items()
        }
        if item.get("suspended_at"):
            continue
        apps.append(
            ConnectedApp(
                app_id=required_text(item, "app_id", "github installation"),
                name=text(item, "app_slug") or required_text(item, "id", "github installation"),
                permissions=tuple(f"{name}:{level}" for name, level in sorted(granted.items())),
                can_publish=any(granted.get(p) in ("write", "admin") for p in PUBLISH_PERMISSIONS),
                can_admin=any(granted.get(p) in ("write", "admin") for p in ADMIN_PERMISSIONS),
            )
        )
    return apps


def parse_invitations(payload: object) -> list[RoleHolder]:
    """Parse ``GET /orgs/{org}/invitations`` into pending role holders."""
    holders: list[RoleHolder] = []
    for raw in as_list(payload, "github invitations"):
        item = as_object(raw, "github invitation")
        role = text(item, "role") or "direct_member"
        email = text(item, "email")
        holders.append(
            RoleHolder(
                person_id=text(item, "login") or required_text(item, "id", "github invitation"),
                name=None,
                email=email.lower() if email else None,
                role=role,
                full_admin=role == "admin",
                privilege=3 if role == "admin" else 1,
                pending=True,
            )
        )
    return holders


def role_holders(
    owners: Sequence[Member],
    members: Sequence[Member],
    collaborators: Sequence[Member],
    member_factors: SecondFactors,
    collaborator_factors: SecondFactors,
) -> tuple[RoleHolder, ...]:
    """Owners (full admins), other members, then outside collaborators, once each."""
    owner_logins = {m.login for m in owners}
    holders = [_holder(m, "admin", 3, member_factors) for m in owners]
    holders += [
        _holder(m, "member", 1, member_factors) for m in members if m.login not in owner_logins
    ]
    holders += [_holder(m, "outside_collaborator", 1, collaborator_factors) for m in collaborators]
    return tuple(holders)


def _holder(member: Member, role: str, privilege: int, factors: SecondFactors) -> RoleHolder:
    has_factor, method = factors.of(member.login)
    return RoleHolder(
        person_id=member.login,
        name=member.name,
        email=member.email,
        role=role,
        full_admin=privilege == 3,
        privilege=privilege,
        two_factor=has_factor,
        two_factor_method=method,
        is_system=member.is_bot,
    )


def rate_limit_hook(response: requests.Response) -> CollectionError | None:
    """GitHub's secondary and primary limits arrive as 403 too: decide by status + headers."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    if headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers:
        return RateLimited(
            f"github: rate limited (HTTP {response.status_code})", status=response.status_code
        )
    return None


def _unreadable(exc: CollectionError) -> bool:
    """True for answers that mean "this token may not see it" rather than a failure."""
    return isinstance(exc, PermissionMissing | NotFound) or exc.status == 422


class GithubCollector(Collector):
    """Reads every inventory GitHub org (``platform: github``, handle = org login)."""

    name = PLATFORM
    scopes = (ORG_SCOPE, "read:org")

    def __init__(self, client: HttpClient) -> None:
        self.client = client

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read each org; one org's failure never stops the others."""
        harvest = Harvest(self.name)
        for spec in ctx.estate.accounts:
            if spec.platform == PLATFORM:
                harvest.account(spec, ctx.now, lambda s: self.read_org(s, ctx.now))
        return harvest.output(ctx.now, self.client.requests_made)

    def read_org(self, spec: AccountSpec, now: datetime) -> list[EvidenceItem]:
        """Evidence for one org plus the org as a discovered account."""
        org_path = f"/orgs/{quote(spec.handle, safe='')}"
        org = parse_org(self._get(org_path))
        missing: set[str] = set() if org.two_factor_policy else {ORG_SCOPE}
        roles = self._roles(org_path, missing)
        apps = self._apps(org_path, missing)
        evidence = AccountEvidence(
            platform=PLATFORM,
            handle=spec.handle,
            source=self.name,
            observed_at=now,
            state=AccountState.ACTIVE,
            account_id=org.id,
            profile=org.profile,
            roles=roles,
            roles_note=None if roles is not None else "the token cannot list the org's people",
            apps=apps,
            two_factor_policy=org.two_factor_policy,
            owned_by_company=True,
            owner_name=org.profile.display_name or org.login,
            registration_email=org.billing_email,
            missing_scopes=tuple(sorted(missing)),
        )
        found = DiscoveredAccount(PLATFORM, org.login, org.id, "github org", now)
        return [evidence, found]

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.client.get_json(path, params=params, headers=HEADERS)

    def _users(self, path: str, params: Mapping[str, str]) -> list[Member]:
        pages = self.client.paginate_links(
            path, params={**params, "per_page": 100}, headers=HEADERS
        )
        return [member for page in pages for member in parse_users(page)]

    def _optional_users(
        self, path: str, params: Mapping[str, str], missing: set[str]
    ) -> list[Member] | None:
        try:
            return self._users(path, params)
        except CollectionError as exc:
            if not _unreadable(exc):
                raise
            missing.add(ORG_SCOPE)
            return None

    def _factors(self, path: str, missing: set[str]) -> SecondFactors:
        found: dict[str, frozenset[str] | None] = {}
        for name in ("2fa_disabled", "2fa_insecure"):
            users = self._optional_users(path, {"filter": name}, missing)
            found[name] = None if users is None else frozenset(u.login for u in users)
        return SecondFactors(found["2fa_disabled"], found["2fa_insecure"])

    def _roles(self, org_path: str, missing: set[str]) -> tuple[RoleHolder, ...] | None:
        owners = self._optional_users(f"{org_path}/members", {"role": "admin"}, missing)
        members = self._optional_users(f"{org_path}/members", {"role": "all"}, missing)
        outside = self._optional_users(f"{org_path}/outside_collaborators", {}, missing)
        if owners is None or members is None or outside is None:
            return None
        owners = [self._with_email(m) for m in owners[:OWNER_LOOKUP_CAP]] + owners[
            OWNER_LOOKUP_CAP:
        ]
        holders = role_holders(
            owners,
            members,
            outside,
            self._factors(f"{org_path}/members", missing),
            self._factors(f"{org_path}/outside_collaborators", missing),
        )
        invited = self._optional_invitations(org_path, missing)
        return holders + tuple(invited)

    def _with_email(self, member: Member) -> Member:
        """An owner's public email from ``GET /users/{login}`` when the list did not carry it."""
        if member.email is not None:
            return member
        try:
            user = as_object(self._get(f"/users/{quote(member.login, safe='')}"), "github user")
        except CollectionError as exc:
            if _unreadable(exc):
                return member
            raise
        email = text(user, "email")
        return replace(
            member, email=email.lower() if email else None, name=member.name or text(user, "name")
        )

    def _optional_invitations(self, org_path: str, missing: set[str]) -> list[RoleHolder]:
        try:
            pages = self.client.paginate_links(
                f"{org_path}/invitations", params={"per_page": 100}, headers=HEADERS
            )
            return [holder for page in pages for holder in parse_invitations(page)]
        except CollectionError as exc:
            if not _unreadable(exc):
                raise
            missing.add(ORG_SCOPE)
            return []

    def _apps(self, org_path: str, missing: set[str]) -> tuple[ConnectedApp, ...] | None:
        try:
            pages = self.client.paginate_links(
                f"{org_path}/installations", params={"per_page": 100}, headers=HEADERS
            )
            return tuple(app for page in pages for app in parse_installations(page))
        except CollectionError as exc:
            if not _unreadable(exc):
                raise
            missing.add(ORG_SCOPE)
            return None


def from_config(config: AppConfig, shared: HttpShared | None = None) -> GithubCollector | None:
    """The collector when the inventory lists a GitHub org (None otherwise)."""
    if not any(a.platform == PLATFORM for a in config.estate.accounts):
        return None
    settings = config.model.platforms.get(PLATFORM)
    version = settings.version if settings and settings.version else API_VERSION
    client = make_client(
        config,
        PLATFORM,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
        headers={"X-GitHub-Api-Version": version},
        error_hook=rate_limit_hook,
    )
    return GithubCollector(client)
