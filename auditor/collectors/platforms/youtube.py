"""The YouTube collector: channel identity, profile fields and recent uploads.

Reads the Data API v3 (``platforms.youtube.base_url``, default ``https://www.googleapis.com``)
with ``platforms.youtube.token`` sent as the API key in the ``X-Goog-Api-Key`` header (never
in the query string, where HTTP libraries log it; public channel data needs no OAuth). Per inventory channel: ``channels.list`` by handle (``forHandle``) or, for a handle that
is a ``UC...`` id, by ``id``: the channel id the handle resolves to now, title, description,
avatar and banner digests; an answer without ``items`` is an unknown channel (``not_found``).
Uploads of the content window come from the uploads playlist (``playlistItems.list``), newest
first, read page by page only until the previous run's newest video; a carried upload is kept
when those pages still list it, dropped when it is missing although newer than the oldest one
listed, and otherwise asked with ``videos.list?id=`` (50 ids a request). YouTube does not expose channel
managers (Brand Account permissions), so roles are unknown, with that note.

With an account's own OAuth token (``accounts[].credentials.token``, scope
``youtube.readonly``), ``channels.list?mine=true`` names the channel the token acts for: that is
the account's ``token_account_id`` (``ownership.identity-mismatch`` compares it), and every
channel those answers list is reported as discovered (``ownership.unmanaged-account``). Without
one the token owner stays unknown, and the evidence says which credential would tell.

Errors follow the Google shape; the ``reason`` of ``error.errors[0]`` decides: quota and rate
reasons are rate limits, ``keyInvalid``/``authError`` auth, ``forbidden``/
``insufficientPermissions`` permission; otherwise the status code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import requests

from auditor.collectors.base import CollectContext, FacetReads
from auditor.collectors.platforms.collector import (
    CarriedPosts,
    PlatformCollector,
    links_in,
    url_digest,
    window_floor,
)
from auditor.collectors.platforms.json_shapes import objects, text, value_at
from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    RateLimited,
)
from auditor.core.estate import AccountSpec
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    DiscoveredAccount,
    EvidenceItem,
    Post,
    Profile,
)
from auditor.core.models import SourceProblem
from auditor.http.client import HttpClient, HttpShared

CONFIG_NAME = "youtube"
PLATFORMS = ("youtube",)
DEFAULT_BASE_URL = "https://www.googleapis.com"
ROLES_NOTE = "YouTube does not expose channel managers"
PARTS = "snippet,brandingSettings,contentDetails,status"
MAX_PAGES = 10
RATE_REASONS = frozenset(
    {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded"}
)
AUTH_REASONS = frozenset({"keyInvalid", "authError", "keyExpired"})
PERMISSION_REASONS = frozenset({"forbidden", "insufficientPermissions", "accessNotConfigured"})


def google_error(response: requests.Response) -> CollectionError | None:
    """The typed error for a Google error body, by ``reason`` (None: use the status)."""
    try:
        reason = str(response.json()["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    status = response.status_code
    where = f"youtube: {reason}"
    if reason in RATE_REASONS:
        return RateLimited(where, status=status)
    if reason in AUTH_REASONS:
        return AuthFailed(where, status=status)
    if reason in PERMISSION_REASONS:
        return PermissionMissing(where, status=status)
    return None


def parse_time(value: Any) -> datetime:
    """A Google timestamp (``2024-01-01T00:00:00Z``)."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedResponse(f"youtube: unreadable timestamp {str(value)[:40]!r}") from None


def parse_channel(item: Mapping[str, Any]) -> tuple[str, Profile, str | None]:
    """Channel id, profile and uploads playlist id of a ``channels.list`` item."""
    channel_id = text(item, "id")
    if channel_id is None:
        raise MalformedResponse("youtube: channel without an id")
    avatar = text(item, "snippet", "thumbnails", "default", "url") or text(
        item, "snippet", "thumbnails", "high", "url"
    )
    description = text(item, "snippet", "description")
    profile = Profile(
        display_name=text(item, "snippet", "title"),
        bio=description,
        avatar_hash=url_digest(avatar),
        banner_hash=url_digest(text(item, "brandingSettings", "image", "bannerExternalUrl")),
        location=text(item, "snippet", "country"),
        extra_links=links_in(description),
    )
    uploads = text(item, "contentDetails", "relatedPlaylists", "uploads")
    return channel_id, profile, uploads


def parse_upload(item: Mapping[str, Any]) -> Post:
    """One ``playlistItems.list`` item as a post."""
    video = text(item, "contentDetails", "videoId") or text(
        item, "snippet", "resourceId", "videoId"
    )
    if not video:
        raise MalformedResponse("youtube: playlist item without a video id")
    title = text(item, "snippet", "title") or ""
    description = text(item, "snippet", "description") or ""
    return Post(
        id=video,
        created_at=parse_time(value_at(item, "snippet", "publishedAt")),
        text=f"{title}\n{description}".strip(),
        links=links_in(description),
        url=f"https://www.youtube.com/watch?v={video}",
    )


TokenChannels = dict[str, list[str] | CollectionError]
"""Per asset key: the channels ``channels?mine=true`` listed for the account's own token, or
why it could not be asked (accounts without a token of their own are absent)."""

OWNER_UNKNOWN_NOTE = (
    "no accounts[].credentials.token: the channel's own OAuth token (youtube.readonly) would "
    "show whom the channel's access belongs to"
)
"""Why the token owner of a channel without its own credential is unknown."""


CAPABILITIES = Capabilities(
    source="youtube",
    platforms=(
        PlatformCapability(
            "youtube",
            provides=frozenset({Facet.IDENTITY, Facet.PROFILE, Facet.POSTS, Facet.TOKEN_OWNER}),
            not_exposed={
                Facet.DISCOVERY: (
                    "YouTube lists only the channels one channel's own OAuth token manages"
                ),
                Facet.ROLES: "YouTube does not expose channel managers",
                Facet.MEMBER_TWO_FACTOR: "YouTube does not expose channel managers",
                Facet.APPS: "YouTube exposes no connected apps of a channel",
                Facet.TWO_FACTOR_POLICY: "YouTube exposes no second-factor policy",
                Facet.OWNERSHIP: "YouTube does not expose who owns a Brand Account",
                Facet.REGISTRATION_EMAIL: "YouTube does not expose the registration email",
            },
            token_owner=True,
        ),
    ),
)
"""What the YouTube collector reads, and what YouTube does not expose."""


class YouTubeCollector(PlatformCollector[TokenChannels]):
    """YouTube channels through the Data API v3."""

    name = "youtube"
    platforms = PLATFORMS
    capabilities = CAPABILITIES
    verify_batch = 50
    scopes = ("youtube.readonly",)

    def begin(
        self, ctx: CollectContext
    ) -> tuple[TokenChannels, list[EvidenceItem], list[SourceProblem]]:
        """``channels?mine=true`` with each channel's own OAuth token: whose token it is, and
        the channels it manages (discovered)."""
        owners: TokenChannels = {}
        items: list[EvidenceItem] = []
        problems: list[SourceProblem] = []
        seen: set[str] = set()
        for key, credentials in self.account_credentials.items():
            if credentials.token is None:
                continue
            try:
                channels = self._mine(credentials.token.get_secret_value())
            except CollectionError as exc:
                owners[key] = exc
                problems.append(SourceProblem(exc.kind.value, exc.detail, key, exc.scope))
                continue
            owners[key] = [c for c, _ in channels]
            for channel_id, handle in channels:
                if channel_id not in seen:
                    seen.add(channel_id)
                    via = "youtube channels?mine=true"
                    items.append(DiscoveredAccount("youtube", handle, channel_id, via, ctx.now))
        return owners, items, problems

    def _mine(self, token: str) -> list[tuple[str, str]]:
        """(channel id, handle or title) of each channel ``channels?mine=true`` lists."""
        payload = self.client.get_json(
            "/youtube/v3/channels",
            params={"part": "id,snippet", "mine": "true", "maxResults": 50},
            headers={"Authorization": f"Bearer {token}"},
        )
        if not isinstance(payload, dict):
            raise MalformedResponse("youtube: channels?mine=true answer is not an object")
        found: list[tuple[str, str]] = []
        for item in objects(payload, "items"):
            channel_id = text(item, "id")
            if channel_id is None:
                raise MalformedResponse("youtube: channels?mine=true item without an id")
            handle = text(item, "snippet", "customUrl") or text(item, "snippet", "title")
            found.append((channel_id, handle or channel_id))
        return found

    def _token_owner(
        self, spec: AccountSpec, state: TokenChannels
    ) -> tuple[str | None, Completeness]:
        """The channel the account's own token acts for, and how completely that is known."""
        answer = state.get(spec.asset.key)
        if answer is None:
            return None, Completeness.unknown(OWNER_UNKNOWN_NOTE)
        if isinstance(answer, CollectionError):
            return None, Completeness.unknown(f"channels?mine=true failed ({answer.kind.value})")
        if not answer:
            return None, Completeness.unknown("the token has no YouTube channel")
        return answer[0], Completeness.complete()

    def existing_posts(self, ids: Sequence[str], state: TokenChannels) -> Mapping[str, bool]:
        """``videos.list?part=id&id=a,b`` (50 a request): a returned video exists; one left out
        is deleted (or no longer public)."""
        payload = self.client.get_json(
            "/youtube/v3/videos", params={"part": "id", "id": ",".join(ids)}
        )
        if not isinstance(payload, dict) or not isinstance(payload.get("items", []), list):
            raise MalformedResponse("youtube: videos.list answer without an items list")
        present = {text(item, "id") for item in objects(payload, "items")}
        return {video: video in present for video in ids}

    def account(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        state: TokenChannels,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> AccountEvidence:
        """One channel."""
        handle = spec.handle.strip()
        by = {"id": handle} if handle.startswith("UC") else {"forHandle": handle}
        payload = self.client.get_json("/youtube/v3/channels", params={"part": PARTS, **by})
        items = objects(payload, "items")
        if not items:
            raise NotFound(f"youtube: no channel answers {handle}")
        channel_id, profile, uploads = parse_channel(items[0])
        if not uploads:
            reads.mark((Facet.POSTS,), Completeness.unknown("the channel has no uploads playlist"))
        found = reads.attempt(
            (Facet.POSTS,),
            lambda: self._uploads(ctx, uploads, history.for_account(channel_id), reads),
        )
        posts, cursor = found if found is not None else (None, None)
        token_channel, token_facet = self._token_owner(spec, state)
        return self.evidence(
            spec,
            ctx,
            AccountState.ACTIVE,
            account_id=channel_id,
            token_account_id=token_channel,
            profile=profile,
            posts=posts,
            roles=None,
            roles_note=ROLES_NOTE,
            cursor=cursor,
            facets={Facet.TOKEN_OWNER: token_facet},
        )

    def _uploads(
        self,
        ctx: CollectContext,
        playlist: str | None,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> tuple[tuple[Post, ...] | None, str | None]:
        if not playlist or history.error is not None:
            return None, None  # no uploads playlist, or carried uploads unchecked: unknown
        floor = window_floor(ctx)
        known = history.cursor
        listed: list[Post] = []
        pages = self.client.paginate_cursor(
            "/youtube/v3/playlistItems",
            cursor_param="pageToken",
            next_cursor=lambda page: None if done else text(page, "nextPageToken"),
            params={
                "part": "snippet,contentDetails",
                "playlistId": playlist,
                "maxResults": 50,
            },
            max_pages=MAX_PAGES,
            on_truncated=reads.truncated(Facet.POSTS, "the uploads playlist"),
        )
        done = False
        for page in pages:
            found = [parse_upload(item) for item in objects(page, "items")]
            listed.extend(found)
            if any(p.id == known or p.created_at < floor for p in found):
                done = True
                break
        self.confirm_carried(history, listed, {})
        if history.error is not None:
            return None, None
        posts = history.merge(listed, floor)
        return posts, posts[0].id if posts else known


def from_settings(
    settings: PlatformModel, network: NetworkModel, shared: HttpShared
) -> YouTubeCollector:
    """The YouTube collector for ``platforms.youtube``."""
    headers = {}
    if settings.token is not None:
        headers["X-Goog-Api-Key"] = settings.token.get_secret_value()
    client = HttpClient(
        "youtube",
        settings,
        network,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
        headers=headers,
        error_hook=google_error,
    )
    return YouTubeCollector(client, concurrency=settings.concurrency)
