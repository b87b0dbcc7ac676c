"""The findings listing for terminals and CI: a plain table (as pip-audit prints one) or a
Markdown summary (for a CI job page such as GitHub's ``$GITHUB_STEP_SUMMARY``).

Both list the open (unmuted) fails at or above a severity, worst first, each with its
fingerprint (what ``brand-audit mute`` takes), after one line of counts and the risk score. The
Markdown summary adds the incidents, the formula, and the sources that could not be read. Every
fetched string is hostile: the table shows it on one line with control characters escaped; the
Markdown escapes what Markdown or HTML would interpret.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditor.core.models import AuditRun, Finding, Severity, Status
from auditor.core.scoring import FORMULA
from reports.history import RunCounts
from reports.incidents import incidents_of
from reports.rows import asset_label
from reports.view_types import Incident


def open_findings(run: AuditRun, min_severity: Severity) -> list[Finding]:
    """Unmuted fails at or above ``min_severity``, worst first, then by check and asset."""
    chosen = [
        f for f in run.findings if f.status is Status.FAIL and f.severity.rank >= min_severity.rank
    ]
    return sorted(chosen, key=lambda f: (-f.severity.rank, f.check_id, f.asset.key, f.subject))


def _plain(text: str, limit: int = 80) -> str:
    """One line, control and invisible characters escaped, cut at ``limit``."""
    flat = " ".join(text.split())
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in flat)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _headline(run: AuditRun, counts: RunCounts) -> str:
    sev = counts.open_by_severity
    return (
        f"{run.estate_name}: {counts.open_total} open ({sev['critical']} critical,"
        f" {sev['high']} high, {sev['medium']} medium, {sev['low']} low),"
        f" {counts.by_status['not_verified']} not verified, {counts.by_status['muted']} muted;"
        f" risk score {counts.risk_score:g}"
    )


def render_table(run: AuditRun, counts: RunCounts, min_severity: Severity) -> str:
    """The open fails at or above ``min_severity`` as aligned columns, after a headline."""
    findings = open_findings(run, min_severity)
    lines = [_plain(_headline(run, counts), 400)]
    if not findings:
        lines.append(f"No open findings at or above {min_severity.value}.")
        return "\n".join(lines) + "\n"
    header = ("SEVERITY", "CHECK", "ASSET", "SUBJECT", "FINGERPRINT", "DETAIL")
    rows = [header] + [
        (
            f.severity.value,
            f.check_id,
            _plain(asset_label(f.asset), 40),
            _plain(f.subject or "-", 40),
            f.fingerprint,
            _plain(f.detail),
        )
        for f in findings
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines.append("")
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
"""Characters Markdown may interpret, escaped with a backslash."""


def md(text: str, limit: int = 160) -> str:
    """Hostile text for a Markdown table cell: one line, HTML and Markdown syntax escaped."""
    flat = _plain(text, limit)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def _incident_lines(incidents: Sequence[Incident]) -> list[str]:
    lines = ["## Incidents", ""]
    for incident in incidents:
        lines.append(
            f"- **{md(incident.what)}** on {md(incident.account)} since {incident.since}:"
            f" {md(incident.first_action, 300)}"
        )
    return [*lines, ""]


def render_markdown(run: AuditRun, counts: RunCounts, min_severity: Severity) -> str:
    """A Markdown summary of the run for a CI job page."""
    lines = [f"# brand-audit: {md(run.estate_name)}", "", md(_headline(run, counts), 400), ""]
    incidents = incidents_of(run)
    if incidents:
        lines += _incident_lines(incidents)
    findings = open_findings(run, min_severity)
    lines += [f"## Open findings at or above {min_severity.value} ({len(findings)})", ""]
    if findings:
        lines += [
            "| severity | check | asset | subject | fingerprint | detail |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {f.severity.value} | `{f.check_id}` | {md(asset_label(f.asset), 60)}"
            f" | {md(f.subject or '-', 60)} | `{f.fingerprint}` | {md(f.detail)} |"
            for f in findings
        ]
    else:
        lines.append("None.")
    gaps = [s for s in run.sources if s.status is not None and s.status.value != "complete"]
    if gaps:
        lines += ["", "## Evidence that could not be read", ""]
        lines += [f"- {md(s.name)}: {s.status.value if s.status else ''}" for s in gaps]
    lines += ["", f"Risk score formula: {md(FORMULA, 600)}", f"Run `{run.id}`.", ""]
    return "\n".join(lines)
