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

from auditor.core.capabilities import CapabilityRegistry

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


COLLECTOR_CLASSES = (
    "auditor.collectors.records.directory_csv:DirectoryCsvCollector",
    "auditor.collectors.records.google_workspace:GoogleWorkspaceCollector",
    "auditor.collectors.records.sources:VaultCollector",
    "auditor.collectors.records.register_csv:RegisterCsvCollector",
    "auditor.collectors.platforms.x:XCollector",
    "auditor.collectors.platforms.meta:MetaCollector",
    "auditor.collectors.platforms.linkedin:LinkedInCollector",
    "auditor.collectors.platforms.youtube:YouTubeCollector",
    "auditor.collectors.platforms.github:GithubCollector",
    "auditor.collectors.platforms.mastodon:MastodonCollector",
    "auditor.collectors.platforms.bluesky:BlueskyCollector",
    "auditor.collectors.registration.lookup:RegistrationCollector",
    "auditor.collectors.impersonation.lookalikes:LookalikeCollector",
    "auditor.collectors.impersonation.handles:HandleCollector",
)
"""Every collector class, as ``module:Class`` (imported only when the registry is built)."""


def capability_registry() -> CapabilityRegistry:
    """Every collector's declared capabilities, whether or not the config enables it (for
    ``brand-audit checks --coverage``; a run reads its own collectors' declarations)."""
    declared = []
    for entry in COLLECTOR_CLASSES:
        module_name, class_name = entry.split(":")
        collector_class = getattr(importlib.import_module(module_name), class_name)
        declared.append(collector_class.capabilities)
    return CapabilityRegistry(tuple(declared))
