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
- **Reloading.** SIGHUP re-reads the config's schedules and replaces the jobs; an invalid config
  is logged and the current jobs stay.
- **Stopping.** SIGTERM and SIGINT ask the service to stop; it then waits for running audits to
  finish and commit (``shutdown(wait=True)``) before returning. Give the service manager a stop
  timeout longer than one audit (see the README's systemd unit).

Only one scheduler process may use a job store at a time (APScheduler 3 cannot share one):
:func:`single_instance` refuses to start a second one on the same database.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
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

from auditor.core.errors import UserError
from auditor.service.run_log import describe_error
from auditor.service.schedules import SchedulePlan

LOG = logging.getLogger("auditor.service.scheduler")

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


def lock_path(db_path: Path, role: str = "scheduler") -> Path:
    """The lock file beside the database of the service ``role`` (``scheduler``, ``watch``)."""
    return db_path.with_name(f"{db_path.name}.{role}.lock")


def running_service(db_path: Path) -> str | None:
    """The pid of the scheduler serving ``db_path`` (as its lock file says), or ``None`` when
    no scheduler holds the lock. Never creates the lock file."""
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(
            f"cannot read the scheduler lock ({type(exc).__name__})", file=str(lock_path(db_path))
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
    finally:
        os.close(fd)
    return None


@contextmanager
def single_instance(db_path: Path, role: str = "scheduler") -> Iterator[Path]:
    """Hold an exclusive lock beside the database (``<db>.scheduler.lock``, mode 0600) while
    serving; :class:`~auditor.core.errors.UserError` when another scheduler process holds it (two
    schedulers on one job store would run every audit twice). The lock dies with the process.
    ``role="watch"`` is the watch's own lock (two watches would spend every budget twice)."""
    path = lock_path(db_path, role)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise UserError(
            f"cannot create the {role} lock ({type(exc).__name__})", file=str(path)
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise UserError(
                f"another {role} (pid {holder}) is already running on this store",
                file=str(db_path),
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield path
    finally:
        os.close(fd)


@contextmanager
def stop_on_signals(stop: threading.Event, reload: threading.Event | None = None) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT set ``stop`` and SIGHUP sets ``reload`` when given (main
    thread only). The first stop signal puts the previous handler back, so sending it again stops
    at once (no waiting for the commit); all handlers are restored on the way out."""
    previous: dict[int, Any] = {}

    def on_stop(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        LOG.info("received %s: stopping after the running audits commit (again: at once)", name)
        signal.signal(signum, previous[signum])
        stop.set()

    def on_reload(_signum: int, _frame: FrameType | None) -> None:
        LOG.info("received SIGHUP: reloading the schedules from the config")
        if reload is not None:
            reload.set()

    handlers: dict[signal.Signals, Callable[[int, FrameType | None], None]] = {
        signal.SIGTERM: on_stop,
        signal.SIGINT: on_stop,
    }
    if reload is not None:
        handlers[signal.SIGHUP] = on_reload
    for sig, handler in handlers.items():
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


Replanner = Callable[[], Sequence[SchedulePlan]]
"""Re-reads and validates the config's schedules (raises :class:`UserError` when it is bad)."""


def serve(
    scheduler: BackgroundScheduler,
    plans: Sequence[SchedulePlan],
    target: JobTarget,
    stop: threading.Event,
    *,
    reload: threading.Event | None = None,
    replan: Replanner | None = None,
) -> None:
    """Start, install the jobs, run until ``stop`` is set, then shut down waiting for running
    jobs to finish. When ``reload`` is set, ``replan`` is called and the jobs are replaced; a
    config that has become invalid is logged and the current schedules stay."""
    scheduler.start(paused=True)
    try:
        _install(scheduler, plans, target)
        scheduler.resume()
        LOG.info("scheduler started with %d schedule(s)", len(plans))
        while not stop.wait(STOP_POLL_S):
            if reload is not None and reload.is_set():
                reload.clear()
                _reload(scheduler, target, replan)
    finally:
        LOG.info("scheduler stopping: waiting for running audits to finish")
        scheduler.shutdown(wait=True)
        LOG.info("scheduler stopped")


def _install(
    scheduler: BackgroundScheduler, plans: Sequence[SchedulePlan], target: JobTarget
) -> None:
    for name in install_jobs(scheduler, plans, target):
        LOG.info("removed stored job %s: no longer in the config", name)
    for job in scheduler.get_jobs():
        when = job.next_run_time.isoformat() if job.next_run_time else "never"
        LOG.info("schedule %s: next run %s", job.id, when)


def _reload(scheduler: BackgroundScheduler, target: JobTarget, replan: Replanner | None) -> None:
    if replan is None:
        return
    try:
        plans = replan()
    except UserError as exc:
        LOG.error("reload failed, keeping the current schedules: %s", describe_error(exc))
        return
    _install(scheduler, plans, target)
    LOG.info("reloaded: %d schedule(s)", len(plans))
