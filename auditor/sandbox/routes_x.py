"""Sandbox routes for the X API v2 (the subset tweepy's Client calls for the auditor).

World section ``x``::

    x:
      me: "1500000000000000001"      # the account the configured token belongs to (/2/users/me)
      tokens:                        # accounts' own OAuth 2.0 user tokens (accounts[].credentials)
        x-user-token-deals: "1500000000000000002"
      token_valid: true              # false: every route answers 401
      refused: [timeline]            # endpoints the access tier refuses (403 client-not-enrolled):
                                     # timeline, lookup
      users:
        - id: "1500000000000000001"
          username: northwind
          name: Northwind Outfitters
          state: active              # active | suspended | deactivated (both answer "not found")
          description: ...
          url: https://northwind.example
          location: Portland, OR
          profile_image_url: https://pbs.twimg.com/...
          profile_banner_url: https://pbs.twimg.com/...
          verified: true
          verified_type: business
          protected: false
          pinned_tweet_id: "..."
          created_at: "2012-03-04T05:06:07Z"
          refused: [timeline]        # this user's timeline is refused as the tier refuses it
          tweets:
            - {id: "...", text: "...", created_at: "-2d", reply_to: "123", source: "Sprout"}

Shapes follow reference section 1: unknown or suspended users answer **200** with ``errors[]``
and no ``data``; only requested ``user.fields``/``tweet.fields`` are returned (plus id, name,
username / id, text); timelines page with ``meta.next_token`` and honour ``since_id``,
``start_time`` and ``max_results``; ``GET /2/tweets?ids=`` (up to 100) returns the tweets that
exist and reports each other id in ``errors[]`` as resource-not-found (a deleted tweet is one
removed from the world).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from auditor.core.errors import InputFileError
from auditor.sandbox.routing import Request, Response, Route
from auditor.sandbox.world import require, when

PLATFORM = "x"
_URL = re.compile(r"https?://[^\s]+")
_USER_FIELDS = (
    "created_at",
    "description",
    "entities",
    "location",
    "pinned_tweet_id",
    "profile_image_url",
    "profile_banner_url",
    "protected",
    "url",
    "verified",
    "verified_type",
)


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}
    return Response.json(body, status, {"Content-Type": "application/problem+json"})


def rate_limited(retry_after_s: int, now: float) -> Response:
    """X's 429: ``x-rate-limit-*`` headers with the reset as epoch seconds, no Retry-After."""
    headers = {
        "x-rate-limit-limit": "900",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(int(now) + retry_after_s),
    }
    response = _problem(429, "Too Many Requests", "Too Many Requests")
    return Response(429, response.body, {**response.headers, **headers})


class _XWorld:
    def __init__(self, section: Mapping[str, Any]) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.me = str(section.get("me") or "")
        tokens = section.get("tokens") or {}
        if not isinstance(tokens, Mapping):
            raise InputFileError("expected a mapping of token to user id", field="x.tokens")
        self.tokens = {str(k): str(v) for k, v in tokens.items()}
        self.token_valid = bool(section.get("token_valid", True))
        self.refused = {str(x) for x in require(section, "refused", PLATFORM)}
        self.users: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(require(section, "users", PLATFORM)):
            if not isinstance(raw, Mapping) or "id" not in raw or "username" not in raw:
                raise InputFileError(
                    "expected a mapping with id and username", field=f"x.users.{index}"
                )
            user = {**raw, "id": str(raw["id"])}
            user["tweets"] = sorted(
                (self._tweet(t, f"x.users.{index}.tweets") for t in raw.get("tweets") or []),
                key=lambda t: int(t["id"]),
                reverse=True,
            )
            self.users[user["id"]] = user
        self.tweets = {t["id"]: (u, t) for u in self.users.values() for t in u["tweets"]}

    def _tweet(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping) or "id" not in raw or "text" not in raw:
            raise InputFileError("expected a mapping with id and text", field=where)
        try:
            created = when(raw.get("created_at", "-1d"), self.now)
        except ValueError:
            raise InputFileError("expected an ISO time or -2d style age", field=where) from None
        return {**raw, "id": str(raw["id"]), "created": created}

    def tweet(self, tweet_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(author, tweet) of an existing tweet of an active user."""
        found = self.tweets.get(tweet_id)
        return found if found is not None and _active(found[0]) else None

    def by_username(self, username: str) -> dict[str, Any] | None:
        wanted = username.lower().lstrip("@")
        return next((u for u in self.users.values() if str(u["username"]).lower() == wanted), None)


def _user_json(user: Mapping[str, Any], fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": user["id"],
        "name": user.get("name", user["username"]),
        "username": user["username"],
    }
    for name in _USER_FIELDS:
        if name not in fields:
            continue
        if name == "entities":
            data["entities"] = _user_entities(user)
        elif name == "created_at" and user.get("created_at"):
            data[name] = when(user["created_at"]).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        elif name == "url" and user.get("url"):
            data["url"] = (
                "https://t.co/" + hashlib.sha256(str(user["url"]).encode()).hexdigest()[:10]
            )
        elif user.get(name) is not None:
            data[name] = user[name]
    if "most_recent_tweet_id" in fields and user.get("tweets"):
        data["most_recent_tweet_id"] = user["tweets"][0]["id"]
    return data


def _user_entities(user: Mapping[str, Any]) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    if user.get("url"):
        link = str(user["url"])
        entities["url"] = {
            "urls": [
                {
                    "start": 0,
                    "end": 23,
                    "url": "https://t.co/x",
                    "expanded_url": link,
                    "display_url": link.split("://", 1)[-1],
                }
            ]
        }
    links = _URL.findall(str(user.get("description") or ""))
    if links:
        entities["description"] = {
            "urls": [{"url": u, "expanded_url": u, "display_url": u} for u in links]
        }
    return entities


def _tweet_json(tweet: Mapping[str, Any], author: str, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tweet["id"],
        "text": tweet["text"],
        "edit_history_tweet_ids": [tweet["id"]],
    }
    if "created_at" in fields:
        data["created_at"] = tweet["created"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if "author_id" in fields:
        data["author_id"] = author
    links = [str(u) for u in tweet.get("links") or []] or _URL.findall(str(tweet["text"]))
    if "entities" in fields and links:
        data["entities"] = {
            "urls": [{"url": u, "expanded_url": u, "display_url": u} for u in links]
        }
    if tweet.get("reply_to"):
        if "in_reply_to_user_id" in fields:
            data["in_reply_to_user_id"] = str(tweet["reply_to"])
        if "referenced_tweets" in fields:
            data["referenced_tweets"] = [
                {"type": "replied_to", "id": str(tweet.get("reply_to_tweet", "1"))}
            ]
    if "source" in fields and tweet.get("source"):
        data["source"] = tweet["source"]
    return data


def _fields(request: Request, name: str) -> set[str]:
    return {f.strip() for f in (request.param(name) or "").split(",") if f.strip()}


def _not_found(value: str, parameter: str, state: str) -> dict[str, Any]:
    if state in ("suspended", "deactivated"):
        detail, title = f"User has been suspended: [{value}].", "Forbidden"
    else:
        detail, title = f"Could not find user with {parameter}: [{value}].", "Not Found Error"
    return {
        "value": value,
        "detail": detail,
        "title": title,
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def _tweet_not_found(value: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find tweet with ids: [{value}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def _not_enrolled() -> Response:
    """The 403 of an access tier that does not include the endpoint."""
    return _problem(
        403,
        "Client Forbidden",
        "This request must be made using an approved developer account that is enrolled in the requested endpoint.",
        reason="client-not-enrolled",
        required_enrollment="Appropriate Level of API Access",
        registration_url="https://developer.x.com/en/portal/product",
    )


def _active(user: Mapping[str, Any] | None) -> bool:
    return user is not None and user.get("state", "active") == "active"


def _state(user: Mapping[str, Any] | None) -> str:
    return "missing" if user is None else str(user.get("state"))


class _XApi:
    """The handlers, bound to one world section."""

    def __init__(self, world: _XWorld) -> None:
        self.world = world

    def guarded(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            if not self.world.token_valid or "authorization" not in request.headers:
                return _problem(401, "Unauthorized", "Unauthorized")
            return handler(request)

        return run

    def single(
        self, request: Request, user: dict[str, Any] | None, value: str, parameter: str
    ) -> Response:
        if user is None or not _active(user):
            return Response.json({"errors": [_not_found(value, parameter, _state(user))]})
        payload: dict[str, Any] = {"data": _user_json(user, _fields(request, "user.fields"))}
        pinned = user.get("pinned_tweet_id")
        if pinned and "pinned_tweet_id" in (request.param("expansions") or ""):
            found = [t for t in user["tweets"] if t["id"] == str(pinned)]
            if found:
                payload["includes"] = {"tweets": [_tweet_json(found[0], user["id"], set())]}
        return Response.json(payload)

    def me(self, request: Request) -> Response:
        bearer = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip()
        me = self.world.tokens.get(bearer, self.world.me)
        user = self.world.users.get(me)
        if user is None:
            return _problem(403, "Forbidden", "The token does not belong to a user context.")
        return self.single(request, user, me, "id")

    def by_username(self, request: Request) -> Response:
        if "lookup" in self.world.refused:
            return _not_enrolled()
        name = request.match["username"]
        return self.single(request, self.world.by_username(name), name, "username")

    def by_id(self, request: Request) -> Response:
        uid = request.match["id"]
        return self.single(request, self.world.users.get(uid), uid, "id")

    def many(self, request: Request) -> Response:
        if "lookup" in self.world.refused:
            return _not_enrolled()
        names = [n for n in (request.param("usernames") or "").split(",") if n]
        ids = [i for i in (request.param("ids") or "").split(",") if i]
        fields = _fields(request, "user.fields")
        lookups = [(n, self.world.by_username(n), "usernames") for n in names]
        lookups += [(i, self.world.users.get(i), "ids") for i in ids]
        data = [_user_json(u, fields) for _, u, _ in lookups if u is not None and _active(u)]
        errors = [_not_found(v, p, _state(u)) for v, u, p in lookups if not _active(u)]
        payload: dict[str, Any] = {"data": data} if data else {}
        if errors:
            payload["errors"] = errors
        return Response.json(payload)

    def tweets(self, request: Request) -> Response:
        """``GET /2/tweets?ids=``: the tweets that exist (of active users); each other id in
        ``errors[]`` as a resource-not-found problem."""
        if "timeline" in self.world.refused:
            return _not_enrolled()
        ids = [i for i in (request.param("ids") or "").split(",") if i]
        if not ids or len(ids) > 100:
            return _problem(400, "Invalid Request", "ids must hold 1 to 100 tweet ids")
        fields = _fields(request, "tweet.fields")
        data, errors = [], []
        for tweet_id in ids:
            found = self.world.tweet(tweet_id)
            if found is None:
                errors.append(_tweet_not_found(tweet_id))
            else:
                data.append(_tweet_json(found[1], str(found[0]["id"]), fields))
        payload: dict[str, Any] = {"data": data} if data else {}
        if errors:
            payload["errors"] = errors
        return Response.json(payload)

    def timeline(self, request: Request) -> Response:
        user = self.world.users.get(request.match["id"])
        if "timeline" in self.world.refused or "timeline" in (user or {}).get("refused", ()):
            return _not_enrolled()
        if user is None or not _active(user):
            return Response.json({"errors": [_not_found(request.match["id"], "id", _state(user))]})
        return _timeline_page(request, user)


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The X routes bound to the world's ``x`` section."""
    api = _XApi(_XWorld(section))
    return [
        Route.get(r"/2/users/me", api.guarded(api.me)),
        Route.get(
            r"/2/users/by/username/(?P<username>[A-Za-z0-9_]{1,50})", api.guarded(api.by_username)
        ),
        Route.get(r"/2/users/by", api.guarded(api.many)),
        Route.get(r"/2/users", api.guarded(api.many)),
        Route.get(r"/2/users/(?P<id>\d+)", api.guarded(api.by_id)),
        Route.get(r"/2/users/(?P<id>\d+)/tweets", api.guarded(api.timeline)),
        Route.get(r"/2/tweets", api.guarded(api.tweets)),
    ]


def _timeline_page(request: Request, user: Mapping[str, Any]) -> Response:
    tweets = list(user["tweets"])
    since = request.param("since_id")
    if since and since.isdigit():
        tweets = [t for t in tweets if int(t["id"]) > int(since)]
    start = request.param("start_time")
    if start:
        try:
            floor = when(start)
        except ValueError:
            return _problem(400, "Invalid Request", "start_time is not a valid time")
        tweets = [t for t in tweets if t["created"] >= floor]
    try:
        size = max(5, min(100, int(request.param("max_results") or 10)))
        offset = int((request.param("pagination_token") or "p0").lstrip("p"))
    except ValueError:
        return _problem(400, "Invalid Request", "bad max_results or pagination_token")
    page = tweets[offset : offset + size]
    fields = _fields(request, "tweet.fields")
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
    if offset + size < len(tweets):
        meta["next_token"] = f"p{offset + size}"
    payload: dict[str, Any] = {"meta": meta}
    if page:
        payload["data"] = [_tweet_json(t, str(user["id"]), fields) for t in page]
    return Response.json(payload)
