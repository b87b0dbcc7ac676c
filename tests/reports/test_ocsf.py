"""OCSF Compliance Finding events for SIEMs."""

from __future__ import annotations

import json

from reports import ocsf_findings, render_ocsf
from tests.reports import factories as F


def by_check(run_events: list[dict], check_id: str) -> dict:  # type: ignore[type-arg]
    return next(e for e in run_events if e["compliance"]["control"] == check_id)


def test_one_compliance_finding_per_result() -> None:
    run = F.make_run()
    events = ocsf_findings(run)
    assert len(events) == len(run.findings)
    for event in events:
        assert event["class_uid"] == 2003 and event["category_uid"] == 2
        assert event["type_uid"] == 200300 + event["activity_id"]
        assert event["metadata"]["product"] == {
            "name": "brand-auditor",
            "vendor_name": "brand-auditor",
            "version": "0.1.0",
        }
    fps = {e["finding_info"]["uid"] for e in events}
    assert fps == {f.fingerprint for f in run.findings}


def test_mapping_of_status_and_severity() -> None:
    events = ocsf_findings(F.make_run())
    scam = by_check(events, "content.scam-pattern")
    assert scam["severity_id"] == 5 and scam["status"] == "New" and scam["activity_id"] == 1
    assert scam["compliance"]["status"] == "Fail" and scam["compliance"]["status_id"] == 3
    assert scam["finding_info"]["first_seen_time"] == int(F.NOW.timestamp() * 1000)
    assert scam["resources"][0]["uid"] == "1500000000000000001"
    assert scam["resources"][0]["data"]["platform"] == "x"
    assert scam["remediation"]["desc"] == "Fix content.scam-pattern."
    muted = by_check(events, "access.external-admin")
    assert muted["status_id"] == 3 and muted["compliance"]["status"] == "Fail"
    assert muted["unmapped"]["mute_owner"] == "alice.ng@northwind.example"
    unverified = by_check(events, "access.single-admin")
    assert unverified["compliance"]["status"] == "Warning"
    resolved = by_check(events, "domain.dnssec-off")
    assert resolved["status"] == "Resolved" and resolved["severity_id"] == 1
    assert resolved["compliance"]["status"] == "Pass"


def test_render_array_and_lines() -> None:
    run = F.make_run()
    assert len(json.loads(render_ocsf(run))) == len(run.findings)
    parsed = [json.loads(line) for line in render_ocsf(run, lines=True).splitlines()]
    assert len(parsed) == len(run.findings)
