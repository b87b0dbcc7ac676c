"""Signed webhook deliveries, as GitHub and Meta send them, for the demo, tests and benchmarks.

:func:`github_delivery` and :func:`meta_delivery` build the headers and raw body of one
delivery (``X-Hub-Signature-256`` over the exact bytes sent; GitHub's ``X-GitHub-Event`` and a
fresh ``X-GitHub-Delivery`` GUID); :func:`post` sends one to a receiver and returns the status.
Payload builders follow the documented shapes (reference/platform-apis.md section 14):
:func:`github_member_event` (``organization`` member_added / member_invited / member_removed),
:func:`github_renamed`, :func:`github_installation` and :func:`meta_page_change`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from auditor.http.signatures import sign


@dataclass(frozen=True)
class Delivery:
    """One delivery ready to send."""

    headers: Mapping[str, str]
    """Request headers (content type, signature, GitHub's event and delivery id)."""
    body: bytes
    """The raw body the signature covers."""


def github_delivery(
    event: str, payload: Mapping[str, Any], secret: bytes, delivery_id: str | None = None
) -> Delivery:
    """A GitHub delivery of ``event`` signed with ``secret``."""
    body = json.dumps(payload).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/sandbox",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(secret, body),
    }
    return Delivery(headers, body)


def meta_delivery(payload: Mapping[str, Any], secret: bytes) -> Delivery:
    """A Meta webhook notification signed with the app secret."""
    body = json.dumps(payload).encode("utf-8")
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)}
    return Delivery(headers, body)


def post(url: str, delivery: Delivery, timeout_s: float = 10.0) -> int:
    """Send ``delivery`` to ``url``; the HTTP status."""
    response = requests.post(
        url, data=delivery.body, headers=dict(delivery.headers), timeout=timeout_s
    )
    return response.status_code


def _org(org: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "login": org["login"],
        "id": org["id"],
        "url": f"https://api.github.com/orgs/{org['login']}",
    }


def github_member_event(
    action: str, org: Mapping[str, Any], member: Mapping[str, Any], sender: str = "ghost"
) -> dict[str, Any]:
    """An ``organization`` event (member_added, member_invited, member_removed)."""
    user = {"login": member["login"], "id": member["id"], "type": "User"}
    return {
        "action": action,
        "membership": {"state": "active", "role": member.get("role", "member"), "user": user},
        "organization": _org(org),
        "sender": {"login": sender, "id": 1, "type": "User"},
    }


def github_renamed(org: Mapping[str, Any], old_login: str) -> dict[str, Any]:
    """An ``organization`` ``renamed`` event."""
    return {
        "action": "renamed",
        "changes": {"login": {"from": old_login}},
        "organization": _org(org),
        "sender": {"login": "ghost", "id": 1, "type": "User"},
    }


def github_installation(action: str, org: Mapping[str, Any], app_slug: str) -> dict[str, Any]:
    """An ``installation`` event (created, deleted, new_permissions_accepted ...)."""
    return {
        "action": action,
        "installation": {
            "id": 41999999,
            "app_slug": app_slug,
            "account": {"login": org["login"], "id": org["id"], "type": "Organization"},
        },
        "sender": {"login": "ghost", "id": 1, "type": "User"},
    }


def meta_page_change(page_id: str, field: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """A Page notification with one change of ``field`` (feed, name, website, picture ...)."""
    return {
        "object": "page",
        "entry": [
            {
                "id": page_id,
                "time": int(time.time()),
                "changes": [{"field": field, "value": dict(value)}],
            }
        ],
    }
