"""``brand-audit doctor`` against the sandbox: identities, scopes, the checks a missing scope
leaves unverified, and exit 1 when a credential is missing or lacks a scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from auditor.cli.main import main
from auditor.config.loading import load_config
from auditor.engine.doctor import examine
from auditor.sandbox import RunningSandbox, start_sandbox

REPO = Path(__file__).resolve().parents[3]
DEMO_WORLD = REPO / "auditor" / "sandbox" / "worlds" / "demo.yaml"


def _world(tmp_path: Path, **changes: dict[str, object]) -> Path:
    world = yaml.safe_load(DEMO_WORLD.read_text(encoding="utf-8"))
    for section, values in changes.items():
        world[section] = {**world.get(section, {}), **values}
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(world), encoding="utf-8")
    return path


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    with start_sandbox(_world(tmp_path, github={"viewer": "member"})) as running:
        yield running


def _config(tmp_path: Path, sandbox: RunningSandbox, platforms: list[str]) -> Path:
    urls = sandbox.base_urls
    data = {
        "organization": {"name": "Northwind", "email_domains": ["northwind.example"]},
        "network": {"allow_private": True},
        "platforms": {
            name: {"token": f"${{{name.upper()}_TOKEN}}", "base_url": urls[name]}
            for name in platforms
        },
    }
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_scopes_identities_and_what_a_missing_scope_costs(tmp_path, sandbox, monkeypatch):
    for name in ("GITHUB", "META", "X"):
        monkeypatch.setenv(f"{name}_TOKEN", "sandbox-token")
    cfg = _config(tmp_path, sandbox, ["github", "meta", "x"])
    found = {c.platform: c for c in examine(load_config(cfg))}
    github = found["github"]
    assert github.scopes == ("read:org",)  # a member's classic token
    assert "auth.member-without-2fa" in github.missing["admin:org"]
    assert "read:org" not in github.missing
    meta = found["meta"]
    assert meta.scopes is not None and "business_management" in meta.scopes
    assert found["x"].identity == "@northwind" and found["x"].scopes is None
    code = main(["doctor", "--config", str(cfg)])
    assert code == 1  # admin:org is missing


def test_an_unset_token_is_missing_and_never_printed(tmp_path, sandbox, monkeypatch, capsys):
    monkeypatch.setenv("X_TOKEN", "tok-SECRET-42")
    monkeypatch.delenv("MASTODON_TOKEN", raising=False)
    cfg = _config(tmp_path, sandbox, ["x", "mastodon"])
    assert main(["doctor", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert "mastodon: MISSING: environment variable MASTODON_TOKEN is not set" in out
    assert "x: token of @northwind" in out and "SECRET" not in out


def test_an_owner_token_with_every_scope_exits_0(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", "sandbox-token")
    with start_sandbox(_world(tmp_path)) as running:
        cfg = _config(tmp_path, running, ["github"])
        assert main(["doctor", "--config", str(cfg)]) == 0
    assert "scopes: admin:org, repo" in capsys.readouterr().out


def test_an_app_only_x_token_is_not_a_missing_credential(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("X_TOKEN", "app-bearer")
    with start_sandbox(_world(tmp_path, x={"me": None})) as running:
        cfg = _config(tmp_path, running, ["x"])
        assert main(["doctor", "--config", str(cfg)]) == 0
    assert "x: token of an app (app-only bearer" in capsys.readouterr().out
