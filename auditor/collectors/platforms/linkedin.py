"""The LinkedIn collector: company pages, who holds which role on them, and recent posts.

Reads the versioned Community Management API (``platforms.linkedin.base_url``, default
``https://api.linkedin.com``; ``LinkedIn-Version: platforms.linkedin.version``, default
``202511``; ``X-Restli-Protocol-Version: 2.0.0``). Per inventory page: the organization found by
its vanity name (the handle), so a handle that now points to another organization shows up as a
different ``account_id``; ``organizationAcls`` roles (``ADMINISTRATOR`` is full admin,
``REQUESTED`` is pending, rejected and revoked entries are dropped); ``posts`` by the
organization in the content window, read newest first and only until the previous run's newest
post; a carried post is kept when those pages still list it, dropped when it is missing
although newer than the oldest one listed, and otherwise asked with the batch get ``GET
/rest/posts?ids=List(...)`` (100 a request). Role holders are person URNs: LinkedIn does not resolve them to names or emails for this
API. LinkedIn exposes no 2FA and no ownership; those stay unknown. Organizations the token's
member administers (``organizationAcls?q=roleAssignee``) are reported as discovered accounts. 429 carries no reset header
(daily quotas), so it is never waited for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from auditor.collectors.base import CollectContext, FacetReads
from auditor.collectors.platforms.collector import (
    CarriedPosts,
    PlatformCollector,
    links_in,
    url_digest,
    window_floor,
)
from auditor.collectors.platforms.json_shapes import object_or_empty, text
from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    MalformedResponse,
    NotFound,
    PermissionMissing,
)
from auditor.core.estate import AccountSpec
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    DiscoveredAccount,
    EvidenceItem,
    Post,
    Profile,
    RoleHolder,
)
from auditor.core.models import SourceProblem
from auditor.http.client import HttpClient, HttpShared

CONFIG_NAME = "linkedin"
PLATFORMS = ("linkedin",)
DEFAULT_BASE_URL = "https://api.linkedin.com"
DEFAULT_VERSION = "202511"
PAGE_SIZE = 50
MAX_PAGES = 10
ROLE_PRIVILEGE = {
    "ADMINISTRATOR": 3,
    "CONTENT_ADMINISTRATOR": 2,
    "DIRECT_SPONSORED_CONTENT_POSTER": 2,
    "RECRUITING_POSTER": 1,
    "CURATOR": 1,
    "LEAD_GEN_FORMS_MANAGER": 1,
    "LEAD_CAPTURE_ADMINISTRATOR": 1,
    "ANALYST": 0,
}
ROLES_SCOPE = "rw_organization_admin"
DISCOVERY = "linkedin organizationAcls roleAssignee"
ROLES_NOTE = "LinkedIn role holders are person URNs; names and emails are not exposed"


def _elements(page: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get("elements"), list):
        raise MalformedResponse(f"linkedin: {what} without an elements list")
    return [e for e in page["elements"] if isinstance(e, dict)]


def parse_acl(element: Mapping[str, Any]) -> RoleHolder | None:
    """One ``organizationAcls`` element; None for rejected or revoked entries."""
    state = text(element, "state") or ""
    if state not in ("APPROVED", "REQUESTED"):
        return None
    role, person = text(element, "role"), text(element, "roleAssignee")
    if not person or not role:
        raise MalformedResponse("linkedin: ACL without roleAssignee or role")
    return RoleHolder(
        person_id=person,
        name=None,
        email=None,
        role=role,
        full_admin=role == "ADMINISTRATOR",
        privilege=ROLE_PRIVILEGE.get(role, 0),
        pending=state == "REQUESTED",
    )


def parse_post(element: Mapping[str, Any]) -> Post:
    """One ``posts`` element."""
    post_id = text(element, "id")
    try:
        millis = int(element.get("publishedAt") or element["createdAt"])
        created = datetime.fromtimestamp(millis / 1000, UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        created = None
    if post_id is None or created is None:
        raise MalformedResponse("linkedin: post without id or publishedAt")
    body = text(element, "commentary") or ""
    return Post(
        id=post_id,
        created_at=created,
        text=body,
        links=links_in(body),
        url=f"https://www.linkedin.com/feed/update/{post_id}",
    )


def parse_org(org: Mapping[str, Any]) -> tuple[str, Profile]:
    """The id and profile of an organization."""
    org_id = text(org, "id")
    if org_id is None:
        raise MalformedResponse("linkedin: organization without an id")
    description = text(org, "localizedDescription")
    return org_id, Profile(
        display_name=text(org, "localizedName"),
        bio=description,
        link=text(org, "localizedWebsite"),
        avatar_hash=url_digest(text(org, "logoV2", "original")),
        extra_links=links_in(description),
    )


CAPABILITIES = Capabilities(
    source="linkedin",
    platforms=(
        PlatformCapability(
            "linkedin",
            provides=frozenset({Facet.IDENTITY, Facet.PROFILE, Facet.POSTS, Facet.ROLES}),
            not_exposed={
                Facet.MEMBER_TWO_FACTOR: "LinkedIn exposes no second factor of role holders",
                Facet.APPS: "LinkedIn exposes no connected apps of a page",
                Facet.TWO_FACTOR_POLICY: "LinkedIn exposes no second-factor policy",
                Facet.OWNERSHIP: "LinkedIn exposes no page ownership",
                Facet.TOKEN_OWNER: "LinkedIn tokens belong to members, not pages",
                Facet.REGISTRATION_EMAIL: "LinkedIn does not expose the registration email",
            },
            discovery=True,
        ),
    ),
)
"""What the LinkedIn collector reads, and what LinkedIn does not expose."""


class LinkedInCollector(PlatformCollector[Completeness]):
    """LinkedIn company pages through the Community Management API. The source-wide state is
    how completely the token member's organizations were discovered."""

    name = "linkedin"
    platforms = PLATFORMS
    capabilities = CAPABILITIES
    scopes = ("rw_organization_admin", "r_organization_social")

    def begin(
        self, ctx: CollectContext
    ) -> tuple[Completeness, list[EvidenceItem], list[SourceProblem]]:
        """The organizations the token's member administers, as discovered accounts."""
        truncated: list[int] = []
        try:
            pages = self.client.paginate_offset(
                "/rest/organizationAcls",
                params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"},
                count_of=lambda page: len(_elements(page, "organizationAcls")),
                count=PAGE_SIZE,
                max_pages=MAX_PAGES,
                on_truncated=truncated.append,
            )
            urns = [text(e, "organization") or "" for p in pages for e in _elements(p, "ACLs")]
        except AuthFailed:
            raise
        except CollectionError as exc:
            unread = Completeness.unknown(f"{exc.kind.value}: {exc.detail}")
            return unread, [], [SourceProblem(exc.kind.value, exc.detail, None, exc.scope)]
        found: list[EvidenceItem] = []
        problems: list[SourceProblem] = []
        for org_id in dict.fromkeys(u.rsplit(":", 1)[-1] for u in urns if u):
            try:
                org = self.client.get_json(f"/rest/organizations/{org_id}")
            except AuthFailed:
                raise
            except CollectionError as exc:
                # The listing is incomplete without this organization's vanity name: a
                # source-wide problem keeps the discovery check from passing on a partial list,
                # while the organizations that were read still count.
                detail = f"organization {org_id} could not be read: {exc.detail}"
                problems.append(SourceProblem(exc.kind.value, detail, None, exc.scope))
                continue
            handle = text(org, "vanityName") or org_id
            found.append(DiscoveredAccount("linkedin", handle, org_id, DISCOVERY, ctx.now))
        discovery = Completeness.complete()
        if truncated:
            discovery = Completeness.partial(f"organizationAcls truncated at {truncated[0]} pages")
        if problems:
            discovery = discovery.weaker(Completeness.partial(problems[0].detail))
        return discovery, found, problems

    def discovery(self, state: Completeness) -> Mapping[str, Completeness]:
        """The organizations the token's member administers."""
        return {"linkedin": state}

    def existing_posts(self, ids: Sequence[str], state: Completeness) -> Mapping[str, bool]:
        """The batch get ``GET /rest/posts?ids=List(urn1,urn2)`` (URNs encoded): a post in
        ``results`` exists; one in ``errors`` with status 404 is gone."""
        listed = ",".join(quote(post_id, safe="") for post_id in ids)
        return post_answers(self.client.get_json(f"/rest/posts?ids=List({listed})"))

    def account(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        state: Completeness,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> AccountEvidence:
        """One company page."""
        found = _elements(
            self.client.get_json(
                "/rest/organizations", params={"q": "vanityName", "vanityName": spec.handle}
            ),
            "organization lookup",
        )
        if not found:
            raise NotFound(f"linkedin: no organization has the vanity name {spec.handle}")
        org_id, profile = parse_org(found[0])
        urn = f"urn:li:organization:{org_id}"
        missing: list[str] = []
        roles: tuple[RoleHolder, ...] | None = None
        try:
            roles = self._roles(urn, reads)
        except (AuthFailed, NotFound):
            raise
        except PermissionMissing as exc:
            missing.append(ROLES_SCOPE)
            reads.lacks((Facet.ROLES,), exc)
        except CollectionError as exc:
            reads.failed((Facet.ROLES,), exc)
        found_posts = reads.attempt(
            (Facet.POSTS,), lambda: self._posts(ctx, urn, history.for_account(org_id), reads)
        )
        posts, cursor = found_posts if found_posts is not None else (None, None)
        return self.evidence(
            spec,
            ctx,
            AccountState.ACTIVE,
            account_id=org_id,
            profile=profile,
            posts=posts,
            roles=roles,
            roles_note=ROLES_NOTE if roles is not None else "roles could not be read",
            missing_scopes=tuple(missing),
            cursor=cursor,
        )

    def _roles(self, urn: str, reads: FacetReads) -> tuple[RoleHolder, ...]:
        holders: list[RoleHolder] = []
        pages = self.client.paginate_offset(
            "/rest/organizationAcls",
            params={"q": "organization", "organization": urn},
            count_of=lambda page: len(_elements(page, "organizationAcls")),
            count=PAGE_SIZE,
            max_pages=MAX_PAGES,
            on_truncated=reads.truncated(Facet.ROLES, "organizationAcls"),
        )
        for page in pages:
            holders.extend(h for h in map(parse_acl, _elements(page, "organizationAcls")) if h)
        return tuple(holders)

    def _posts(
        self, ctx: CollectContext, urn: str, history: CarriedPosts, reads: FacetReads
    ) -> tuple[tuple[Post, ...] | None, str | None]:
        if history.error is not None:
            return None, None  # the carried posts could not be checked: posts unknown
        floor = window_floor(ctx)
        known = history.cursor
        listed: list[Post] = []
        done = False
        pages = self.client.paginate_offset(
            "/rest/posts",
            params={"q": "author", "author": urn},
            count_of=lambda page: 0 if done else len(_elements(page, "posts")),
            count=PAGE_SIZE,
            max_pages=MAX_PAGES,
            on_truncated=reads.truncated(Facet.POSTS, "posts"),
        )
        for page in pages:
            found = [parse_post(e) for e in _elements(page, "posts")]
            listed.extend(found)
            if any(p.id == known or p.created_at < floor for p in found):
                done = True
                break
        self.confirm_carried(history, listed, Completeness.complete())
        if history.error is not None:
            return None, None
        posts = history.merge(listed, floor)
        return posts, posts[0].id if posts else known


def post_answers(payload: Any) -> dict[str, bool]:
    """A batch get answer as id -> still exists (an error with status 404: gone)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results", {}), dict):
        raise MalformedResponse("linkedin: batch get without a results map")
    found = {str(k): True for k, v in object_or_empty(payload.get("results")).items() if v}
    for post_id, error in object_or_empty(payload.get("errors")).items():
        if str(post_id) not in found and object_or_empty(error).get("status") == 404:
            found[str(post_id)] = False
    return found


def from_settings(
    settings: PlatformModel, network: NetworkModel, shared: HttpShared
) -> LinkedInCollector:
    """The LinkedIn collector for ``platforms.linkedin``."""
    headers = {
        "LinkedIn-Version": settings.version or DEFAULT_VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
    }
    if settings.token is not None:
        headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
    client = HttpClient(
        "linkedin",
        settings,
        network,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
        headers=headers,
    )
    return LinkedInCollector(client, concurrency=settings.concurrency)
