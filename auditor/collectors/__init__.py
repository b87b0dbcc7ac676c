"""Collectors: one per evidence source. ``build_collectors`` is what the composition root calls.

Each family module exposes ``build(config) -> list[Collector]`` and is imported only when called,
so ``brand-audit --help`` never pays for an SDK import. ``build_collectors`` makes ONE
:class:`~auditor.http.client.HttpShared` for the run (one rate-limit wait budget, one conditional-request
cache beside the audit database) and hands it to every family whose ``build`` takes ``shared``:

- ``records.sources``: people directory CSV, vault exports (Bitwarden JSON, 1Password CSV),
  approved-content register CSV.
- ``platforms.collector``: X, Meta (Facebook pages and Instagram), LinkedIn, YouTube (tweepy and
  Graph-style clients).
- ``platforms.json_api``: GitHub, Mastodon, Bluesky and the Google Workspace directory (plain
  JSON APIs).
- ``registration.lookup``: RDAP and WHOIS, lookalike domains, handle probes.
"""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.collectors.base import Collector
    from auditor.config.loading import AppConfig
    from auditor.http.client import HttpShared

FAMILIES = (
    "auditor.collectors.records.sources",
    "auditor.collectors.platforms.collector",
    "auditor.collectors.platforms.json_api",
    "auditor.collectors.registration.lookup",
)
"""The modules whose ``build`` makes a family's collectors, in the order they are listed."""


def build_collectors(config: AppConfig) -> list[Collector]:
    """Every collector the config asks for, all sharing the run's HTTP state."""
    shared = run_shared(config)
    collectors: list[Collector] = []
    for family in FAMILIES:
        module = importlib.import_module(family)
        if "shared" in inspect.signature(module.build).parameters:
            collectors.extend(module.build(config, shared=shared))
        else:
            collectors.extend(module.build(config))
    return collectors


def run_shared(config: AppConfig) -> HttpShared:
    """The run's one HTTP state: the ``network.rate_limit_budget_s`` wait budget for every
    collector, and the conditional-request cache beside the audit database (in memory when
    there is no database yet)."""
    from auditor.collectors.platforms.collector import cache_path
    from auditor.http.client import HttpShared

    return HttpShared.from_network(config.model.network, cache_path=cache_path(config))
