"""Sandbox routes for the Meta Graph API: Business Manager, Facebook Pages, Instagram accounts.

World section ``meta``::

    meta:
      token_valid: true                 # false: every call answers error code 190
      token: {...}                      # what debug_token says (auditor.sandbox.meta_tokens)
      missing_permissions: []           # e.g. [business_management, pages_manage_metadata]
      businesses:
        - id: "100000000000001"
          name: Northwind Outfitters
          two_factor_type: none         # none | admin_required | all_required
          verification_status: verified
          users:                        # business_users
            - {id: "3000001", name: Alice Ng, email: alice.ng@northwind.example,
               role: ADMIN, two_fac_status: enabled}
          system_users: [{id: "3900001", name: Publisher Bot, role: EMPLOYEE}]
          owned_pages: ["200000000000001"]
          client_pages: []
          owned_instagram_accounts: []
          client_instagram_assets: ["17841400000000001"]
      pages:
        - id: "200000000000001"
          username: northwindoutfitters
          name: Northwind Outfitters
          about: ...; website: ...; picture: URL; cover: URL; verification_status: blue_verified
          instagram_business_account: "17841400000000001"
          assigned_users: [{id: "3000001", tasks: [MANAGE, CREATE_CONTENT]}]
          posts: [{id: "200000000000001_1", message: ..., created_time: "-1d",
                   admin_creator: {id: "3000001", name: Alice Ng}}]
      instagram:
        - {id: "17841400000000001", username: northwind, name: ..., biography: ...,
           website: ..., profile_picture_url: ..., media: [{id, caption, timestamp}]}
      page_tokens:                      # Page access tokens (accounts[].credentials.token):
        meta-page-token-1: "200000000000001"   # GET /{version}/me answers this Page

Shapes follow reference section 2: ``/{version}/{id}?fields=...`` returns only the requested
fields; edges return ``{"data": [...], "paging": {"cursors": {...}, "next": ...}}``; errors are
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`` (190 invalid token,
10 / 200 permission, 100 unknown object, 80001 rate limit with ``X-Business-Use-Case-Usage``).
``/{version}/debug_token`` is :mod:`auditor.sandbox.meta_tokens`. A post or media id is a node
too (``fields=id``); ``/{version}/?ids=a,b`` returns the nodes by id and, like Graph, fails as a whole (803) when one id does not exist (a deleted post).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from auditor.core.errors import InputFileError
from auditor.sandbox.meta_tokens import TokenInfo
from auditor.sandbox.routing import Request, Response, Route
from auditor.sandbox.world import require, when

PLATFORM = "meta"
_BRACES = re.compile(r"\{[^{}]*\}")
_BUSINESS_EDGES = (
    "business_users",
    "system_users",
    "owned_pages",
    "client_pages",
    "owned_instagram_accounts",
    "client_instagram_assets",
)


def graph_error(status: int, code: int, message: str, subcode: int | None = None) -> Response:
    """A Graph error body."""
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "Sandbox0000",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Response.json({"error": error}, status)


def rate_limited(retry_after_s: int, now: float) -> Response:
    """Meta's rate limit: error code 80001 with usage headers (minutes to regain access)."""
    del now
    minutes = max(1, math.ceil(retry_after_s / 60))
    usage = {
        "100000000000001": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 30,
                "total_time": 40,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    response = graph_error(400, 80001, "There have been too many calls to this Page account.")
    headers = {
        **response.headers,
        "X-Business-Use-Case-Usage": json.dumps(usage),
        "X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 30, "total_time": 40}),
    }
    return Response(response.status, response.body, headers)


def _ids(raw: Any) -> list[str]:
    return [str(x) for x in raw or []]


class _MetaWorld:
    def __init__(self, section: Mapping[str, Any]) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.token_valid = bool(section.get("token_valid", True))
        self.missing = {str(p) for p in require(section, "missing_permissions", PLATFORM)}
        self.businesses = self._index(section, "businesses")
        self.pages = self._index(section, "pages")
        self.instagram = self._index(section, "instagram")
        tokens = section.get("page_tokens") or {}
        if not isinstance(tokens, Mapping):
            raise InputFileError("expected a mapping of token to page id", field="meta.page_tokens")
        self.page_tokens = {str(k): str(v) for k, v in tokens.items()}
        for page in self.pages.values():
            page["posts"] = self._posts(page.get("posts"), "created_time")
        for account in self.instagram.values():
            account["media"] = self._posts(account.get("media"), "timestamp")
        nodes = {"businesses": self.businesses, "pages": self.pages, "instagram": self.instagram}
        self.token = TokenInfo(section, nodes, self.missing, self.token_valid)

    def _index(self, section: Mapping[str, Any], key: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(require(section, key, PLATFORM)):
            if not isinstance(raw, Mapping) or "id" not in raw:
                raise InputFileError("expected a mapping with an id", field=f"meta.{key}.{index}")
            found[str(raw["id"])] = {**raw, "id": str(raw["id"])}
        return found

    def _posts(self, raw: Any, time_key: str) -> list[dict[str, Any]]:
        posts = []
        for item in raw or []:
            if not isinstance(item, Mapping) or "id" not in item:
                raise InputFileError("expected posts with an id", field="meta")
            try:
                created = when(item.get(time_key, "-1d"), self.now)
            except ValueError:
                raise InputFileError(
                    "expected an ISO time or -2d style age", field="meta"
                ) from None
            posts.append(
                {**item, "id": str(item["id"]), "created": created, time_key: _graph_time(created)}
            )
        return sorted(posts, key=lambda p: p["created"], reverse=True)

    def post(self, node: str) -> dict[str, Any] | None:
        """A page post or Instagram media item by id."""
        for table, key in ((self.pages, "posts"), (self.instagram, "media")):
            for holder in table.values():
                posts: list[dict[str, Any]] = holder[key]
                found = next((p for p in posts if p["id"] == node), None)
                if found is not None:
                    return found
        return None

    def kind(self, node: str) -> str | None:
        for name, table in (
            ("business", self.businesses),
            ("page", self.pages),
            ("instagram", self.instagram),
        ):
            if node in table:
                return name
        return None


def _graph_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _fields(request: Request) -> list[str]:
    raw = _BRACES.sub("", request.param("fields") or "")
    return [f.strip() for f in raw.split(",") if f.strip()]


def _select(
    obj: Mapping[str, Any], fields: list[str], render: Callable[[str, Any], Any] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": obj["id"]}
    for name in fields:
        value = obj.get(name)
        if value is None:
            continue
        out[name] = render(name, value) if render else value
    return out


def _page_value(world: _MetaWorld) -> Callable[[str, Any], Any]:
    def render(name: str, value: Any) -> Any:
        if name == "picture":
            return {"data": {"url": value, "is_silhouette": False}}
        if name == "cover":
            return {"source": value, "id": "cover1"}
        if name == "instagram_business_account":
            account = world.instagram.get(str(value), {})
            return {"id": str(value), "username": account.get("username")}
        if name == "owner_business":
            business = world.businesses.get(str(value), {})
            return {"id": str(value), "name": business.get("name")}
        return value

    return render


def _edge(request: Request, items: list[dict[str, Any]]) -> Response:
    try:
        limit = max(1, min(100, int(request.param("limit") or 25)))
        offset = int(request.param("after") or 0)
    except ValueError:
        return graph_error(400, 100, "Invalid parameter")
    page = items[offset : offset + limit]
    paging: dict[str, Any] = {"cursors": {"before": str(offset), "after": str(offset + len(page))}}
    if offset + limit < len(items):
        query = {k: v[0] for k, v in request.query.items() if k != "access_token"}
        query["after"] = str(offset + limit)
        host = request.headers.get("host", "127.0.0.1")
        paging["next"] = f"http://{host}/{PLATFORM}{request.path}?{urlencode(query)}"
    return Response.json({"data": page, "paging": paging})


def _unknown(node_id: str) -> Response:
    return graph_error(
        400, 100, f"Unsupported get request. Object with ID '{node_id}' does not exist", 33
    )


class _MetaApi:
    """The handlers, bound to one world section."""

    def __init__(self, world: _MetaWorld) -> None:
        self.world = world
        self.page_render = _page_value(world)

    def authorized(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            token = request.headers.get("authorization") or request.param("access_token")
            if not self.world.token_valid or not token:
                return graph_error(
                    400, 190, "Invalid OAuth access token - Cannot parse access token"
                )
            return handler(request)

        return run

    def node(self, request: Request) -> Response:
        world, node_id = self.world, request.match["node"]
        kind = world.kind(node_id)
        fields = _fields(request)
        if kind == "business":
            if "business_management" in world.missing:
                return graph_error(
                    403, 200, "(#200) Requires business_management permission to manage the object"
                )
            return Response.json(_select(world.businesses[node_id], fields or ["name"]))
        if kind == "page":
            return Response.json(
                _select(world.pages[node_id], fields or ["name"], self.page_render)
            )
        if kind == "instagram":
            return Response.json(_select(world.instagram[node_id], fields or ["username"]))
        post = world.post(node_id)
        if post is not None:
            return Response.json(_select(post, fields or ["id"]))
        return _unknown(node_id)

    def many(self, request: Request) -> Response:
        """``GET /?ids=a,b&fields=...``: every id's node by id; like Graph, one unknown id fails
        the whole request (803)."""
        ids = [i for i in (request.param("ids") or "").split(",") if i]
        if not ids or len(ids) > 50:
            return graph_error(400, 100, "(#100) ids must hold 1 to 50 ids")
        unknown = [i for i in ids if self.world.kind(i) is None and self.world.post(i) is None]
        if unknown:
            message = f"(#803) Some of the aliases you requested do not exist: {unknown[0]}"
            return graph_error(404, 803, message)
        found: dict[str, Any] = {}
        for node_id in ids:
            answer = self.node(replace(request, match={"node": node_id}))
            if answer.status != 200:
                return answer
            found[node_id] = json.loads(answer.body)
        return Response.json(found)

    def me(self, request: Request) -> Response:
        """``GET /{version}/me``: a Page token's ``/me`` is the Page (id and name)."""
        bearer = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip()
        page = self.world.pages.get(self.world.page_tokens.get(bearer, ""))
        if page is None:
            return graph_error(400, 2500, "An active access token must be used to query /me.")
        return Response.json({"id": page["id"], "name": page.get("name")})

    def edge(self, request: Request) -> Response:
        world = self.world
        node_id, name = request.match["node"], request.match["edge"]
        kind = world.kind(node_id)
        if kind == "business" and name in _BUSINESS_EDGES:
            return _business_edge(world, request, node_id, name)
        if kind == "page" and name == "assigned_users":
            return self.assigned_users(request, world.pages[node_id])
        if kind == "page" and name in ("published_posts", "posts", "feed"):
            return _edge(request, _since(request, world.pages[node_id]["posts"], _post_json))
        if kind == "instagram" and name == "media":
            return _edge(request, _since(request, world.instagram[node_id]["media"], _media_json))
        return _unknown(node_id)

    def assigned_users(self, request: Request, page: Mapping[str, Any]) -> Response:
        if "pages_manage_metadata" in self.world.missing:
            return graph_error(
                403, 10, "(#10) This endpoint requires the 'pages_manage_metadata' permission"
            )
        return _edge(request, [_assigned(u) for u in page.get("assigned_users") or []])


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The Graph routes bound to the world's ``meta`` section."""
    world = _MetaWorld(section)
    api = _MetaApi(world)
    return [
        Route.get(r"/(?:v\d+\.\d+/)?debug_token", world.token.handle),
        Route.get(r"/(?P<version>v\d+\.\d+)/?", api.authorized(api.many)),
        Route.get(r"/(?P<version>v\d+\.\d+)/me", api.me),
        Route.get(r"/(?P<version>v\d+\.\d+)/(?P<node>\d+(?:_\d+)?)", api.authorized(api.node)),
        Route.get(
            r"/(?P<version>v\d+\.\d+)/(?P<node>\d+)/(?P<edge>[a-z_]+)", api.authorized(api.edge)
        ),
    ]


def _business_edge(world: _MetaWorld, request: Request, node_id: str, name: str) -> Response:
    if "business_management" in world.missing:
        return graph_error(
            403, 200, "(#200) Requires business_management permission to manage the object"
        )
    business = world.businesses[node_id]
    if name == "business_users":
        items = [
            _select(
                {**u, "id": str(u["id"])},
                ["name", "email", "role", "two_fac_status", "title", "pending_email"],
            )
            for u in business.get("users") or []
        ]
    elif name == "system_users":
        items = [
            _select({**u, "id": str(u["id"])}, ["name", "role"])
            for u in business.get("system_users") or []
        ]
    elif name in ("owned_pages", "client_pages"):
        fields = _fields(request) or ["name"]
        render = _page_value(world)
        items = [
            _select(world.pages[p], fields, render)
            for p in _ids(business.get(name))
            if p in world.pages
        ]
    else:
        fields = _fields(request) or ["username"]
        items = [
            _select(world.instagram[i], fields)
            for i in _ids(business.get(name))
            if i in world.instagram
        ]
    return _edge(request, items)


def _assigned(raw: Mapping[str, Any]) -> dict[str, Any]:
    tasks = [str(t) for t in raw.get("tasks") or []]
    out: dict[str, Any] = {
        "id": str(raw["id"]),
        "tasks": tasks,
        "permitted_tasks": tasks,
        "user_type": raw.get("user_type", "business_user"),
    }
    if raw.get("name"):
        out["name"] = raw["name"]
    return out


def _since(
    request: Request,
    posts: list[dict[str, Any]],
    render: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    since = request.param("since")
    floor = None
    if since:
        floor = datetime.fromtimestamp(int(since), UTC) if since.isdigit() else when(since)
    return [render(p) for p in posts if floor is None or p["created"] >= floor]


def _post_json(post: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        k: post[k]
        for k in ("id", "message", "created_time", "permalink_url")
        if post.get(k) is not None
    }
    if post.get("admin_creator"):
        out["admin_creator"] = post["admin_creator"]
    return out


def _media_json(post: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: post[k]
        for k in ("id", "caption", "media_type", "permalink", "timestamp", "username")
        if post.get(k) is not None
    }
