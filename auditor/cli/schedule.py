"""``brand-audit schedule`` and ``brand-audit status``: the audit service and its state.

Part of the composition root (:mod:`auditor.cli.main`). :func:`scheduled_job` is the function every
stored job references (``auditor.cli.schedule:scheduled_job``): it runs the firing through
:func:`auditor.service.job.run_job` with :func:`scheduled_audit`, which composes the audit
exactly as ``brand-audit run`` does (:func:`auditor.cli.run.audit_and_write`, hence the same
:func:`auditor.engine.runner.run_audit` machinery) and then emails the schedule's report.

- ``schedule --config F`` runs the service until SIGTERM/SIGINT (see :mod:`auditor.service.scheduler`).
- ``schedule --config F --list`` prints each schedule's next three firings in its own zone.
- ``schedule --config F --run-now NAME`` runs one schedule in the foreground and exits with the
  run's exit code.
- ``status --config F`` shows each schedule's last firing and its next one.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from auditor.cli import run as cli_run
from auditor.cli.run import FORMATS, AuditOutput, RunOptions, audit_and_write
from auditor.config.loading import AppConfig, load_config
from auditor.core.errors import UserError
from auditor.engine.runner import exit_code, select_checks
from auditor.service.job import JobOutcome, run_job
from auditor.service.mailer import MailContent, deliver
from auditor.service.run_history import ScheduledRun, ScheduleHistory
from auditor.service.run_log import (
    ServiceProgress,
    configure_logging,
    current_run,
    remove_handler,
)
from auditor.service.schedules import SchedulePlan, find_plan, next_fire_times, plan_schedules
from auditor.store.database import Store
from reports import render_email

LOG = logging.getLogger("auditor.schedule")

JOB_REF = "auditor.cli.schedule:scheduled_job"
"""The function reference stored with every job."""

SEVERITY_ORDER = ("critical", "high", "medium", "low")
"""Order of the open counts in ``status``."""


def scheduled_job(config_path: str, schedule_name: str, out_dir: str) -> int:
    """One firing of a stored job (module-level and picklable by reference)."""
    return run_job(config_path, schedule_name, out_dir, scheduled_audit)


def scheduled_audit(config: AppConfig, plan: SchedulePlan, out: Path, now: datetime) -> JobOutcome:
    """Audit as ``brand-audit run`` does, write every report format under ``out``, and email
    the report when the schedule asks for it."""
    options = RunOptions(only=plan.only, fail_on=plan.fail_on, formats=FORMATS)
    store_path = config.resolve(config.model.storage.path)
    done = audit_and_write(
        config,
        options,
        store_path,
        out,
        quiet=True,
        want_view=plan.email,
        now=now,
        progress=ServiceProgress(),
        run_id=current_run().run_id,  # the firing id run_job set: logs and store agree
    )
    if plan.email:
        _email_report(config, plan, done, out)
    counts = {sev: int(done.counts.open_by_severity.get(sev, 0)) for sev in SEVERITY_ORDER}
    run = done.result.run
    return JobOutcome(run.id, exit_code(run, plan.fail_on), counts, findings=run.findings)


def _email_report(config: AppConfig, plan: SchedulePlan, done: AuditOutput, out: Path) -> None:
    mail = config.with_secrets("mail").model.mail
    if mail is None or done.view is None:
        LOG.warning("mail is not configured: the report is in %s and was not emailed", out)
        return
    rendered = render_email(done.view)
    html_report = out / "report.html"
    attach = html_report if plan.report == "full" and html_report in done.written else None
    content = MailContent(rendered.subject, rendered.text, rendered.html, report=attach)
    sent = deliver(mail, content, plan.recipients, base_dir=config.base_dir)
    LOG.info("%s report emailed to %s by %s", plan.report, ", ".join(sent.recipients), sent.method)


def load_plans(config: AppConfig) -> tuple[SchedulePlan, ...]:
    """The config's schedules, validated, including their check names."""
    plans = plan_schedules(config)
    registry = cli_run.load_registry()  # looked up at call time, as run and admin do
    for index, plan in enumerate(plans):
        try:
            select_checks(registry, plan.only)
        except UserError as exc:
            from_profile = plan.profile and not config.model.schedules[index].only
            field = f"schedules.{index}.{'profile' if from_profile else 'only'}"
            raise UserError(exc.message, file=str(config.path), field=field) from None
    return plans


def _out_dir(args: argparse.Namespace, config: AppConfig) -> Path:
    if args.out:
        return Path(args.out).resolve()
    return config.resolve(config.model.storage.path).resolve().parent / "reports"


def schedule_command(args: argparse.Namespace) -> int:
    """``brand-audit schedule``: list, run one now, or serve until stopped."""
    config = load_config(Path(args.config))
    plans = load_plans(config)
    if args.list:
        print_plans(plans, datetime.now(UTC))
        return 0
    config_path = str(Path(args.config).resolve())
    out = _out_dir(args, config)
    handler = configure_logging(sys.stderr, args.log_format)
    try:
        if args.run_now:
            if find_plan(plans, args.run_now) is None:
                known = ", ".join(p.name for p in plans) or "none defined"
                raise UserError(
                    f"unknown schedule {args.run_now!r} (known: {known})", field="--run-now"
                )
            return scheduled_job(config_path, args.run_now, str(out))
        if not plans:
            raise UserError("no schedules to run: add a 'schedules' section", file=str(config.path))
        return _serve(config, plans, config_path, out)
    finally:
        remove_handler(handler)


def _serve(config: AppConfig, plans: Sequence[SchedulePlan], config_path: str, out: Path) -> int:
    from auditor.service.scheduler import (
        JobTarget,
        new_scheduler,
        serve,
        single_instance,
        stop_on_signals,
    )

    db_path = config.resolve(config.model.storage.path)
    Store(db_path).close()  # create (mode 0600) or upgrade the file before the job store opens it
    stop, reload = threading.Event(), threading.Event()
    target = JobTarget(JOB_REF, config_path, str(out))

    def replan() -> tuple[SchedulePlan, ...]:
        return load_plans(load_config(Path(config_path)))

    with single_instance(db_path), stop_on_signals(stop, reload):
        serve(new_scheduler(db_path), plans, target, stop, reload=reload, replan=replan)
    return 0


def print_plans(plans: Sequence[SchedulePlan], now: datetime) -> None:
    """Each schedule with what it runs and its next three firings in its own zone."""
    if not plans:
        print("no schedules defined")
        return
    for plan in plans:
        what = ", ".join(plan.only) if plan.only else "all checks"
        if plan.profile:
            what += f" (profile {plan.profile})"
        to = ", ".join(plan.recipients) or "mail.to"
        mail = f"{plan.report} report to {to}" if plan.email else "no email"
        print(f"{plan.name}: cron '{plan.cron}' ({plan.timezone}); {what}; {mail}")
        fires = [t.strftime("%Y-%m-%d %H:%M %Z") for t in next_fire_times(plan, now)]
        jitter = f" (each up to {plan.jitter_s} s later: jitter)" if plan.jitter_s else ""
        print("  next: " + ("; ".join(fires) if fires else "never") + jitter)


def status_command(args: argparse.Namespace) -> int:
    """``brand-audit status``: per schedule, the last firing and the next one."""
    config = load_config(Path(args.config))
    plans = plan_schedules(config)
    if not plans:
        print("no schedules defined")
        return 0
    from auditor.service.scheduler import running_service

    db_path = config.resolve(config.model.storage.path)
    now = datetime.now(UTC)
    pid = running_service(db_path)
    print(f"service: running (pid {pid})" if pid else "service: not running")
    latest: dict[str, ScheduledRun | None] = dict.fromkeys((p.name for p in plans), None)
    if db_path.exists():  # status never creates the store
        with Store(db_path), ScheduleHistory(db_path) as history:
            latest = {plan.name: history.latest(plan.name) for plan in plans}
    for plan in plans:
        last = latest[plan.name]
        if last is None:
            last_text = "never run"
        else:
            when = last.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            detail = (
                "open "
                + "/".join(str(last.open_counts.get(s, 0)) for s in SEVERITY_ORDER)
                + " c/h/m/l"
                if last.result == "ok"
                else f"error: {last.error}"
            )
            last_text = f"{when} {last.result} exit {last.exit_code} run {last.run_id}; {detail}"
        fires = next_fire_times(plan, now, 1)
        next_text = fires[0].strftime("%Y-%m-%d %H:%M %Z") if fires else "never"
        print(f"{plan.name}: last {last_text}; next {next_text}")
    return 0
