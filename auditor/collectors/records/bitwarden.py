"""Parsing a Bitwarden unencrypted JSON export (personal or organization) into :class:`RawLogin`.

Personal exports group items in ``folders`` (``folderId``), organization exports in
``collections`` (``collectionIds``). Only login items (``type`` 1) are read; items in the trash
(``deletedDate`` set) are skipped. Encrypted exports (``"encrypted": true``, account- or
password-protected) are refused with a clear error: they cannot be audited without the key, and
brand-auditor never asks for one.

Password age: the most recent ``passwordHistory[].lastUsedDate`` (when the previous password
was replaced), else ``revisionDate``. The revision date changes on any edit, so it is an upper
bound of the last password change. A TOTP seed counts as stored in the item when ``login.totp``
is set or an ``otpauth://`` URI sits in a custom field or the notes. Error messages name the
item by position and field only, never by content.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from auditor.collectors.records.record_file import parse_timestamp, read_json
from auditor.collectors.records.vault_facts import RawLogin
from auditor.core.errors import InputFileError

FORMAT = "bitwarden"
"""VaultEvidence.format for this export."""

LOGIN_TYPE = 1
"""Bitwarden cipher type of a login item."""

OTPAUTH = "otpauth://"
"""The URI scheme of a TOTP seed; found in ``login.totp``, custom fields or notes."""


def parse_bitwarden(path: Path) -> list[RawLogin]:
    """Login items of the export at ``path``; InputFileError when it is not a readable
    unencrypted Bitwarden export."""
    data = read_json(path)
    name = str(path)
    if not isinstance(data, dict):
        raise InputFileError("expected a Bitwarden JSON export (an object)", file=name)
    if data.get("encrypted") is True or "encKeyValidation_DO_NOT_EDIT" in data:
        raise InputFileError(
            "is an encrypted Bitwarden export; export the vault as unencrypted .json "
            "(File > Export vault > .json) and keep the file somewhere safe",
            file=name,
        )
    items = data.get("items")
    if not isinstance(items, list):
        raise InputFileError("expected an 'items' list", file=name, field="items")
    groups = {**_names(data, "folders", name), **_names(data, "collections", name)}
    logins: list[RawLogin] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            raise InputFileError("expected an object", file=name, field=where)
        if item.get("type") != LOGIN_TYPE or item.get("deletedDate"):
            continue
        login = _login(item, groups, name, where)
        if login.item_id in seen:
            raise InputFileError("item id appears twice", file=name, field=f"{where}.id")
        seen.add(login.item_id)
        logins.append(login)
    return logins


def _names(data: Mapping[str, Any], key: str, file: str) -> dict[str, str]:
    entries = data.get(key)
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise InputFileError("expected a list", file=file, field=key)
    names: dict[str, str] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise InputFileError(
                "expected an object with an id", file=file, field=f"{key}[{index}]"
            )
        label = entry.get("name")
        names[entry["id"]] = label if isinstance(label, str) else entry["id"]
    return names


def _login(item: Mapping[str, Any], groups: Mapping[str, str], file: str, where: str) -> RawLogin:
    item_id = _text(item, "id", file, where, required=True)
    login = item.get("login")
    if login is None:
        login = {}
    if not isinstance(login, dict):
        raise InputFileError("expected an object", file=file, field=f"{where}.login")
    password = _text(login, "password", file, f"{where}.login")
    totp = _text(login, "totp", file, f"{where}.login")
    changed_at, exact = _changed_at(item, file, where)
    return RawLogin(
        item_id=item_id or "",
        name=_text(item, "name", file, where) or item_id or "",
        username=_text(login, "username", file, f"{where}.login") or None,
        uris=_uris(login.get("uris"), file, f"{where}.login.uris"),
        password=SecretStr(password) if password else None,
        has_totp=bool(totp and totp.strip()) or _otpauth_elsewhere(item),
        changed_at=changed_at,
        changed_exact=exact,
        created_at=parse_timestamp(
            item.get("creationDate"), file=file, field=f"{where}.creationDate"
        ),
        collection=_collection(item, groups),
        collection_ids=_collection_ids(item),
    )


def _otpauth_elsewhere(item: Mapping[str, Any]) -> bool:
    """A TOTP seed kept in a custom field or the notes (``otpauth://`` URI) counts too."""
    notes = item.get("notes")
    if isinstance(notes, str) and OTPAUTH in notes.lower():
        return True
    fields = item.get("fields")
    return isinstance(fields, list) and any(
        isinstance(f, dict) and isinstance(f.get("value"), str) and OTPAUTH in f["value"].lower()
        for f in fields
    )


def _text(
    obj: Mapping[str, Any], key: str, file: str, where: str, *, required: bool = False
) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        expected = "a non-empty string" if required else "a string or null"
        raise InputFileError(f"expected {expected}", file=file, field=f"{where}.{key}")
    return value


def _uris(value: object, file: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputFileError("expected a list", file=file, field=where)
    uris: list[str] = []
    for index, entry in enumerate(value):
        uri = entry.get("uri") if isinstance(entry, dict) else None
        if uri is not None and not isinstance(uri, str):
            raise InputFileError("expected a string", file=file, field=f"{where}[{index}].uri")
        if uri:
            uris.append(uri)
    return tuple(uris)


def _changed_at(item: Mapping[str, Any], file: str, where: str) -> tuple[datetime | None, bool]:
    """(last password change, exact): the newest history entry is exact; the revision date,
    which any edit moves, is only an upper bound."""
    history = item.get("passwordHistory")
    if history is not None and not isinstance(history, list):
        raise InputFileError("expected a list or null", file=file, field=f"{where}.passwordHistory")
    newest: datetime | None = None
    for index, entry in enumerate(history or ()):
        if not isinstance(entry, dict):
            raise InputFileError(
                "expected an object", file=file, field=f"{where}.passwordHistory[{index}]"
            )
        used = parse_timestamp(
            entry.get("lastUsedDate"),
            file=file,
            field=f"{where}.passwordHistory[{index}].lastUsedDate",
        )
        if used is not None and (newest is None or used > newest):
            newest = used
    if newest is not None:
        return newest, True
    revised = parse_timestamp(item.get("revisionDate"), file=file, field=f"{where}.revisionDate")
    return revised, False


def _collection_ids(item: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The collections an organization item sits in (empty: none, so only the organization's
    owners and admins read it); None for a personal item."""
    if not isinstance(item.get("organizationId"), str):
        return None
    ids = item.get("collectionIds")
    return tuple(str(i) for i in ids) if isinstance(ids, list) else ()


def _collection(item: Mapping[str, Any], groups: Mapping[str, str]) -> str | None:
    ids = item.get("collectionIds")
    if isinstance(ids, list) and ids:
        return ", ".join(groups.get(str(i), str(i)) for i in ids)
    folder = item.get("folderId")
    if isinstance(folder, str):
        return groups.get(folder, folder)
    return None
