"""Parsing a 1Password CSV export into :class:`RawLogin`.

1Password 8 writes ``Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes``; older
apps and other versions use ``Website``, ``URLs``, ``One-time password`` and similar spellings,
which are accepted. ``Title`` and ``Password`` are required. When a ``Type``/``Category`` column
is present only login and password rows are read.

The CSV carries no item ids and no timestamps: each item gets a stable id derived from its title,
username and URL (``1p-`` and 12 hex characters), and ``password_changed_at`` is None, so the
password-age checks are ``not_verified`` for a 1Password CSV (a 1PUX export carries dates).
Error messages name the row and column only, never a cell's content.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import SecretStr

from auditor.collectors.records.record_file import CsvRow, read_csv
from auditor.collectors.records.vault_facts import RawLogin

FORMAT = "1password-csv"
"""VaultEvidence.format for this export."""

ALIASES = {
    "name": "title",
    "website": "url",
    "urls": "url",
    "login url": "url",
    "login_url": "url",
    "user": "username",
    "login": "username",
    "login username": "username",
    "login password": "password",
    "one-time password": "otpauth",
    "one-time password (otp)": "otpauth",
    "otp": "otpauth",
    "totp": "otpauth",
    "category": "type",
}
"""Header spellings of other 1Password versions, mapped to the canonical column names."""

LOGIN_TYPES = frozenset({"", "login", "logins", "password", "passwords"})
"""Values of a Type column that denote a login."""


def parse_onepassword_csv(path: Path) -> list[RawLogin]:
    """Login rows of the export at ``path``; InputFileError when it is not a readable CSV
    with the expected header."""
    logins: list[RawLogin] = []
    ids: dict[str, int] = {}
    for row in read_csv(path, required=("title", "password"), aliases=ALIASES):
        if row.get("type").lower() not in LOGIN_TYPES:
            continue
        base = _stable_id(row)
        ids[base] = ids.get(base, 0) + 1
        item_id = base if ids[base] == 1 else f"{base}-{ids[base]}"
        password = row.get("password")
        url = row.get("url")
        logins.append(
            RawLogin(
                item_id=item_id,
                name=row.get("title") or item_id,
                username=row.get("username") or None,
                uris=tuple(u.strip() for u in url.split(",") if u.strip()) if url else (),
                password=SecretStr(password) if password else None,
                has_totp=bool(row.get("otpauth")) or "otpauth://" in row.get("notes").lower(),
                changed_at=None,
                created_at=None,
                collection=row.get("vault") or None,
            )
        )
    return logins


def _stable_id(row: CsvRow) -> str:
    raw = "\x1f".join((row.get("title"), row.get("username").lower(), row.get("url").lower()))
    return "1p-" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]
