"""Typed errors. Each collector translates its SDK's or HTTP layer's errors into these at its
boundary, by exception type or status code, never by message text.

Messages never contain secrets. User errors (:class:`UserError` and subclasses) are shown as one
line and exit 2; :class:`CollectionError` becomes ``not_verified`` results and a
``coverage.collection-failed`` finding.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """Why evidence could not be collected."""

    AUTH = "auth"
    PERMISSION = "permission"
    NETWORK = "network"
    TIMEOUT = "timeout"
    RATE_LIMIT = "rate_limit"
    SERVER = "server"
    MALFORMED = "malformed"
    NOT_FOUND = "not_found"
    CONFIG = "config"
    INTERNAL = "internal"


class AuditorError(Exception):
    """Base of every error brand-auditor raises on purpose."""


class UserError(AuditorError):
    """Bad input from the user: one line, exit 2."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.field = field
        self.message = message
        super().__init__(self.line())

    def line(self) -> str:
        """``file: field: message`` with the parts that are known."""
        parts = [p for p in (self.file, self.field) if p]
        text = ": ".join([*parts, self.message])
        return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)  # terminal-safe


class ConfigError(UserError):
    """The config file is invalid."""


class InputFileError(UserError):
    """A company-record file (directory, vault, register) is missing or malformed."""


class StoreError(AuditorError):
    """The audit store could not be opened, upgraded or written."""


class CollectionError(AuditorError):
    """A source could not be read. ``kind`` drives reporting; ``detail`` is secret-free."""

    kind: ErrorKind = ErrorKind.INTERNAL

    def __init__(self, detail: str, *, status: int | None = None, scope: str | None = None) -> None:
        self.detail = detail
        self.status = status
        self.scope = scope
        super().__init__(detail)


class AuthFailed(CollectionError):
    """401 or an invalid token."""

    kind = ErrorKind.AUTH


class PermissionMissing(CollectionError):
    """403: the token lacks a scope or the access tier refuses the endpoint."""

    kind = ErrorKind.PERMISSION


class RateLimited(CollectionError):
    """429 beyond the run's wait budget."""

    kind = ErrorKind.RATE_LIMIT


class NetworkFailure(CollectionError):
    """Connection refused, reset, DNS failure, or a blocked redirect."""

    kind = ErrorKind.NETWORK


class TimedOut(CollectionError):
    """Connect or read timeout."""

    kind = ErrorKind.TIMEOUT


class ServerFailure(CollectionError):
    """5xx after retries."""

    kind = ErrorKind.SERVER


class MalformedResponse(CollectionError):
    """A body that does not have the documented shape."""

    kind = ErrorKind.MALFORMED


class NotFound(CollectionError):
    """The resource does not exist (404, or a not-found body under 200)."""

    kind = ErrorKind.NOT_FOUND


class MailError(AuditorError):
    """The report could not be delivered."""
