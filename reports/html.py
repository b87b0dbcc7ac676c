"""The HTML report: one self-contained file (inline style and script, inline SVG, no external
resource), readable from ``file://`` offline and printable.

A Content-Security-Policy meta tag allows nothing but the report's own stylesheet and script,
each by its SHA-256 hash, so markup injected through a hostile bio or post could not run even if
it escaped the autoescaping. The findings table works without the script; the script only adds
filters, column sorting and one evidence toggle per row. Without it, a CSS-only checkbox shows
every row's evidence, and printing always shows it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from reports.checkinfo import CheckInfo, reference
from reports.environment import make_environment
from reports.view_types import ReportView

STYLE_FILE = "report.css"
"""The report's stylesheet, a static file next to the templates."""

LIST_LIMIT = 25
"""Rows per change list in the summary; the findings table holds them all."""

SCRIPT_FILE = "report.js"
"""The report's script (filters and sorting), a static file next to the templates."""


def _static(env: Environment, name: str) -> str:
    loader = env.loader
    if loader is None:  # pragma: no cover - make_environment always sets one
        raise RuntimeError("the report environment has no template loader")
    source, _, _ = loader.get_source(env, name)
    return source


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline block: ``'sha256-<base64>'``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(style: str, script: str) -> str:
    """Nothing allowed but the given inline style and script."""
    return (
        "default-src 'none'; "
        f"style-src {csp_hash(style)}; "
        f"script-src {csp_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )


def check_anchors(check_ids: Iterable[str]) -> dict[str, str]:
    """Short HTML ids of the check reference entries (``c0``, ``c1``…): every findings row
    links to one, so they are kept short."""
    return {cid: f"c{i}" for i, cid in enumerate(check_ids)}


def _fallback(view: ReportView) -> dict[str, CheckInfo]:
    known: dict[str, CheckInfo] = {}
    for row in view.rows:
        known.setdefault(
            row.check_id,
            CheckInfo(row.title, "Not documented in this build.", row.remediation, row.category),
        )
    return known


def _context(env: Environment, view: ReportView, checks: Mapping[str, CheckInfo]) -> dict[str, Any]:
    style = _static(env, STYLE_FILE)
    script = _static(env, SCRIPT_FILE)
    refs = dict(reference(view.check_ids, checks, _fallback(view)))
    return dict(
        view=view,
        refs=refs,
        anchors=check_anchors(view.check_ids),
        limit=LIST_LIMIT,
        style=Markup(style),  # noqa: S704 - a static file of this package, not fetched text
        script=Markup(script),  # noqa: S704 - a static file of this package, not fetched text
        csp=content_security_policy(style, script),
    )


def render_html(view: ReportView, checks: Mapping[str, CheckInfo]) -> str:
    """The report as one HTML document."""
    env = make_environment()
    return env.get_template("report.html.j2").render(_context(env, view, checks))


def iter_html(view: ReportView, checks: Mapping[str, CheckInfo] | None = None) -> Iterator[str]:
    """The report as chunks of HTML, for streaming to a file."""
    env = make_environment()
    template = env.get_template("report.html.j2")
    return template.generate(_context(env, view, checks or {}))
