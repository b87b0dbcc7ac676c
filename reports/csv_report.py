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
import io
from datetime import datetime

from auditor.models import AuditRun, Finding

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


def _time(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


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
        _time(f.evidence.observed_at),
        _time(f.first_seen),
        f.remediation,
        mute.owner if mute else "",
        mute.reason if mute else "",
        _time(mute.expires) if mute else "",
    ]
    return [safe_cell(v) for v in values]


def render_csv(run: AuditRun) -> str:
    """The report as CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(f) for f in run.findings)
    return buffer.getvalue()
