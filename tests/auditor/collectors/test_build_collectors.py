"""Tests of ``build_collectors``: one HTTP state (rate-limit budget, cache) for the whole run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.collectors import build_collectors
from auditor.collectors.base import Collector
from auditor.collectors.records import sources as records
from auditor.config.loading import AppConfig, ConfigModel
from auditor.http.client import HttpShared


def _config(tmp_path: Path, budget: float = 3.0) -> AppConfig:
    raw = {
        "organization": {"name": "N", "email_domains": ["n.example"]},
        "accounts": [
            {"platform": "x", "handle": "northwind"},
            {"platform": "github", "handle": "northwind-labs"},
        ],
        "platforms": {"x": {"token": "t"}, "github": {"token": "t"}},
        "network": {"rate_limit_budget_s": budget},
        "storage": {"path": str(tmp_path / "audit.db")},
    }
    return AppConfig(ConfigModel.model_validate(raw), tmp_path / "config.yaml")


def _by_name(collectors: list[Collector]) -> dict[str, Any]:
    return {c.name: c for c in collectors}


def test_two_families_share_one_rate_limit_budget(tmp_path: Path) -> None:
    built = _by_name(build_collectors(_config(tmp_path, budget=3.0)))
    x_shared: HttpShared = built["x"].client.shared  # platforms family
    github_shared: HttpShared = built["github"].client.shared  # JSON-API family
    assert x_shared is github_shared
    # waiting 2 s for X leaves 1 s of the run's 3 s budget: GitHub cannot wait 2 s more
    assert x_shared.budget.take(2.0)
    assert not github_shared.budget.take(2.0)
    assert github_shared.budget.take(1.0)


def test_the_run_wide_cache_lives_beside_an_existing_store(tmp_path: Path) -> None:
    (tmp_path / "audit.db").touch()
    built = _by_name(build_collectors(_config(tmp_path)))
    assert built["x"].client.shared.cache.path == tmp_path / "audit.http-cache.json"
    (tmp_path / "audit.db").unlink()
    built = _by_name(build_collectors(_config(tmp_path)))
    assert built["x"].client.shared.cache.path is None


def test_a_family_build_without_shared_is_called_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []

    def old_style(config: AppConfig) -> list[Collector]:
        seen.append(config)
        return []

    monkeypatch.setattr(records, "build", old_style)
    config = _config(tmp_path)
    build_collectors(config)
    assert seen == [config]

    received: list[HttpShared] = []

    def new_style(config: AppConfig, shared: HttpShared | None = None) -> list[Collector]:
        assert shared is not None
        received.append(shared)
        return []

    monkeypatch.setattr(records, "build", new_style)
    built = _by_name(build_collectors(config))
    assert received == [built["x"].client.shared]
