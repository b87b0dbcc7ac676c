"""The JSON and CSV reports the CLI writes: streamed JSON equals the documented shape, hostile
text stays inert, and an empty run still gives valid files."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import timedelta

from engine_fakes import T0

from auditor.core.completeness import SourceStatus
from auditor.core.models import (
    Asset,
    AuditRun,
    Category,
    Change,
    EvidenceRef,
    Finding,
    Mute,
    Severity,
    SourceProblem,
    SourceReport,
    Status,
)
from auditor.core.private_files import write_private_text
from reports.csv_report import COLUMNS, iter_csv, render_csv, safe_cell
from reports.json_report import iter_json, render_json, report_dict

HOSTILE = '=HYPERLINK("http://evil.example","x") </script><b>"quoted", comma\nnewline'


def finding(fp: str, status: Status, detail: str = "Ben left on 2026-08-31.") -> Finding:
    muted = status is Status.MUTED
    return Finding(
        check_id="access.departed-admin",
        category=Category.ACCESS,
        severity=Severity.CRITICAL,
        status=status,
        asset=Asset.account("meta", "acme", "200"),
        subject=f"{fp}@acme.example",
        title="Departed person still holds a role",
        detail=detail,
        evidence=EvidenceRef("meta", T0, {"role": "ADMIN", "emails": ["a", "b"], "n": 2}),
        remediation="Remove the role.",
        fingerprint=fp,
        first_seen=T0,
        change=Change.PERSISTING,
        muted_status=Status.FAIL if muted else None,
        mute=Mute(fp, "contractor", "ciso", T0 + timedelta(days=9), T0) if muted else None,
    )


def run(*findings: Finding) -> AuditRun:
    return AuditRun(
        id="20261001T090000Z-abc123",
        started_at=T0,
        finished_at=T0 + timedelta(seconds=3),
        tool_version="0.1.0",
        config_digest="d" * 64,
        estate_name="Acme",
        assets=(Asset.account("meta", "acme", "200"), Asset.for_domain("acme.example")),
        findings=findings,
        sources=(
            SourceReport(
                "meta", SourceStatus.FAILED, T0, (SourceProblem("auth", "401", None),), 3, 0.5
            ),
        ),
        checks_run=("access.departed-admin",),
    )


def test_streamed_json_is_valid_and_equals_the_document():
    audit = run(finding("a", Status.FAIL, HOSTILE), finding("b", Status.MUTED))
    text = render_json(audit)
    parsed = json.loads(text)
    assert parsed == json.loads(json.dumps(report_dict(audit)))
    assert parsed["findings"][0]["detail"] == HOSTILE
    assert parsed["findings"][0]["evidence"]["facts"] == {
        "role": "ADMIN",
        "emails": ["a", "b"],
        "n": 2,
    }
    assert parsed["run"]["started_at"] == "2026-10-01T09:00:00Z"
    muted = parsed["findings"][1]
    assert (muted["status"], muted["muted_status"]) == ("muted", "fail")
    assert muted["mute"] == {
        "reason": "contractor",
        "owner": "ciso",
        "expires": "2026-10-10T09:00:00Z",
        "expires_on": "2026-10-10",
        "created_at": "2026-10-01T09:00:00Z",
        "active": True,
        "ticket": None,
        "origin": None,
    }
    assert parsed["summary"]["counts"]["by_status"] == {
        "fail": 1,
        "not_verified": 0,
        "muted": 1,
        "pass": 0,
    }
    assert parsed["summary"]["risk_score"] > 0
    assert parsed["sources"][0]["problems"] == [
        {"kind": "auth", "detail": "401", "asset_key": None, "scope": None}
    ]
    assert [a["key"] for a in parsed["assets"]] == ["account:meta:acme", "domain:acme.example"]


def test_empty_run_gives_valid_json_and_a_header_only_csv(tmp_path):
    audit = run()
    written = write_private_text(tmp_path / "r.json", iter_json(audit))
    assert json.loads(written.read_text())["findings"] == []
    path = write_private_text(tmp_path / "r.csv", iter_csv(audit))
    assert path.read_text().splitlines() == [",".join(COLUMNS)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_csv_defuses_formulas_and_keeps_text_intact():
    rows = list(csv.DictReader(io.StringIO(render_csv(run(finding("a", Status.FAIL, HOSTILE))))))
    assert len(rows) == 1
    assert rows[0]["detail"] == "'" + HOSTILE
    assert rows[0]["check"] == "access.departed-admin"
    assert rows[0]["observed_at"] == "2026-10-01T09:00:00Z"
    assert [safe_cell(v) for v in ("+1", "-2", "@x", "\tx", "plain", None)] == [
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "plain",
        "",
    ]
