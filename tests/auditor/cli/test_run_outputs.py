"""``run``'s terminal and CI outputs: ``-o -|FILE`` with ``--format table|markdown|json``,
``--min-severity``, and the one-line errors for ``--out -`` and mixed formats."""

from __future__ import annotations

import json

from engine_fakes import FakeCollector, people, write_config


def test_without_out_a_table_of_open_findings_goes_to_stdout(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(ben="departed", alice="active")]))
    cfg = write_config(tmp_path)
    code, out, err = cli("run", "--config", str(cfg), "--quiet")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("Acme: 1 open (0 critical, 1 high")
    header, row = lines[2], lines[3]
    assert header.split()[:5] == ["SEVERITY", "CHECK", "ASSET", "SUBJECT", "FINGERPRINT"]
    assert row.split()[:2] == ["high", "access.fake-departed"] and "ben@acme.example" in row
    assert "Audit " in err  # the summary goes to stderr when stdout carries the listing
    assert not (tmp_path / "report.json").exists()


def test_markdown_to_a_file_for_a_ci_job_page_with_the_files_under_out(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path)
    summary = tmp_path / "summary.md"
    argv = ["run", "--config", str(cfg), "--out", str(tmp_path / "out"), "--quiet"]
    code, out, _ = cli(*argv, "--format", "markdown", "-o", str(summary))
    assert code == 1
    text = summary.read_text()
    assert text.startswith("# brand-audit: Acme")
    assert "| high | `access.fake-departed` |" in text and "Risk score formula:" in text
    assert (tmp_path / "out" / "report.json").is_file()  # --out keeps its default files
    assert f"Wrote {summary}" in out


def test_json_to_stdout_is_the_report_and_min_severity_filters_the_table(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path)
    code, out, _ = cli("run", "--config", str(cfg), "--format", "json", "-o", "-", "--quiet")
    assert code == 1
    assert json.loads(out)["summary"]["counts"]["by_severity"]["high"] == 1
    code, out, _ = cli("run", "--config", str(cfg), "--min-severity", "critical", "--quiet")
    assert "No open findings at or above critical." in out


def test_out_dash_and_listing_formats_without_o_are_one_line_errors(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(alice="active")]))
    cfg = write_config(tmp_path)
    code, _, err = cli("run", "--config", str(cfg), "--out", "-")
    assert code == 2 and err.count("\n") == 1 and "use -o -" in err
    assert not (tmp_path / "-").exists()
    code, _, err = cli("run", "--config", str(cfg), "--out", str(tmp_path), "--format", "table")
    assert code == 2 and "-o" in err
    code, _, err = cli("run", "--config", str(cfg), "-o", "-", "--format", "html")
    assert code == 2 and "with -o, expected one of table, markdown, json" in err


def test_hostile_text_is_escaped_in_the_markdown(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(**{"<img src=x onerror=alert(1)>|x": "departed"})]))
    cfg = write_config(tmp_path)
    code, out, _ = cli("run", "--config", str(cfg), "--format", "markdown", "-o", "-", "--quiet")
    assert code == 1
    assert "<img" not in out and "&lt;img src=x onerror=alert\\(1\\)&gt;\\|x" in out
