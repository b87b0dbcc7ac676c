"""Sandbox routes for the LinkedIn Community Management API (versioned ``/rest`` endpoints).

World section ``linkedin``::

    linkedin:
      token_valid: true
      me: "urn:li:person:gina07"         # the member the token belongs to (q=roleAssignee)
      missing_permissions: []            # e.g. [rw_organization_admin]
      organizations:
        - id: 1001
          vanityName: northwind-outfitters
          localizedName: Northwind Outfitters
          localizedDescription: ...
          localizedWebsite: https://northwind.example
          logo: https://media.licdn.com/...
          acls:
            - {person: "urn:li:person:alice", role: ADMINISTRATOR, state: APPROVED}
          posts: [{id: "urn:li:share:1", commentary: ..., published: "-3d"}]

Every call must carry ``LinkedIn-Version`` (else 426 NONEXISTENT_VERSION) and, for finders,
``X-Restli-Protocol-Version: 2.0.0``. Errors use the Rest.li shape ``{"status",
"serviceErrorCode", "code", "message"}``; 429 carries no rate-limit header (reference section 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from auditor.core.errors import InputFileError
from auditor.sandbox.routing import Request, Response, Route
from auditor.sandbox.world import require, when

PLATFORM = "linkedin"


def restli_error(status: int, code: str, message: str, service_code: int = 100) -> Response:
    """A Rest.li error body."""
    return Response.json(
        {"status": status, "serviceErrorCode": service_code, "code": code, "message": message},
        status,
    )


def rate_limited(retry_after_s: int, now: float) -> Response:
    """LinkedIn's 429: no rate-limit headers at all (daily quotas reset at midnight UTC)."""
    del retry_after_s, now
    return restli_error(
        429,
        "TOO_MANY_REQUESTS",
        "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
        101,
    )


class _LinkedInWorld:
    def __init__(self, section: Mapping[str, Any]) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.token_valid = bool(section.get("token_valid", True))
        self.missing = {str(p) for p in require(section, "missing_permissions", PLATFORM)}
        self.me = str(section.get("me") or "")
        self.orgs: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(require(section, "organizations", PLATFORM)):
            if not isinstance(raw, Mapping) or "id" not in raw:
                raise InputFileError(
                    "expected a mapping with an id", field=f"linkedin.organizations.{index}"
                )
            org = {**raw, "id": int(raw["id"])}
            org["posts"] = sorted(
                (self._post(p, org["id"]) for p in raw.get("posts") or []),
                key=lambda p: p["publishedAt"],
                reverse=True,
            )
            self.orgs[str(org["id"])] = org

    def acls(
        self, org_id: str | None, person: str | None, role: str | None, state: str | None
    ) -> list[dict[str, Any]]:
        """ACL elements of one organization, or of one person across organizations."""
        found = []
        for org in self.orgs.values():
            if org_id is not None and str(org["id"]) != org_id:
                continue
            for acl in org.get("acls") or []:
                acl_state = str(acl.get("state", "APPROVED"))
                if person is not None and str(acl["person"]) != person:
                    continue
                if (role and acl["role"] != role) or (state and acl_state != state):
                    continue
                found.append(
                    {
                        "organization": f"urn:li:organization:{org['id']}",
                        "roleAssignee": str(acl["person"]),
                        "role": str(acl["role"]),
                        "state": acl_state,
                    }
                )
        return found

    def _post(self, raw: Any, org_id: int) -> dict[str, Any]:
        if not isinstance(raw, Mapping) or "id" not in raw:
            raise InputFileError("expected posts with an id", field="linkedin.organizations.posts")
        try:
            published = when(raw.get("published", "-1d"), self.now)
        except ValueError:
            raise InputFileError(
                "expected an ISO time or -2d style age", field="linkedin"
            ) from None
        millis = int(published.timestamp() * 1000)
        return {
            "id": str(raw["id"]),
            "author": f"urn:li:organization:{org_id}",
            "commentary": str(raw.get("commentary", "")),
            "createdAt": millis,
            "publishedAt": millis,
            "lastModifiedAt": millis,
            "lifecycleState": "PUBLISHED",
            "visibility": "PUBLIC",
        }


def _org_json(org: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": org["id"], "$URN": f"urn:li:organization:{org['id']}"}
    for key in ("vanityName", "localizedName", "localizedDescription", "localizedWebsite"):
        if org.get(key) is not None:
            out[key] = org[key]
    if org.get("localizedName"):
        out["name"] = {
            "localized": {"en_US": org["localizedName"]},
            "preferredLocale": {"country": "US", "language": "en"},
        }
    if org.get("logo"):
        out["logoV2"] = {"original": str(org["logo"]), "cropped": str(org["logo"])}
    return out


def _paged(request: Request, items: list[dict[str, Any]]) -> Response:
    try:
        start = max(0, int(request.param("start") or 0))
        count = max(1, min(100, int(request.param("count") or 10)))
    except ValueError:
        return restli_error(400, "INVALID_PARAM", "start and count must be integers")
    page = items[start : start + count]
    return Response.json(
        {
            "paging": {"start": start, "count": count, "total": len(items), "links": []},
            "elements": page,
        }
    )


class _LinkedInApi:
    """The handlers, bound to one world section."""

    def __init__(self, world: _LinkedInWorld) -> None:
        self.world = world

    def checked(
        self, handler: Callable[[Request], Response], *, finder: bool
    ) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            if not self.world.token_valid or "authorization" not in request.headers:
                return restli_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
            if not request.headers.get("linkedin-version"):
                return restli_error(426, "NONEXISTENT_VERSION", "Requested version is not active")
            if finder and request.headers.get("x-restli-protocol-version") != "2.0.0":
                return restli_error(
                    400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is required"
                )
            return handler(request)

        return run

    def org_by_id(self, request: Request) -> Response:
        org = self.world.orgs.get(request.match["id"])
        if org is None:
            return restli_error(404, "NOT_FOUND", "Organization not found")
        return Response.json(_org_json(org))

    def org_finder(self, request: Request) -> Response:
        if request.param("q") != "vanityName":
            return restli_error(400, "ILLEGAL_ARGUMENT", "unsupported finder")
        wanted = (request.param("vanityName") or "").lower()
        found = [
            _org_json(o)
            for o in self.world.orgs.values()
            if str(o.get("vanityName", "")).lower() == wanted
        ]
        return Response.json({"elements": found, "paging": {"start": 0, "count": 10, "links": []}})

    def acls(self, request: Request) -> Response:
        role, state = request.param("role"), request.param("state")
        if request.param("q") == "roleAssignee":
            return _paged(request, self.world.acls(None, self.world.me, role, state))
        if "rw_organization_admin" in self.world.missing:
            return restli_error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: organizationAcls.FINDER-organization",
            )
        org_id = (request.param("organization") or "").rsplit(":", 1)[-1]
        if request.param("q") != "organization" or org_id not in self.world.orgs:
            return restli_error(400, "ILLEGAL_ARGUMENT", "unknown organization")
        return _paged(request, self.world.acls(org_id, None, role, state))

    def posts(self, request: Request) -> Response:
        if request.param("ids") is not None:
            return self.batch_posts(request.param("ids") or "")
        org = self.world.orgs.get((request.param("author") or "").rsplit(":", 1)[-1])
        if request.param("q") != "author" or org is None:
            return restli_error(400, "ILLEGAL_ARGUMENT", "unknown author")
        return _paged(request, list(org["posts"]))

    def batch_posts(self, raw: str) -> Response:
        """The batch get ``ids=List(urn1,urn2)`` (URNs encoded inside): ``results`` by id,
        each unknown id in ``errors`` with status 404."""
        if not (raw.startswith("List(") and raw.endswith(")")):
            return restli_error(400, "ILLEGAL_ARGUMENT", "ids must be List(...)")
        ids = [unquote(i) for i in raw[5:-1].split(",") if i]
        posts = {p["id"]: p for o in self.world.orgs.values() for p in o["posts"]}
        results = {i: posts[i] for i in ids if i in posts}
        errors = {
            i: {"status": 404, "code": "NOT_FOUND", "message": "Not Found"}
            for i in ids
            if i not in posts
        }
        return Response.json(
            {
                "results": results,
                "statuses": {i: 200 if i in results else 404 for i in ids},
                "errors": errors,
            }
        )


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The LinkedIn routes bound to the world's ``linkedin`` section."""
    api = _LinkedInApi(_LinkedInWorld(section))
    return [
        Route.get(r"/rest/organizations/(?P<id>\d+)", api.checked(api.org_by_id, finder=False)),
        Route.get(r"/rest/organizations", api.checked(api.org_finder, finder=True)),
        Route.get(r"/rest/organizationAcls", api.checked(api.acls, finder=True)),
        Route.get(r"/rest/posts", api.checked(api.posts, finder=True)),
    ]
