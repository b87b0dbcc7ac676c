"""The audit service: jobs fire, never overlap, survive crashes and restarts, stop cleanly.

Fake audits (``scheduler_fakes``) stand in for the real one; triggers fire well under a second
ahead, and no test waits more than a few seconds.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from scheduler_fakes import traces, write_config

from auditor.config.loading import load_config
from auditor.core.errors import UserError
from auditor.core.models import Severity
from auditor.service.job import failure_notice
from auditor.service.run_history import ScheduleHistory
from auditor.service.run_log import configure_logging, remove_handler
from auditor.service.scheduler import (
    MISFIRE_GRACE_S,
    JobTarget,
    ServiceSettings,
    install_jobs,
    new_scheduler,
    running_service,
    serve,
    single_instance,
    stop_on_signals,
)
from auditor.service.schedules import SchedulePlan, cron_trigger
from auditor.store.database import Store


def plan(name: str, trigger: BaseTrigger, recipients: Sequence[str] = ()) -> SchedulePlan:
    return SchedulePlan(
        name=name,
        cron="(test)",
        timezone="UTC",
        trigger=trigger,
        only=(),
        profile=None,
        fail_on=Severity.HIGH,
        recipients=tuple(recipients),
        report="full",
        email=True,
        jitter_s=0,
    )


def soon(seconds: float) -> DateTrigger:
    return DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=seconds))


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class Service:
    """``serve`` on a background thread, stopped by :meth:`stop`."""

    def __init__(
        self,
        tmp_path: Path,
        plans: Sequence[SchedulePlan],
        func: str,
        schedules=None,
        replan=None,
        **config,
    ):
        if schedules is None:  # the job re-reads the config: it must name the same schedules
            schedules = [{"name": p.name, "cron": "0 2 * * *"} for p in plans]
        self.config_path = write_config(tmp_path, schedules=schedules, **config)
        self.db = tmp_path / "audit.db"
        self.out = tmp_path / "reports"
        Store(self.db).close()
        self.scheduler = new_scheduler(self.db)
        self.flag = threading.Event()
        target = JobTarget(f"scheduler_fakes:{func}", str(self.config_path), str(self.out))
        self.reload = threading.Event()
        self.thread = threading.Thread(
            target=serve,
            args=(self.scheduler, plans, target, self.flag),
            kwargs={"reload": self.reload, "replan": replan},
            daemon=True,
        )
        self.thread.start()

    def traces(self) -> list[str]:
        return traces(self.out)

    def stop(self) -> None:
        self.flag.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_a_schedule_fires_and_its_run_is_recorded(tmp_path, logs):
    service = Service(tmp_path, [plan("nightly", soon(0.4))], "ok_job")
    try:
        assert wait_for(lambda: "ran nightly" in service.traces())
        assert wait_for(lambda: "finished: exit 0" in logs.text)
    finally:
        service.stop()
    with ScheduleHistory(service.db) as history:
        last = history.latest("nightly")
    assert last is not None
    assert (last.result, last.exit_code, last.open_counts["high"]) == ("ok", 0, 2)


def test_a_second_firing_during_a_slow_run_is_skipped_and_logged(tmp_path, logs):
    every = IntervalTrigger(seconds=0.25, start_date=datetime.now(UTC) + timedelta(seconds=0.2))
    service = Service(tmp_path, [plan("slow", every)], "slow_job")
    try:
        assert wait_for(lambda: "end slow" in service.traces())
    finally:
        service.stop()
    lines = service.traces()
    running = 0
    for line in lines:  # never two runs at once
        running += 1 if line.startswith("start") else -1
        assert running in (0, 1)
    assert running == 0  # the stop waited for the run in progress
    assert "while its previous run was still going; skipped" in logs.text


def test_a_crashing_job_is_recorded_mailed_and_the_service_keeps_running(tmp_path, logs):
    crash = plan("crashy", soon(0.3), recipients=["oncall@acme.example"])
    mail = {"from": "audit@acme.example", "to": ["sec@acme.example"], "outbox": "outbox"}
    schedules = [
        {"name": "crashy", "cron": "0 2 * * *", "recipients": ["oncall@acme.example"]},
        {"name": "later", "cron": "0 3 * * *"},
    ]
    stream = io.StringIO()
    handler = configure_logging(stream, "json")
    service = Service(tmp_path, [crash], "crashing_job", schedules=schedules, mail=mail)
    try:
        assert wait_for(lambda: "failure notice sent" in logs.text)
        target = JobTarget("scheduler_fakes:ok_job", str(service.config_path), str(service.out))
        install_jobs(service.scheduler, [plan("later", soon(0.2))], target)
        assert wait_for(lambda: "ran later" in service.traces())
        assert service.scheduler.running
    finally:
        service.stop()
        remove_handler(handler)
    with Store(service.db) as store:
        failed = [r for r in store.history("Acme") if r.status == "failed"]
    assert len(failed) == 1
    assert failed[0].error == "RuntimeError"
    with ScheduleHistory(service.db) as history:
        last = history.latest("crashy")
    assert last is not None
    assert (last.result, last.exit_code, last.run_id) == ("failed", 1, failed[0].id)
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "oncall@acme.example"
    assert "crashy" in message["Subject"]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (error,) = [line for line in lines if line["message"] == "scheduled audit crashy failed"]
    assert error["error"] == "RuntimeError"
    assert error["run_id"] == failed[0].id
    assert error["schedule"] == "crashy"
    assert "_crash_audit" in error["traceback"]
    assert "hunter2" not in stream.getvalue()
    assert "hunter2" not in eml.read_text(encoding="utf-8")


def test_a_restart_keeps_the_jobs_and_replaces_them_without_conflict(tmp_path):
    db = tmp_path / "audit.db"
    Store(db).close()
    target = JobTarget("scheduler_fakes:ok_job", str(tmp_path / "config.yaml"), str(tmp_path))
    nightly = plan("nightly", cron_trigger("0 2 * * *", "Europe/Paris"))
    weekly = plan("weekly", cron_trigger("0 8 * * 1", "UTC"))
    first = new_scheduler(db)
    first.start(paused=True)
    install_jobs(first, [nightly, weekly], target)
    first.shutdown()

    second = new_scheduler(db)
    second.start(paused=True)
    try:
        kept = {job.id: job for job in second.get_jobs()}
        assert set(kept) == {"nightly", "weekly"}
        assert kept["nightly"].func_ref == "scheduler_fakes:ok_job"
        assert kept["nightly"].args == (str(tmp_path / "config.yaml"), "nightly", str(tmp_path))
        assert kept["weekly"].next_run_time.strftime("%a %H:%M") == "Mon 08:00"
        assert kept["nightly"].misfire_grace_time == MISFIRE_GRACE_S
        assert (kept["nightly"].max_instances, kept["nightly"].coalesce) == (1, True)
        dropped = install_jobs(second, [nightly], target)  # same id again: replaced, no conflict
        assert dropped == ["weekly"]
        assert [job.id for job in second.get_jobs()] == ["nightly"]
    finally:
        second.shutdown()


def test_a_firing_due_while_the_service_was_down_runs_at_restart(tmp_path):
    config = write_config(tmp_path, schedules=[{"name": "hourly", "cron": "0 * * * *"}])
    db = tmp_path / "audit.db"
    Store(db).close()
    out = tmp_path / "reports"
    target = JobTarget("scheduler_fakes:ok_job", str(config), str(out))
    first_due = datetime.now(UTC) + timedelta(seconds=0.4)
    hourly = plan("hourly", IntervalTrigger(hours=1, start_date=first_due))
    first = new_scheduler(db)
    first.start(paused=True)
    install_jobs(first, [hourly], target)
    first.shutdown()
    time.sleep(0.6)  # the service is down when the firing falls due

    flag = threading.Event()
    second = new_scheduler(db)
    thread = threading.Thread(target=serve, args=(second, [hourly], target, flag), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: "ran hourly" in traces(out))
    finally:
        flag.set()
        thread.join(10)
    assert traces(out) == ["ran hourly"]


def test_a_firing_later_than_the_grace_time_is_logged_as_missed(tmp_path, logs):
    db = tmp_path / "audit.db"
    Store(db).close()
    scheduler = new_scheduler(db, ServiceSettings(misfire_grace_s=1))
    target = JobTarget("scheduler_fakes:ok_job", str(tmp_path / "config.yaml"), str(tmp_path))
    late = plan("late", DateTrigger(run_date=datetime.now(UTC) - timedelta(seconds=30)))
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, [late], target)
        scheduler.resume()
        assert wait_for(lambda: "missed its" in logs.text, timeout=3)
    finally:
        scheduler.shutdown()
    assert "schedule late missed its" in logs.text
    assert traces(tmp_path) == []


def test_stopping_waits_for_the_running_audit_to_finish(tmp_path):
    service = Service(tmp_path, [plan("slow", soon(0.2))], "slow_job")
    try:
        assert wait_for(lambda: "start slow" in service.traces())
    finally:
        service.stop()  # returns only after the run ended
    assert service.traces() == ["start slow", "end slow"]


def test_a_reload_replaces_the_jobs_and_a_bad_config_keeps_them(tmp_path, logs):
    schedules = [{"name": n, "cron": "0 2 * * *"} for n in ("nightly", "added")]
    answers: list[object] = [
        UserError("expected a cron expression", file="config.yaml", field="schedules.0.cron"),
        [plan("added", soon(0.3))],
    ]

    def replan():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    nightly = plan("nightly", cron_trigger("0 2 * * *", "UTC"))
    service = Service(tmp_path, [nightly], "ok_job", schedules=schedules, replan=replan)
    try:
        assert wait_for(lambda: "scheduler started" in logs.text)
        service.reload.set()
        assert wait_for(lambda: "reload failed, keeping the current schedules" in logs.text)
        assert [job.id for job in service.scheduler.get_jobs()] == ["nightly"]
        service.reload.set()
        assert wait_for(lambda: "ran added" in service.traces())
    finally:
        service.stop()
    assert "removed stored job nightly: no longer in the config" in logs.text
    assert "reloaded: 1 schedule(s)" in logs.text


def test_sighup_asks_for_a_reload():
    stop, reload = threading.Event(), threading.Event()
    before = signal.getsignal(signal.SIGHUP)
    with stop_on_signals(stop, reload):
        signal.raise_signal(signal.SIGHUP)
        assert reload.wait(1)
    assert not stop.is_set()
    assert signal.getsignal(signal.SIGHUP) == before


def test_sigterm_and_sigint_set_the_stop_flag_and_handlers_are_restored():
    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    for sig, original in zip((signal.SIGTERM, signal.SIGINT), before, strict=True):
        flag = threading.Event()
        with stop_on_signals(flag):
            signal.raise_signal(sig)
            assert flag.wait(1)
            assert signal.getsignal(sig) == original  # a second signal would act at once
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_the_service_reads_a_config_with_schedules(tmp_path):
    config = load_config(write_config(tmp_path))
    assert [s.name for s in config.model.schedules] == ["nightly"]


def test_only_one_scheduler_may_serve_a_database(tmp_path):
    db = tmp_path / "audit.db"
    with single_instance(db) as lock:
        assert lock.stat().st_mode & 0o777 == 0o600
        twin = r"another scheduler \(pid \d+\) is already running"
        with pytest.raises(UserError, match=twin), single_instance(db):
            pass
    assert running_service(db) is None  # released on the way out
    with single_instance(db):
        assert running_service(db) == str(os.getpid())


def test_no_lock_file_means_no_service_and_none_is_created(tmp_path):
    assert running_service(tmp_path / "audit.db") is None
    assert list(tmp_path.iterdir()) == []


def test_the_failure_notice_names_firing_and_run_and_escapes_the_reason():
    notice = failure_notice(
        schedule="nightly",
        estate="Acme <Labs>",
        firing="20261122T020000Z-aaaaaa",
        run_id="20261122T020000Z-bbbbbb",
        started=datetime(2026, 11, 22, 2, 0, tzinfo=UTC),
        reason="InputFileError: <script>alert(1)</script>",
    )
    assert notice.subject == "scheduled audit nightly of Acme <Labs> failed"
    assert "Firing:   20261122T020000Z-aaaaaa" in notice.text
    assert "Run:      20261122T020000Z-bbbbbb" in notice.text
    assert "Started:  2026-11-22 02:00 UTC" in notice.text
    assert "<script>" not in notice.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notice.html
    assert "Acme &lt;Labs&gt;" in notice.html
    assert notice.report is None


def test_an_exception_escaping_a_job_is_logged_without_its_message(tmp_path, logs):
    stream = io.StringIO()
    handler = configure_logging(stream, "json")
    service = Service(tmp_path, [plan("broken", soon(0.2))], "raising_job")
    try:
        assert wait_for(lambda: "the service keeps running" in logs.text)
        assert service.scheduler.running
    finally:
        service.stop()
        remove_handler(handler)
    found = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(
        line["message"] == "schedule broken failed: RuntimeError; the service keeps running"
        for line in found
    )
    assert "hunter2" not in stream.getvalue()
