"""Job functions and configs for the scheduler's tests.

Stored jobs are pickled by reference, so these fakes are module-level functions taking only plain
arguments ``(config_path, schedule_name, out_dir)``; each runs the real firing wrapper
(:func:`auditor.service.job.run_job`) around a fake audit and leaves a trace in files under
``out_dir`` that the tests read.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import yaml

from auditor.config.loading import AppConfig
from auditor.core.errors import InputFileError
from auditor.service.job import JobOutcome, new_run_id, run_job
from auditor.service.schedules import SchedulePlan
from auditor.store.database import Store

LEAKY_MESSAGE = "token=" + "hunter2" + " leaked into a message"
"""An exception message carrying a secret (the source line that raises it does not)."""

SLOW_S = 1.2
"""How long the slow fake audit takes."""


def write_config(
    folder: Path,
    *,
    schedules: list[dict[str, object]] | None = None,
    profiles: dict[str, object] | None = None,
    mail: dict[str, object] | None = None,
) -> Path:
    """A tiny records-only config (a people CSV, one account) with its store in ``folder``."""
    (folder / "people.csv").write_text(
        "email,name,status,departed_on\n"
        "alice@acme.example,Alice,active,\n"
        "ben@acme.example,Ben,departed,2026-08-31\n",
        encoding="utf-8",
    )
    data: dict[str, object] = {
        "version": 1,
        "organization": {"name": "Acme", "email_domains": ["acme.example"]},
        "accounts": [{"platform": "x", "handle": "acme", "registered_email": "ben@acme.example"}],
        "sources": {"directory": {"csv": "people.csv"}},
        "storage": {"path": "audit.db"},
        "schedules": schedules
        if schedules is not None
        else [{"name": "nightly", "cron": "0 2 * * *"}],
    }
    if profiles is not None:
        data["profiles"] = profiles
    if mail is not None:
        data["mail"] = mail
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _trace(out: Path, line: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with (out.parent / "trace.log").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def traces(out_dir: Path) -> list[str]:
    """Lines the fake audits wrote."""
    path = out_dir / "trace.log"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _ok_audit(config: AppConfig, plan: SchedulePlan, out: Path, now: datetime) -> JobOutcome:
    _trace(out, f"ran {plan.name}")
    return JobOutcome(new_run_id(now), 0, {"critical": 0, "high": 2})


def _slow_audit(config: AppConfig, plan: SchedulePlan, out: Path, now: datetime) -> JobOutcome:
    _trace(out, f"start {plan.name}")
    time.sleep(SLOW_S)
    _trace(out, f"end {plan.name}")
    return JobOutcome(new_run_id(now), 0, {})


def _crash_audit(config: AppConfig, plan: SchedulePlan, out: Path, now: datetime) -> JobOutcome:
    _trace(out, f"crash {plan.name}")
    raise RuntimeError(LEAKY_MESSAGE)


def _runner_failure_audit(
    config: AppConfig, plan: SchedulePlan, out: Path, now: datetime
) -> JobOutcome:
    """What the runner does when an audit fails inside it: record the failed run, re-raise."""
    with Store(config.resolve(config.model.storage.path)) as store:
        store.record_failed_run(
            run_id="runner-recorded",
            started_at=now,
            finished_at=now,
            tool_version="test",
            config_digest=config.digest(),
            estate_name=config.estate.organization.name,
            error="InputFileError: people.csv: row 3: bad status",
        )
    raise InputFileError("row 3: bad status", file="people.csv")


def runner_failure_job(config_path: str, schedule_name: str, out_dir: str) -> int:
    """A firing whose audit fails inside the runner (which records the failed run itself)."""
    return run_job(config_path, schedule_name, out_dir, _runner_failure_audit)


def ok_job(config_path: str, schedule_name: str, out_dir: str) -> int:
    """A firing whose audit succeeds at once."""
    return run_job(config_path, schedule_name, out_dir, _ok_audit)


def slow_job(config_path: str, schedule_name: str, out_dir: str) -> int:
    """A firing whose audit takes :data:`SLOW_S` seconds."""
    return run_job(config_path, schedule_name, out_dir, _slow_audit)


def crashing_job(config_path: str, schedule_name: str, out_dir: str) -> int:
    """A firing whose audit raises an unexpected error."""
    return run_job(config_path, schedule_name, out_dir, _crash_audit)


def raising_job(config_path: str, schedule_name: str, out_dir: str) -> int:
    """A job that raises past the firing wrapper (APScheduler's own error path)."""
    raise RuntimeError(LEAKY_MESSAGE)
