"""Shared fixtures for the JSON-API collector tests (GitHub, Mastodon, Bluesky, Google Workspace): configs, contexts, fast HTTP settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.collectors.base import CollectContext
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.evidence import Evidence
from auditor.http.client import HttpShared
from auditor.http.limits import WaitBudget

NOW = datetime.now(UTC).replace(microsecond=0)
TESTDATA = Path(__file__).resolve().parents[3].parent / "shared" / "testdata"


def config_for(
    accounts: list[dict[str, Any]],
    platforms: dict[str, dict[str, Any]],
    *,
    sources: dict[str, Any] | None = None,
) -> AppConfig:
    """A validated config for a Northwind-like estate against local servers."""
    fast = {"timeout_s": 1.0, "retries": 1}
    raw: dict[str, Any] = {
        "organization": {
            "name": "Northwind Outfitters",
            "email_domains": ["northwind.example"],
            "agencies": [{"name": "Brightside Media", "domains": ["brightside.example"]}],
        },
        "accounts": accounts,
        "platforms": {name: {**fast, **values} for name, values in platforms.items()},
        "network": {"allow_private": True, "rate_limit_budget_s": 1.5},
    }
    if sources:
        raw["sources"] = sources
    return AppConfig(ConfigModel.model_validate(raw), Path("/nonexistent/brand-audit.yaml"))


def shared() -> HttpShared:
    """Shared HTTP state with a short wait budget and quick retries."""
    return HttpShared(budget=WaitBudget(1.5), backoff_s=0.01)


def context(config: AppConfig, previous: Evidence | None = None) -> CollectContext:
    """The collect context of a run at NOW."""
    return CollectContext(estate=config.estate, policy=config.policy, now=NOW, previous=previous)


def json_values() -> Any:
    """A hypothesis strategy for arbitrary JSON (hostile payload shapes)."""
    from hypothesis import strategies as st

    leaves = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=20)
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
        ),
        max_leaves=20,
    )


def parsed_or_malformed(parse: Any, payload: Any) -> Any:
    """``parse(payload)``, or None when it raised MalformedResponse (anything else propagates)."""
    from auditor.core.errors import MalformedResponse

    try:
        return parse(payload)
    except MalformedResponse:
        return None
