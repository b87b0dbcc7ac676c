"""Rate limits for the HTTP layer: each platform's header dialect, the run's wait budget, pacing.

Every platform says "slow down" differently (reference section 13): X sends ``x-rate-limit-reset``
as epoch seconds, GitHub ``retry-after`` or ``x-ratelimit-reset`` epoch seconds, Mastodon
``X-RateLimit-Reset`` as an ISO 8601 time, Bluesky the IETF draft ``RateLimit-Reset``, Meta JSON
usage headers with ``estimated_time_to_regain_access`` in minutes, LinkedIn nothing at all (daily
quotas reset at midnight UTC). :func:`retry_wait` turns a 429 into "seconds to wait" or None
(unknown: do not wait). :class:`WaitBudget` caps the total waiting of one run across every client;
:class:`Pacer` spaces requests to ``rate_per_second``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_EPOCH_FLOOR = 1_000_000_000.0
"""Values above this are Unix timestamps rather than delays."""


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


def _retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """RFC 9110 ``Retry-After``: delay seconds or an HTTP date."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _number(raw)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() - now


def _epoch_reset(headers: Mapping[str, str], name: str, now: float) -> float | None:
    value = _number(headers.get(name))
    return None if value is None else value - now


def _delay_or_epoch(headers: Mapping[str, str], name: str, now: float) -> float | None:
    value = _number(headers.get(name))
    if value is None:
        return None
    return value - now if value > _EPOCH_FLOOR else value


def _iso_reset(headers: Mapping[str, str], name: str, now: float) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return _delay_or_epoch(headers, name, now)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


def _meta_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Largest ``estimated_time_to_regain_access`` (minutes) in Meta's usage headers."""
    minutes: list[float] = []
    for name in ("x-business-use-case-usage", "x-ad-account-usage", "x-app-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        minutes.extend(_regain_minutes(parsed))
    if minutes:
        return max(minutes) * 60.0
    return _retry_after(headers, now)


def _regain_minutes(node: object) -> list[float]:
    if isinstance(node, dict):
        found = [
            float(v)
            for k, v in node.items()
            if k == "estimated_time_to_regain_access" and isinstance(v, int | float)
        ]
        for value in node.values():
            found.extend(_regain_minutes(value))
        return found
    if isinstance(node, list):
        return [m for item in node for m in _regain_minutes(item)]
    return []


def _github_wait(headers: Mapping[str, str], now: float) -> float | None:
    wait = _retry_after(headers, now)
    return wait if wait is not None else _epoch_reset(headers, "x-ratelimit-reset", now)


_DIALECTS: dict[str, Callable[[Mapping[str, str], float], float | None]] = {
    "x": lambda h, now: _epoch_reset(h, "x-rate-limit-reset", now),
    "github": _github_wait,
    "mastodon": lambda h, now: _iso_reset(h, "x-ratelimit-reset", now),
    "bluesky": lambda h, now: _delay_or_epoch(h, "ratelimit-reset", now),
    "meta": _meta_wait,
    "instagram": _meta_wait,
    "linkedin": lambda _h, _now: None,
}


def retry_wait(platform: str, headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until ``platform`` accepts requests again, from a 429's headers; None if unknown.

    ``headers`` must have lower-cased names. LinkedIn never says (daily quota), so it is None.
    A platform's own dialect wins; the generic ``Retry-After`` is the fallback for every other.
    """
    at = time.time() if now is None else now
    reader = _DIALECTS.get(platform)
    wait = reader(headers, at) if reader else None
    if wait is None and platform != "linkedin":
        wait = _retry_after(headers, at)
    return None if wait is None else max(0.0, wait)


class WaitBudget:
    """Seconds this run may spend waiting for rate limits, shared by every client."""

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        self._spent = 0.0
        self._lock = threading.Lock()

    @property
    def remaining_s(self) -> float:
        """What is left to spend."""
        with self._lock:
            return max(0.0, self.total_s - self._spent)

    def take(self, seconds: float) -> bool:
        """Reserve ``seconds`` of waiting; False (nothing reserved) when it does not fit."""
        with self._lock:
            if self._spent + seconds > self.total_s:
                return False
            self._spent += seconds
            return True


class Pacer:
    """Spaces request starts to at most ``rate_per_second`` (None: no pacing)."""

    def __init__(
        self,
        rate_per_second: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self._next = 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def wait_turn(self) -> None:
        """Block until this caller may start a request."""
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            self._sleep(start - now)
