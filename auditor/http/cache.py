"""Conditional-request cache of the HTTP layer (ETag / Last-Modified validators and bodies).

A second run over an unchanged estate should cost the platforms as little as possible: every GET
that came back with an ``ETag`` or ``Last-Modified`` is remembered with its body, the next request
for the same URL sends ``If-None-Match`` / ``If-Modified-Since``, and a ``304 Not Modified`` is
answered from the cache. The cache lives in memory and, when given a path, in a small JSON file
(beside the audit database) so it carries over between runs. Keys are URLs with every secret
query parameter removed, so the file never holds a token.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.structures import CaseInsensitiveDict

CACHE_VERSION = 1
"""Format version of the JSON file; a file with another version is ignored."""


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
    """Validators and bodies by redacted URL; thread-safe; optionally persisted as JSON."""

    def __init__(self, path: Path | None = None, *, max_entries: int = 50_000) -> None:
        self.path = path
        self.max_entries = max_entries
        self._entries: dict[str, CachedResponse] = {}
        self._lock = threading.Lock()
        self._dirty = False
        if path is not None:
            self._load(path)

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
            self._dirty = True

    def save(self) -> None:
        """Write the cache to its file atomically (no-op without a path or changes)."""
        if self.path is None:
            return
        with self._lock:
            if not self._dirty:
                return
            payload = {
                "version": CACHE_VERSION,
                "entries": {
                    key: {
                        "etag": e.etag,
                        "last_modified": e.last_modified,
                        "content_type": e.content_type,
                        "body": base64.b64encode(e.body).decode("ascii"),
                    }
                    for key, e in self._entries.items()
                },
            }
            self._dirty = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".http-cache-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out)
        Path(temp).replace(self.path)

    def _load(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION:
            return
        entries = raw.get("entries")
        if not isinstance(entries, dict):
            return
        for key, value in entries.items():
            try:
                self._entries[str(key)] = CachedResponse(
                    etag=value.get("etag"),
                    last_modified=value.get("last_modified"),
                    body=base64.b64decode(value["body"]),
                    content_type=value.get("content_type"),
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                continue


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
