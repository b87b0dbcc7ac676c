"""The sandbox's routing contract: requests, responses, routes, and what a route module exposes.

One local HTTP server serves every fake platform. Each platform has a path prefix
(``/x``, ``/meta``, ``/github`` ...), so a collector's ``base_url`` is
``http://127.0.0.1:PORT/<platform>``. The server strips the prefix and matches the rest of the
path against the platform's routes.

A route module (``auditor/sandbox/routes_<platform>.py``) exposes:

- ``PLATFORM: str``, the prefix (a config platform name: x, meta, linkedin, youtube, github,
  mastodon, bluesky, google_workspace, hibp, rdap);
- ``routes(section: Mapping[str, Any]) -> list[Route]``, validating its own world section (the
  top-level key of the world file named after the platform) and returning handlers bound to it;
- ``rate_limited(retry_after_s: int, now: float) -> Response``, the platform's own 429 (status,
  headers in its dialect, body shape), used by fault injection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs

from pydantic import BaseModel, ValidationError

from auditor.core.errors import InputFileError

SectionT = TypeVar("SectionT", bound=BaseModel)


@dataclass(frozen=True)
class Request:
    """One request as a route handler sees it (prefix already stripped)."""

    method: str
    """HTTP method, upper-case."""
    path: str
    """Path after the platform prefix, without the query string (e.g. ``/2/users/me``)."""
    query: Mapping[str, list[str]]
    """Parsed query string."""
    headers: Mapping[str, str]
    """Request headers with lower-cased names (never logged: they hold tokens)."""
    body: bytes = b""
    """Request body."""
    match: Mapping[str, str] = field(default_factory=dict)
    """Named groups of the route pattern."""

    def param(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    @staticmethod
    def parse_query(raw: str) -> dict[str, list[str]]:
        """Parse a raw query string, keeping blank values."""
        return parse_qs(raw, keep_blank_values=True)


@dataclass(frozen=True)
class Response:
    """What a handler returns."""

    status: int = 200
    """HTTP status."""
    body: bytes = b""
    """Raw body."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Response headers (Content-Type included)."""

    @staticmethod
    def json(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON response."""
        merged = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return Response(status, json.dumps(payload).encode("utf-8"), merged)

    @staticmethod
    def text(payload: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        """A plain-text response."""
        merged = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
        return Response(status, payload.encode("utf-8"), merged)


Handler = Callable[[Request], Response]
"""A route handler, bound to its validated world section."""


@dataclass(frozen=True)
class Route:
    """One method + path pattern and its handler."""

    method: str
    """HTTP method."""
    pattern: re.Pattern[str]
    """Full-match pattern over the path after the prefix; named groups land in ``match``."""
    handler: Handler
    """The handler."""

    @staticmethod
    def get(pattern: str, handler: Handler) -> Route:
        """A GET route."""
        return Route("GET", re.compile(pattern), handler)

    def matches(self, method: str, path: str) -> dict[str, str] | None:
        """Named groups when this route serves (method, path); None otherwise."""
        if method != self.method:
            return None
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


def validate_section(model: type[SectionT], section: Mapping[str, Any], key: str) -> SectionT:
    """Validate a world section with its pydantic model; the first problem becomes one
    :class:`~auditor.core.errors.InputFileError` line naming ``key.<field path>``."""
    try:
        return model.model_validate(dict(section))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (key, *first["loc"]))
        raise InputFileError(first["msg"], field=where) from None
