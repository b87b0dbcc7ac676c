"""GitHub collector: an inventory GitHub organization, its owners, members, outside
collaborators, their second factors, app installations and the org's 2FA requirement.

Reads the REST API (``platforms.github.base_url``, default ``https://api.github.com``) with the
``Accept`` and ``X-GitHub-Api-Version`` headers. The owner-only facts (the org's
``two_factor_requirement_enabled``, the ``2fa_disabled`` / ``2fa_insecure`` member filters, app
installations, invitations) need a token of an org owner with ``admin:org``; without them the
evidence keeps those fields ``None`` and lists the scope in ``missing_scopes``, so the checks say
``not_verified`` instead of guessing. Lists are paginated through the ``Link`` header.

Role holders are built in :mod:`auditor.collectors.platforms.github_people`. ``platforms.github.organization``
names the company's org: when the inventory does not list it, it is still reported as a
discovered account (so ``ownership.unmanaged-account`` sees it). With a token, every
organization the token's user belongs to (``GET /user/memberships/orgs?state=active``, owner
or member) is discovered too. The parsing functions (``parse_*``) are pure and tested on
GitHub's own example payloads.

Ownership is read, never assumed: an org is the company's when its ``billing_email``
(owner-only) is on a company email domain, an approved agency's when it is on the agency's
domain, and someone else's on any other domain; without a visible billing email the owner is
unknown (``owned_by_company`` None: ``ownership.owner-not-company`` says not_verified).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote

import requests

from auditor.collectors.base import CollectContext, Collector, CollectorOutput, FacetReads
from auditor.collectors.platforms.github_people import (
    Member,
    SecondFactors,
    parse_invitations,
    parse_users,
    role_holders,
)
from auditor.collectors.platforms.json_api import (
    OutputBuilder,
    digest,
    make_client,
)
from auditor.collectors.platforms.json_shapes import as_list, as_object, flag, required_text, text
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import (
    CollectionError,
    ErrorKind,
    NotFound,
    PermissionMissing,
    RateLimited,
)
from auditor.core.estate import AccountSpec, Organization
from auditor.core.evidence import (
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
    from auditor.config.loading import AppConfig
    from auditor.http.client import HttpClient, HttpShared

_T = TypeVar("_T")

MAX_PAGES = 50
"""Pages read of one listing (100 items each); a longer listing is partial, never complete."""

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
HEADERS: Mapping[str, str] = MappingProxyType({"Accept": "application/vnd.github+json"})
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
    )
    billing = text(org, "billing_email")
    return OrgFacts(
        login=required_text(org, "login", "github org"),
        id=required_text(org, "id", "github org"),
        profile=profile,
        two_factor_policy=policy,
        billing_email=billing.lower() if billing else None,
    )


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


def parse_memberships(payload: object) -> list[tuple[str, str, str]]:
    """Parse one page of ``GET /user/memberships/orgs``: (org login, org id, role) of each
    active membership (``role`` admin, member or billing_manager)."""
    found: list[tuple[str, str, str]] = []
    for raw in as_list(payload, "github memberships"):
        item = as_object(raw, "github membership")
        if text(item, "state") not in (None, "active"):
            continue
        org = as_object(item.get("organization"), "github membership organization")
        found.append(
            (
                required_text(org, "login", "github membership organization"),
                required_text(org, "id", "github membership organization"),
                text(item, "role") or "member",
            )
        )
    return found


@dataclass(frozen=True)
class OrgOwner:
    """Whose an org is, as its billing email tells."""

    company: bool | None
    """True: the company's; False: an agency's or someone else's; None: unknown."""
    name: str | None
    """The agency's name when it is an approved agency's."""
    completeness: Completeness
    """How completely the owner was read."""


def org_owner(billing_email: str | None, organization: Organization | None) -> OrgOwner:
    """The org's owner from its billing email (owner-only: without it, unknown)."""
    if billing_email is None or organization is None:
        why = "billing_email is visible to org owners only" if organization else "no estate"
        return OrgOwner(None, None, Completeness.unknown(why))
    if organization.is_company_email(billing_email):
        return OrgOwner(True, organization.name, Completeness.complete())
    agency = organization.agency_for(billing_email)
    return OrgOwner(False, agency.name if agency else None, Completeness.complete())


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


CAPABILITIES = Capabilities(
    source="github",
    platforms=(
        PlatformCapability(
            "github",
            provides=frozenset(
                {
                    Facet.IDENTITY,
                    Facet.PROFILE,
                    Facet.ROLES,
                    Facet.MEMBER_TWO_FACTOR,
                    Facet.APPS,
                    Facet.TWO_FACTOR_POLICY,
                    Facet.OWNERSHIP,
                    Facet.REGISTRATION_EMAIL,
                }
            ),
            not_exposed={
                Facet.POSTS: "GitHub organizations publish no posts",
                Facet.TOKEN_OWNER: "a GitHub token belongs to a user, not to an organization",
            },
            discovery=True,
        ),
    ),
)
"""What the GitHub collector reads, and what GitHub does not expose."""


class GithubCollector(Collector):
    """Reads every inventory GitHub org (``platform: github``, handle = org login)."""

    name = PLATFORM
    capabilities = CAPABILITIES
    scopes = (ORG_SCOPE, "read:org")

    def __init__(
        self, client: HttpClient, organization: str | None = None, *, memberships: bool = False
    ) -> None:
        self.client = client
        self.organization = organization
        """``platforms.github.organization``: the company's org, reported as discovered even
        when the inventory does not list it (so an unmanaged org shows up)."""
        self.memberships = memberships
        """List the token user's org memberships (only with a token: they are the user's)."""

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read each org; one org's failure never stops the others."""
        output = OutputBuilder(self.name, self.capabilities)
        output.discovery[PLATFORM] = Completeness.complete()
        listed = {s.handle.lower() for s in ctx.estate.accounts if s.platform == PLATFORM}
        for spec in ctx.estate.accounts:
            if spec.platform == PLATFORM:
                output.account(
                    spec,
                    ctx.now,
                    lambda s, reads: self.read_org(s, ctx.now, reads, ctx.estate.organization),
                )
                if any(p.asset_key == spec.asset.key for p in output.problems):
                    unread = Completeness.unknown(f"the org {spec.handle} could not be read")
                    output.discovery[PLATFORM] = output.discovery[PLATFORM].weaker(unread)
        seen = {i.account_id for i in output.items if isinstance(i, DiscoveredAccount)}
        refused = any(p.kind == ErrorKind.AUTH.value for p in output.problems)
        if self.memberships and not refused:  # a refused token was reported once already
            self._member_orgs(ctx.now, output, seen)
        found = {i.handle.lower() for i in output.items if isinstance(i, DiscoveredAccount)}
        configured = (self.organization or "").lower()
        if configured and configured not in listed and configured not in found:
            self._discover(configured, ctx.now, output)
        return output.output(ctx.now, [self.client])

    def _member_orgs(self, now: datetime, output: OutputBuilder, seen: set[str]) -> set[str]:
        """Every org the token's user is an active member of, as discovered accounts (a listing
        that fails is a source-wide problem: discovery is then unknown, never empty)."""

        def truncated(pages: int) -> None:
            cut = Completeness.partial(f"org memberships truncated at {pages} pages")
            output.discovery[PLATFORM] = output.discovery[PLATFORM].weaker(cut)

        try:
            found = self._list(
                "/user/memberships/orgs", {"state": "active"}, parse_memberships, truncated
            )
        except CollectionError as exc:
            output.failed(exc, None)
            unread = Completeness.unknown(f"the token's org memberships: {exc.detail}")
            output.discovery[PLATFORM] = output.discovery[PLATFORM].weaker(unread)
            return set()
        added: set[str] = set()
        for login, org_id, role in found:
            if org_id not in seen and org_id not in added:
                added.add(org_id)
                output.items.append(
                    DiscoveredAccount(PLATFORM, login, org_id, f"github membership ({role})", now)
                )
        return added

    def _discover(self, login: str, now: datetime, harvest: OutputBuilder) -> None:
        """The configured org, outside the inventory, as a discovered account only."""
        try:
            org = parse_org(self._get(f"/orgs/{quote(login, safe='')}"))
        except NotFound:
            return
        except CollectionError as exc:
            harvest.failed(exc, None)
            unread = Completeness.unknown(f"the org {login} could not be read: {exc.detail}")
            harvest.discovery[PLATFORM] = unread
            return
        harvest.items.append(DiscoveredAccount(PLATFORM, org.login, org.id, "github org", now))

    def read_org(
        self,
        spec: AccountSpec,
        now: datetime,
        reads: FacetReads,
        organization: Organization | None = None,
    ) -> list[EvidenceItem]:
        """Evidence for one org plus the org as a discovered account. Its owner is read from
        the billing email against ``organization`` (unknown without either)."""
        org_path = f"/orgs/{quote(spec.handle, safe='')}"
        org = parse_org(self._get(org_path))
        missing: set[str] = set() if org.two_factor_policy else {ORG_SCOPE}
        people = (Facet.ROLES, Facet.MEMBER_TWO_FACTOR)
        roles = reads.attempt(people, lambda: self._roles(org_path, missing, reads))
        apps = reads.attempt((Facet.APPS,), lambda: self._apps(org_path, missing, reads))
        owner_only = Completeness.unknown(f"needs an org owner's token with {ORG_SCOPE}")
        if org.two_factor_policy is None:
            reads.mark((Facet.TWO_FACTOR_POLICY,), owner_only)
        if org.billing_email is None:
            reads.mark((Facet.REGISTRATION_EMAIL,), owner_only)
        if roles is None:
            reads.mark((Facet.ROLES, Facet.MEMBER_TWO_FACTOR), owner_only)
        if apps is None:
            reads.mark((Facet.APPS,), owner_only)
        owner = org_owner(org.billing_email, organization)
        evidence = AccountEvidence(
            platform=PLATFORM,
            handle=spec.handle,
            source=self.name,
            observed_at=now,
            state=AccountState.ACTIVE,
            account_id=org.id,
            profile=org.profile,
            roles=roles,
            roles_note=None if roles is not None else _why_roles_unread(reads),
            apps=apps,
            two_factor_policy=org.two_factor_policy,
            owned_by_company=owner.company,
            owner_name=owner.name or org.profile.display_name or org.login,
            registration_email=org.billing_email,
            missing_scopes=tuple(sorted(missing)),
            facets={Facet.OWNERSHIP: owner.completeness},
        )
        found = DiscoveredAccount(PLATFORM, org.login, org.id, "github org", now)
        return [evidence, found]

    def _get(self, path: str) -> Any:
        return self.client.get_json(path, headers=HEADERS)

    def _list(
        self,
        path: str,
        params: Mapping[str, str],
        parse: Callable[[Any], list[_T]],
        on_truncated: Callable[[int], None],
    ) -> list[_T]:
        """Every item of a ``Link``-paginated list (``on_truncated`` when it stops at the
        page cap)."""
        pages = self.client.paginate_links(
            path,
            params={**params, "per_page": 100},
            headers=HEADERS,
            max_pages=MAX_PAGES,
            on_truncated=on_truncated,
        )
        return [item for page in pages for item in parse(page)]

    def _optional(self, read: Callable[[], _T], missing: set[str]) -> _T | None:
        """``read()``, or None (and the scope noted) when the token may not see it."""
        try:
            return read()
        except CollectionError as exc:
            if not _unreadable(exc):
                raise
            missing.add(ORG_SCOPE)
            return None

    def _people(
        self,
        path: str,
        params: Mapping[str, str],
        missing: set[str],
        truncated: Callable[[int], None],
    ) -> list[Member] | None:
        return self._optional(lambda: self._list(path, params, parse_users, truncated), missing)

    def _factors(self, path: str, missing: set[str], reads: FacetReads) -> SecondFactors:
        found: dict[str, frozenset[str] | None] = {}
        for name in ("2fa_disabled", "2fa_insecure"):
            listing = reads.truncated(Facet.MEMBER_TWO_FACTOR, f"{path}?filter={name}")
            users = self._people(path, {"filter": name}, missing, listing)
            found[name] = None if users is None else frozenset(u.login for u in users)
            if users is None:
                reads.mark(
                    (Facet.MEMBER_TWO_FACTOR,),
                    Completeness.unknown(f"the {name} filter needs an org owner's token"),
                )
        return SecondFactors(found["2fa_disabled"], found["2fa_insecure"])

    def _roles(
        self, org_path: str, missing: set[str], reads: FacetReads
    ) -> tuple[RoleHolder, ...] | None:
        def listing(path: str) -> Callable[[int], None]:
            return reads.truncated(Facet.ROLES, path)

        members_path = f"{org_path}/members"
        owners = self._people(members_path, {"role": "admin"}, missing, listing(members_path))
        members = self._people(members_path, {"role": "all"}, missing, listing(members_path))
        outside_path = f"{org_path}/outside_collaborators"
        outside = self._people(outside_path, {}, missing, listing(outside_path))
        if owners is None or members is None or outside is None:
            return None
        looked_up = [self._with_email(m) for m in owners[:OWNER_LOOKUP_CAP]]
        holders = role_holders(
            looked_up + owners[OWNER_LOOKUP_CAP:],
            members,
            outside,
            self._factors(f"{org_path}/members", missing, reads),
            self._factors(f"{org_path}/outside_collaborators", missing, reads),
        )
        invitations = f"{org_path}/invitations"
        invited = self._optional(
            lambda: self._list(invitations, {}, parse_invitations, listing(invitations)), missing
        )
        if invited is None:
            reads.mark(
                (Facet.ROLES,),
                Completeness.partial("pending invitations need an org owner's token"),
            )
        return holders + tuple(invited or ())

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

    def _apps(
        self, org_path: str, missing: set[str], reads: FacetReads
    ) -> tuple[ConnectedApp, ...] | None:
        path = f"{org_path}/installations"
        listing = reads.truncated(Facet.APPS, path)
        found = self._optional(lambda: self._list(path, {}, parse_installations, listing), missing)
        return None if found is None else tuple(found)


def _why_roles_unread(reads: FacetReads) -> str:
    """The note for an org whose people could not be listed: the failure, or the token."""
    stated = reads.states.get(Facet.ROLES)
    if stated is not None and reads.problems:
        return f"the org's people could not be listed ({stated.reason})"
    return "the token cannot list the org's people"


def from_config(config: AppConfig, shared: HttpShared | None = None) -> GithubCollector | None:
    """The collector when the inventory lists a GitHub org or ``platforms.github.organization``
    names one (None otherwise)."""
    settings = config.model.platforms.get(PLATFORM)
    organization = settings.organization if settings else None
    if not organization and not any(a.platform == PLATFORM for a in config.estate.accounts):
        return None
    version = settings.version if settings and settings.version else API_VERSION
    client = make_client(
        config,
        PLATFORM,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
        headers={"X-GitHub-Api-Version": version},
        error_hook=rate_limit_hook,
    )
    memberships = bool(settings and settings.token is not None)
    return GithubCollector(client, organization, memberships=memberships)
