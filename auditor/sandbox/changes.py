"""Changed worlds: what a hijacker (or a benchmark) does to the estate while the sandbox runs.

Each function returns a new :class:`~auditor.sandbox.world.World` (the old one is not touched);
serve it with :meth:`auditor.sandbox.RunningSandbox.change_world`. They edit the world's own
sections, so the changed state is served in the documented API shapes like any other.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from auditor.core.errors import InputFileError
from auditor.sandbox.world import World


def _edited(world: World, section: str) -> tuple[World, dict[str, Any]]:
    sections = {k: copy.deepcopy(v) for k, v in world.sections.items()}
    target = sections.get(section)
    if not isinstance(target, dict):
        raise InputFileError("the world has no such section", field=section)
    return replace(world, sections=sections), target


def _find(items: Any, key: str, value: str, where: str) -> dict[str, Any]:
    for item in items or ():
        if isinstance(item, dict) and str(item.get(key, "")).lower() == value.lower():
            return item
    raise InputFileError(f"no entry with {key} {value!r}", field=where)


def add_github_member(world: World, org: str, member: Mapping[str, Any]) -> World:
    """``member`` (login, id, name, email, role, two_factor) added to organization ``org``."""
    changed, github = _edited(world, "github")
    entry = _find(github.get("orgs"), "login", org, "github.orgs")
    entry.setdefault("members", []).append(dict(member))
    return changed


def github_org(world: World, org: str) -> Mapping[str, Any]:
    """The world's entry for organization ``org`` (login, id ...)."""
    return _find(world.section("github").get("orgs"), "login", org, "github.orgs")


def rewrite_x_profile(
    world: World, username: str, *, description: str | None = None, url: str | None = None
) -> World:
    """The X user's bio and link replaced."""
    changed, x = _edited(world, "x")
    user = _find(x.get("users"), "username", username, "x.users")
    if description is not None:
        user["description"] = description
    if url is not None:
        user["url"] = url
    return changed


def add_x_post(world: World, username: str, post_id: str, text: str, age: str = "-1m") -> World:
    """A new newest post on the X user's timeline."""
    changed, x = _edited(world, "x")
    user = _find(x.get("users"), "username", username, "x.users")
    user.setdefault("tweets", []).append({"id": post_id, "text": text, "created_at": age})
    return changed


def rewrite_mastodon_note(world: World, username: str, note: str) -> World:
    """The Mastodon account's bio replaced."""
    changed, mastodon = _edited(world, "mastodon")
    account = _find(mastodon.get("accounts"), "username", username, "mastodon.accounts")
    account["note"] = note
    return changed
