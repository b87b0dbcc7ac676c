"""How sources that were partial or failed are shown: never green unless read in full, with
their problems, in the HTML report, the JSON, the email and the CLI summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.cli.run import print_summary
from auditor.core.evidence import Evidence
from auditor.engine.runner import AuditResult
from reports import build_view, render_email, render_html
from reports.history import count_run
from reports.json_report import render_json
from tests.reports import factories as F

# factories.make_run: x complete, youtube ok with a per-asset problem (partial), vault failed


def test_json_sources_carry_status_and_problems() -> None:
    sources = {s["name"]: s for s in json.loads(render_json(F.make_run()))["sources"]}
    assert {n: s["status"] for n, s in sources.items()} == {
        "x": "complete",
        "youtube": "partial",
        "vault": "failed",
    }
    assert sources["youtube"]["problems"][0]["kind"] == "permission"
    assert all("ok" not in s for s in sources.values())


def _source_cells(html: str) -> dict[str, tuple[str, str]]:
    table = html[html.index("<th>Source</th>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="([^"]+)">([^<]+)</td>', table)
    return {name: (css, text) for name, css, text in rows}


def test_html_draws_only_complete_sources_green() -> None:
    cells = _source_cells(render_html(build_view(F.make_run()), F.check_infos()))
    assert cells["x"] == ("st-pass", "read in full")
    assert cells["youtube"] == ("st-not_verified", "partial")
    assert cells["vault"] == ("st-fail", "failed")
    assert list(cells) == ["vault", "youtube", "x"]  # failed first, then partial


def test_email_lists_the_sources_not_read_in_full() -> None:
    mail = render_email(build_view(F.make_run()))
    text = mail.text
    section = text[text.index("EVIDENCE NOT READ IN FULL (2") :]
    section = section[: section.index("TOP ACTIONS")]
    assert "- vault: failed (" in section and "not a Bitwarden export" in section
    assert "- youtube: partial (" in section
    assert "- x:" not in section
    assert "Evidence not read in full (2)" in mail.html


def test_email_says_nothing_about_gaps_when_every_source_is_complete() -> None:
    run = F.make_run()
    complete = F.make_run(sources=run.sources[:1])
    mail = render_email(build_view(complete))
    assert "NOT READ IN FULL" not in mail.text
    assert "not read in full" not in mail.html


def test_cli_summary_names_partial_and_failed_sources(capsys: pytest.CaptureFixture[str]) -> None:
    run = F.make_run()
    print_summary(AuditResult(run, Evidence(F.NOW)), count_run(run), [Path("out/report.html")])
    out = capsys.readouterr().out
    assert "Evidence gap: vault failed (malformed)" in out
    assert "Evidence gap: youtube partial (permission)" in out
    assert "Evidence gap: x" not in out
