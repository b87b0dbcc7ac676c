"""X API v2 payload shapes: users, tweets, lookup problems (pure functions over decoded JSON).

Every fetched value is hostile: a wrong shape raises
:class:`~auditor.core.errors.MalformedResponse` or is skipped, never a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from auditor.collectors.platforms.collector import (
    links_in,
    url_digest,
)
from auditor.collectors.platforms.json_shapes import objects, text
from auditor.core.errors import MalformedResponse
from auditor.core.evidence import AccountState, Post, Profile


def _expanded(value: object, *keys: str) -> list[str]:
    found = (text(u, "expanded_url") or text(u, "url") for u in objects(value, *keys))
    return [link for link in found if link]


def parse_time(value: Any) -> datetime:
    """An X timestamp (``2024-05-01T09:00:00.000Z``)."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedResponse(f"x: unreadable timestamp {str(value)[:40]!r}") from None


def parse_user(data: Mapping[str, Any]) -> tuple[str, Profile]:
    """The id and profile of a v2 user object."""
    account_id = text(data, "id")
    if account_id is None:
        raise MalformedResponse("x: user object without an id")
    url_links = _expanded(data, "entities", "url", "urls")
    verified = data.get("verified")
    profile = Profile(
        display_name=text(data, "name"),
        bio=text(data, "description"),
        link=url_links[0] if url_links else text(data, "url"),
        avatar_hash=url_digest(text(data, "profile_image_url")),
        banner_hash=url_digest(text(data, "profile_banner_url")),
        location=text(data, "location"),
        pinned_post_id=text(data, "pinned_tweet_id"),
        verified=verified if isinstance(verified, bool) else None,
        verified_type=text(data, "verified_type"),
        extra_links=tuple(_expanded(data, "entities", "description", "urls")),
    )
    return account_id, profile


def parse_tweets(payload: Mapping[str, Any], username: str) -> list[Post]:
    """Posts of one timeline page."""
    posts = []
    for item in objects(payload, "data"):
        post_id, created = text(item, "id"), item.get("created_at")
        if post_id is None or created is None:
            raise MalformedResponse("x: tweet without id or created_at")
        body = text(item, "text") or ""
        links = _expanded(item, "entities", "urls") or list(links_in(body))
        replied = any(r.get("type") == "replied_to" for r in objects(item, "referenced_tweets"))
        posts.append(
            Post(
                id=post_id,
                created_at=parse_time(created),
                text=body,
                links=tuple(links),
                is_reply=replied or bool(item.get("in_reply_to_user_id")),
                source_app=text(item, "source"),
                url=f"https://x.com/{username}/status/{post_id}",
            )
        )
    return posts


def gone_state(errors: Any) -> AccountState:
    """``suspended`` when X's resource problem is titled Forbidden, else ``not_found``.

    ``title`` is the problem type's fixed name in X's RFC 7807 problems, not free text.
    """
    titles = {e.get("title") for e in errors or [] if isinstance(e, dict)}
    return AccountState.SUSPENDED if "Forbidden" in titles else AccountState.NOT_FOUND


def tweet_answers(payload: Any) -> dict[str, bool]:
    """A ``GET /2/tweets`` answer as id -> still exists (resource-not-found: gone)."""
    found = {str(t["id"]): True for t in objects(payload, "data") if "id" in t}
    for error in objects(payload, "errors"):
        value = text(error, "value") or text(error, "resource_id")
        kind = text(error, "type") or ""
        if value and value not in found and kind.endswith("/resource-not-found"):
            found[value] = False
    return found
