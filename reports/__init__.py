"""Reports people read: the HTML report, the leadership email, and OCSF JSON for SIEMs.

The flow is: :func:`build_view` computes one :class:`ReportView` from a finished run (plus the
history of recent runs, the mutes, and optionally the estate and evidence for account cards);
renderers only turn that view into text (the composition root writes it to disk with
:mod:`auditor.core.private_files`, atomically with mode 0600).

Public API::

    view = build_view(run, history, mutes, estate=config.estate, evidence=evidence)
    chunks = iter_html(view, check_infos(registry.specs))   # HTML text, streamed
    mail = render_email(view)          # RenderedEmail(subject, text, html)
    text = render_ocsf(run)
"""

from __future__ import annotations

from auditor.core.scoring import FORMULA, risk_score
from reports.checkinfo import CheckInfo, check_infos
from reports.email import RenderedEmail, render_email
from reports.history import RunCounts, RunSummary, count_run, summarize
from reports.html import iter_html, render_html
from reports.ocsf import ocsf_findings, render_ocsf
from reports.view import build_view
from reports.view_types import ReportView

__all__ = [
    "FORMULA",
    "CheckInfo",
    "RenderedEmail",
    "ReportView",
    "RunCounts",
    "RunSummary",
    "build_view",
    "check_infos",
    "count_run",
    "iter_html",
    "ocsf_findings",
    "render_email",
    "render_html",
    "render_ocsf",
    "risk_score",
    "summarize",
]
