"""The JSON report (``report.json``): the machine-readable contract of one run.

Top level (``schema_version`` 2: ``sources[].status`` replaced ``sources[].ok`` of 1):

- ``run``: ``id``, ``started_at``, ``finished_at``, ``tool_version``, ``config_digest``,
  ``estate``, ``previous_run_id``, ``checks_run``, ``scope`` (what ``--only`` named; empty for
  a full-scope run).
- ``summary``: ``counts`` (``by_status``; ``by_severity``: unmuted fails by severity;
  ``not_verified_by_severity``), ``risk_score``, ``risk_formula``, ``assets``, ``new``,
  ``resolved``, ``regressed``. The counts come from :func:`reports.history.count_run`, the one
  place a run is counted, so this file, the HTML report and the email agree.
- ``sources``: one entry per collector: ``name``, ``status`` (complete | partial | failed: only
  ``complete`` means read in full), ``observed_at``, ``requests``,
  ``duration_s``, ``problems`` (``kind``, ``detail``, ``asset_key``, ``scope``).
- ``assets``: ``kind``, ``platform``, ``handle``, ``id``, ``domain``, ``key``.
- ``findings``: ``check``, ``category``, ``severity``, ``status``, ``muted_status``,
  ``asset`` {``kind``, ``platform``, ``handle``, ``id``, ``domain``}, ``subject``, ``title``,
  ``detail``, ``evidence`` {``source``, ``observed_at``, ``facts``}, ``remediation``,
  ``fingerprint``, ``first_seen``, ``change`` (new | persisting | resolved), ``carried`` (an
  earlier open fail carried forward: not re-read this run, or a change event nobody acted on
  yet), ``mute`` (null or
  {``reason``, ``owner``, ``expires`` (the moment it ends), ``expires_on`` (the last day it
  holds, as written), ``created_at``, ``active``, ``ticket``, ``origin`` (null for a mute
  recorded with ``brand-audit mute``, else the mutes file entry)}).

Risk score (from :mod:`auditor.core.scoring`): each unmuted fail weighs by severity (critical
10, high 5, medium 2, low 1) and each actionable ``not_verified`` result half that; passes, muted
results and structural gaps (not exposed by the platform) weigh 0. With ``R`` the weighted sum
and ``A`` the number of assets audited (accounts, businesses, domains; at least 1),
``L = R / A`` and ``risk_score = 100 × L / (L + 10)``, rounded to one decimal: 0 when nothing is
open, 50 at one open critical per asset, never above 100.

Times are ISO 8601 in UTC. Fetched text is emitted as JSON strings, never interpreted. The file
is streamed: the head is indented, then each finding takes one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from auditor.core.models import Asset, AuditRun, Finding, Mute, SourceReport
from auditor.core.scoring import FORMULA
from reports.history import RunCounts, count_run
from reports.panels import source_state

SCHEMA_VERSION = 2
"""Bumped on any incompatible change of the shape above."""


def iso_time(value: datetime) -> str:
    """ISO 8601 with ``Z`` for UTC, as every machine-readable report writes times."""
    return value.isoformat().replace("+00:00", "Z")


def _asset(asset: Asset) -> dict[str, Any]:
    return {
        "kind": asset.kind.value,
        "platform": asset.platform,
        "handle": asset.handle,
        "id": asset.id,
        "domain": asset.domain,
    }


def _mute(mute: Mute | None, finished_at: datetime) -> dict[str, Any] | None:
    if mute is None:
        return None
    return {
        "reason": mute.reason,
        "owner": mute.owner,
        "expires": iso_time(mute.expires),
        "expires_on": mute.last_day.isoformat(),
        "created_at": iso_time(mute.created_at),
        "active": mute.active(finished_at),
        "ticket": mute.ticket,
        "origin": mute.origin,
    }


def _finding(finding: Finding, finished_at: datetime) -> dict[str, Any]:
    return {
        "check": finding.check_id,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "muted_status": finding.muted_status.value if finding.muted_status else None,
        "asset": _asset(finding.asset),
        "subject": finding.subject,
        "title": finding.title,
        "detail": finding.detail,
        "evidence": {
            "source": finding.evidence.source,
            "observed_at": iso_time(finding.evidence.observed_at),
            "facts": dict(finding.evidence.facts),
        },
        "remediation": finding.remediation,
        "fingerprint": finding.fingerprint,
        "first_seen": iso_time(finding.first_seen),
        "change": finding.change.value,
        "carried": finding.carried,
        "mute": _mute(finding.mute, finished_at),
    }


def _source(report: SourceReport) -> dict[str, Any]:
    return {
        "name": report.name,
        "status": source_state(report).value,
        "observed_at": iso_time(report.observed_at),
        "requests": report.requests,
        "duration_s": round(report.duration_s, 3),
        "problems": [
            {"kind": p.kind, "detail": p.detail, "asset_key": p.asset_key, "scope": p.scope}
            for p in report.problems
        ],
    }


def _summary(counts: RunCounts) -> dict[str, Any]:
    return {
        "counts": {
            "by_status": dict(counts.by_status),
            "by_severity": dict(counts.open_by_severity),
            "not_verified_by_severity": dict(counts.not_verified_by_severity),
        },
        "risk_score": counts.risk_score,
        "risk_formula": FORMULA,
        "assets": counts.assets,
        "new": counts.new,
        "resolved": counts.resolved,
        "regressed": counts.regressed,
    }


def _head(run: AuditRun, counts: RunCounts) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "id": run.id,
            "started_at": iso_time(run.started_at),
            "finished_at": iso_time(run.finished_at),
            "tool_version": run.tool_version,
            "config_digest": run.config_digest,
            "estate": run.estate_name,
            "previous_run_id": run.previous_run_id,
            "checks_run": list(run.checks_run),
            "scope": list(run.scope),
        },
        "summary": _summary(counts),
        "sources": [_source(s) for s in run.sources],
        "assets": [{**_asset(a), "key": a.key} for a in run.assets],
    }


def report_dict(run: AuditRun, counts: RunCounts | None = None) -> dict[str, Any]:
    """The report as plain JSON-ready values."""
    head = _head(run, counts or count_run(run))
    return {**head, "findings": [_finding(f, run.finished_at) for f in run.findings]}


def iter_json(run: AuditRun, counts: RunCounts | None = None) -> Iterator[str]:
    """The report as JSON text in chunks: the run, summary, sources and assets indented, then
    one finding per line, so a large report is never built whole in memory."""
    head = json.dumps(_head(run, counts or count_run(run)), indent=2, ensure_ascii=False)
    yield head[:-2] + ',\n  "findings": ['
    separator = "\n    "
    for finding in run.findings:
        yield separator + json.dumps(
            _finding(finding, run.finished_at), ensure_ascii=False, separators=(",", ":")
        )
        separator = ",\n    "
    yield "\n  ]\n}\n"


def render_json(run: AuditRun, counts: RunCounts | None = None) -> str:
    """The whole report as JSON text."""
    return "".join(iter_json(run, counts))
