"""Shared helpers for the platform collector tests: a config pointed at a running sandbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.collectors.base import CollectContext, CollectorOutput
from auditor.collectors.platforms import collector as platforms
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.evidence import AccountEvidence, Evidence
from auditor.sandbox import RunningSandbox

NOW = datetime.now(UTC).replace(microsecond=0)
PLATFORM_WORLD = Path(__file__).with_name("platform_world.yaml")
"""A fixed copy of the demo world's x, meta, linkedin and youtube sections."""


def make_config(
    sandbox: RunningSandbox,
    tmp_path: Path,
    accounts: Sequence[Mapping[str, Any]],
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    budget: float = 0.0,
) -> AppConfig:
    """A config for ``accounts`` whose platforms point at ``sandbox`` (no retries, short
    timeouts, no rate-limit waiting unless ``budget``)."""
    names = {"instagram": "meta"}
    wanted = {names.get(a["platform"], a["platform"]) for a in accounts}
    platform_settings = {
        name: {
            "base_url": sandbox.base_urls[name],
            "token": "s3cret-token",
            "retries": 0,
            "timeout_s": 0.5,
            **(settings or {}).get(name, {}),
        }
        for name in wanted
    }
    raw = {
        "organization": {"name": "Northwind Outfitters", "email_domains": ["northwind.example"]},
        "accounts": list(accounts),
        "platforms": platform_settings,
        "network": {"allow_private": True, "rate_limit_budget_s": budget},
        "storage": {"path": str(tmp_path / "audit.db")},
    }
    return AppConfig(ConfigModel.model_validate(raw), tmp_path / "config.yaml")


def collect(
    config: AppConfig, name: str, *, previous: Evidence | None = None, now: datetime = NOW
) -> CollectorOutput:
    """Run the platform collector called ``name``."""
    found = [c for c in platforms.build(config) if c.name == name]
    assert len(found) == 1, f"expected one {name} collector"
    ctx = CollectContext(estate=config.estate, policy=config.policy, now=now, previous=previous)
    return found[0].collect(ctx)


def accounts_of(output: CollectorOutput) -> dict[str, AccountEvidence]:
    """Account evidence by asset key."""
    return {
        f"account:{i.platform}:{i.handle.lower()}": i
        for i in output.items
        if isinstance(i, AccountEvidence)
    }


def as_previous(output: CollectorOutput) -> Evidence:
    """The output as the previous run's evidence."""
    return Evidence(collected_at=NOW, accounts=accounts_of(output))
