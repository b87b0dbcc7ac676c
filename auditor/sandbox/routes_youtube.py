"""Sandbox routes for the YouTube Data API v3 (``channels.list`` and ``playlistItems.list``).

World section ``youtube``::

    youtube:
      key_valid: true                  # false: 400 keyInvalid on every call
      quota_exceeded: false            # true: 403 quotaExceeded on every call
      channels:
        - id: UCnorthwind000000000000001
          handle: "@northwind"
          title: Northwind Outfitters
          description: ...
          thumbnail: https://yt3.ggpht.com/...
          banner: https://yt3.googleusercontent.com/...
          country: US
          privacy: public
          uploads:
            - {id: vid0001, title: ..., description: ..., published: "-2d"}
      tokens:                          # OAuth tokens: channels?mine=true lists these channels
        yt-oauth-northwind: [UCnorthwind000000000000001]

Unknown ids or handles answer **200 without ``items``** (reference section 4). Errors use the
Google shape ``{"error": {"code", "message", "errors": [{"domain", "reason"}], "status"}}``; the
rate limit is a 403 with reason ``rateLimitExceeded`` (no header), the daily quota a 403 with
``quotaExceeded``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from auditor.core.errors import InputFileError
from auditor.sandbox.routing import Request, Response, Route
from auditor.sandbox.world import require, when

PLATFORM = "youtube"


def google_error(status: int, reason: str, message: str, domain: str = "youtube.quota") -> Response:
    """A Google API error body."""
    state = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
    }.get(status, "UNKNOWN")
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "status": state,
        }
    }
    return Response.json(body, status)


def rate_limited(retry_after_s: int, now: float) -> Response:
    """YouTube's rate limit: 403 with reason ``rateLimitExceeded`` in the body, no header."""
    del retry_after_s, now
    return google_error(
        403,
        "rateLimitExceeded",
        "The request cannot be completed because you have exceeded your quota.",
        "usageLimits",
    )


def _channel_json(channel: Mapping[str, Any], parts: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "youtube#channel", "etag": "sandbox", "id": channel["id"]}
    if "snippet" in parts:
        snippet: dict[str, Any] = {
            "title": channel.get("title", ""),
            "description": channel.get("description", ""),
            "customUrl": str(channel.get("handle", "")).lower(),
            "publishedAt": "2014-01-01T00:00:00Z",
        }
        if channel.get("country"):
            snippet["country"] = channel["country"]
        if channel.get("thumbnail"):
            snippet["thumbnails"] = {
                "default": {"url": channel["thumbnail"], "width": 88, "height": 88}
            }
        out["snippet"] = snippet
    if "contentDetails" in parts:
        out["contentDetails"] = {"relatedPlaylists": {"uploads": "UU" + str(channel["id"])[2:]}}
    if "brandingSettings" in parts:
        branding: dict[str, Any] = {
            "channel": {
                "title": channel.get("title", ""),
                "description": channel.get("description", ""),
                "keywords": channel.get("keywords", ""),
            }
        }
        if channel.get("banner"):
            branding["image"] = {"bannerExternalUrl": channel["banner"]}
        out["brandingSettings"] = branding
    if "status" in parts:
        out["status"] = {
            "privacyStatus": channel.get("privacy", "public"),
            "isLinked": True,
            "madeForKids": False,
        }
    if "statistics" in parts:
        out["statistics"] = {
            "viewCount": "0",
            "subscriberCount": "0",
            "hiddenSubscriberCount": False,
            "videoCount": str(len(channel.get("uploads") or [])),
        }
    return out


class _YouTubeWorld:
    def __init__(self, section: Mapping[str, Any]) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.key_valid = bool(section.get("key_valid", True))
        tokens = section.get("tokens") or {}
        if not isinstance(tokens, Mapping):
            raise InputFileError(
                "expected a mapping of token to channel ids", field="youtube.tokens"
            )
        self.tokens = {str(k): [str(c) for c in v or []] for k, v in tokens.items()}
        self.quota_exceeded = bool(section.get("quota_exceeded", False))
        self.channels: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(require(section, "channels", PLATFORM)):
            if not isinstance(raw, Mapping) or "id" not in raw:
                raise InputFileError(
                    "expected a mapping with an id", field=f"youtube.channels.{index}"
                )
            channel = {**raw, "id": str(raw["id"])}
            channel["uploads"] = sorted(
                (self._video(v, channel) for v in raw.get("uploads") or []),
                key=lambda v: v["published"],
                reverse=True,
            )
            self.channels[channel["id"]] = channel

    def _video(self, raw: Any, channel: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, Mapping) or "id" not in raw:
            raise InputFileError("expected uploads with an id", field="youtube.channels.uploads")
        try:
            published = when(raw.get("published", "-1d"), self.now)
        except ValueError:
            raise InputFileError("expected an ISO time or -2d style age", field="youtube") from None
        return {**raw, "id": str(raw["id"]), "published": published, "channel_id": channel["id"]}

    def by_handle(self, handle: str) -> dict[str, Any] | None:
        wanted = "@" + handle.lower().lstrip("@")
        return next(
            (c for c in self.channels.values() if str(c.get("handle", "")).lower() == wanted), None
        )


class _YouTubeApi:
    """The handlers, bound to one world section."""

    def __init__(self, world: _YouTubeWorld) -> None:
        self.world = world

    def checked(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            if not self.world.key_valid or not (
                request.param("key")
                or request.headers.get("x-goog-api-key")
                or request.headers.get("authorization")
            ):
                return google_error(
                    400,
                    "keyInvalid",
                    "API key not valid. Please pass a valid API key.",
                    "usageLimits",
                )
            if self.world.quota_exceeded:
                return google_error(
                    403,
                    "quotaExceeded",
                    "The request cannot be completed because you have exceeded your quota.",
                )
            return handler(request)

        return run

    def channels(self, request: Request) -> Response:
        parts = set((request.param("part") or "id").split(","))
        found: list[dict[str, Any]] = []
        if request.param("mine") == "true":
            bearer = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip()
            if bearer not in self.world.tokens:
                return google_error(401, "authError", "Invalid Credentials", "global")
            found = [
                self.world.channels[c]
                for c in self.world.tokens[bearer]
                if c in self.world.channels
            ]
        elif request.param("forHandle"):
            channel = self.world.by_handle(request.param("forHandle") or "")
            found = [channel] if channel else []
        elif request.param("id"):
            ids = (request.param("id") or "").split(",")
            found = [self.world.channels[i] for i in ids if i in self.world.channels]
        payload: dict[str, Any] = {
            "kind": "youtube#channelListResponse",
            "etag": "sandbox",
            "pageInfo": {"totalResults": len(found), "resultsPerPage": 5},
        }
        if found:
            payload["items"] = [_channel_json(c, parts) for c in found]
        return Response.json(payload)

    def playlist_items(self, request: Request) -> Response:
        playlist = request.param("playlistId") or ""
        channel = (
            self.world.channels.get("UC" + playlist[2:]) if playlist.startswith("UU") else None
        )
        if channel is None:
            return google_error(
                404,
                "playlistNotFound",
                "The playlist identified with the request's playlistId parameter cannot be found.",
                "youtube.playlistItem",
            )
        try:
            size = max(1, min(50, int(request.param("maxResults") or 5)))
            offset = int((request.param("pageToken") or "T0").lstrip("T"))
        except ValueError:
            return google_error(400, "invalidPageToken", "Invalid page token", "youtube.parameter")
        videos = channel["uploads"][offset : offset + size]
        payload: dict[str, Any] = {
            "kind": "youtube#playlistItemListResponse",
            "pageInfo": {"totalResults": len(channel["uploads"]), "resultsPerPage": size},
            "items": [_item_json(v, playlist) for v in videos],
        }
        if offset + size < len(channel["uploads"]):
            payload["nextPageToken"] = f"T{offset + size}"
        return Response.json(payload)


def _videos(world: _YouTubeWorld) -> Callable[[Request], Response]:
    """``videos.list?id=a,b`` (up to 50): the uploads that exist, in an ``items`` list."""
    videos = {v["id"]: v for c in world.channels.values() for v in c["uploads"]}

    def handler(request: Request) -> Response:
        ids = [i for i in (request.param("id") or "").split(",") if i]
        if not ids or len(ids) > 50:
            return google_error(400, "invalidValue", "id must hold 1 to 50 ids", "youtube.video")
        items = [{"kind": "youtube#video", "etag": "sandbox", "id": i} for i in ids if i in videos]
        return Response.json(
            {
                "kind": "youtube#videoListResponse",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
                "items": items,
            }
        )

    return handler


def routes(section: Mapping[str, Any]) -> list[Route]:
    """The YouTube routes bound to the world's ``youtube`` section."""
    world = _YouTubeWorld(section)
    api = _YouTubeApi(world)
    return [
        Route.get(r"/youtube/v3/videos", api.checked(_videos(world))),
        Route.get(r"/youtube/v3/channels", api.checked(api.channels)),
        Route.get(r"/youtube/v3/playlistItems", api.checked(api.playlist_items)),
    ]


def _item_json(video: Mapping[str, Any], playlist: str) -> dict[str, Any]:
    published = video["published"].strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "kind": "youtube#playlistItem",
        "id": f"PI{video['id']}",
        "snippet": {
            "publishedAt": published,
            "channelId": video["channel_id"],
            "title": video.get("title", ""),
            "description": video.get("description", ""),
            "playlistId": playlist,
            "resourceId": {"kind": "youtube#video", "videoId": video["id"]},
        },
        "contentDetails": {"videoId": video["id"], "videoPublishedAt": published},
    }
