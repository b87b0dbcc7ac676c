"""Sandbox routes for Bluesky: the AppView XRPC calls, handle resolution and DID documents.

World section ``bluesky``::

    bluesky:
      session:                     # whose session the configured token is (getSession)
        did: did:plc:northwindexample00000001
        email: social@northwind.example
        email_auth_factor: true    # email sign-in codes (Bluesky's only second factor)
      accounts:
        - did: did:plc:northwindexample00000001
          handle: northwind.example
          display_name: Northwind Outfitters
          description: Outdoor gear. https://northwind.example
          avatar: https://cdn.bsky.app/img/avatar/plain/did:plc:.../a@jpeg
          state: active            # active | gone | takendown | deactivated
          verified: false          # the AppView's verification badge
          dns: true                # publish _atproto.<handle> TXT (DNS over HTTPS JSON)
          well_known: true         # serve https://<handle>/.well-known/atproto-did
          also_known_as: [at://northwind.example]   # the DID document's aliases (default: the handle)
          resolves_to: did:plc:...  # the DID the handle's DNS/well-known names (default: its own)
          posts:
            - {rkey: 3kabc, text: "...", created_at: -1d, links: [https://...], reply: false,
               repost: false}      # links: the post's link facets (default: the URLs in text)

Served below the prefix (reference section 7.2): ``/xrpc/app.bsky.actor.getProfile`` (gone
accounts: HTTP 400 ``{"error": "InvalidRequest", "message": "Profile not found"}``, takedowns
``AccountTakedown``, deactivated ``AccountDeactivated``; a DID whose document does not claim its
handle, or whose handle's DNS/well-known names another DID (``resolves_to``), shows
``handle.invalid``), ``/xrpc/app.bsky.feed.getAuthorFeed`` (``cursor`` paging),
``/handles/<handle>/.well-known/atproto-did`` and ``/handles/<host>/.well-known/did.json`` (the
handle's own host), ``/plc/<did>`` (a PLC directory), ``/dns-query?name=&type=TXT`` (DNS over
HTTPS, JSON) and ``/pds/xrpc/com.atproto.server.getSession`` (the accounts' PDS; 401 without a
bearer token or without a ``session`` in the world). 429 carries the IETF draft ``RateLimit-*`` headers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditor.sandbox.routing import Request, Response, Route, validate_section
from auditor.sandbox.world import when

PLATFORM = "bluesky"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BskyPost(_Model):
    """A post (or repost) in the account's feed."""

    rkey: str
    text: str
    created_at: str = "-1d"
    links: list[str] = []
    reply: bool = False
    repost: bool = False

    @field_validator("created_at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> str:
        when(value)
        return str(value)


class BskyAccount(_Model):
    """One account (a DID and its handle)."""

    did: str = Field(pattern=r"^did:(plc|web):[A-Za-z0-9._:%-]+$")
    handle: str
    display_name: str | None = None
    description: str | None = None
    avatar: str | None = None
    banner: str | None = None
    state: Literal["active", "gone", "takendown", "deactivated"] = "active"
    verified: bool = False
    dns: bool = False
    well_known: bool = True
    also_known_as: list[str] | None = None
    resolves_to: str | None = None
    posts: list[BskyPost] = []

    @property
    def aliases(self) -> list[str]:
        """The DID document's ``alsoKnownAs``."""
        return self.also_known_as if self.also_known_as is not None else [f"at://{self.handle}"]

    @property
    def published_did(self) -> str:
        """The DID the handle's DNS TXT record and well-known name."""
        return self.resolves_to or self.did

    @property
    def handle_valid(self) -> bool:
        """The handle names this DID and the DID document claims the handle first (what the
        AppView checks)."""
        first = next((a for a in self.aliases if a.startswith("at://")), "")
        return self.published_did == self.did and first[5:].lower() == self.handle.lower()


class Session(_Model):
    """The account the configured token (an access JWT) is a session of."""

    did: str
    email: str | None = None
    email_confirmed: bool = True
    email_auth_factor: bool = False


class BlueskyWorld(_Model):
    """The ``bluesky`` section."""

    accounts: list[BskyAccount] = []
    session: Session | None = None


_GONE = {
    "gone": ("InvalidRequest", "Profile not found"),
    "takendown": ("AccountTakedown", "Account has been suspended"),
    "deactivated": ("AccountDeactivated", "Account is deactivated"),
}


def rate_limited(retry_after_s: int, now: float) -> Response:
    """Bluesky's 429: IETF draft ``RateLimit-*`` headers (reset as epoch seconds)."""
    headers = {
        "RateLimit-Limit": "3000",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(int(now) + retry_after_s),
        "RateLimit-Policy": "3000;w=300",
    }
    body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    return Response.json(body, 429, headers)


def _xrpc_error(error: str, message: str, status: int = 400) -> Response:
    return Response.json({"error": error, "message": message}, status)


class _Routes:
    def __init__(self, world: BlueskyWorld) -> None:
        self.world = world
        self.now = datetime.now(UTC)
        self.by_did = {a.did: a for a in world.accounts}
        self.by_handle = {a.handle.lower(): a for a in world.accounts}

    def actor(self, request: Request) -> BskyAccount | Response:
        wanted = (request.param("actor") or "").strip()
        if not wanted:
            return _xrpc_error("InvalidRequest", 'Error: Params must have the property "actor"')
        account = self.by_did.get(wanted) or self.by_handle.get(wanted.lower().lstrip("@"))
        if account is None:
            return _xrpc_error("InvalidRequest", "Profile not found")
        if account.state in _GONE:
            return _xrpc_error(*_GONE[account.state])
        return account

    def profile(self, request: Request) -> Response:
        account = self.actor(request)
        if isinstance(account, Response):
            return account
        return Response.json(_profile_json(account))

    def profiles(self, request: Request) -> Response:
        """``app.bsky.actor.getProfiles?actors=a&actors=b`` (25 at most): the profiles of the
        actors that exist and are usable; the others are left out."""
        wanted = [a.strip() for a in request.query.get("actors", []) if a.strip()]
        if not wanted:
            return _xrpc_error("InvalidRequest", 'Error: Params must have the property "actors"')
        if len(wanted) > PROFILES_BATCH:
            return _xrpc_error(
                "InvalidRequest", f"Error: actors must not have more than {PROFILES_BATCH} elements"
            )
        found = [self.by_did.get(a) or self.by_handle.get(a.lower().lstrip("@")) for a in wanted]
        usable = [a for a in found if a is not None and a.state not in _GONE]
        return Response.json({"profiles": [_profile_json(a) for a in usable]})

    def feed(self, request: Request) -> Response:
        account = self.actor(request)
        if isinstance(account, Response):
            return account
        try:
            limit = max(1, min(100, int(request.param("limit", "50") or 50)))
            start = int(request.param("cursor", "0") or 0)
        except ValueError:
            return _xrpc_error("InvalidRequest", "Invalid cursor or limit")
        ordered = sorted(account.posts, key=lambda p: when(p.created_at, self.now), reverse=True)
        chunk = ordered[start : start + limit]
        body: dict[str, Any] = {"feed": [self.item(account, p) for p in chunk]}
        if start + limit < len(ordered):
            body["cursor"] = str(start + limit)
        return Response.json(body)

    def item(self, account: BskyAccount, post: BskyPost) -> dict[str, Any]:
        created = when(post.created_at, self.now).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.text,
            "createdAt": created,
        }
        links = post.links or _URL.findall(post.text)
        if links:
            record["facets"] = [_facet(post.text, link) for link in links]
        if post.reply:
            parent = {
                "uri": f"at://did:plc:someoneelse/app.bsky.feed.post/{post.rkey}p",
                "cid": "bafy",
            }
            record["reply"] = {"root": parent, "parent": parent}
        view = {
            "uri": f"at://{account.did}/app.bsky.feed.post/{post.rkey}",
            "cid": f"bafyrei{post.rkey}",
            "author": {"did": account.did, "handle": account.handle},
            "record": record,
            "indexedAt": created,
        }
        item: dict[str, Any] = {"post": view}
        if post.repost:
            item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "indexedAt": created}
        return item

    def session(self, request: Request) -> Response:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return _xrpc_error("AuthMissing", "Authentication Required", 401)
        session = self.world.session
        account = self.by_did.get(session.did) if session else None
        if session is None or account is None:
            return _xrpc_error("InvalidToken", "Token could not be verified", 401)
        body = {
            "did": session.did,
            "handle": account.handle,
            "email": session.email,
            "emailConfirmed": session.email_confirmed,
            "emailAuthFactor": session.email_auth_factor,
            "active": account.state == "active",
        }
        return Response.json({k: v for k, v in body.items() if v is not None})

    def well_known(self, request: Request) -> Response:
        account = self.by_handle.get(request.match["host"].lower())
        if account is None or not account.well_known or account.state == "gone":
            return Response.text("not found", 404)
        return Response.text(account.published_did + "\n")

    def did_web(self, request: Request) -> Response:
        did = f"did:web:{request.match['host']}"
        account = self.by_did.get(did)
        return _document(account) if account else Response.json({"error": "not found"}, 404)

    def plc(self, request: Request) -> Response:
        account = self.by_did.get(request.match["did"])
        if account is None or account.state == "gone":
            return Response.json({"message": f"DID not registered: {request.match['did']}"}, 404)
        return _document(account)

    def dns(self, request: Request) -> Response:
        name = (request.param("name") or "").rstrip(".").lower()
        question = [{"name": name + ".", "type": 16}]
        host = name.removeprefix("_atproto.")
        account = self.by_handle.get(host)
        if not name.startswith("_atproto.") or account is None or not account.dns:
            return Response.json({"Status": 3, "Question": question}, headers=_DNS_JSON)
        answer = [
            {"name": name + ".", "type": 16, "TTL": 300, "data": f'"did={account.published_did}"'}
        ]
        body = {
            "Status": 0,
            "TC": False,
            "RD": True,
            "RA": True,
            "Question": question,
            "Answer": answer,
        }
        return Response.json(body, headers=_DNS_JSON)


_DNS_JSON = {"Content-Type": "application/dns-json"}
_URL = re.compile(r"https?://[^\s<>\"']+")


def _facet(text: str, link: str) -> dict[str, Any]:
    """A link facet over the link's UTF-8 byte range in the text (the start when absent)."""
    encoded, target = text.encode("utf-8"), link.encode("utf-8")
    start = max(encoded.find(target), 0)
    return {
        "index": {"byteStart": start, "byteEnd": start + len(target)},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
    }


def _document(account: BskyAccount) -> Response:
    return Response.json(
        {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": account.did,
            "alsoKnownAs": account.aliases,
            "verificationMethod": [],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": "https://pds.example",
                }
            ],
        }
    )


PROFILES_BATCH = 25
"""getProfiles answers at most this many actors."""


def _profile_json(account: BskyAccount) -> dict[str, Any]:
    """``app.bsky.actor.defs#profileViewDetailed`` of one account (reference section 7.2)."""
    data: dict[str, Any] = {
        "did": account.did,
        "handle": account.handle if account.handle_valid else "handle.invalid",
        "displayName": account.display_name,
        "description": account.description,
        "avatar": account.avatar,
        "banner": account.banner,
        "followersCount": 1200,
        "followsCount": 80,
        "postsCount": len(account.posts),
        "createdAt": "2023-07-01T00:00:00.000Z",
        "indexedAt": "2023-07-01T00:00:00.000Z",
        "labels": [],
    }
    status = "valid" if account.verified else "none"
    data["verification"] = {
        "verifications": [],
        "verifiedStatus": status,
        "trustedVerifierStatus": "none",
    }
    return {k: v for k, v in data.items() if v is not None}


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The Bluesky routes bound to a validated ``bluesky`` section."""
    world = validate_section(BlueskyWorld, section, PLATFORM)
    served = _Routes(world)
    return [
        Route.get(r"/xrpc/app\.bsky\.actor\.getProfile", served.profile),
        Route.get(r"/xrpc/app\.bsky\.actor\.getProfiles", served.profiles),
        Route.get(r"/xrpc/app\.bsky\.feed\.getAuthorFeed", served.feed),
        Route.get(r"/handles/(?P<host>[^/]+)/\.well-known/atproto-did", served.well_known),
        Route.get(r"/handles/(?P<host>[^/]+)/\.well-known/did\.json", served.did_web),
        Route.get(r"/plc/(?P<did>did:plc:[^/]+)", served.plc),
        Route.get(r"/dns-query", served.dns),
        Route.get(r"/pds/xrpc/com\.atproto\.server\.getSession", served.session),
    ]
