"""URL helpers of the HTTP layer: origins (for the same-origin trust of the base URL) and
query parameters merged into a URL (lists repeated, booleans as ``true``/``false``, None
dropped)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from auditor.core.errors import NetworkFailure


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, lower-cased host and port (default ports filled in); :class:`NetworkFailure`
    for a URL that cannot be read (a bad port or IPv6 literal, from a hostile redirect)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise NetworkFailure("refused an unreadable URL") from None
    return parts.scheme, host, port


def with_params(url: str, params: Mapping[str, Any]) -> str:
    """``url`` with ``params`` set (replacing same-named ones already in it)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for name, value in params.items():
        if value is None:
            continue
        pairs = [(k, v) for k, v in pairs if k != name]
        if isinstance(value, list | tuple):
            pairs.extend((name, str(v)) for v in value)
        else:
            pairs.append((name, _param_text(value)))
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
