"""Collectors: one per evidence source. ``build_collectors`` is what the composition root calls.

Each family module exposes ``build(config) -> list[Collector]`` and is imported only when called,
so ``brand-audit --help`` never pays for an SDK import:

- ``records``: people directory CSV, vault exports (Bitwarden JSON, 1Password CSV), approved-
  content register CSV.
- ``platforms``: X, Meta (Facebook pages and Instagram), LinkedIn, YouTube.
- ``community``: GitHub, Mastodon, Bluesky, Google Workspace directory.
- ``registration``: RDAP and WHOIS, lookalike domains, handle probes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.collectors.base import Collector
    from auditor.config import AppConfig

FAMILIES = ("records", "platforms", "community", "registration")
"""Collector family modules, in the order their collectors are listed."""


def build_collectors(config: AppConfig) -> list[Collector]:
    """Every collector the config asks for."""
    collectors: list[Collector] = []
    for family in FAMILIES:
        module = importlib.import_module(f"auditor.collectors.{family}")
        collectors.extend(module.build(config))
    return collectors
