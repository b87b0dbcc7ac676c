"""What a verified webhook delivery says: which watched account changed, and how.

Only called on a body whose signature was verified. A delivery is a *hint*: the watch does not
trust its content as evidence (it is the platform's word, relayed), it re-reads the account
through the collectors and runs the checks on that. This is also why out-of-order or late
deliveries are harmless: every run reads the account's state as it is now.

- GitHub (``X-GitHub-Event``): ``organization`` (member_added, member_invited, member_removed,
  renamed, deleted), ``membership``, ``member``, ``org_block``, ``installation`` and
  ``installation_repositories``; matched to a watched GitHub account by organization id, login,
  or (for ``renamed``) the previous login. ``ping`` and other events say nothing to act on.
- Meta (``object: page``): each ``entry`` names a Page id; its ``changes[].field`` (feed, name,
  website, picture, ...) is the kind. Matched to a watched Meta account by id, else by handle.

A body that is not the documented shape raises :class:`MalformedDelivery` (answered 400).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditor.core.estate import AccountSpec

GITHUB_EVENTS = frozenset(
    {
        "organization",
        "membership",
        "member",
        "org_block",
        "installation",
        "installation_repositories",
    }
)
"""GitHub events that can change who controls an organization or what can act in it."""


class MalformedDelivery(ValueError):
    """A verified body that is not the documented shape."""


@dataclass(frozen=True)
class WatchEvent:
    """One watched account a delivery says has changed."""

    platform: str
    """The config platform name (``github``, ``meta``)."""
    kind: str
    """What happened (``organization.member_added``, ``page.feed``)."""
    account_key: str
    """The watched account's asset key (``account:github:acme``)."""
    occurred_at: datetime | None = None
    """When the platform says it happened, when it says so."""


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedDelivery(f"expected an object for {what}")
    return value


def _match(
    watched: Sequence[AccountSpec], platforms: Sequence[str], ids: Sequence[str | None]
) -> AccountSpec | None:
    """The watched account on ``platforms`` whose id or handle is one of ``ids``."""
    wanted = {str(i).lower() for i in ids if i not in (None, "")}
    for spec in watched:
        if spec.platform not in platforms:
            continue
        if (spec.id and spec.id.lower() in wanted) or spec.handle.lower() in wanted:
            return spec
    return None


def github_events(
    event: str, payload: Any, watched: Sequence[AccountSpec]
) -> tuple[WatchEvent, ...]:
    """The watched GitHub organization a delivery of ``event`` is about (none for other events
    or organizations that are not watched)."""
    body = _mapping(payload, "the payload")
    if event not in GITHUB_EVENTS:
        return ()
    action = body.get("action")
    if not isinstance(action, str):
        raise MalformedDelivery("expected a string 'action'")
    org = body.get("organization")
    if org is None and event.startswith("installation"):
        installation = _mapping(body.get("installation"), "installation")
        org = installation.get("account")
    org_map = _mapping(org, "organization")
    login, org_id = org_map.get("login"), org_map.get("id")
    if not isinstance(login, str):
        raise MalformedDelivery("expected a string organization.login")
    old_login = None
    changes = body.get("changes")
    if isinstance(changes, Mapping) and isinstance(changes.get("login"), Mapping):
        old_login = changes["login"].get("from")
    spec = _match(
        watched, ("github",), (str(org_id) if org_id is not None else None, login, old_login)
    )
    if spec is None:
        return ()
    return (WatchEvent("github", f"{event}.{action}", spec.asset.key),)


def meta_events(payload: Any, watched: Sequence[AccountSpec]) -> tuple[WatchEvent, ...]:
    """The watched Pages (or Instagram accounts) a Meta notification's entries are about."""
    body = _mapping(payload, "the payload")
    kind = body.get("object")
    entries = body.get("entry")
    if not isinstance(kind, str) or not isinstance(entries, list):
        raise MalformedDelivery("expected 'object' and an 'entry' list")
    found: dict[tuple[str, str], WatchEvent] = {}
    for raw in entries:
        entry = _mapping(raw, "entry[]")
        page_id = entry.get("id")
        if not isinstance(page_id, (str, int)):
            raise MalformedDelivery("expected entry[].id")
        stamp = entry.get("time")
        when = (
            datetime.fromtimestamp(stamp, UTC)
            if isinstance(stamp, (int, float)) and 0 < stamp < 4_102_444_800
            else None
        )
        spec = _match(watched, ("meta", "instagram"), (str(page_id),))
        if spec is None:
            continue
        changes = entry.get("changes") or [{"field": "unknown"}]
        if not isinstance(changes, list):
            raise MalformedDelivery("expected entry[].changes to be a list")
        for change in changes:
            field = _mapping(change, "changes[]").get("field")
            name = f"{kind}.{field if isinstance(field, str) else 'unknown'}"
            found.setdefault(
                (spec.asset.key, name), WatchEvent(spec.platform, name, spec.asset.key, when)
            )
    return tuple(found.values())
