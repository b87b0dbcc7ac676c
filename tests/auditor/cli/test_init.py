"""``brand-audit init``: a valid, commented config from flags or answers, never overwriting."""

from __future__ import annotations

import argparse
import stat

from auditor.cli.init import init_command
from auditor.config.loading import load_config


def test_flags_write_a_valid_private_config_with_token_references(cli, tmp_path):
    out = tmp_path / "brand.yaml"
    argv = ["init", "--out", str(out), "--name", "Acme", "--domain", "acme.example"]
    code, said, _ = cli(*argv, "--account", "x:@acme,instagram:acme", "--account", "github:acme")
    assert code == 0 and "3 account(s)" in said
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    config = load_config(out, {})
    assert [a.key for a in (s.asset for s in config.estate.accounts)] == [
        "account:x:acme",
        "account:instagram:acme",
        "account:github:acme",
    ]
    refs = {r.variable for r in config.secret_references()}
    assert refs == {"X_BEARER_TOKEN", "META_ACCESS_TOKEN", "GITHUB_TOKEN"}
    assert "# The inventory" in out.read_text()
    code, _, err = cli(*argv)
    assert code == 2 and "--force" in err
    assert cli(*argv, "--force")[0] == 0


def test_bad_answers_are_one_line_errors_naming_the_flag(cli, tmp_path):
    out = tmp_path / "brand.yaml"
    base = ["init", "--out", str(out), "--name", "Acme"]
    code, _, err = cli(*base, "--domain", "acme.example", "--account", "myspace:acme")
    assert code == 2 and "--account" in err and "myspace:acme" in err
    code, _, err = cli(*base, "--domain", "a")
    assert code == 2 and "domains.0.name" in err and str(out) in err
    assert not out.exists()


def test_questions_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["Acme", "acme.example, acme.shop", "x:acme"])
    out = tmp_path / "brand.yaml"
    args = argparse.Namespace(out=str(out), name=None, domain=None, account=None, force=False)
    assert init_command(args, ask=lambda _prompt: next(answers)) == 0
    config = load_config(out, {})
    assert [d.name for d in config.estate.domains] == ["acme.example", "acme.shop"]
