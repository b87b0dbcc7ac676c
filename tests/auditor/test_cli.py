"""The command line: exit codes, one-line errors, the reports it writes, and the small commands.

Collectors and checks are replaced by the engine's fakes (monkeypatched where the CLI builds
them), so these tests exercise the composition root, not the catalog."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from engine_fakes import FakeCollector, people, write_config

from auditor.cli.main import main
from auditor.core.completeness import SourceStatus
from auditor.core.errors import AuthFailed
from auditor.core.evidence import AccountEvidence, AccountState, Profile
from reports.json_report import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[2]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def audit(capsys, tmp_path, *extra: str, config: Path | None = None) -> tuple[int, str, str]:
    cfg = config or write_config(tmp_path)
    out = tmp_path / "out"
    return run_cli(
        capsys,
        "run",
        "--config",
        str(cfg),
        "--out",
        str(out),
        "--format",
        "json,csv",
        "--quiet",
        *extra,
    )


def test_exit_0_when_nothing_fails(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(alice="active")]))
    code, out, err = audit(capsys, tmp_path)
    assert code == 0, err
    assert "0 open" in out


def test_exit_1_when_a_finding_is_at_or_above_fail_on(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    assert audit(capsys, tmp_path)[0] == 1
    assert audit(capsys, tmp_path, "--fail-on", "critical")[0] == 0
    assert audit(capsys, tmp_path, "--fail-on", "none")[0] == 0


def test_exit_3_when_evidence_is_missing_and_nothing_worse(wire, capsys, tmp_path):
    wire(FakeCollector(error=AuthFailed("token rejected", status=401)))
    code, out, _ = audit(capsys, tmp_path)
    assert code == 3
    assert "Evidence gap: directory failed (auth)" in out


def test_exit_2_for_unknown_only_names(wire, capsys, tmp_path):
    code, _, err = audit(capsys, tmp_path, "--only", "access,nope", "--only", "auth.zzz")
    assert code == 2
    assert err.count("\n") == 1
    assert "nope, auth.zzz" in err


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"polcy": {}}, "polcy: unknown field"),
        ({"policy": {"max_full_admins": "three"}}, "policy.max_full_admins: expected"),
        ({"sources": {"vault": {"bitwarden": "missing-vault.json"}}}, "missing-vault.json"),
    ],
)
def test_exit_2_one_line_for_bad_config_or_input(wire, capsys, tmp_path, section, expected):
    code, _, err = audit(capsys, tmp_path, config=write_config(tmp_path, **section))
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_config_file_is_one_line(capsys, tmp_path):
    code, _, err = run_cli(capsys, "validate", "--config", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert err.strip().endswith("nope.yaml: file not found")


def test_usage_error_is_one_line(capsys):
    code, _, err = run_cli(capsys, "run", "--config")
    assert code == 2
    assert err.count("\n") == 1


def test_json_report_has_the_contract_fields(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(ben="departed", alice="active")]))
    audit(capsys, tmp_path, "--format", "json,csv,ocsf")
    assert json.loads((tmp_path / "out" / "findings.ocsf.json").read_text())
    path = tmp_path / "out" / "report.json"
    report = json.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "out" / "report.csv").stat().st_mode) == 0o600
    assert report["schema_version"] == SCHEMA_VERSION
    assert set(report["run"]) >= {
        "id",
        "started_at",
        "finished_at",
        "tool_version",
        "config_digest",
    }
    summary = report["summary"]
    assert summary["counts"]["by_severity"]["high"] == 1
    assert summary["counts"]["by_status"]["fail"] == 1
    assert {"risk_score", "new", "resolved"} <= set(summary)
    assert report["assets"]
    ben = next(f for f in report["findings"] if f["subject"] == "ben@acme.example")
    assert set(ben) >= {
        "check",
        "category",
        "severity",
        "status",
        "asset",
        "subject",
        "title",
        "detail",
        "evidence",
        "remediation",
        "fingerprint",
        "first_seen",
        "change",
        "mute",
    }
    assert set(ben["asset"]) == {"kind", "platform", "handle", "id", "domain"}
    assert set(ben["evidence"]) == {"source", "observed_at", "facts"}
    assert (ben["check"], ben["status"], ben["change"]) == ("access.fake-departed", "fail", "new")
    csv_lines = (tmp_path / "out" / "report.csv").read_text().splitlines()
    assert csv_lines[0].startswith("fingerprint,check,")
    assert len(csv_lines) == 1 + len(report["findings"])


def test_checks_lists_and_explains(wire, capsys):
    code, out, _ = run_cli(capsys, "checks")
    assert code == 0
    assert out.splitlines()[0].split() == [
        "access.fake-departed",
        "high",
        "Fake:",
        "person",
        "not",
        "active",
    ]
    assert len(out.splitlines()) == 2
    code, out, _ = run_cli(capsys, "checks", "explain", "access.fake-departed")
    assert code == 0
    for text in (
        "Fake: person not active",
        "high",
        "Test check.",
        "Remove them.",
        "directory",
        "Fails for every directory person",
    ):
        assert text in out
    assert run_cli(capsys, "checks", "explain", "nope.nope")[0] == 2
    assert run_cli(capsys, "checks", "bogus")[0] == 2


def test_checks_lists_the_real_catalog(capsys):
    from checks import ALL_CHECKS

    code, out, _ = run_cli(capsys, "checks")
    assert code == 0
    assert len(out.splitlines()) == len(ALL_CHECKS)


def test_validate_and_history(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path, profiles={"weekly": {"only": ["access"]}})
    code, out, _ = run_cli(capsys, "validate", "--config", str(cfg))
    assert code == 0
    assert "OK: Acme, 1 account(s), 1 domain(s)" in out
    (tmp_path / "bad").mkdir()
    bad = write_config(tmp_path / "bad", profiles={"weekly": {"only": ["acess"]}})
    code, _, err = run_cli(capsys, "validate", "--config", str(bad))
    assert code == 2
    assert "profiles.weekly.only" in err
    assert "acess" in err
    code, out, _ = run_cli(capsys, "history", "--config", str(cfg))
    assert "no runs yet" in out
    assert not (tmp_path / "audit.db").exists()
    audit(capsys, tmp_path, config=cfg)
    audit(capsys, tmp_path, "--profile", "weekly", config=cfg)
    code, out, _ = run_cli(capsys, "history", "--config", str(cfg))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert " ok " in lines[1]
    assert "0/1/0/0" in lines[1]
    code, out, _ = run_cli(capsys, "history", "--config", str(cfg), "--keep", "1")
    assert code == 0
    assert out.splitlines()[0] == "deleted 1 older run(s) of Acme, kept the latest 1"
    assert len(out.splitlines()) == 3
    assert run_cli(capsys, "history", "--config", str(cfg), "--keep", "0")[0] == 2


def test_profile_selects_checks_and_unknown_profile_is_exit_2(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path, profiles={"cov": {"only": ["coverage"], "fail_on": "low"}})
    audit(capsys, tmp_path, "--profile", "cov", config=cfg)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["run"]["checks_run"] == ["coverage.fake-collection"]
    code, _, err = audit(capsys, tmp_path, "--profile", "nope", config=cfg)
    assert code == 2
    assert "unknown profile 'nope'" in err


def test_mute_then_run_shows_muted(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path)
    assert audit(capsys, tmp_path, config=cfg)[0] == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    fp = next(f["fingerprint"] for f in report["findings"] if f["status"] == "fail")
    future = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    base = ["mute", "--config", str(cfg), "--reason", "contract ends", "--owner", "ciso"]
    assert run_cli(capsys, *base, "zzz", "--expires", future)[0] == 2
    past = (date.today() - timedelta(days=2)).isoformat()
    code, _, err = run_cli(capsys, *base, fp, "--expires", past)
    assert code == 2
    assert "--expires" in err
    assert run_cli(capsys, *base, fp, "--expires", "soon")[0] == 2
    assert run_cli(capsys, "mutes", "--config", str(cfg))[1] == "no mutes recorded\n"
    assert run_cli(capsys, *base, fp, "--expires", future)[0] == 0
    code, out, _ = run_cli(capsys, "mutes", "--config", str(cfg))
    assert code == 0
    row = out.splitlines()[1]
    assert row.startswith(f"active  {future}  access.fake-departed") and fp in row
    assert audit(capsys, tmp_path, config=cfg)[0] == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    muted = next(f for f in report["findings"] if f["fingerprint"] == fp)
    assert muted["status"] == "muted"
    assert muted["muted_status"] == "fail"
    assert muted["mute"]["owner"] == "ciso"
    assert muted["mute"]["active"] is True


def test_ack_records_who_when_why_and_is_listed(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path)
    audit(capsys, tmp_path, config=cfg)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    fp = next(f["fingerprint"] for f in report["findings"] if f["status"] == "fail")
    base = ["ack", "--config", str(cfg), "--reason", "agency added them", "--by", "ciso"]
    assert run_cli(capsys, *base, "zzz")[0] == 2
    code, _, err = run_cli(capsys, "ack", fp, "--config", str(cfg), "--reason", " ", "--by", "x")
    assert code == 2 and "--reason" in err
    code, out, _ = run_cli(capsys, *base, fp)
    assert code == 0 and fp in out
    code, out, _ = run_cli(capsys, "mutes", "--config", str(cfg))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "no mutes recorded"
    assert lines[1].startswith(f"{fp}  acknowledged  ")
    assert lines[1].endswith("  ciso: agency added them")


def test_baseline_accept_stores_the_latest_profiles(wire, capsys, tmp_path):
    from auditor.config.loading import load_config
    from auditor.store.database import Store

    profile = Profile(display_name="Acme", bio="Official account")
    account = AccountEvidence(
        "x", "acme", "x", datetime.now(UTC), AccountState.ACTIVE, account_id="1", profile=profile
    )
    wire(FakeCollector(name="x", items=[account]))
    cfg = write_config(tmp_path)
    base = ["baseline", "accept", "--config", str(cfg), "--reason", "rebrand approved"]
    assert run_cli(capsys, *base)[0] == 2  # no run yet
    audit(capsys, tmp_path, config=cfg)
    assert run_cli(capsys, *base, "--account", "x:other")[0] == 2
    assert run_cli(capsys, *base, "--account", "oops")[0] == 2
    code, out, _ = run_cli(capsys, *base, "--account", "x:ACME", "--by", "ciso")
    assert code == 0
    assert "account:x:acme" in out
    config = load_config(cfg)
    with Store(config.resolve(config.model.storage.path)) as store:
        accepted = store.baselines()["account:x:acme"]
    assert (accepted.profile, accepted.accepted_by, accepted.reason) == (
        profile,
        "ciso",
        "rebrand approved",
    )


def test_help_imports_nothing_heavy():
    code = (
        "import sys, auditor.cli.main\n"
        "heavy = {'pydantic', 'yaml', 'rich', 'requests', 'jinja2', 'checks', 'reports', 'sqlite3'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]"
    helped = subprocess.run(
        [sys.executable, "-m", "auditor", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert helped.returncode == 0
    assert "exit codes" in helped.stdout


def test_prelaunch_and_sandbox_errors_are_one_line(capsys, tmp_path):
    code, _, err = run_cli(capsys, "sandbox", "--world", str(tmp_path / "none.yaml"))
    assert code == 2
    assert "none.yaml: file not found" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"organization": {}}))
    code, _, err = run_cli(
        capsys, "prelaunch", "--name", "Zephyr", "--out", str(tmp_path), "--config", str(bad)
    )
    assert code == 2
    assert err.count("\n") == 1


def test_email_goes_to_the_outbox(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    outbox = tmp_path / "outbox"
    cfg = write_config(
        tmp_path,
        mail={"from": "audit@acme.example", "to": ["ciso@acme.example"], "outbox": str(outbox)},
    )
    code, out, err = audit(capsys, tmp_path, "--email", "--fail-on", "none", config=cfg)
    assert code == 0, err
    (eml,) = outbox.glob("*.eml")
    assert "ciso@acme.example" in eml.read_text()
    assert "Emailed ciso@acme.example by outbox" in out
    no_mail = tmp_path / "nomail"
    no_mail.mkdir()
    code, _, err = audit(capsys, tmp_path, "--email", config=write_config(no_mail))
    assert code == 2
    assert "'mail' section" in err


def test_log_progress_prints_one_line_per_event():
    import io

    from auditor.core.models import SourceProblem, SourceReport
    from auditor.engine.progress import LogProgress, NullProgress, choose_progress

    stream = io.StringIO()
    progress = LogProgress(stream)
    progress.collector_started("x")
    progress.collector_finished(
        SourceReport(
            "x", SourceStatus.FAILED, datetime.now(UTC), (SourceProblem("auth", "401"),), requests=2
        )
    )
    progress.collector_finished(
        SourceReport(
            "meta",
            SourceStatus.PARTIAL,
            datetime.now(UTC),
            (SourceProblem("server", "503"),),
        )
    )
    progress.collector_finished(SourceReport("vault", SourceStatus.COMPLETE, datetime.now(UTC)))
    progress.checks_started(3)
    for check_id in ("a.b", "a.c", "a.d"):
        progress.check_finished(check_id, 1)
    progress.done()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "brand-audit: collecting x",
        "brand-audit: collected x: failed (auth), 2 request(s), 0.0s",
        "brand-audit: collected meta: partial: 1 problem(s) (server), 0 request(s), 0.0s",
        "brand-audit: collected vault: complete, 0 request(s), 0.0s",
        "brand-audit: evaluating 3 check(s)",
        "brand-audit: evaluated 3/3 check(s)",
    ]
    assert isinstance(choose_progress(stream), LogProgress)
    assert isinstance(choose_progress(stream, quiet=True), NullProgress)


def test_rich_progress_shows_collectors_and_checks():
    import io

    from rich.console import Console

    from auditor.core.models import SourceReport
    from auditor.engine.progress import RichProgress

    buffer = io.StringIO()
    progress = RichProgress(Console(file=buffer, force_terminal=True, width=100))
    progress.collector_started("vault")
    progress.collector_finished(SourceReport("vault", SourceStatus.COMPLETE, datetime.now(UTC)))
    progress.checks_started(2)
    progress.check_finished("a.b", 1)
    progress.check_finished("a.c", 0)
    progress.done()
    text = buffer.getvalue()
    assert "vault" in text
    assert "2/2" in text


def test_unwritable_out_is_one_line(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(alice="active")]))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cfg = write_config(tmp_path)
    code, _, err = run_cli(
        capsys,
        "run",
        "--config",
        str(cfg),
        "--out",
        str(blocker / "out"),
        "--format",
        "json",
        "--quiet",
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "--out" in err


def test_config_secrets_never_reach_the_store_or_reports(wire, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_TOKEN", "sekret-token-0123456789")
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path, platforms={"x": {"token": "${BENCH_TOKEN}"}})
    audit(capsys, tmp_path, config=cfg)
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".yaml":
            assert b"sekret-token" not in path.read_bytes(), path.name


def test_corrupt_store_is_one_line_exit_2(wire, capsys, tmp_path):
    wire(FakeCollector(items=[people(alice="active")]))
    cfg = write_config(tmp_path)
    (tmp_path / "audit.db").write_bytes(b"not sqlite at all " * 200)
    for argv in (
        ["history", "--config", str(cfg)],
        ["run", "--config", str(cfg), "--out", str(tmp_path / "o"), "--quiet"],
    ):
        code, _, err = run_cli(capsys, *argv)
        assert code == 2
        assert err.count("\n") == 1
        assert "brand.yaml: storage.path: " in err
        assert "audit.db: cannot open the audit store" in err


def test_failed_delivery_is_one_line_exit_2_after_the_reports(wire, capsys, tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    wire(FakeCollector(items=[people(alice="active")]))
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "timeout_s": 2}
    cfg = write_config(
        tmp_path, mail={"from": "a@acme.example", "to": ["b@acme.example"], "smtp": smtp}
    )
    code, out, err = audit(capsys, tmp_path, "--email", config=cfg)
    assert code == 2
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "Wrote" in out
    assert (tmp_path / "out" / "report.json").is_file()


def test_with_endpoints_points_apis_and_whois_at_the_sandbox(tmp_path, monkeypatch):
    from auditor.config.loading import load_config

    monkeypatch.setenv("X_TOKEN", "secret-x")
    cfg = load_config(
        write_config(
            tmp_path, platforms={"x": {"token": "${X_TOKEN}", "base_url": "https://api.x.com"}}
        )
    )
    moved = cfg.with_endpoints(
        {"x": "http://127.0.0.1:5/x", "github": "http://127.0.0.1:5/github"},
        "127.0.0.1:4343",
        allow_private=True,
    ).with_secrets()
    platforms = moved.model.platforms
    assert platforms["x"].base_url == "http://127.0.0.1:5/x"
    assert (
        platforms["x"].token is not None and platforms["x"].token.get_secret_value() == "secret-x"
    )
    assert platforms["github"].base_url == "http://127.0.0.1:5/github"
    assert moved.model.whois.server == "127.0.0.1:4343"
    assert moved.model.network.allow_private is True
    assert cfg.model.platforms["x"].base_url == "https://api.x.com"
    assert cfg.model.network.allow_private is False
    assert moved.estate == cfg.estate


def test_sandbox_command_serves_the_world_until_interrupted():
    import signal

    world = REPO / "auditor" / "sandbox" / "worlds" / "demo.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "sandbox", "--world", str(world)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while proc.stdout is not None and "Ctrl-C" not in "".join(lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        served = "".join(lines)
        assert "http://127.0.0.1:" in served
        names = {line.split()[0] for line in served.splitlines() if line.strip()}
        assert {"x", "meta", "rdap"} <= names
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert proc.returncode in (0, 130)


def test_error_lines_escape_control_and_invisible_characters(wire, capsys, tmp_path):
    from auditor.cli.arguments import one_line

    assert one_line("a\nb\x00c\u202ed\te") == "a b\\x00c\\u202ed e"
    wire(FakeCollector(items=[people(alice="active")]))
    code, _, err = audit(
        capsys, tmp_path, config=write_config(tmp_path, storage={"path": "a\x00b.db"})
    )
    assert code == 2
    assert "brand.yaml: storage.path: " in err
    assert "\x00" not in err
