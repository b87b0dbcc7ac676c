"""The audit service: APScheduler 3 running the config's schedules until SIGTERM or SIGINT.

- **Persistent jobs.** Jobs live in the audit database (the store's SQLite file) through
  APScheduler's ``SQLAlchemyJobStore``, in their own table :data:`JOB_TABLE`, so a restart keeps
  them. Each start re-adds every configured schedule with ``replace_existing=True`` (the config is
  the source of truth) and removes stored jobs whose schedule was deleted from the config.
- **Picklable jobs.** A stored job is a *reference* to a module-level function
  (``"package.module:function"``) and plain arguments (config path, schedule name, output folder),
  never a closure, a store or a lock.
- **No pile-ups.** ``max_instances=1`` and ``coalesce=True``: while a run of a schedule is still
  going, its next firing is skipped (and logged); firings missed while the service was down
  collapse into one run at start (when the last is within the grace time).
- **Late is fine, within reason.** ``misfire_grace_time`` is :data:`MISFIRE_GRACE_S` (15 minutes),
  passed through ``job_defaults`` (APScheduler ignores a top-level keyword). The library default
  of 1 second silently skips a job whenever the process was busy or suspended for a moment.
  A firing later than the grace time is skipped and logged as missed.
- **Events.** Missed firings, skipped overlapping firings and job errors are logged.
- **Stopping.** SIGTERM and SIGINT ask the service to stop; it then waits for running audits to
  finish and commit (``shutdown(wait=True)``) before returning. Give the service manager a stop
  timeout longer than one audit (see the README's systemd unit).

Only one scheduler process may use a job store at a time (APScheduler 3 cannot share one).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from auditor.schedule_spec import SchedulePlan
from auditor.service_log import describe_error

LOG = logging.getLogger("auditor.scheduler")

JOB_TABLE = "apscheduler_jobs"
"""The job store's table in the audit database."""

MISFIRE_GRACE_S = 15 * 60
"""How late a firing may still start (seconds)."""

MAX_WORKERS = 4
"""Schedules that may run at the same time (each schedule runs at most once at a time)."""

STOP_POLL_S = 1.0
"""How often the service loop looks at its stop flag."""


@dataclass(frozen=True)
class ServiceSettings:
    """How the scheduler runs jobs."""

    misfire_grace_s: int | None = MISFIRE_GRACE_S
    """Seconds a firing may be late and still run (None: however late)."""
    max_workers: int = MAX_WORKERS
    """Worker threads."""
    db_timeout_s: float = 30.0
    """SQLite busy timeout of the job store's connections."""


@dataclass(frozen=True)
class JobTarget:
    """What a stored job calls: a function reference and the plain arguments after the plan's
    name (config path and output folder)."""

    func_ref: str
    """``"package.module:function"`` taking ``(config_path, schedule_name, out_dir)``."""
    config_path: str
    """Absolute path of the config file."""
    out_dir: str
    """Folder under which each schedule writes its latest reports."""


def new_scheduler(db_path: Path, settings: ServiceSettings | None = None) -> BackgroundScheduler:
    """A background scheduler whose jobs persist in ``db_path`` (not started)."""
    chosen = settings or ServiceSettings()
    store = SQLAlchemyJobStore(
        url=f"sqlite:///{db_path}",
        tablename=JOB_TABLE,
        engine_options={"connect_args": {"timeout": chosen.db_timeout_s}},
    )
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(chosen.max_workers)},
        job_defaults={
            "misfire_grace_time": chosen.misfire_grace_s,
            "coalesce": True,
            "max_instances": 1,
        },
        timezone="UTC",
    )
    scheduler.add_listener(
        log_job_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES
    )
    return scheduler


def log_job_event(event: JobEvent) -> None:
    """Log a missed firing, a skipped overlapping firing or a job error."""
    if isinstance(event, JobExecutionEvent) and event.code == EVENT_JOB_MISSED:
        LOG.warning(
            "schedule %s missed its %s firing (more than the grace time late); skipped",
            event.job_id,
            event.scheduled_run_time.isoformat(),
        )
    elif isinstance(event, JobExecutionEvent) and event.code == EVENT_JOB_ERROR:
        error = describe_error(event.exception) if event.exception else "unknown error"
        LOG.error("schedule %s failed: %s; the service keeps running", event.job_id, error)
    elif isinstance(event, JobSubmissionEvent) and event.code == EVENT_JOB_MAX_INSTANCES:
        times = ", ".join(t.isoformat() for t in event.scheduled_run_times)
        LOG.warning(
            "schedule %s fired (%s) while its previous run was still going; skipped",
            event.job_id,
            times,
        )


def install_jobs(
    scheduler: BackgroundScheduler, plans: Sequence[SchedulePlan], target: JobTarget
) -> list[str]:
    """Add (or replace) one job per plan and drop stored jobs no plan names; returns the names
    of the dropped jobs. The scheduler must be started (paused is fine) so its store is open.

    A stored job whose trigger is unchanged keeps its stored next run time, so a firing that
    fell due while the service was down still runs at start (within the grace time, once)."""
    stored = {job.id: job for job in scheduler.get_jobs()}
    for plan in plans:
        kept = stored.get(plan.name)
        extra: dict[str, Any] = {}
        if kept is not None and repr(kept.trigger) == repr(plan.trigger) and kept.next_run_time:
            extra["next_run_time"] = kept.next_run_time
        scheduler.add_job(
            target.func_ref,
            trigger=plan.trigger,
            args=(target.config_path, plan.name, target.out_dir),
            id=plan.name,
            name=plan.name,
            replace_existing=True,
            **extra,
        )
    wanted = {p.name for p in plans}
    dropped = [job.id for job in scheduler.get_jobs() if job.id not in wanted]
    for job_id in dropped:
        scheduler.remove_job(job_id)
    return dropped


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT set ``stop`` (main thread only). The first signal puts
    the previous handler back, so sending it again stops at once (no waiting for the commit);
    all handlers are restored on the way out."""
    caught = (signal.SIGTERM, signal.SIGINT)
    previous: dict[int, Any] = {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        LOG.info("received %s: stopping after the running audits commit (again: at once)", name)
        signal.signal(signum, previous[signum])
        stop.set()

    for sig in caught:
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def serve(
    scheduler: BackgroundScheduler,
    plans: Sequence[SchedulePlan],
    target: JobTarget,
    stop: threading.Event,
) -> None:
    """Start, install the jobs, run until ``stop`` is set, then shut down waiting for running
    jobs to finish."""
    scheduler.start(paused=True)
    try:
        dropped = install_jobs(scheduler, plans, target)
        for name in dropped:
            LOG.info("removed stored job %s: no longer in the config", name)
        scheduler.resume()
        for job in scheduler.get_jobs():
            LOG.info("schedule %s: next run %s", job.id, job.next_run_time.isoformat())
        LOG.info("scheduler started with %d schedule(s)", len(plans))
        while not stop.wait(STOP_POLL_S):
            pass
    finally:
        LOG.info("scheduler stopping: waiting for running audits to finish")
        scheduler.shutdown(wait=True)
        LOG.info("scheduler stopped")
