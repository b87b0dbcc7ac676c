"""Pwned Passwords (Have I Been Pwned) k-anonymity range lookups: the data source of
``auth.password-breached``.

Only the first five hex characters of each password's SHA-1 leave the process: ``GET
/range/{prefix}`` returns every known suffix under that prefix as ``SUFFIX:COUNT`` lines (CRLF),
and the match happens here. One request per distinct prefix, however many passwords share it;
``Add-Padding: true`` makes every answer 800-1,000 lines long so its size says nothing, and the
padding rows (count 0) mean "not found". The vault collector (RECORDS) computes the SHA-1 values in
memory and calls :meth:`PwnedPasswords.counts`; this module never sees a password.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from auditor.config.loading import PlatformModel
from auditor.core.errors import MalformedResponse

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig
    from auditor.http.client import HttpShared

DEFAULT_BASE_URL = "https://api.pwnedpasswords.com"
"""The public range API (no key needed)."""

_HASH = re.compile(r"^[0-9A-F]{40}$")
_LINE = re.compile(r"^([0-9A-Fa-f]{35}):(\d+)$")


class TextSource(Protocol):
    """The part of :class:`auditor.http.client.HttpClient` this module uses."""

    def get_text(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET and decode text; raises :class:`~auditor.core.errors.CollectionError` subclasses."""
        ...


def parse_range(body: str, prefix: str) -> dict[str, int]:
    """Full upper-case SHA-1 → count for one range answer; padding rows (count 0) dropped."""
    found: dict[str, int] = {}
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise MalformedResponse(f"hibp: range {prefix} has a line that is not SUFFIX:COUNT")
        count = int(match.group(2))
        if count > 0:
            found[prefix + match.group(1).upper()] = count
    return found


class PwnedPasswords:
    """Breach counts for SHA-1 digests through the range API."""

    def __init__(self, http: TextSource, *, workers: int = 4) -> None:
        self.http = http
        self.workers = max(1, workers)

    def range(self, prefix: str) -> dict[str, int]:
        """Every breached hash under one five-character prefix (padding ignored)."""
        body = self.http.get_text(f"/range/{prefix}", headers={"Add-Padding": "true"})
        return parse_range(body, prefix)

    def counts(self, sha1_hex_upper: Collection[str]) -> dict[str, int]:
        """Times each digest appears in the corpus (0 when absent); one request per distinct
        prefix. :class:`ValueError` for a value that is not 40 hex characters;
        :class:`~auditor.core.errors.CollectionError` when a range cannot be read."""
        wanted = {h.strip().upper() for h in sha1_hex_upper}
        bad = [h for h in wanted if not _HASH.match(h)]
        if bad:
            raise ValueError(f"{len(bad)} value(s) are not SHA-1 hex digests")
        prefixes = sorted({h[:5] for h in wanted})
        if not prefixes:
            return {}
        with ThreadPoolExecutor(max_workers=min(self.workers, len(prefixes))) as pool:
            ranges = list(pool.map(self.range, prefixes))
        known: dict[str, int] = {}
        for found in ranges:
            known.update(found)
        return {h: known.get(h, 0) for h in wanted}


def from_config(config: AppConfig, shared: HttpShared | None = None) -> PwnedPasswords | None:
    """The range client configured by ``platforms.hibp`` (base URL, timeouts, concurrency);
    None when the vault is not configured or ``sources.vault.check_breaches`` is off."""
    vault = config.model.sources.vault
    if vault is None or not vault.check_breaches:
        return None
    from auditor.http.client import HttpClient

    settings = config.model.platforms.get("hibp") or PlatformModel()
    client = HttpClient(
        "hibp",
        settings,
        config.model.network,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
    )
    return PwnedPasswords(client, workers=settings.concurrency)
