"""Graph API shapes for the Meta collector: error codes, timestamps, roles, profiles, posts.

Pure functions over decoded JSON (every fetched value is hostile: a wrong shape raises
:class:`~auditor.errors.MalformedResponse` or yields None, never a KeyError). Graph errors are
mapped by ``error.code``: 190 auth, 10 and 200-299 permission, 4/17/32/613 and 80001-80014 rate
limit, 100 with subcode 33 unknown object, 1/2 transient. Page tasks map to privilege levels:
``MANAGE`` 3 (full admin), ``CREATE_CONTENT`` 2, ``MODERATE``/``MESSAGING``/``ADVERTISE`` 1,
``ANALYZE`` 0.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import requests

from auditor.collectors.platforms import links_in, mapping, url_digest
from auditor.errors import (
    AuthFailed,
    CollectionError,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    RateLimited,
    ServerFailure,
)
from auditor.evidence import Post, Profile, RoleHolder

TASK_PRIVILEGE = {
    "MANAGE": 3,
    "CREATE_CONTENT": 2,
    "MODERATE": 1,
    "MESSAGING": 1,
    "ADVERTISE": 1,
    "ANALYZE": 0,
}
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})


def _graph_kind(code: int, subcode: Any) -> tuple[type[CollectionError], str] | None:
    if code == 190:
        return AuthFailed, "invalid or expired token"
    if code == 10 or 200 <= code <= 299:
        return PermissionMissing, "permission missing"
    if code in RATE_LIMIT_CODES:
        return RateLimited, "rate limit"
    if code == 100 and subcode == 33:
        return NotFound, "no such object"
    if code in (1, 2):
        return ServerFailure, "transient"
    return None


def graph_error(response: requests.Response) -> CollectionError | None:
    """The typed error for a Graph error body, by ``error.code`` (None: use the status)."""
    try:
        error = response.json().get("error")
        code = int(error["code"])
    except (ValueError, AttributeError, KeyError, TypeError):
        return None
    found = _graph_kind(code, error.get("error_subcode"))
    if found is None:
        return None
    kind, what = found
    return kind(f"meta: Graph error {code} ({what})", status=response.status_code)


def parse_time(value: Any) -> datetime:
    """A Graph timestamp (``2024-05-01T10:00:00+0000``)."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        raise MalformedResponse(f"meta: unreadable timestamp {str(value)[:40]!r}") from None


def two_factor(status: Any) -> bool | None:
    """``two_fac_status`` as a boolean; None for values Meta does not document."""
    return {"enabled": True, "not_enabled": False, "disabled": False}.get(str(status).lower())


def assigned_user(
    user: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]], system_ids: Collection[str]
) -> RoleHolder:
    """One page ``assigned_users`` entry, joined with the business user for email and 2FA."""
    user_id = str(user["id"])
    tasks = [str(t) for t in user.get("tasks") or []]
    person = people.get(user_id, {})
    level = max((TASK_PRIVILEGE.get(t, 0) for t in tasks), default=0)
    top = max(tasks, key=lambda t: TASK_PRIVILEGE.get(t, 0)) if tasks else "NONE"
    email = person.get("email")
    return RoleHolder(
        person_id=user_id,
        name=user.get("name") or person.get("name"),
        email=str(email).lower() if email else None,
        role=top,
        full_admin="MANAGE" in tasks,
        privilege=level,
        two_factor=two_factor(person.get("two_fac_status")) if person else None,
        is_system=user.get("user_type") == "system_user" or user_id in system_ids,
    )


def business_admin(user_id: str, user: Mapping[str, Any]) -> RoleHolder:
    """A business ADMIN, who controls every page the business owns."""
    email = user.get("email")
    return RoleHolder(
        person_id=user_id,
        name=user.get("name"),
        email=str(email).lower() if email else None,
        role="BUSINESS_ADMIN",
        full_admin=True,
        privilege=3,
        two_factor=two_factor(user.get("two_fac_status")),
    )


def page_profile(page: Mapping[str, Any]) -> Profile:
    """The profile fields of a Page node."""
    picture = ((page.get("picture") or {}).get("data") or {}).get("url")
    cover = (page.get("cover") or {}).get("source")
    status = page.get("verification_status")
    return Profile(
        display_name=page.get("name"),
        bio=page.get("about") or page.get("description"),
        link=page.get("website"),
        avatar_hash=url_digest(picture),
        banner_hash=url_digest(cover),
        verified=None if status is None else status in ("blue_verified", "gray_verified"),
        verified_type=status,
        extra_links=links_in(page.get("description")),
    )


def page_post(item: Mapping[str, Any]) -> Post:
    """One ``published_posts`` item (``admin_creator`` is who or what published it)."""
    creator = mapping(item.get("admin_creator"))
    return Post(
        id=str(item["id"]),
        created_at=parse_time(item.get("created_time")),
        text=str(item.get("message") or ""),
        links=links_in(item.get("message")),
        source_app=creator.get("name"),
        url=item.get("permalink_url"),
    )


def ig_post(item: Mapping[str, Any]) -> Post:
    """One Instagram ``media`` item."""
    return Post(
        id=str(item["id"]),
        created_at=parse_time(item.get("timestamp")),
        text=str(item.get("caption") or ""),
        links=links_in(item.get("caption")),
        url=item.get("permalink"),
    )
