"""``brand-audit schedule`` / ``status`` and the ``run --profile`` gate, through the real CLI and
the real audit composition on a tiny records-only config."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from scheduler_fakes import runner_failure_job, write_config

from auditor.cli.main import main
from auditor.service.run_history import ScheduleHistory
from auditor.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
MAIL = {"from": "audit@acme.example", "to": ["sec@acme.example"], "outbox": "outbox"}
SCHEDULES = [
    {
        "name": "nightly",
        "cron": "0 2 * * *",
        "timezone": "Europe/Paris",
        "recipients": ["night@acme.example"],
    },
    {"name": "weekly", "cron": "0 8 * * 1", "report": "leadership"},
    {"name": "content", "cron": "5 * * * *", "only": ["content"], "email": False},
]


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_run_now_composes_the_real_audit_records_it_and_mails_the_full_report(tmp_path, capsys):
    config = write_config(tmp_path, schedules=SCHEDULES, mail=MAIL)
    code = main(
        ["schedule", "--config", str(config), "--run-now", "nightly", "--log-format", "json"]
    )
    assert code == 1  # ben left and still owns the registration mailbox: a critical finding
    err = capsys.readouterr().err
    with Store(tmp_path / "audit.db") as store:
        (run,) = store.history("Acme")
    assert run.status == "ok"
    report = json.loads((tmp_path / "reports" / "nightly" / "report.json").read_text())
    assert report["run"]["id"] == run.id
    with ScheduleHistory(tmp_path / "audit.db") as history:
        last = history.latest("nightly")
    assert last is not None
    assert (last.run_id, last.result, last.exit_code) == (run.id, "ok", 1)
    assert last.open_counts["critical"] == 1
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "night@acme.example"
    assert [p.get_filename() for p in message.walk() if p.get_filename()] == [
        "brand-audit-report.html"
    ]
    lines = json_lines(err)
    assert {line["schedule"] for line in lines} == {"nightly"}
    assert lines[-1]["run_id"] == run.id
    assert "finished: exit 1" in str(lines[-1]["message"])
    assert all(line["run_id"] for line in lines)
    assert any(line["message"] == "source directory read" for line in lines)


def test_a_leadership_schedule_mails_the_summary_without_the_attachment(tmp_path):
    config = write_config(tmp_path, schedules=SCHEDULES, mail=MAIL)
    assert main(["schedule", "--config", str(config), "--run-now", "weekly"]) == 1
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "sec@acme.example"  # no recipients: mail.to
    assert not [p for p in message.walk() if p.get_filename()]
    assert "Acme" in message["Subject"]


def test_without_mail_the_run_is_logged_as_not_emailed(tmp_path, capsys):
    config = write_config(tmp_path, schedules=SCHEDULES)
    assert main(["schedule", "--config", str(config), "--run-now", "nightly"]) == 1
    assert "mail is not configured" in capsys.readouterr().err


def test_list_prints_three_next_firings_in_each_zone(tmp_path, capsys):
    config = write_config(tmp_path, schedules=SCHEDULES)
    assert main(["schedule", "--config", str(config), "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("nightly: cron '0 2 * * *' (Europe/Paris); all checks; full report")
    assert out[1].startswith("  next: ") and out[1].count("02:00 CET") == 3
    assert "weekly" in out[2] and "leadership report to mail.to" in out[2]
    assert out[5].startswith("  next: ") and out[5].count(":05 UTC") == 3
    assert "content;" in out[4] and "no email" in out[4]


def test_status_shows_last_and_next_run_per_schedule(tmp_path, capsys):
    config = write_config(tmp_path, schedules=SCHEDULES)
    main(["schedule", "--config", str(config), "--run-now", "nightly"])
    capsys.readouterr()
    assert main(["status", "--config", str(config)]) == 0
    service, nightly, weekly, content = capsys.readouterr().out.splitlines()
    assert service == "service: not running"
    assert nightly.startswith("nightly: last ")
    assert " ok exit 1 run " in nightly and "open 1/0/1/0 c/h/m/l" in nightly
    assert nightly.endswith(" CET")
    assert weekly.startswith("weekly: last never run; next ") and "08:00 UTC" in weekly
    assert content.startswith("content: last never run")


def test_status_shows_a_failed_run_with_its_reason(tmp_path, capsys):
    config = write_config(tmp_path, schedules=SCHEDULES)
    (tmp_path / "people.csv").unlink()  # the directory export vanished before the firing
    assert main(["schedule", "--config", str(config), "--run-now", "nightly"]) == 2
    capsys.readouterr()
    main(["status", "--config", str(config)])
    nightly = capsys.readouterr().out.splitlines()[1]
    assert " failed exit 2 run " in nightly and "error: InputFileError" in nightly
    with Store(tmp_path / "audit.db") as store:
        (run,) = store.history("Acme")
    assert run.status == "failed" and run.id in nightly


def test_a_failure_the_runner_recorded_is_not_recorded_twice(tmp_path):
    config = write_config(tmp_path, schedules=SCHEDULES)
    code = runner_failure_job(str(config), "nightly", str(tmp_path / "reports"))
    assert code == 2
    with Store(tmp_path / "audit.db") as store:
        runs = store.history("Acme")
    assert [(r.id, r.status) for r in runs] == [("runner-recorded", "failed")]
    with ScheduleHistory(tmp_path / "audit.db") as history:
        last = history.latest("nightly")
    assert last is not None
    assert (last.run_id, last.result, last.exit_code) == ("runner-recorded", "failed", 2)
    assert last.error == "InputFileError: people.csv: row 3: bad status"


@pytest.mark.parametrize(
    ("schedule", "profiles", "words"),
    [
        ({"name": "a", "cron": "0 9 * * 9"}, None, "schedules.0.cron: expected a cron expression"),
        (
            {"name": "a", "cron": "0 9 * * *", "timezone": "Nowhere/City"},
            None,
            "schedules.0.timezone: unknown time zone 'Nowhere/City'",
        ),
        (
            {"name": "a", "cron": "0 9 * * *", "profile": "nope"},
            {"p": {"only": ["auth"]}},
            "schedules.0.profile: expected a profile defined under 'profiles'",
        ),
        (
            {"name": "a", "cron": "0 9 * * *", "only": ["auth.nope"]},
            None,
            "schedules.0.only: unknown check id or category: auth.nope",
        ),
    ],
)
@pytest.mark.parametrize("command", ["schedule", "status", "validate"])
def test_a_bad_schedule_fails_at_start_in_one_line_with_exit_2(
    tmp_path, capsys, schedule, profiles, words, command
):
    config = write_config(tmp_path, schedules=[schedule], profiles=profiles)
    code = main([command, "--config", str(config)])
    err = capsys.readouterr().err
    if command == "status" and "only" in schedule:
        assert code == 0  # status does not load the catalog
        return
    assert code == 2
    assert err.count("\n") == 1
    assert words in err


def test_run_now_of_an_unknown_schedule_is_a_usage_error(tmp_path, capsys):
    config = write_config(tmp_path, schedules=SCHEDULES)
    assert main(["schedule", "--config", str(config), "--run-now", "hourly"]) == 2
    assert "unknown schedule 'hourly' (known: nightly, weekly, content)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--profile", "prelaunch", "--fail-on", "high"], 1),
        (["--profile", "prelaunch"], 1),  # the profile's fail_on (critical)
        (["--profile", "prelaunch", "--fail-on", "none"], 0),  # the flag wins over the profile
        (["--profile", "quiet-gate"], 0),  # nothing at or above critical among its checks
    ],
)
def test_the_prelaunch_gate_exits_by_the_profile(tmp_path, capsys, flags, expected):
    profiles = {
        "prelaunch": {"only": ["ownership"], "fail_on": "critical"},
        "quiet-gate": {"only": ["ownership.credential-unmanaged"], "fail_on": "critical"},
    }
    config = write_config(tmp_path, profiles=profiles)
    code = main(["run", "--config", str(config), "--out", str(tmp_path / "out"), "--quiet", *flags])
    assert code == expected
    checks = json.loads((tmp_path / "out" / "report.json").read_text())["findings"]
    assert {f["check"].split(".")[0] for f in checks} == {"ownership"}


def test_an_unknown_profile_is_one_line_exit_2(tmp_path, capsys):
    config = write_config(tmp_path, profiles={"prelaunch": {"only": ["ownership"]}})
    code = main(["run", "--config", str(config), "--out", str(tmp_path), "--profile", "launch"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown profile 'launch' (known: prelaunch)" in err


def _reader(stream, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def test_the_service_refuses_a_twin_reloads_on_sighup_and_stops_on_sigterm(tmp_path, capsys):
    config = write_config(tmp_path, schedules=[{"name": "yearly", "cron": "0 0 1 1 *"}])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditor",
            "schedule",
            "--config",
            str(config),
            "--log-format",
            "json",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stderr, lines), daemon=True).start()
    seen: list[dict[str, object]] = []
    try:
        while not any(line["message"] == "scheduler started with 1 schedule(s)" for line in seen):
            seen.extend(json_lines(lines.get(timeout=20)))
        assert main(["schedule", "--config", str(config)]) == 2  # a second service is refused
        err = capsys.readouterr().err
        assert f"another scheduler (pid {process.pid}) is already running on this store" in err
        assert main(["status", "--config", str(config)]) == 0
        assert capsys.readouterr().out.startswith(f"service: running (pid {process.pid})\n")
        write_config(tmp_path, schedules=SCHEDULES)  # edit the config, then ask for a reload
        process.send_signal(signal.SIGHUP)
        while not any(line["message"] == "reloaded: 3 schedule(s)" for line in seen):
            seen.extend(json_lines(lines.get(timeout=20)))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
    process.wait()
    while not lines.empty():
        seen.extend(json_lines(lines.get()))
    messages = [line["message"] for line in seen]
    assert "received SIGTERM: stopping after the running audits commit (again: at once)" in messages
    assert messages[-1] == "scheduler stopped"
    assert any(str(m).startswith("schedule yearly: next run 2027-01-01T00:00:00") for m in messages)


def test_a_config_without_schedules_cannot_be_served(tmp_path, capsys):
    config = write_config(tmp_path, schedules=[])
    assert main(["schedule", "--config", str(config)]) == 2
    assert "no schedules to run: add a 'schedules' section" in capsys.readouterr().err
    assert main(["schedule", "--config", str(config), "--list"]) == 0
    assert capsys.readouterr().out == "no schedules defined\n"


def test_status_before_any_run_does_not_create_the_store(tmp_path, capsys):
    config = write_config(tmp_path, schedules=SCHEDULES)
    assert main(["status", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.count("last never run") == 3
    assert not (tmp_path / "audit.db").exists()


def test_the_stored_job_reference_runs_the_real_audit_under_the_scheduler(tmp_path):
    from apscheduler.triggers.date import DateTrigger

    from auditor.cli.schedule import JOB_REF, load_plans
    from auditor.config.loading import load_config
    from auditor.service.scheduler import JobTarget, new_scheduler, serve

    config_path = write_config(tmp_path, schedules=SCHEDULES)
    (nightly, *_) = load_plans(load_config(config_path))
    soon = DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=0.3))
    plan = replace(nightly, trigger=soon)
    Store(tmp_path / "audit.db").close()
    stop = threading.Event()
    target = JobTarget(JOB_REF, str(config_path), str(tmp_path / "reports"))
    thread = threading.Thread(
        target=serve, args=(new_scheduler(tmp_path / "audit.db"), [plan], target, stop)
    )
    thread.start()
    report = tmp_path / "reports" / "nightly" / "report.json"
    try:
        for _ in range(100):
            if report.exists():
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(10)
    with ScheduleHistory(tmp_path / "audit.db") as history:
        last = history.latest("nightly")
    assert last is not None and (last.result, last.exit_code) == ("ok", 1)
    assert json.loads(report.read_text())["run"]["id"] == last.run_id
