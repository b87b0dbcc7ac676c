"""Sandbox routes for the GitHub REST API (org settings, people, 2FA filters, app installations).

World section ``github``::

    github:
      token_valid: true            # false: every route answers 401 "Bad credentials"
      viewer: owner                # owner | member: whose token; a member gets no owner-only facts
      orgs:
        - login: northwind-labs
          id: 9100001
          name: Northwind Labs
          description: ...
          blog: https://northwind.example
          is_verified: true
          billing_email: it@northwind.example
          two_factor_requirement_enabled: false
          members:                 # role admin = org owner; two_factor none | sms | totp | security_key
            - {login: alice-ng, id: 9200001, name: Alice Ng, email: alice.ng@..., role: admin, two_factor: totp}
          outside_collaborators:
            - {login: mallory-k, id: 9200009, email: mallory.k@gmail.com, two_factor: sms}
          invitations:
            - {id: 1, login: null, email: new.hire@..., role: admin}
          installations:
            - {id: 41000001, app_id: 310001, app_slug: quickdeploy-bot,
               permissions: {contents: write, metadata: read}}
      users:                       # other accounts (impersonators for handle lookups)
        - {login: n0rthwind-labs, id: 9300001, name: Northwind Labs}
      memberships:                 # the token user's other orgs (GET /user/memberships/orgs);
        - {login: northwind-legacy, id: 9100009, role: admin}   # every org in `orgs` is listed too

Shapes follow reference section 5: lists page with ``per_page``/``page`` and a ``Link`` header;
``filter=2fa_disabled|2fa_insecure`` and the owner-only routes answer a member's token with 422 /
403; ``/user`` answers the token's own account (the first owner, or the first plain member, as
``viewer`` says) with the classic token's ``X-OAuth-Scopes`` header (``admin:org, repo`` for an
owner, ``read:org`` for a member); ``/users/<login>`` answers members, collaborators, ``users`` and orgs (as type
``Organization``); unknown orgs and users answer 404 with GitHub's error body; rate limits are
GitHub's 403 with ``x-ratelimit-remaining: 0``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from auditor.sandbox.routing import Request, Response, Route, validate_section

PLATFORM = "github"
DOCS = "https://docs.github.com/rest"
TwoFactor = Literal["none", "sms", "totp", "security_key"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GithubUser(_Model):
    """An org member or outside collaborator."""

    login: str
    id: int
    name: str | None = None
    email: str | None = None
    role: Literal["admin", "member"] = "member"
    two_factor: TwoFactor = "totp"
    bot: bool = False


class Invitation(_Model):
    """A pending org invitation."""

    id: int
    login: str | None = None
    email: str | None = None
    role: Literal["admin", "direct_member", "billing_manager"] = "direct_member"


class Installation(_Model):
    """A GitHub App installed on the org."""

    id: int
    app_id: int
    app_slug: str
    permissions: dict[str, Literal["read", "write", "admin"]] = {}
    suspended: bool = False


class Org(_Model):
    """One organization."""

    login: str
    id: int
    name: str | None = None
    description: str | None = None
    blog: str | None = None
    location: str | None = None
    email: str | None = None
    twitter_username: str | None = None
    billing_email: str | None = None
    is_verified: bool = False
    two_factor_requirement_enabled: bool = False
    avatar_url: str | None = None
    members: list[GithubUser] = []
    outside_collaborators: list[GithubUser] = []
    invitations: list[Invitation] = []
    installations: list[Installation] = []


class Membership(_Model):
    """An org the token's user belongs to beyond ``orgs`` (only listed, not served)."""

    login: str
    id: int
    role: Literal["admin", "member", "billing_manager"] = "member"
    state: Literal["active", "pending"] = "active"


class GithubWorld(_Model):
    """The ``github`` section."""

    token_valid: bool = True
    viewer: Literal["owner", "member"] = "owner"
    orgs: list[Org] = Field(default_factory=list)
    users: list[GithubUser] = Field(default_factory=list)
    memberships: list[Membership] = Field(default_factory=list)


def rate_limited(retry_after_s: int, now: float) -> Response:
    """GitHub's primary limit: 403 with ``x-ratelimit-remaining: 0`` and an epoch reset."""
    headers = {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "5000",
        "x-ratelimit-reset": str(int(now) + retry_after_s),
        "x-ratelimit-resource": "core",
    }
    return _error(403, "API rate limit exceeded for user ID 1.", headers)


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = {"message": message, "documentation_url": DOCS, "status": str(status)}
    return Response.json(body, status, headers)


def _user_json(user: GithubUser, base: str) -> dict[str, Any]:
    return {
        "login": user.login,
        "id": user.id,
        "node_id": f"U_{user.id}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
        "url": f"{base}/users/{user.login}",
        "html_url": f"https://github.com/{user.login}",
        "type": "Bot" if user.bot else "User",
        "site_admin": False,
        "name": user.name,
        "email": user.email,
    }


def _org_json(org: Org, owner: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "login": org.login,
        "id": org.id,
        "node_id": f"O_{org.id}",
        "avatar_url": org.avatar_url or f"https://avatars.githubusercontent.com/u/{org.id}?v=4",
        "description": org.description,
        "name": org.name,
        "blog": org.blog or "",
        "location": org.location,
        "email": org.email,
        "twitter_username": org.twitter_username,
        "is_verified": org.is_verified,
        "html_url": f"https://github.com/{org.login}",
        "type": "Organization",
        "created_at": "2019-04-01T09:00:00Z",
    }
    if owner:
        data["billing_email"] = org.billing_email
        data["two_factor_requirement_enabled"] = org.two_factor_requirement_enabled
        data["default_repository_permission"] = "read"
        data["members_can_create_repositories"] = True
    return data


def _installation_json(item: Installation, org: Org) -> dict[str, Any]:
    return {
        "id": item.id,
        "app_id": item.app_id,
        "app_slug": item.app_slug,
        "target_id": org.id,
        "target_type": "Organization",
        "account": {"login": org.login, "id": org.id, "type": "Organization"},
        "repository_selection": "all",
        "permissions": dict(item.permissions),
        "events": [],
        "created_at": "2026-01-05T10:00:00Z",
        "suspended_at": "2026-02-01T00:00:00Z" if item.suspended else None,
    }


def _slice(request: Request, items: list[Any], base: str) -> tuple[list[Any], dict[str, str]]:
    """One page of ``items`` (``per_page``/``page``) and GitHub's ``Link`` header for the next."""
    try:
        per_page = max(1, min(100, int(request.param("per_page", "30") or 30)))
        page = max(1, int(request.param("page", "1") or 1))
    except ValueError:
        per_page, page = 30, 1
    start = (page - 1) * per_page
    headers: dict[str, str] = {}
    if start + per_page < len(items):
        query = {k: v[0] for k, v in request.query.items()}
        query["page"] = str(page + 1)
        query["per_page"] = str(per_page)
        headers["Link"] = f'<{base}{request.path}?{urlencode(query)}>; rel="next"'
    return items[start : start + per_page], headers


def _page(request: Request, items: list[Any], base: str) -> Response:
    """A JSON array page."""
    chunk, headers = _slice(request, items, base)
    return Response.json(chunk, headers=headers)


class _Routes:
    def __init__(self, world: GithubWorld) -> None:
        self.world = world
        self.orgs = {o.login.lower(): o for o in world.orgs}
        self.owner = world.viewer == "owner"

    def base(self, request: Request) -> str:
        return f"http://{request.headers.get('host', '127.0.0.1')}/{PLATFORM}"

    def guarded(self, handler: Callable[[Request, Org], Response]) -> Callable[[Request], Response]:
        def serve(request: Request) -> Response:
            if not self.world.token_valid:
                return _error(401, "Bad credentials")
            org = self.orgs.get(request.match.get("org", "").lower())
            if org is None:
                return _error(404, "Not Found")
            return handler(request, org)

        return serve

    def org(self, request: Request, org: Org) -> Response:
        return Response.json(_org_json(org, self.owner))

    def members(self, request: Request, org: Org) -> Response:
        people = org.members
        role = request.param("role", "all")
        if role in ("admin", "member"):
            people = [m for m in people if m.role == role]
        return self._filtered(request, people)

    def collaborators(self, request: Request, org: Org) -> Response:
        return self._filtered(request, org.outside_collaborators)

    def _filtered(self, request: Request, people: list[GithubUser]) -> Response:
        kind = request.param("filter", "all")
        if kind != "all" and not self.owner:
            return _error(422, "Only owners can use this filter.")
        if kind == "2fa_disabled":
            people = [p for p in people if p.two_factor == "none"]
        elif kind == "2fa_insecure":
            people = [p for p in people if p.two_factor == "sms"]
        elif kind != "all":
            return _error(422, "Validation Failed")
        return _page(
            request, [_user_json(p, self.base(request)) for p in people], self.base(request)
        )

    def invitations(self, request: Request, org: Org) -> Response:
        if not self.owner:
            return _error(403, "You must be an admin to view invitations.")
        items = [
            {
                "id": i.id,
                "login": i.login,
                "email": i.email,
                "role": i.role,
                "created_at": "2026-10-01T00:00:00Z",
                "inviter": {"login": org.members[0].login if org.members else "ghost"},
            }
            for i in org.invitations
        ]
        return _page(request, items, self.base(request))

    def installations(self, request: Request, org: Org) -> Response:
        if not self.owner:
            return _error(403, "Resource not accessible by integration")
        items = [_installation_json(i, org) for i in org.installations]
        chunk, headers = _slice(request, items, self.base(request))
        return Response.json({"total_count": len(items), "installations": chunk}, headers=headers)

    def memberships(self, request: Request) -> Response:
        """``GET /user/memberships/orgs``: the orgs of ``orgs`` (admin when the viewer is an
        owner) and the extra ``memberships``; ``state`` filters active or pending."""
        if not self.world.token_valid:
            return _error(401, "Bad credentials")
        role = "admin" if self.owner else "member"
        listed = [Membership(login=o.login, id=o.id, role=role) for o in self.world.orgs]
        wanted = request.param("state", "")
        base = self.base(request)
        items = [
            {
                "url": f"{base}/orgs/{m.login}/memberships/viewer",
                "state": m.state,
                "role": m.role,
                "organization_url": f"{base}/orgs/{m.login}",
                "organization": {
                    "login": m.login,
                    "id": m.id,
                    "node_id": f"O_{m.id}",
                    "url": f"{base}/orgs/{m.login}",
                    "description": None,
                },
                "user": {"login": "viewer", "id": 1, "type": "User"},
            }
            for m in (*listed, *self.world.memberships)
            if wanted in ("", m.state)
        ]
        return _page(request, items, base)

    def viewer(self, request: Request) -> Response:
        if not self.world.token_valid:
            return _error(401, "Bad credentials")
        role = "admin" if self.owner else "member"
        people = [m for o in self.world.orgs for m in o.members if m.role == role]
        if not people:
            return _error(404, "Not Found")
        scopes = "admin:org, repo" if self.owner else "read:org"
        return Response.json(
            _user_json(people[0], self.base(request)), headers={"X-OAuth-Scopes": scopes}
        )

    def user(self, request: Request) -> Response:
        if not self.world.token_valid:
            return _error(401, "Bad credentials")
        login = request.match["login"].lower()
        org = self.orgs.get(login)
        if org is not None:
            return Response.json({**_org_json(org, owner=False), "type": "Organization"})
        people = [p for o in self.world.orgs for p in (*o.members, *o.outside_collaborators)]
        for person in (*people, *self.world.users):
            if person.login.lower() == login:
                return Response.json(_user_json(person, self.base(request)))
        return _error(404, "Not Found")


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The GitHub routes bound to a validated ``github`` section."""
    world = validate_section(GithubWorld, section, PLATFORM)
    served = _Routes(world)
    org = r"/orgs/(?P<org>[^/]+)"
    return [
        Route.get(org, served.guarded(served.org)),
        Route.get(org + "/members", served.guarded(served.members)),
        Route.get(org + "/outside_collaborators", served.guarded(served.collaborators)),
        Route.get(org + "/invitations", served.guarded(served.invitations)),
        Route.get(org + "/installations", served.guarded(served.installations)),
        Route.get(r"/user/memberships/orgs", served.memberships),
        Route.get(r"/users/(?P<login>[^/]+)", served.user),
        Route.get(r"/user", served.viewer),
    ]
