"""The watch loop: webhook deliveries and due polls become audits of just those accounts.

:class:`WatchService` owns the schedule (per account: when it was last read), the
:class:`~auditor.service.watch.budget.RequestLedger` and the inbox. Each :meth:`step`:

1. picks the accounts due now: those a pending delivery names, and those whose platform
   interval has passed (the safety poll for pushed platforms), oldest first, as many per
   platform as the ledger has room for (the rest wait for room: :meth:`next_wake`);
2. runs one audit for them through the function it was given (the composition root's, which
   calls :func:`auditor.engine.runner.audit` with :class:`~.scope.ScopedCollector` s), so a
   burst of deliveries becomes one run, not one per delivery;
3. charges the ledger with the requests the run's sources report, re-measures each platform's
   requests per account (the highest of the last :data:`COST_MEMORY` polls: the interval
   stretches when a poll costs more than thought), marks
   the deliveries it read as done and hands the findings to the :class:`~.alerts.Alerter`.

:meth:`serve` loops until ``stop`` is set, sleeping until the next due time or until the
receiver wakes it. A failed run (an isolation boundary: logged, the deliveries stay pending)
never stops the service.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.core.estate import AccountSpec
from auditor.core.models import AuditRun
from auditor.service.run_log import describe_error
from auditor.service.watch.alerts import Alerter, AlertReport
from auditor.service.watch.budget import PlatformPlan, RequestLedger, collector_of
from auditor.service.watch.inbox import Inbox, Pending

LOG = logging.getLogger("auditor.watch")

SETTLE_S = 0.2
"""How long a wake-up waits for more deliveries of the same burst before running."""

COST_MEMORY = 20
"""Polls remembered per platform: the cost per account used for planning is the highest of
them, so a cheap poll (every answer a 304) never makes room for an expensive one."""

AuditFn = Callable[[frozenset[str]], AuditRun]
"""``(account keys due) -> the persisted run``."""


@dataclass
class StepResult:
    """What one step did (for tests, the bench and the log)."""

    run: AuditRun | None = None
    """The run, when one ran."""
    accounts: frozenset[str] = frozenset()
    """Accounts read."""
    deliveries: int = 0
    """Pending deliveries it read."""
    alerts: AlertReport = field(default_factory=AlertReport)
    """What alerting did."""


class WatchService:
    """The watch loop's state (see the module docstring)."""

    def __init__(
        self,
        *,
        watched: Sequence[AccountSpec],
        plans: Mapping[str, PlatformPlan],
        inbox: Inbox,
        audit_fn: AuditFn,
        alerter: Alerter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.watched = {a.asset.key: a for a in watched}
        self.plans = dict(plans)
        self.inbox = inbox
        self.audit_fn = audit_fn
        self.alerter = alerter
        self.clock = clock
        self.ledger = RequestLedger({p: plan.budget for p, plan in self.plans.items()})
        self.last_read: dict[str, float] = {}
        self._costs: dict[str, deque[float]] = {}
        self.wake = threading.Event()
        """Set by the receiver when a delivery was accepted."""
        self.runs = 0

    def plan_of(self, key: str) -> PlatformPlan:
        """The plan of a watched account's platform."""
        return self.plans[collector_of(self.watched[key].platform)]

    def describe(self) -> list[str]:
        """One line per platform: accounts, budget, limit, achieved interval."""
        return [plan.describe() for plan in self.plans.values()]

    def _due_by_time(self, key: str, now: float) -> bool:
        last = self.last_read.get(key)
        return last is None or now >= last + self.plan_of(key).interval_s

    def due(self, now: float, pending: Sequence[Pending]) -> frozenset[str]:
        """The accounts to read now, within each platform's room."""
        named = {p.account_key for p in pending if p.account_key in self.watched}
        wanted = [k for k in self.watched if k in named or self._due_by_time(k, now)]
        wanted.sort(key=lambda k: (k not in named, self.last_read.get(k, -math.inf)))
        chosen: list[str] = []
        planned: dict[str, float] = {}
        for key in wanted:
            plan = self.plan_of(key)
            need = planned.get(plan.platform, 0.0) + plan.per_account
            if self.ledger.has_room(plan.platform, math.ceil(need), now):
                planned[plan.platform] = need
                chosen.append(key)
        return frozenset(chosen)

    def next_wake(self, now: float, pending: Sequence[Pending] = ()) -> float:
        """Seconds until something may be due: a poll, or room for a pending delivery."""
        named = {p.account_key for p in pending}
        times: list[float] = []
        for key in self.watched:
            plan = self.plan_of(key)
            last = self.last_read.get(key)
            at = now if last is None or key in named else last + plan.interval_s
            times.append(self.ledger.room_at(plan.platform, math.ceil(plan.per_account), at))
        return max(0.05, min(times, default=now + 60.0) - now)

    def step(self) -> StepResult:
        """One round: read what is due, alert; see the module docstring."""
        now = self.clock()
        pending = self.inbox.pending()
        due = self.due(now, pending)
        if not due:
            return StepResult()
        read = [p for p in pending if p.account_key in due]
        try:
            run = self.audit_fn(due)
        except Exception as exc:  # isolation boundary: a failed run never stops the watch
            LOG.error("watch run failed: %s", describe_error(exc), exc_info=exc)
            self._charge_guess(due, now)
            return StepResult(accounts=due)
        self.runs += 1
        self._account(run, due, now)
        self.inbox.done(read, run.id)
        report = AlertReport()
        if self.alerter is not None:
            report = self.alerter.on_run(run.id, run.findings)
        return StepResult(run, due, len(read), report)

    def _charge_guess(self, due: frozenset[str], now: float) -> None:
        """After a failed run, charge what it may have spent and wait a full interval."""
        for key in due:
            plan = self.plan_of(key)
            self.ledger.charge(plan.platform, math.ceil(plan.per_account), now)
            self.last_read[key] = now

    def _account(self, run: AuditRun, due: frozenset[str], now: float) -> None:
        """Charge each platform's requests, re-measure its cost per account, mark reads."""
        read_by_platform: dict[str, int] = {}
        for key in due:
            self.last_read[key] = now
            platform = self.plan_of(key).platform
            read_by_platform[platform] = read_by_platform.get(platform, 0) + 1
        for source in run.sources:
            plan = self.plans.get(source.name)
            if plan is None:
                continue
            self.ledger.charge(plan.platform, source.requests, now)
            read = read_by_platform.get(plan.platform, 0)
            if read == 0 or source.requests == 0:
                continue
            costs = self._costs.setdefault(plan.platform, deque(maxlen=COST_MEMORY))
            costs.append(source.requests / read)
            updated = plan.measured(max(costs))
            if updated.interval_s != plan.interval_s:
                LOG.info("%s", updated.describe())
            self.plans[plan.platform] = updated

    def serve(self, stop: threading.Event) -> None:
        """Step until ``stop`` is set (the current run finishes first)."""
        for line in self.describe():
            LOG.info("%s", line)
        while not stop.is_set():
            result = self.step()
            if result.run is not None:
                LOG.info(
                    "watch run %s read %d account(s) (%d delivery(ies)); %d alert(s), %d in a digest",
                    result.run.id,
                    len(result.accounts),
                    result.deliveries,
                    len(result.alerts.alerted),
                    len(result.alerts.digested),
                )
                continue
            if self.wake.wait(self.next_wake(self.clock(), self.inbox.pending())):
                self.wake.clear()
                stop.wait(SETTLE_S)
