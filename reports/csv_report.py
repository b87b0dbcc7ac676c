"""The CSV report (``report.csv``): one row per finding, for spreadsheets and ticket imports.

Columns: ``fingerprint``, ``check``, ``category``, ``severity``, ``status``, ``muted_status``,
``change``, ``asset_kind``, ``platform``, ``handle``, ``asset_id``, ``domain``, ``subject``,
``title``, ``detail``, ``source``, ``observed_at``, ``first_seen``, ``remediation``,
``mute_owner``, ``mute_reason``, ``mute_expires``.

Fetched text is hostile: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is prefixed with ``'`` so a spreadsheet never evaluates it as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from auditor.core.models import AuditRun, Finding
from reports.json_report import iso_time

COLUMNS = (
    "fingerprint",
    "check",
    "category",
    "severity",
    "status",
    "muted_status",
    "change",
    "asset_kind",
    "platform",
    "handle",
    "asset_id",
    "domain",
    "subject",
    "title",
    "detail",
    "source",
    "observed_at",
    "first_seen",
    "remediation",
    "mute_owner",
    "mute_reason",
    "mute_expires",
)
"""Column order."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | None) -> str:
    """The cell text, defused when a spreadsheet would read it as a formula."""
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(f: Finding) -> list[str]:
    mute = f.mute
    values = [
        f.fingerprint,
        f.check_id,
        f.category.value,
        f.severity.value,
        f.status.value,
        f.muted_status.value if f.muted_status else "",
        f.change.value,
        f.asset.kind.value,
        f.asset.platform,
        f.asset.handle,
        f.asset.id,
        f.asset.domain,
        f.subject,
        f.title,
        f.detail,
        f.evidence.source,
        iso_time(f.evidence.observed_at),
        iso_time(f.first_seen),
        f.remediation,
        mute.owner if mute else "",
        mute.reason if mute else "",
        iso_time(mute.expires) if mute else "",
    ]
    return [safe_cell(v) for v in values]


class _Line:
    """A file-like sink for :mod:`csv` that keeps only the last row written."""

    text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def iter_csv(run: AuditRun) -> Iterator[str]:
    """The report as CSV text, one line per chunk (header first)."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield line.text
    for finding in run.findings:
        writer.writerow(_row(finding))
        yield line.text


def render_csv(run: AuditRun) -> str:
    """The whole report as CSV text with a header row."""
    return "".join(iter_csv(run))
