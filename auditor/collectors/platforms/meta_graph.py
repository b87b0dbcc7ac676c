"""Graph API shapes for the Meta collector: error codes, timestamps, roles, profiles, posts, and
what the business reads tell (:class:`BusinessReads`).

Pure functions over decoded JSON (every fetched value is hostile: a wrong shape raises
:class:`~auditor.core.errors.MalformedResponse` or yields None, never a KeyError). Graph errors are
mapped by ``error.code``: 190 auth, 10 and 200-299 permission, 4/17/32/613 and 80001-80014 rate
limit, 100 with subcode 33 and 803 unknown object, 1/2 transient. Page tasks map to privilege levels:
``MANAGE`` 3 (full admin), ``CREATE_CONTENT`` 2, ``MODERATE``/``MESSAGING``/``ADVERTISE`` 1,
``ANALYZE`` 0.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from auditor.collectors.platforms.collector import (
    links_in,
    url_digest,
)
from auditor.collectors.platforms.json_shapes import text
from auditor.collectors.platforms.meta_token import TokenFacts
from auditor.core.completeness import Completeness, weakest
from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    RateLimited,
    ServerFailure,
)
from auditor.core.estate import AccountSpec
from auditor.core.evidence import Post, Profile, RoleHolder

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
    if (code == 100 and subcode == 33) or code == 803:
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


def tasks_of(user: Mapping[str, Any]) -> list[str]:
    """The ``tasks`` of an assigned user (non-string entries dropped)."""
    raw = user.get("tasks")
    return [t for t in raw if isinstance(t, str)] if isinstance(raw, list) else []


def _email(user: Mapping[str, Any]) -> str | None:
    email = text(user, "email")
    return email.lower() if email else None


def assigned_user(
    user: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]], system_ids: Collection[str]
) -> RoleHolder:
    """One page ``assigned_users`` entry, joined with the business user for email and 2FA."""
    user_id = text(user, "id")
    if user_id is None:
        raise MalformedResponse("meta: assigned user without an id")
    tasks = tasks_of(user)
    person = people.get(user_id, {})
    level = max((TASK_PRIVILEGE.get(t, 0) for t in tasks), default=0)
    top = max(tasks, key=lambda t: TASK_PRIVILEGE.get(t, 0)) if tasks else "NONE"
    return RoleHolder(
        person_id=user_id,
        name=text(user, "name") or text(person, "name"),
        email=_email(person),
        role=top,
        full_admin="MANAGE" in tasks,
        privilege=level,
        two_factor=two_factor(person.get("two_fac_status")) if person else None,
        is_system=user.get("user_type") == "system_user" or user_id in system_ids,
    )


BUSINESS_ROLE_PRIVILEGE = {"ADMIN": 3, "EMPLOYEE": 1}
"""Business user base roles as privilege levels (other documented roles such as
``FINANCE_EDITOR`` or ``DEVELOPER`` give no control over the business's assets: 1)."""


def business_user(user_id: str, user: Mapping[str, Any]) -> RoleHolder:
    """One ``business_users`` entry as a role holder of the business itself (``ADMIN`` is full
    control of the business and every asset it owns)."""
    role = text(user, "role") or "UNKNOWN"
    return RoleHolder(
        person_id=user_id,
        name=text(user, "name"),
        email=_email(user) or (text(user, "pending_email") or "").lower() or None,
        role=role,
        full_admin=role == "ADMIN",
        privilege=BUSINESS_ROLE_PRIVILEGE.get(role, 1),
        two_factor=two_factor(user.get("two_fac_status")),
        pending=bool(user.get("pending_email")) and not text(user, "email"),
    )


def business_admin(user_id: str, user: Mapping[str, Any]) -> RoleHolder:
    """A business ADMIN, who controls every page the business owns."""
    return RoleHolder(
        person_id=user_id,
        name=text(user, "name"),
        email=_email(user),
        role="BUSINESS_ADMIN",
        full_admin=True,
        privilege=3,
        two_factor=two_factor(user.get("two_fac_status")),
    )


def page_profile(page: Mapping[str, Any]) -> Profile:
    """The profile fields of a Page node."""
    status = text(page, "verification_status")
    description = text(page, "description")
    return Profile(
        display_name=text(page, "name"),
        bio=text(page, "about") or description,
        link=text(page, "website"),
        avatar_hash=url_digest(text(page, "picture", "data", "url")),
        banner_hash=url_digest(text(page, "cover", "source")),
        verified=None if status is None else status in ("blue_verified", "gray_verified"),
        verified_type=status,
        extra_links=links_in(description),
    )


def _post(item: Mapping[str, Any], time_key: str, text_key: str, url_key: str) -> Post:
    post_id = text(item, "id")
    if post_id is None:
        raise MalformedResponse("meta: post without an id")
    body = text(item, text_key) or ""
    return Post(
        id=post_id,
        created_at=parse_time(item.get(time_key)),
        text=body,
        links=links_in(body),
        source_app=text(item, "admin_creator", "name"),
        source_app_id=text(item, "admin_creator", "id"),
        url=text(item, url_key),
    )


def page_post(item: Mapping[str, Any]) -> Post:
    """One ``published_posts`` item (``admin_creator`` is who or what published it)."""
    return _post(item, "created_time", "message", "permalink_url")


def ig_post(item: Mapping[str, Any]) -> Post:
    """One Instagram ``media`` item."""
    return _post(item, "timestamp", "caption", "permalink")


def attempt(job: Callable[[], Any]) -> tuple[Any, CollectionError | None]:
    """Run one source-wide read: its result, or the error that stopped it (a refused token
    still stops everything)."""
    try:
        return job(), None
    except AuthFailed:
        raise
    except CollectionError as exc:
        return None, exc


@dataclass
class BusinessReads:
    """What the business reads told, for the accounts of one run (filled once, then read)."""

    business: dict[str, Any] | None = None
    """The business node (None: unread)."""
    business_error: CollectionError | None = None
    """Why the business node could not be read."""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Business users by id."""
    system_ids: set[str] = field(default_factory=set)
    """Ids of the business's system users."""
    system_users: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The business's system users by id (name, role)."""
    system_users_known: bool = False
    """The system users were read."""
    holdings_known: bool = False
    """Every owned and client edge was read (a page neither lists is held elsewhere)."""
    owned: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Owned pages and IG accounts by id."""
    client: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Client (not owned) pages and IG accounts by id."""
    missing: list[str] = field(default_factory=list)
    """Scopes found missing."""
    people_known: bool = False
    """The business users were read (without them, page roles would be incomplete)."""
    token: TokenFacts | None = None
    """What ``debug_token`` said about the configured token (None: not asked or unreadable)."""
    errors: dict[str, CollectionError] = field(default_factory=dict)
    """The business reads that failed, by name (``business``, ``owned_pages`` ...)."""
    gaps: dict[str, Completeness] = field(default_factory=dict)
    """The business reads that are not complete (failed: unknown; truncated: partial)."""

    def unread(self, name: str, error: CollectionError) -> None:
        """Business read ``name`` failed with ``error``."""
        self.errors[name] = error
        self.gaps[name] = Completeness.unknown(f"{name}: {error.kind.value}: {error.detail}")

    def truncated(self, name: str, pages: int) -> None:
        """Business read ``name`` stopped at its page cap."""
        self.gaps[name] = Completeness.partial(f"{name} truncated at {pages} pages")

    def reason(self, name: str, default: str) -> str:
        """Why business read ``name`` is incomplete, or ``default``."""
        gap = self.gaps.get(name)
        return gap.reason if gap is not None and gap.reason else default

    def holdings(self, edges: tuple[str, ...]) -> Completeness:
        """How completely the business's holdings were listed on ``edges``."""
        return weakest(self.gaps.get(edge, Completeness.complete()) for edge in edges)

    def node(self, node_id: str) -> dict[str, Any] | None:
        """The page or IG account as the business edges listed it (all profile fields)."""
        return self.owned.get(node_id) or self.client.get(node_id)

    def find(self, spec: AccountSpec, key: str) -> tuple[str | None, bool | None]:
        """The asset id for ``spec`` and whether the business owns it (None: unknown). Pages
        are matched among pages and Instagram accounts among Instagram accounts only (an
        Instagram account by its Instagram user id, else its own username: never by a Page's
        username), the recorded id before the handle."""
        instagram = spec.platform == "instagram"
        nodes = [
            (node_id, node, owned)
            for table, owned in ((self.owned, True), (self.client, False))
            for node_id, node in table.items()
            if ("instagram" in str(node.get("via", ""))) == instagram
        ]
        handle = spec.handle.lower().lstrip("@")
        for node_id, _node, owned in nodes:
            if spec.id is not None and node_id == spec.id:
                return node_id, owned
        for node_id, node, owned in nodes:
            if str(node.get(key) or "").lower() == handle and spec.id in (None, node_id):
                return node_id, owned
        return spec.id, None
