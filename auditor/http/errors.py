"""How the HTTP layer names failures: status codes and transport exceptions to typed errors,
and secret redaction for every URL that reaches a log line, a message or a cache key.

Mapping is by status code and exception type only, never by message text: 401 AuthFailed,
403 PermissionMissing, 404/410 NotFound, 429 RateLimited, 5xx ServerFailure, other statuses a
plain CollectionError; requests' Timeout TimedOut, ConnectionError NetworkFailure, a truncated or
undecodable body MalformedResponse. Messages name the platform, the status and the URL path
(never the query string, never a header).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    MalformedResponse,
    NetworkFailure,
    NotFound,
    PermissionMissing,
    RateLimited,
    ServerFailure,
    TimedOut,
)

SECRET_PARAMS = frozenset(
    {
        "access_token",
        "token",
        "key",
        "api_key",
        "apikey",
        "client_secret",
        "client_id",
        "input_token",
        "password",
        "secret",
        "signature",
        "sig",
        "code",
        "appsecret_proof",
        "oauth_token",
        "oauth_signature",
        "refresh_token",
    }
)
"""Query parameters whose values are replaced by ``***`` in logs, messages and cache keys."""


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (k, "***" if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))


class RedactedRequestLines(logging.Filter):
    """Redacts secret query values in the arguments of a library's log records (urllib3 logs
    every request line, query string included, at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite URL-like string arguments through :func:`redact_url`; never drops a record."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(a) if isinstance(a, str) and "?" in a else a for a in record.args
            )
        return True


REDACT_REQUEST_LINES = RedactedRequestLines()
"""The (stateless) filter every :class:`auditor.http.client.HttpClient` installs on urllib3's
connection-pool logger before its first request (installing it twice is a no-op)."""


_BY_STATUS: dict[int, type[CollectionError]] = {
    401: AuthFailed,
    403: PermissionMissing,
    404: NotFound,
    410: NotFound,
    429: RateLimited,
}


def status_error(platform: str, response: requests.Response) -> CollectionError:
    """The typed error for a non-2xx ``response``, by status code."""
    status = response.status_code
    where = f"{platform}: HTTP {status} from {urlsplit(response.url or '').path}"
    if status in _BY_STATUS:
        return _BY_STATUS[status](where, status=status)
    if status >= 500:
        return ServerFailure(where, status=status)
    return CollectionError(where, status=status)


def transport_error(platform: str, exc: requests.RequestException, url: str) -> CollectionError:
    """The typed error for a requests exception, by exception type."""
    where = f"{platform}: {type(exc).__name__} on {urlsplit(url).path}"
    if isinstance(exc, requests.Timeout):
        return TimedOut(where)
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return MalformedResponse(where)
    return NetworkFailure(where)
