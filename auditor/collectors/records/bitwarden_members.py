"""Who can read which Bitwarden collection: the organization's members list.

An organization export (``collections`` and items' ``collectionIds``) says which collections
hold an item, not who can read them. The Bitwarden Public API's ``GET /public/members`` does:

    {"object": "list", "data": [{"email": "jane@acme.example", "type": 2, "status": 2,
      "accessAll": false, "collections": [{"id": "uuid", "readOnly": true}]}]}

``type`` 0 (Owner) and 1 (Admin) read every collection, as does a member with ``accessAll``;
others read the collections listed. Accepted (1) and confirmed (2) members read them now; a
revoked (-1) member read them until revoked and still knows what they read, so for departures
they count too; invited (0) ones never read anything. A member deleted from the organization is
no longer listed: the list is only as complete as the organization's removal practice. The saved answer is configured as
``sources.vault.bitwarden_members``; :func:`readers` then gives each organization item's readers,
and None for an item the members list cannot speak for (a personal item).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.collectors.records.record_file import read_json
from auditor.core.errors import InputFileError

EVERY_COLLECTION_TYPES = frozenset({0, 1})
"""Owner and Admin: they read every collection of the organization."""
READING_STATUSES = frozenset({-1, 1, 2})
"""Revoked (they read it before), accepted and confirmed members; invited (0) read nothing."""


@dataclass(frozen=True)
class CollectionAccess:
    """Who reads which collection, from the members list."""

    everything: frozenset[str]
    """Emails (lower-case) of the members who read every collection."""
    by_collection: Mapping[str, frozenset[str]]
    """Collection id to the emails of the members granted it."""

    def readers(self, collection_ids: Sequence[str] | None) -> tuple[str, ...] | None:
        """Everyone who can read an item in ``collection_ids`` (None: not an organization
        item, so the members list cannot tell)."""
        if collection_ids is None:
            return None
        found = set(self.everything)
        for collection in collection_ids:
            found |= self.by_collection.get(collection, frozenset())
        return tuple(sorted(found))


def parse_members(path: Path) -> CollectionAccess:
    """The members list at ``path`` (``GET /public/members``'s answer, or its ``data`` list);
    InputFileError naming the entry and field when it is not one."""
    data = read_json(path)
    name = str(path)
    entries = data.get("data") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputFileError("expected a Bitwarden members list (object with 'data')", file=name)
    everything: set[str] = set()
    granted: dict[str, set[str]] = {}
    for index, entry in enumerate(entries):
        where = f"data[{index}]"
        member = _member(entry, name, where)
        if member is None:
            continue
        email, kind, all_access, collections = member
        if kind in EVERY_COLLECTION_TYPES or all_access:
            everything.add(email)
        for collection in collections:
            granted.setdefault(collection, set()).add(email)
    return CollectionAccess(frozenset(everything), {k: frozenset(v) for k, v in granted.items()})


def _member(entry: object, file: str, where: str) -> tuple[str, int, bool, list[str]] | None:
    """(email, type, accessAll, collection ids) of a member who reads or read the collections;
    None for one who never did (invited)."""
    if not isinstance(entry, dict):
        raise InputFileError("expected an object", file=file, field=where)
    email, kind, status = entry.get("email"), entry.get("type"), entry.get("status")
    if not isinstance(email, str) or "@" not in email:
        raise InputFileError("expected an email address", file=file, field=f"{where}.email")
    if not isinstance(kind, int) or not isinstance(status, int):
        raise InputFileError("expected integer type and status", file=file, field=where)
    if status not in READING_STATUSES:
        return None
    return email.strip().lower(), kind, entry.get("accessAll") is True, _ids(entry, file, where)


def _ids(entry: Mapping[str, Any], file: str, where: str) -> list[str]:
    raw = entry.get("collections") or []
    if not isinstance(raw, list):
        raise InputFileError("expected a list", file=file, field=f"{where}.collections")
    ids: list[str] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise InputFileError(
                "expected an object with an id", file=file, field=f"{where}.collections[{index}]"
            )
        ids.append(item["id"])
    return ids
