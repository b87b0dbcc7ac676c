"""Store-reading commands need no secret; ``validate`` lists every problem and reads secrets
only when asked; and the drift items of issue 15, each pinned by a test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from engine_fakes import FakeCollector, people, write_config

REPO = Path(__file__).resolve().parents[3]
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def secret_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with platform and SMTP secrets, none of them in the environment."""
    for name in ("X_TOKEN", "SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    smtp = {"host": "mail.acme.example", "username": "audit", "password": "${SMTP_PASSWORD}"}
    mail = {"from": "a@acme.example", "to": ["b@acme.example"], "smtp": smtp}
    schedules = [{"name": "nightly", "cron": "0 2 * * *"}]
    return write_config(
        tmp_path, platforms={"x": {"token": "${X_TOKEN}"}}, mail=mail, schedules=schedules
    )


def test_store_reading_commands_need_no_secret(wire, cli, secret_config, monkeypatch):
    monkeypatch.setenv("X_TOKEN", "tok")
    wire(FakeCollector(items=[people(ben="departed")]))
    assert cli("run", "--config", str(secret_config), "--quiet")[0] == 1  # the run needs it
    monkeypatch.delenv("X_TOKEN")
    for argv in (
        ["history"],
        ["mutes"],
        ["status"],
        ["validate"],
        ["schedule", "--list"],
        ["baseline", "accept", "--reason", "r"],
    ):
        code, _, err = cli(*argv, "--config", str(secret_config))
        assert "X_TOKEN" not in err and "SMTP_PASSWORD" not in err, argv
        assert code in (0, 2) and ("environment variable" not in err), argv
    code, _, err = cli("run", "--config", str(secret_config), "--quiet")
    assert code == 2 and "X_TOKEN is not set (platforms.x.token)" in err
    assert "SMTP_PASSWORD" not in err  # not used without --email


def test_validate_lists_references_and_reads_them_only_when_asked(cli, secret_config, monkeypatch):
    code, out, _ = cli("validate", "--config", str(secret_config))
    assert code == 0
    assert "X_TOKEN (platforms.x.token)" in out and "not read (--resolve-secrets" in out
    monkeypatch.setenv("X_TOKEN", "")
    code, out, err = cli("validate", "--config", str(secret_config), "--resolve-secrets")
    assert code == 2 and err.count("\n") == 1
    assert "X_TOKEN is empty (platforms.x.token)" in out
    assert "SMTP_PASSWORD is not set (mail.smtp.password)" in out
    monkeypatch.setenv("X_TOKEN", "tok-SECRET-1")
    monkeypatch.setenv("SMTP_PASSWORD", "pw-SECRET-2")
    code, out, _ = cli("validate", "--config", str(secret_config), "--resolve-secrets")
    assert code == 0 and ": set" in out and "SECRET" not in out


def test_validate_reports_every_problem_one_line_each(cli, tmp_path):
    cfg = write_config(
        tmp_path,
        policy={"max_full_admins": 0, "nonsense": 1},
        profiles={"p": {"only": ["no.such-check"]}},
        schedules=[{"name": "n", "cron": "61 * * * *"}],
    )
    code, out, err = cli("validate", "--config", str(cfg))
    assert code == 2
    assert err.count("\n") == 1 and "(+1 more problem, listed on stdout)" in err
    lines = out.splitlines()
    assert len(lines) == 2, out  # the schema's problems (the rest needs a valid schema)
    assert any("policy.nonsense: unknown field" in line for line in lines)
    assert any("policy.max_full_admins: expected" in line for line in lines)
    cfg = write_config(
        tmp_path,
        profiles={"p": {"only": ["no.such-check"]}},
        schedules=[{"name": "n", "cron": "61 * * * *"}],
    )
    code, out, err = cli("validate", "--config", str(cfg))
    assert code == 2 and err.count("\n") == 1
    assert "profiles.p.only" in out and "schedules" in out and out.count("\n") == 2


def test_history_limit_must_be_positive(cli, tmp_path):
    code, _, err = cli("history", "--config", str(write_config(tmp_path)), "--limit", "-1")
    assert code == 2 and "expected 1 or more, got -1" in err


def test_checks_json_and_explain_without_markup(cli):
    code, out, _ = cli("checks", "--json")
    assert code == 0
    catalog = json.loads(out)
    assert {"id", "category", "severity", "title", "remediation", "facets"} <= set(catalog[0])
    code, out, _ = cli("checks", "explain", "content.scam-pattern")
    assert code == 0
    assert "``" not in out and not re.search(r":(class|func|mod|data):`", out)


def test_demo_help_and_the_readme_agree_on_the_exit_code(cli):
    code, out, _ = cli("demo", "--help")
    assert code == 0
    assert "exits 1" in " ".join(out.split())
    assert "(the command exits 1:" in " ".join(README.split())


def test_the_readme_says_what_only_domain_reads():
    from auditor.cli.run import load_registry
    from auditor.collectors import capability_registry
    from auditor.core.capabilities import Capabilities
    from auditor.engine.runner import select_checks
    from auditor.engine.source_needs import relevant_collectors

    class Named:
        def __init__(self, capabilities: Capabilities) -> None:
            self.capabilities = capabilities
            self.name = capabilities.source

    everything = [Named(c) for c in capability_registry().declared]
    registry = load_registry()

    def reads(only: str) -> set[str]:
        chosen = relevant_collectors(everything, select_checks(registry, [only]), [only])  # type: ignore[arg-type]
        return {c.name for c in chosen}

    assert {"x", "github"} <= reads("domain")  # domain.unregistered reads profile links
    assert reads("domain.expiring") == {"whois"}
    flat = " ".join(README.split())
    assert "`--only domain` never touches" not in flat
    assert "`--only domain.expiring` reads only RDAP/WHOIS" in flat


def test_the_readme_does_not_install_an_unpublished_package():
    assert not re.search(r"pip install brand-auditor\b", README)
