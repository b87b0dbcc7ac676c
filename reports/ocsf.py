"""OCSF-style JSON for SIEM ingestion: one Compliance Finding (class_uid 2003) per result.

Mapping (OCSF 1.1 Compliance Finding):

* ``finding_info``: ``uid`` is the result's fingerprint (stable across runs), ``title`` the
  check's title, ``desc`` the concrete sentence, ``first_seen_time`` in epoch milliseconds;
* ``compliance``: ``control`` is the check id, ``status``/``status_id`` Pass (1), Warning (2,
  for not verified: evidence missing) or Fail (3);
* ``status_id``: New (1) for new results, In Progress (2) for persisting ones, Suppressed (3) for
  muted ones, Resolved (4) for resolved ones;
* ``severity_id``: Low 2, Medium 3, High 4, Critical 5; passes are Informational (1);
* ``resources``: the asset (uid = immutable id or asset key, type, name, platform);
* ``remediation.desc`` and ``metadata.product`` (name, vendor, version).

A path ending in ``.jsonl`` or ``.ndjson`` gets one JSON object per line; any other path gets
a JSON array.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from auditor.core.models import AuditRun, Change, Finding, Severity, Status
from reports.rows import asset_label

OCSF_VERSION = "1.1.0"
"""The OCSF schema version the events follow."""

CLASS_UID = 2003
"""Compliance Finding."""

CATEGORY_UID = 2
"""Findings."""

_SEVERITY_ID = {Severity.LOW: 2, Severity.MEDIUM: 3, Severity.HIGH: 4, Severity.CRITICAL: 5}
_COMPLIANCE = {
    Status.PASS: (1, "Pass"),
    Status.NOT_VERIFIED: (2, "Warning"),
    Status.FAIL: (3, "Fail"),
}
_ACTIVITY = {
    Change.NEW: (1, "Create"),
    Change.PERSISTING: (2, "Update"),
    Change.RESOLVED: (3, "Close"),
}


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _status(finding: Finding) -> tuple[int, str]:
    if finding.change is Change.RESOLVED:
        return 4, "Resolved"
    if finding.status is Status.MUTED:
        return 3, "Suppressed"
    if finding.change is Change.NEW:
        return 1, "New"
    return 2, "In Progress"


def _resource(finding: Finding) -> dict[str, Any]:
    asset = finding.asset
    return {
        "uid": asset.id or asset.key,
        "name": asset_label(asset),
        "type": asset.kind.value,
        "data": {
            "key": asset.key,
            "platform": asset.platform,
            "handle": asset.handle,
            "domain": asset.domain,
        },
    }


def _finding_info(finding: Finding) -> dict[str, Any]:
    return {
        "uid": finding.fingerprint,
        "title": finding.title,
        "desc": finding.detail,
        "first_seen_time": _ms(finding.first_seen),
        "types": [finding.category.value],
    }


def _evidence(finding: Finding) -> dict[str, Any]:
    return {
        "data": {
            "source": finding.evidence.source,
            "observed_at": finding.evidence.observed_at.isoformat(),
            "facts": dict(finding.evidence.facts),
        }
    }


def _metadata(run: AuditRun) -> dict[str, Any]:
    return {
        "version": OCSF_VERSION,
        "product": {
            "name": "brand-auditor",
            "vendor_name": "brand-auditor",
            "version": run.tool_version,
        },
        "correlation_uid": run.id,
    }


def ocsf_finding(finding: Finding, run: AuditRun) -> dict[str, Any]:
    """One result as an OCSF Compliance Finding event."""
    effective = finding.effective_status
    compliance_id, compliance = _COMPLIANCE.get(effective, (2, "Warning"))
    activity_id, activity = _ACTIVITY[finding.change]
    status_id, status = _status(finding)
    severity_id = 1 if effective is Status.PASS else _SEVERITY_ID[finding.severity]
    event: dict[str, Any] = {
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": activity_id,
        "activity_name": activity,
        "type_uid": CLASS_UID * 100 + activity_id,
        "time": _ms(run.finished_at),
        "severity_id": severity_id,
        "severity": "Informational" if severity_id == 1 else finding.severity.value.title(),
        "status_id": status_id,
        "status": status,
        "status_detail": finding.status.value,
        "message": finding.detail,
        "finding_info": _finding_info(finding),
        "compliance": {
            "control": finding.check_id,
            "standards": ["brand-auditor"],
            "status_id": compliance_id,
            "status": compliance,
        },
        "resources": [_resource(finding)],
        "remediation": {"desc": finding.remediation},
        "evidences": [_evidence(finding)],
        "metadata": _metadata(run),
    }
    if finding.mute is not None:
        event["unmapped"] = {
            "mute_owner": finding.mute.owner,
            "mute_reason": finding.mute.reason,
            "mute_expires": finding.mute.expires.isoformat(),
        }
    return event


def ocsf_findings(run: AuditRun) -> list[dict[str, Any]]:
    """Every result of the run as OCSF events."""
    return [ocsf_finding(f, run) for f in run.findings]


def render_ocsf(run: AuditRun, *, lines: bool = False) -> str:
    """The events as text: JSON lines (``lines``, for ``.jsonl``/``.ndjson`` files), else one
    JSON array."""
    events = ocsf_findings(run)
    if lines:
        return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
    return json.dumps(events, ensure_ascii=False, indent=1) + "\n"
