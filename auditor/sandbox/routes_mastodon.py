"""Sandbox routes for the Mastodon client API (account lookup, statuses, verify_credentials).

World section ``mastodon``::

    mastodon:
      domain: social.example         # the instance's own domain (accts there are local)
      token_account: "109000000000000001"   # whose token verify_credentials answers; absent: 401
      accounts:
        - id: "109000000000000001"
          username: northwind
          display_name: Northwind Outfitters
          note: "Outdoor gear since 1998. https://northwind.example"   # plain text (HTML made here)
          avatar: https://files.social.example/avatars/northwind.png
          header: https://files.social.example/headers/northwind.png
          fields:
            - {name: Website, url: https://northwind.example, verified: true}
          suspended: false
          statuses:
            - {id: "109000000000000101", text: "New trail boots are in", created_at: -1d,
               reply_to: null, application: Buffer, pinned: false, spoiler_text: ""}

Shapes follow reference section 7.1: notes, field values and status contents are HTML with links
as ``<a href>`` (text is escaped here, so a world's hostile text stays text); unknown accts answer
404 ``{"error": "Record not found"}``; statuses page newest first with ``max_id`` / ``min_id`` /
``since_id`` / ``limit`` and a ``Link`` header; 429 carries ``X-RateLimit-Reset`` as ISO 8601.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditor.sandbox.routing import Request, Response, Route, validate_section
from auditor.sandbox.world import when

PLATFORM = "mastodon"
_URL = re.compile(r"https?://[^\s<>\"']+")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProfileField(_Model):
    """A profile metadata field (a link, verified by rel=me or not)."""

    name: str
    url: str | None = None
    value: str | None = None
    verified: bool = False


class Status(_Model):
    """A status by the account."""

    id: str
    text: str
    created_at: str = "-1d"
    reply_to: str | None = None
    application: str | None = None
    pinned: bool = False
    spoiler_text: str = ""
    reblog: bool = False

    @field_validator("id", mode="before")
    @classmethod
    def _numeric(cls, value: Any) -> str:
        if not str(value).isdigit():
            raise ValueError("status ids are numeric strings")
        return str(value)

    @field_validator("created_at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> str:
        when(value)
        return str(value)


class Account(_Model):
    """One account on the instance."""

    id: str
    username: str
    display_name: str = ""
    note: str = ""
    avatar: str | None = None
    header: str | None = None
    fields: list[ProfileField] = []
    suspended: bool = False
    moved_to: str | None = None
    statuses: list[Status] = []

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        return str(value)


class MastodonWorld(_Model):
    """The ``mastodon`` section."""

    domain: str = "social.example"
    token_account: str | None = None
    accounts: list[Account] = Field(default_factory=list)


def rate_limited(retry_after_s: int, now: float) -> Response:
    """Mastodon's 429: ``X-RateLimit-*`` headers with the reset as an ISO 8601 time."""
    reset = datetime.fromtimestamp(now, UTC) + timedelta(seconds=retry_after_s)
    headers = {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    return Response.json({"error": "Too many requests"}, 429, headers)


def _linkified(text: str) -> str:
    """Escaped text with URLs as Mastodon-style anchors, in one paragraph per line."""
    paragraphs = []
    for line in text.splitlines() or [""]:
        pieces: list[str] = []
        last = 0
        for match in _URL.finditer(line):
            pieces.append(html.escape(line[last : match.start()]))
            pieces.append(_anchor(match.group(0)))
            last = match.end()
        pieces.append(html.escape(line[last:]))
        paragraphs.append("<p>" + "".join(pieces) + "</p>")
    return "".join(paragraphs)


def _anchor(url: str) -> str:
    shown = url.split("://", 1)[-1]
    return (
        f'<a href="{html.escape(url)}" rel="nofollow noopener noreferrer me" target="_blank">'
        f'<span class="invisible">https://</span><span class="">{html.escape(shown)}</span></a>'
    )


class _Routes:
    def __init__(self, world: MastodonWorld) -> None:
        self.world = world
        self.now = datetime.now(UTC)
        self.accounts = {a.id: a for a in world.accounts}

    def base(self, request: Request) -> str:
        return f"http://{request.headers.get('host', '127.0.0.1')}/{PLATFORM}"

    def account_json(self, account: Account) -> dict[str, Any]:
        fields = [
            {
                "name": f.name,
                "value": _anchor(f.url) if f.url else html.escape(f.value or ""),
                "verified_at": "2026-03-02T10:00:00.000+00:00" if f.verified else None,
            }
            for f in account.fields
        ]
        data: dict[str, Any] = {
            "id": account.id,
            "username": account.username,
            "acct": account.username,
            "display_name": account.display_name,
            "locked": False,
            "bot": False,
            "created_at": "2022-11-01T00:00:00.000Z",
            "note": _linkified(account.note) if account.note else "",
            "url": f"https://{self.world.domain}/@{account.username}",
            "avatar": account.avatar or f"https://{self.world.domain}/avatars/original/missing.png",
            "header": account.header or f"https://{self.world.domain}/headers/original/missing.png",
            "statuses_count": len(account.statuses),
            "fields": fields,
            "emojis": [],
        }
        if account.suspended:
            data["suspended"] = True
        if account.moved_to:
            data["moved"] = {"id": "1", "username": account.moved_to, "acct": account.moved_to}
        return data

    def status_json(self, status: Status, account: Account) -> dict[str, Any]:
        created = when(status.created_at, self.now)
        return {
            "id": status.id,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "in_reply_to_id": status.reply_to,
            "in_reply_to_account_id": "1" if status.reply_to else None,
            "sensitive": bool(status.spoiler_text),
            "spoiler_text": status.spoiler_text,
            "visibility": "public",
            "url": f"https://{self.world.domain}/@{account.username}/{status.id}",
            "content": _linkified(status.text),
            "reblog": {"id": "1"} if status.reblog else None,
            "application": {"name": status.application, "website": None}
            if status.application
            else None,
            "account": self.account_json(account),
            "pinned": status.pinned,
        }

    def lookup(self, request: Request) -> Response:
        acct = (request.param("acct") or "").lstrip("@").lower()
        user, _, domain = acct.partition("@")
        if domain in ("", self.world.domain.lower()):
            for account in self.world.accounts:
                if account.username.lower() == user:
                    return Response.json(self.account_json(account))
        return Response.json({"error": "Record not found"}, 404)

    def search(self, request: Request) -> Response:
        """``GET /api/v2/search?q=&type=accounts&resolve=false&limit=``: local accounts whose
        username starts with the query or whose display name contains it (at most 40)."""
        term = (request.param("q") or "").strip().lstrip("@").lower()
        kind = request.param("type") or "accounts"
        try:
            limit = max(1, min(40, int(request.param("limit", "20") or 20)))
        except ValueError:
            return Response.json({"error": "Validation failed: limit is invalid"}, 422)
        found = [
            self.account_json(a)
            for a in self.world.accounts
            if term
            and kind == "accounts"
            and (a.username.lower().startswith(term) or term in (a.display_name or "").lower())
        ]
        return Response.json({"accounts": found[:limit], "statuses": [], "hashtags": []})

    def by_id(self, request: Request) -> Response:
        account = self.accounts.get(request.match["id"])
        if account is None:
            return Response.json({"error": "Record not found"}, 404)
        return Response.json(self.account_json(account))

    def verify(self, request: Request) -> Response:
        account = self.accounts.get(self.world.token_account or "")
        if account is None or not request.headers.get("authorization", "").startswith("Bearer "):
            return Response.json({"error": "The access token is invalid"}, 401)
        return Response.json(self.account_json(account))

    def statuses(self, request: Request) -> Response:
        account = self.accounts.get(request.match["id"])
        if account is None:
            return Response.json({"error": "Record not found"}, 404)
        chosen = sorted(account.statuses, key=lambda s: (len(s.id), s.id), reverse=True)
        if request.param("exclude_reblogs") == "true":
            chosen = [s for s in chosen if not s.reblog]
        if request.param("pinned") == "true":
            chosen = [s for s in chosen if s.pinned]
        chosen = _window(chosen, request)
        items = [self.status_json(s, account) for s in chosen]
        headers: dict[str, str] = {}
        if items:
            url = f"{self.base(request)}{request.path}"
            headers["Link"] = (
                f'<{url}?max_id={items[-1]["id"]}>; rel="next", '
                f'<{url}?min_id={items[0]["id"]}>; rel="prev"'
            )
        return Response.json(items, headers=headers)


def _key(value: str) -> tuple[int, str]:
    return len(value), value


def _window(statuses: list[Status], request: Request) -> list[Status]:
    """``max_id`` / ``since_id`` / ``min_id`` / ``limit`` over newest-first statuses."""
    try:
        limit = max(1, min(40, int(request.param("limit", "20") or 20)))
    except ValueError:
        limit = 20
    max_id, since_id, min_id = (request.param(k) for k in ("max_id", "since_id", "min_id"))
    if max_id:
        statuses = [s for s in statuses if _key(s.id) < _key(max_id)]
    if since_id:
        statuses = [s for s in statuses if _key(s.id) > _key(since_id)]
    if min_id:
        newer = [s for s in statuses if _key(s.id) > _key(min_id)]
        return newer[-limit:]
    return statuses[:limit]


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The Mastodon routes bound to a validated ``mastodon`` section."""
    world = validate_section(MastodonWorld, section, PLATFORM)
    served = _Routes(world)
    return [
        Route.get(r"/api/v1/accounts/lookup", served.lookup),
        Route.get(r"/api/v2/search", served.search),
        Route.get(r"/api/v1/accounts/verify_credentials", served.verify),
        Route.get(r"/api/v1/accounts/(?P<id>\d+)/statuses", served.statuses),
        Route.get(r"/api/v1/accounts/(?P<id>\d+)", served.by_id),
    ]
