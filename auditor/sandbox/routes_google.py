"""Sandbox routes for the Google Workspace Admin SDK Directory API (users.list, users.get,
groups.get).

World section ``google`` (served under the ``/google_workspace`` prefix)::

    google:
      customer: my_customer        # the customer id users.list accepts (also the literal my_customer)
      token_valid: true            # false: 401 with Google's error body
      users:
        - email: alice.ng@northwind.example
          name: Alice Ng
          suspended: false
          archived: false
          enrolled_2sv: true
          enforced_2sv: true
          admin: false
          aliases: [social-lead@northwind.example]
      groups:                      # group addresses (no user, no 2SV)
        - {email: press@northwind.example, name: Press team}

Shapes follow reference section 6: ``GET /admin/directory/v1/users?customer=&maxResults=
&pageToken=`` pages with ``nextPageToken``; ``GET /admin/directory/v1/users/<email or id>`` and
``GET /admin/directory/v1/groups/<email>``; unknown users and groups answer 404 with Google's error shape (``error.errors[].reason: notFound``); quota
exhaustion is Google's 403 with reason ``userRateLimitExceeded``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field

from auditor.sandbox.routing import Request, Response, Route, validate_section

PLATFORM = "google_workspace"
WORLD_KEY = "google"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkspaceUser(_Model):
    """One Workspace user (mailbox)."""

    email: str
    name: str | None = None
    suspended: bool = False
    archived: bool = False
    enrolled_2sv: bool = False
    enforced_2sv: bool = False
    admin: bool = False
    delegated_admin: bool = False
    aliases: list[str] = []
    org_unit: str = "/"

    @property
    def id(self) -> str:
        """A stable numeric id derived from the email."""
        return str(int(hashlib.sha256(self.email.lower().encode()).hexdigest()[:15], 16))


class WorkspaceGroup(_Model):
    """A group address (a shared inbox that is no user)."""

    email: str
    name: str | None = None


class GoogleWorld(_Model):
    """The ``google`` section."""

    customer: str = "my_customer"
    token_valid: bool = True
    users: list[WorkspaceUser] = Field(default_factory=list)
    groups: list[WorkspaceGroup] = Field(default_factory=list)


def _error(status: int, reason: str, message: str, state: str) -> Response:
    detail = {"message": message, "domain": "global", "reason": reason}
    body = {"error": {"code": status, "message": message, "errors": [detail], "status": state}}
    return Response.json(body, status)


def rate_limited(retry_after_s: int, now: float) -> Response:
    """Google's quota answer: 403 with reason ``userRateLimitExceeded`` and no rate headers."""
    return _error(
        403, "userRateLimitExceeded", "Quota exceeded for quota metric.", "PERMISSION_DENIED"
    )


def _user_json(user: WorkspaceUser) -> dict[str, Any]:
    given, _, family = (user.name or user.email.split("@", 1)[0]).partition(" ")
    data: dict[str, Any] = {
        "kind": "admin#directory#user",
        "id": user.id,
        "primaryEmail": user.email,
        "name": {"givenName": given, "familyName": family, "fullName": user.name or user.email},
        "isAdmin": user.admin,
        "isDelegatedAdmin": user.delegated_admin,
        "suspended": user.suspended,
        "archived": user.archived,
        "isEnrolledIn2Sv": user.enrolled_2sv,
        "isEnforcedIn2Sv": user.enforced_2sv,
        "lastLoginTime": "2026-11-01T08:00:00.000Z",
        "creationTime": "2020-01-01T00:00:00.000Z",
        "orgUnitPath": user.org_unit,
        "agreedToTerms": True,
        "changePasswordAtNextLogin": False,
    }
    if user.suspended:
        data["suspensionReason"] = "ADMIN"
    if user.aliases:
        data["aliases"] = list(user.aliases)
    return data


class _Routes:
    def __init__(self, world: GoogleWorld) -> None:
        self.world = world

    def refused(self, request: Request) -> Response | None:
        if not self.world.token_valid or not request.headers.get("authorization"):
            return _error(401, "authError", "Invalid Credentials", "UNAUTHENTICATED")
        return None

    def list_users(self, request: Request) -> Response:
        refused = self.refused(request)
        if refused is not None:
            return refused
        if request.param("customer") not in ("my_customer", self.world.customer):
            return _error(400, "badRequest", "Bad Request", "INVALID_ARGUMENT")
        try:
            size = max(1, min(500, int(request.param("maxResults", "100") or 100)))
            start = int(request.param("pageToken", "0") or 0)
        except ValueError:
            return _error(400, "invalid", "Invalid Input: pageToken", "INVALID_ARGUMENT")
        users = sorted(self.world.users, key=lambda u: u.email)
        query = request.param("query") or ""
        if query in ("isAdmin=true", "isDelegatedAdmin=true"):  # the search clauses used
            admins = query == "isAdmin=true"
            users = [u for u in users if (u.admin if admins else u.delegated_admin)]
        elif query:
            return _error(400, "invalid", "Invalid Input: query", "INVALID_ARGUMENT")
        body: dict[str, Any] = {
            "kind": "admin#directory#users",
            "users": [_user_json(u) for u in users[start : start + size]],
        }
        if start + size < len(users):
            body["nextPageToken"] = str(start + size)
        return Response.json(body)

    def get_user(self, request: Request) -> Response:
        refused = self.refused(request)
        if refused is not None:
            return refused
        key = unquote(request.match["key"]).lower()
        for user in self.world.users:
            names = {user.email.lower(), user.id, *(a.lower() for a in user.aliases)}
            if key in names:
                return Response.json(_user_json(user))
        return _error(404, "notFound", "Resource Not Found: userKey", "NOT_FOUND")

    def get_group(self, request: Request) -> Response:
        refused = self.refused(request)
        if refused is not None:
            return refused
        key = unquote(request.match["key"]).lower()
        for group in self.world.groups:
            if group.email.lower() == key:
                body = {
                    "kind": "admin#directory#group",
                    "id": hashlib.sha256(key.encode()).hexdigest()[:16],
                    "email": group.email,
                    "name": group.name or group.email,
                    "directMembersCount": "3",
                    "adminCreated": True,
                }
                return Response.json(body)
        return _error(404, "notFound", "Resource Not Found: groupKey", "NOT_FOUND")


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The Directory API routes bound to a validated ``google`` section."""
    world = validate_section(GoogleWorld, section, WORLD_KEY)
    served = _Routes(world)
    return [
        Route.get(r"/admin/directory/v1/users", served.list_users),
        Route.get(r"/admin/directory/v1/users/(?P<key>[^/]+)", served.get_user),
        Route.get(r"/admin/directory/v1/groups/(?P<key>[^/]+)", served.get_group),
    ]
