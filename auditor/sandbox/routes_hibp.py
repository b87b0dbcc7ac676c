"""Sandbox routes for the Pwned Passwords range API (k-anonymity).

World section ``hibp``::

    hibp:
      words: [password, 123456, "Summer2019!"]   # breached passwords (SHA-1 computed at start)
      counts: {"Summer2019!": 4211}              # optional per-word counts (default: derived)
      decoys: 40                                 # non-matching breached suffixes per prefix

``GET /range/{prefix}`` answers every five-hex-digit prefix with 200 and ``SUFFIX:COUNT`` lines
(CRLF, upper-case hex): the world's words under that prefix plus deterministic decoy suffixes,
and, when the request has ``Add-Padding: true``, padding rows with count 0 up to 800-1,000 lines.
An invalid prefix answers 400 as the real service does. The words are public "breached"
passwords of the fictional world, never a real secret.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from auditor.core.errors import InputFileError
from auditor.sandbox.routing import Request, Response, Route
from auditor.sandbox.world import require

PLATFORM = "hibp"
_PREFIX = re.compile(r"^[0-9A-Fa-f]{5}$")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest().upper()  # noqa: S324 - the API's hash


def _breached(section: Mapping[str, Any]) -> dict[str, int]:
    counts = section.get("counts") or {}
    if not isinstance(counts, Mapping):
        raise InputFileError("expected a mapping of word to count", field="hibp.counts")
    found: dict[str, int] = {}
    for word in require(section, "words", PLATFORM):
        text = str(word)
        digest = _digest(text)
        default = 1 + int(digest[:6], 16) % 250_000
        found[digest] = int(counts.get(text, default))
    return found


def _rows(prefix: str, known: Mapping[str, int], decoys: int, padded: bool) -> list[str]:
    rows = {h[5:]: c for h, c in known.items() if h.startswith(prefix)}
    seed = hashlib.sha256(prefix.encode()).digest()
    index = 0
    while len(rows) < len(known) + decoys:
        suffix = hashlib.sha256(seed + index.to_bytes(4, "big")).hexdigest().upper()[:35]
        rows.setdefault(suffix, 1 + index * 7 % 900)
        index += 1
    lines = [f"{s}:{c}" for s, c in rows.items()]
    if padded:
        target = 800 + seed[0] * 200 // 255
        while len(lines) < target:
            filler = hashlib.sha256(seed + b"pad" + len(lines).to_bytes(4, "big")).hexdigest()
            lines.append(f"{filler.upper()[:35]}:0")
    return sorted(lines)


def routes(section: Mapping[str, Any]) -> list[Route]:
    """``GET /range/{prefix}``."""
    known = _breached(section)
    decoys = int(section.get("decoys", 40))

    def range_(request: Request) -> Response:
        prefix = request.match["prefix"]
        if not _PREFIX.match(prefix):
            return Response.text("The hash prefix was not in a valid format", 400)
        padded = request.headers.get("add-padding", "").lower() == "true"
        body = "\r\n".join(_rows(prefix.upper(), known, decoys, padded))
        return Response.text(body, headers={"Cache-Control": "public, max-age=2678400"})

    return [Route.get(r"/range/(?P<prefix>[^/]+)", range_)]


def rate_limited(retry_after_s: int, now: float) -> Response:
    """HIBP's 429: ``Retry-After`` seconds and a short text body."""
    return Response.text("Rate limit exceeded", 429, {"Retry-After": str(retry_after_s)})
