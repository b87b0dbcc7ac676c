"""The leadership email: one screen that leads with change.

New critical and high fails, regressions, resolutions, mutes about to expire and the top five
actions, as tables with inlined CSS (css_inline, remote stylesheets off), no script, no SVG, plus
a plain-text alternative and a subject line carrying the counts. The full HTML report travels as
an attachment (see :mod:`auditor.service.mailer`).
"""

from __future__ import annotations

from dataclasses import dataclass

import css_inline

from reports.environment import make_environment, oneline
from reports.view_types import ReportView

LIST_LIMIT = 5
"""Rows per list in the email (one screen); the rest are counted and left to the report."""


@dataclass(frozen=True)
class RenderedEmail:
    """The email's parts, ready for :mod:`auditor.service.mailer`."""

    subject: str
    """Subject line with the counts (no prefix; the mailer adds the configured one)."""
    text: str
    """Plain-text alternative."""
    html: str
    """HTML body with inlined CSS."""


def subject_line(view: ReportView) -> str:
    """``Northwind: 2 critical, 3 high open; 4 new; 1 regressed; 2 resolved; score 41.2`` (ASCII
    separators, so the header needs no encoded words)."""
    open_sev = view.counts.open_by_severity
    parts = [
        f"{open_sev['critical']} critical, {open_sev['high']} high open",
        f"{view.counts.new} new",
    ]
    if view.counts.regressed:
        parts.append(f"{view.counts.regressed} regressed")
    parts.append(f"{view.counts.resolved} resolved")
    parts.append(f"score {view.counts.risk_score:g}")
    return oneline(f"{view.estate}: " + "; ".join(parts))


def render_email(view: ReportView) -> RenderedEmail:
    """Subject, plain text and inlined HTML for the leadership email."""
    env = make_environment()
    subject = subject_line(view)
    context = {"view": view, "limit": LIST_LIMIT, "subject": subject}
    text = env.get_template("email.txt.j2").render(context)
    raw_html = env.get_template("email.html.j2").render(context)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    return RenderedEmail(subject=subject, text=text + "\n", html=inliner.inline(raw_html))
