"""Alerts through Apprise to a local JSON endpoint: one per finding when it opens, not again while
open, again when it reopens; a rate cap with a digest; failed deliveries retried; the text leads
with the account; scheduled runs alert new critical findings through the same ledger."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.core.models import (
    Asset,
    Category,
    Change,
    EvidenceRef,
    Finding,
    Severity,
    Status,
)
from auditor.sandbox.alert_sink import AlertSink
from auditor.service.watch.alerts import (
    Alerter,
    AlertPolicy,
    AppriseNotifier,
    alert_text,
)
from auditor.store.database import Store

NOW = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


def finding(
    subject: str = "eve-hijack",
    *,
    status: Status = Status.FAIL,
    change: Change = Change.NEW,
    severity: Severity = Severity.HIGH,
    check: str = "access.new-admin",
) -> Finding:
    asset = Asset.account("github", "northwind-labs", "9100001")
    return Finding(
        check_id=check,
        category=Category.ACCESS,
        severity=severity,
        status=status,
        asset=asset,
        subject=subject,
        title="Role holder new since the last audit",
        detail=f"{subject} now holds admin, did not at the previous audit.",
        evidence=EvidenceRef(source="github", observed_at=NOW, facts={}),
        remediation="Confirm the change with the account owner. Remove the role if unknown.",
        fingerprint=f"fp-{check}-{subject}",
        first_seen=NOW,
        change=change,
    )


@pytest.fixture
def sink() -> AlertSink:
    with AlertSink() as running:
        yield running


def alerter(tmp_path: Path, url: str, **policy: object) -> Alerter:
    db = tmp_path / "audit.db"
    Store(db).close()
    return Alerter(db, AppriseNotifier([url]), AlertPolicy(**policy))  # type: ignore[arg-type]


def test_one_alert_when_a_finding_opens_none_while_open_again_when_it_reopens(
    tmp_path: Path, sink: AlertSink
) -> None:
    alerts = alerter(tmp_path, sink.apprise_url)
    assert alerts.on_run("r1", [finding()]).alerted == ("fp-access.new-admin-eve-hijack",)
    assert alerts.on_run("r2", [finding(change=Change.PERSISTING)]).alerted == ()
    # a later full run compares with an older run and calls it new: the ledger knows better
    assert alerts.on_run("r3", [finding(change=Change.NEW)]).alerted == ()
    closed = alerts.on_run("r4", [finding(status=Status.PASS, change=Change.RESOLVED)])
    assert closed.closed == 1 and closed.alerted == ()
    assert alerts.on_run("r5", [finding()]).alerted == ("fp-access.new-admin-eve-hijack",)
    assert len(sink.received) == 2
    alerts.close()


def test_not_verified_muted_and_low_severity_neither_alert_nor_close(
    tmp_path: Path, sink: AlertSink
) -> None:
    alerts = alerter(tmp_path, sink.apprise_url, min_severity=Severity.HIGH)
    alerts.on_run("r1", [finding()])
    report = alerts.on_run(
        "r2",
        [
            finding(status=Status.NOT_VERIFIED),
            finding("other", status=Status.MUTED),
            finding("low", severity=Severity.MEDIUM),
        ],
    )
    assert (report.alerted, report.closed) == ((), 0)
    assert alerts.is_open("fp-access.new-admin-eve-hijack")
    assert len(sink.received) == 1


def test_beyond_the_hourly_cap_the_rest_go_in_one_digest(tmp_path: Path, sink: AlertSink) -> None:
    alerts = alerter(tmp_path, sink.apprise_url, max_per_hour=2)
    many = [finding(f"user-{i}") for i in range(5)]
    report = alerts.on_run("r1", many)
    assert len(report.alerted) == 2 and len(report.digested) == 3
    assert len(sink.received) == 3
    digest = sink.received[-1].text
    assert "3 more new finding(s)" in digest
    assert digest.count("- github northwind-labs: ") == 3
    assert all(f"user-{i} now holds admin" in digest for i in (2, 3, 4))
    # within the hour, the next new finding goes straight to a digest
    later = alerts.on_run("r2", [finding("user-9")])
    assert later.alerted == () and len(later.digested) == 1


def test_a_failed_delivery_is_retried_after_the_next_run(tmp_path: Path, sink: AlertSink) -> None:
    db = tmp_path / "audit.db"
    Store(db).close()
    down = AppriseNotifier(["json://127.0.0.1:9/alerts"])  # nothing listens on port 9
    first = Alerter(db, down, AlertPolicy())
    report = first.on_run("r1", [finding()])
    assert report.failed == ("fp-access.new-admin-eve-hijack",) and report.alerted == ()
    first.close()
    second = Alerter(db, AppriseNotifier([sink.apprise_url]), AlertPolicy())
    retried = second.on_run("r2", [finding(change=Change.PERSISTING)])
    assert retried.alerted == ("fp-access.new-admin-eve-hijack",)
    second.close()


def test_the_text_leads_with_the_account_then_what_since_and_first_action() -> None:
    hostile = replace(finding(), detail="bio now says \u202egiveaway\u200b and more")
    title, body = alert_text(hostile)
    lines = body.splitlines()
    assert title.startswith("github northwind-labs: ")
    assert lines[0].startswith("github northwind-labs: Role holder new since the last audit")
    assert lines[1].startswith("What happened: ")
    assert "\\u202e" in lines[1] and "\u202e" not in body and "\u200b" not in body
    assert lines[2] == "Since: 2026-12-06 07:00 UTC"
    assert lines[3] == "First action: Confirm the change with the account owner."


def test_an_unknown_apprise_url_is_named_by_index_not_value() -> None:
    with pytest.raises(ValueError, match=r"^alerts\.urls\.1$"):
        AppriseNotifier(["json://127.0.0.1:9/a", "notascheme://token-s3cret"])


def test_scheduled_runs_alert_new_critical_findings_once(tmp_path: Path, sink: AlertSink) -> None:
    from auditor.config.loading import load_config
    from auditor.service.job import JobOutcome, alert_new_critical

    config_path = tmp_path / "c.yaml"
    config_path.write_text(
        "organization: {name: Acme, email_domains: [acme.example]}\n"
        f"storage: {{path: {tmp_path / 'audit.db'}}}\n"
        f"alerts: {{urls: ['{sink.apprise_url}'], min_severity: medium}}\n",
        encoding="utf-8",
    )
    config = load_config(config_path)
    Store(tmp_path / "audit.db").close()
    critical = finding("scam", severity=Severity.CRITICAL, check="content.scam-pattern")
    high = finding("admin")
    outcome = JobOutcome("r1", 1, {}, findings=(critical, high))
    alert_new_critical(config, outcome)
    alert_new_critical(config, replace(outcome, run_id="r2"))
    assert len(sink.received) == 1
    assert "scam now holds admin" in sink.received[0].text
    assert "(critical)" in sink.received[0].text


def test_alert_url_tokens_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # tokens in the path, as Slack, Teams and Discord URLs hold them (kept local: port 9)
    path_tokens = "json://127.0.0.1:9/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
    notifier = AppriseNotifier(["json://user:s3cretpassword@127.0.0.1:9/alerts", path_tokens])
    try:
        notifier.send("title", "body")  # both fail: nothing listens on port 9
    finally:
        notifier.close()
    assert caplog.records, "apprise logs its attempts"
    for secret in ("s3cretpassword", "T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ"):
        assert secret not in caplog.text
