"""Conditional-request cache of the HTTP layer (ETag / Last-Modified validators and bodies).

Within a run, every GET that came back with an ``ETag`` or ``Last-Modified`` is remembered with
its body, a later request for the same URL sends ``If-None-Match`` / ``If-Modified-Since``, and
a ``304 Not Modified`` is answered from the cache (pagination repeated by a second collector
phase, lookups shared by collectors). Keys are URLs with every secret query parameter removed.

The cache lives in memory only. Response bodies hold what the platforms say, customers' replies
and role holders' e-mails included, and the store keeps no more than it needs
(``../shared/DESIGN.md``); a cache of validators without bodies answers nothing, so nothing is
written to disk. A cache file left by an earlier brand-auditor (it held bodies) is deleted the
first time the cache is saved; ``brand-audit forget`` deletes such files too.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.structures import CaseInsensitiveDict


@dataclass(frozen=True)
class CachedResponse:
    """One remembered GET."""

    etag: str | None
    """The ``ETag`` the server sent."""
    last_modified: str | None
    """The ``Last-Modified`` the server sent."""
    body: bytes
    """The body the validators belong to."""
    content_type: str | None = None
    """The response's ``Content-Type``."""


class ResponseCache:
    """Validators and bodies by redacted URL, in memory; thread-safe. ``path`` names the file
    an earlier version kept beside the store (deleted on :meth:`save`)."""

    def __init__(self, path: Path | None = None, *, max_entries: int = 50_000) -> None:
        self.path = path
        self.max_entries = max_entries
        self._entries: dict[str, CachedResponse] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: str) -> CachedResponse | None:
        """The remembered response for ``key``."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, entry: CachedResponse) -> None:
        """Remember ``entry`` (the oldest entries go when the cache is full)."""
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = entry
            while len(self._entries) > self.max_entries:
                self._entries.pop(next(iter(self._entries)))

    def save(self) -> None:
        """Write nothing: delete the cache file an earlier version left (no-op without one)."""
        if self.path is not None:
            remove_legacy(self.path)


def remove_legacy(path: Path) -> int:
    """Delete a cache file written by an earlier brand-auditor; returns the entries it held
    (0 when there was none)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0
    except (OSError, ValueError):
        raw = {}
    entries = raw.get("entries") if isinstance(raw, dict) else None
    path.unlink(missing_ok=True)
    return len(entries) if isinstance(entries, dict) else 0


def from_cache(revalidated: requests.Response, cached: CachedResponse) -> requests.Response:
    """The 200 response a ``304 Not Modified`` stands for: the cached body, fresh headers."""
    response = requests.Response()
    response.status_code = 200
    response._content = cached.body
    response.url = revalidated.url
    response.headers = CaseInsensitiveDict(dict(revalidated.headers))
    if cached.content_type:
        response.headers["Content-Type"] = cached.content_type
    response.encoding = revalidated.encoding or "utf-8"
    response.request = revalidated.request
    return response
