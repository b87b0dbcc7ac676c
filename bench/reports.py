"""Benchmark of the reports on a large synthetic estate.

10,000 findings (a realistic mix: 45 % pass, 35 % fail, 12 % not verified, 8 % muted) over 500
accounts, then the worst case where none of them passes (nothing is grouped: one row per
result), then that worst case with one platform that exposes nothing (its results are not
verified for one reason, so they group). Prints the time to build the view and render the HTML
report, the HTML size, and the leadership email's size.

Targets: HTML under 3 s and under 5 MB; email under 100 KB.

    .venv/bin/python bench/reports.py [COUNT]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.core.models import AuditRun, Finding, Status
from reports import build_view, render_email, render_html
from tests.reports import factories


def measure(label: str, run: AuditRun) -> None:
    started = time.perf_counter()
    view = build_view(run, factories.history(12))
    built = time.perf_counter()
    html = render_html(view, factories.check_infos())
    rendered = time.perf_counter()
    mail = render_email(view)
    mailed = time.perf_counter()
    size = len(html.encode("utf-8"))
    email_size = len(mail.html.encode("utf-8")) + len(mail.text.encode("utf-8"))
    print(
        f"{label}: {len(run.findings)} findings, {len(view.rows)} table rows | "
        f"view {built - started:.2f} s + html {rendered - built:.2f} s = "
        f"{rendered - started:.2f} s (target < 3 s) | html {size / 1e6:.2f} MB (target < 5 MB) | "
        f"email {email_size / 1e3:.1f} KB in {mailed - rendered:.2f} s (target < 100 KB)"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    mix = factories.large_run(count)
    measure("realistic mix", mix)
    none_pass = [
        replace(f, status=Status.FAIL) if f.status is Status.PASS else f for f in mix.findings
    ]
    measure("worst case (no passes)", factories.make_run(none_pass))
    blind = [_unexposed(f) if f.asset.platform == "youtube" else f for f in none_pass]
    measure("no passes, youtube blind", factories.make_run(blind))


def _unexposed(finding: Finding) -> Finding:
    return replace(
        finding,
        status=Status.NOT_VERIFIED,
        mute=None,
        muted_status=None,
        subject="",
        detail=f"YouTube does not expose who manages {finding.asset.handle}.",
        evidence=replace(finding.evidence, facts={}),
    )


if __name__ == "__main__":
    main()
