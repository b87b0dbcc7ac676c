"""Request budgets per platform and the poll intervals they allow.

The user sets ``watch.budgets.<platform>`` in requests per 15 minutes; the config refuses a
budget above the platform's published limit
(:data:`~auditor.config.schema.PUBLISHED_LIMITS_15MIN`); the default is half of it, leaving the
rest to scheduled audits and people. Every watch run is charged with the requests its collectors
report (``SourceReport.requests``) in a sliding 15-minute :class:`RequestLedger`, and a platform
is read only when its ledger has room for the poll: the budget is never exceeded, whatever
triggered the run.

The poll interval of a platform is the asked ``watch.interval_s`` stretched to what the budget
allows: ``900 s x requests per poll / budget`` (the requests per poll are measured per account
after each run; before the first, :data:`FIRST_ESTIMATE` is used). Platforms that push (GitHub,
Meta) are read when a delivery names one of their accounts, plus a slow safety poll
(``watch.safety_poll_s``), since a missed delivery is not redelivered by itself.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from auditor.config.schema import PUBLISHED_LIMITS_15MIN
from auditor.core.estate import AccountSpec

WINDOW_S = 900.0
"""The budget window: 15 minutes."""

DEFAULT_SHARE = 0.5
"""The default budget as a share of the published limit."""

PUSHED = frozenset({"github", "meta"})
"""Platforms that push changes by webhook."""

FIRST_ESTIMATE: Mapping[str, int] = {
    "x": 3,
    "mastodon": 3,
    "bluesky": 4,
    "youtube": 4,
    "linkedin": 4,
    "github": 8,
    "meta": 8,
}
"""Requests per account per poll assumed until a poll has been measured (a generous guess:
profile, newest posts, identity)."""

COLLECTOR_OF = {"instagram": "meta"}
"""The collector (and budget) an account platform is read by, where the names differ."""


def collector_of(platform: str) -> str:
    """The budget name of an account platform (Instagram is read by the Meta collector)."""
    return COLLECTOR_OF.get(platform, platform)


def default_budget(platform: str) -> int:
    """Half the published limit (at least 1)."""
    return max(1, int(PUBLISHED_LIMITS_15MIN[platform] * DEFAULT_SHARE))


@dataclass(frozen=True)
class PlatformPlan:
    """How one platform is watched."""

    platform: str
    """Budget (collector) name."""
    accounts: int
    """Watched accounts it reads."""
    budget: int
    """Requests per 15 minutes the watch may make."""
    published: int
    """The platform's published limit per 15 minutes."""
    asked_interval_s: float
    """The interval asked (``interval_s``, or ``safety_poll_s`` for pushed platforms)."""
    per_account: float
    """Requests per account per poll (measured, else the first estimate)."""

    @property
    def pushed(self) -> bool:
        """True for platforms read on webhook deliveries."""
        return self.platform in PUSHED

    @property
    def per_poll(self) -> int:
        """Requests one poll of every watched account is expected to make."""
        return max(1, math.ceil(self.per_account * self.accounts))

    @property
    def interval_s(self) -> float:
        """The interval achieved: the asked one, stretched to fit the budget."""
        return max(self.asked_interval_s, WINDOW_S * self.per_poll / self.budget)

    @property
    def stretched(self) -> bool:
        """True when the budget, not the asked interval, sets the pace."""
        return self.interval_s > self.asked_interval_s

    def describe(self) -> str:
        """One line for the log and ``watch --plan``."""
        how = "on each webhook delivery, safety poll" if self.pushed else "polled"
        line = (
            f"{self.platform}: {self.accounts} account(s), budget {self.budget} requests/15 min"
            f" (published limit {self.published}), ~{self.per_poll} requests per poll;"
            f" {how} every {self.interval_s:.0f} s"
        )
        if self.stretched:
            line += f" (asked {self.asked_interval_s:.0f} s: stretched to fit the budget)"
        return line

    def measured(self, per_account: float) -> PlatformPlan:
        """This plan with a measured cost per account."""
        return replace(self, per_account=per_account) if per_account > 0 else self


class RequestLedger:
    """Requests charged per platform in a sliding 15-minute window (monotonic seconds).

    Charges are pruned only when a new one is recorded (at the real time); questions about a
    later moment (:meth:`room_at`) never change what is remembered."""

    def __init__(self, budgets: Mapping[str, int]) -> None:
        self.budgets = dict(budgets)
        self._charges: dict[str, deque[tuple[float, int]]] = {p: deque() for p in budgets}
        self.total: dict[str, int] = dict.fromkeys(budgets, 0)
        """Requests charged since the ledger was made."""

    def _window(self, platform: str, now: float) -> list[tuple[float, int]]:
        """The charges inside the window ending at ``now``, oldest first."""
        return [(at, n) for at, n in self._charges.get(platform, ()) if at > now - WINDOW_S]

    def charge(self, platform: str, requests: int, now: float) -> None:
        """Record ``requests`` made at ``now``."""
        charges = self._charges.setdefault(platform, deque())
        while charges and charges[0][0] <= now - WINDOW_S:
            charges.popleft()
        if requests > 0:
            charges.append((now, requests))
            self.total[platform] = self.total.get(platform, 0) + requests

    def spent(self, platform: str, now: float) -> int:
        """Requests in the window ending at ``now``."""
        return sum(n for _, n in self._window(platform, now))

    def has_room(self, platform: str, need: int, now: float) -> bool:
        """True when ``need`` more requests stay within the budget."""
        return self.spent(platform, now) + need <= self.budgets.get(platform, 0)

    def room_at(self, platform: str, need: int, now: float) -> float:
        """The earliest time (>= now) at which ``need`` more requests fit."""
        budget = self.budgets.get(platform, 0)
        window = self._window(platform, now)
        spent = sum(n for _, n in window)
        for at, n in window:
            if spent + need <= budget:
                break
            spent -= n
            now = max(now, at + WINDOW_S)
        return now


def plan_watch(
    watched: Sequence[AccountSpec],
    budgets: Mapping[str, int],
    interval_s: float,
    safety_poll_s: float,
) -> dict[str, PlatformPlan]:
    """One plan per platform with watched accounts (budgets default to half the published
    limit; the config already refused budgets above it)."""
    counts: dict[str, int] = {}
    for spec in watched:
        platform = collector_of(spec.platform)
        counts[platform] = counts.get(platform, 0) + 1
    return {
        platform: PlatformPlan(
            platform=platform,
            accounts=n,
            budget=budgets.get(platform, default_budget(platform)),
            published=PUBLISHED_LIMITS_15MIN[platform],
            asked_interval_s=safety_poll_s if platform in PUSHED else interval_s,
            per_account=float(FIRST_ESTIMATE[platform]),
        )
        for platform, n in sorted(counts.items())
    }
