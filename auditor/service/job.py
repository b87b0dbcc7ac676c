"""One firing of a schedule: run the audit, record the result, tell people when it failed.

:func:`run_job` is what every stored job ends up calling. It tags the thread's log lines with the
run id and schedule (:mod:`auditor.service.run_log`), re-reads the config (so an edited config takes
effect at the next firing), runs the audit through the function it is given (the composition
root's, see :mod:`auditor.cli.schedule`; tests inject fakes) and records the firing for
``brand-audit status``.

A job that raises is an isolation boundary: the error is logged (secret-free), the run is
recorded as failed in the store (unless the runner already recorded it), the schedule's
recipients get a short failure notice (when ``mail`` is configured; otherwise the log says
nobody was mailed), and the scheduler keeps running. A successful firing sends the ``alerts:``
of its newly open critical findings (:func:`alert_new_critical`, the watch's alerter and ledger). Exit codes as on the command line: 0, 1 and
3 from the audit; 2 when the failure is one of brand-auditor's own errors (config, input, store,
mail); 1 for an unexpected error.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from auditor import __version__
from auditor.config.loading import AppConfig, load_config
from auditor.core.errors import AuditorError, ConfigError, MailError
from auditor.core.models import Finding, Severity
from auditor.service.mailer import MailContent, deliver
from auditor.service.run_history import ScheduledRun, ScheduleHistory
from auditor.service.run_log import describe_error, run_context
from auditor.service.schedules import SchedulePlan, find_plan, plan_schedules
from auditor.service.watch.alerts import alerter_from_config
from auditor.store.database import Store

LOG = logging.getLogger("auditor.schedule")

TEMPLATES = Path(__file__).resolve().parent / "templates"
"""The failure notice's Jinja templates."""

EXIT_OWN_ERROR = 2
"""A failure that is one of brand-auditor's own errors (config, input, store, mail)."""

EXIT_CRASH = 1
"""An unexpected failure (what an uncaught exception gives on the command line)."""


@dataclass(frozen=True)
class JobOutcome:
    """What a successful audit of a firing produced."""

    run_id: str
    """The store's run id."""
    exit_code: int
    """0, 1 or 3 as ``brand-audit run`` would exit."""
    open_counts: Mapping[str, int] = field(default_factory=dict)
    """Unmuted fails by severity."""
    findings: tuple[Finding, ...] = ()
    """The run's findings (for the alerts of ``alerts:``; empty: nothing to alert)."""


AuditFunction = Callable[[AppConfig, SchedulePlan, Path, datetime], JobOutcome]
"""``(config, plan, out_dir, started_at) -> JobOutcome``: runs, persists, reports, delivers. It
must pass ``started_at`` to the runner as the run's start time (failed-run bookkeeping uses it),
and should pass the firing id, ``service_log.current_run().run_id`` (set by :func:`run_job` for
the call), as the runner's ``run_id``, so the stored run has the id its log lines carry."""


def new_run_id(now: datetime) -> str:
    """An id in the runner's format (``20261122T020000Z-a1b2c3``)."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def run_job(config_path: str, schedule_name: str, out_dir: str, audit_fn: AuditFunction) -> int:
    """Run one firing of ``schedule_name``; never raises (see the module docstring)."""
    started = datetime.now(UTC)
    attempt = new_run_id(started)
    config: AppConfig | None = None
    plan: SchedulePlan | None = None
    with run_context(attempt, schedule_name):
        LOG.info("scheduled audit %s starting", schedule_name)
        try:
            config = load_config(Path(config_path))
            plan = find_plan(plan_schedules(config), schedule_name)
            if plan is None:
                raise ConfigError(f"no schedule named {schedule_name!r}", file=config_path)
            outcome = audit_fn(config, plan, Path(out_dir) / plan.name, started)
        except Exception as exc:  # isolation boundary: a failed firing never stops the service
            return _failed(
                exc,
                config=config,
                plan=plan,
                schedule=schedule_name,
                attempt=attempt,
                started=started,
            )
    with run_context(outcome.run_id, schedule_name):
        entry = ScheduledRun(
            schedule_name,
            outcome.run_id,
            started,
            datetime.now(UTC),
            "ok",
            outcome.exit_code,
            outcome.open_counts,
        )
        try:
            _remember(config, entry)
        except AuditorError as exc:
            LOG.error("could not record the firing for 'status': %s", describe_error(exc))
        alert_new_critical(config, outcome)
        counts = ", ".join(f"{n} {sev}" for sev, n in outcome.open_counts.items() if n) or "none"
        LOG.info(
            "scheduled audit %s finished: exit %d, open findings: %s (firing %s)",
            schedule_name,
            outcome.exit_code,
            counts,
            attempt,
        )
    return outcome.exit_code


def alert_new_critical(config: AppConfig, outcome: JobOutcome) -> None:
    """Send the ``alerts:`` the watch sends for the firing's newly open critical findings (one
    alert per finding, shared ledger: nothing the watch already alerted is sent again); a
    problem is logged, never raised."""
    if config.model.alerts is None or not outcome.findings:
        return
    try:
        alerting = config.with_secrets("alerts")  # the alert URLs are read only to send
        alerter = alerter_from_config(alerting, config.resolve(config.model.storage.path))
        if alerter is None:
            return
        try:
            alerter.on_run(outcome.run_id, outcome.findings, min_severity=Severity.CRITICAL)
        finally:
            alerter.close()
    except AuditorError as exc:
        LOG.error("could not send the alerts: %s", describe_error(exc))


def _failed(
    exc: Exception,
    *,
    config: AppConfig | None,
    plan: SchedulePlan | None,
    schedule: str,
    attempt: str,
    started: datetime,
) -> int:
    reason = describe_error(exc)
    LOG.error("scheduled audit %s failed", schedule, exc_info=exc)
    code = EXIT_OWN_ERROR if isinstance(exc, AuditorError) else EXIT_CRASH
    if config is None:
        LOG.error("the config could not be read: the failure is not recorded or mailed")
        return code
    run_id = attempt
    try:
        run_id = _record_failed_run(config, attempt, started, reason)
        finished = datetime.now(UTC)
        _remember(
            config, ScheduledRun(schedule, run_id, started, finished, "failed", code, {}, reason)
        )
    except AuditorError as store_exc:
        LOG.error("could not record the failed run: %s", describe_error(store_exc))
    with run_context(run_id, schedule):
        notice = failure_notice(
            schedule=schedule,
            estate=config.estate.organization.name,
            firing=attempt,
            run_id=run_id,
            started=started,
            reason=reason,
        )
        _notify_failure(config, plan, notice)
    return code


def _record_failed_run(config: AppConfig, attempt: str, started: datetime, reason: str) -> str:
    """The id of the failed run in the store: the runner's own record when the audit failed
    inside the runner (same start time), else a new failed run recorded here."""
    estate = config.estate.organization.name
    with Store(config.resolve(config.model.storage.path)) as store:
        for past in store.history(estate, 50):
            if past.started_at == started:
                return past.id
        store.record_failed_run(
            run_id=attempt,
            started_at=started,
            finished_at=datetime.now(UTC),
            tool_version=__version__,
            config_digest=config.digest(),
            estate_name=estate,
            error=reason,
        )
    return attempt


def _remember(config: AppConfig, entry: ScheduledRun) -> None:
    path = config.resolve(config.model.storage.path)
    with Store(path), ScheduleHistory(path) as history:
        history.record(entry)


def failure_notice(
    *, schedule: str, estate: str, firing: str, run_id: str, started: datetime, reason: str
) -> MailContent:
    """The short email sent when a firing fails."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    subject = f"scheduled audit {schedule} of {estate} failed"
    context = {
        "subject": subject,
        "schedule": schedule,
        "estate": estate,
        "firing": firing,
        "run_id": run_id,
        "started": started.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "reason": reason,
    }
    text = env.get_template("schedule_failed.txt.j2").render(context)
    html = env.get_template("schedule_failed.html.j2").render(context)
    return MailContent(subject=subject, text=text + "\n", html=html)


def _notify_failure(config: AppConfig, plan: SchedulePlan | None, notice: MailContent) -> None:
    try:
        mail = config.with_secrets("mail").model.mail
    except ConfigError as exc:
        LOG.error("could not email the failure notice: %s", describe_error(exc))
        return
    if mail is None:
        LOG.warning("mail is not configured: nobody was emailed about this failure")
        return
    recipients = plan.recipients if plan else ()
    try:
        sent = deliver(mail, notice, recipients, base_dir=config.base_dir)
    except MailError as exc:
        LOG.error("could not email the failure notice: %s", describe_error(exc))
        return
    LOG.info("failure notice sent to %s by %s", ", ".join(sent.recipients), sent.method)
