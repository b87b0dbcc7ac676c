"""Handle probes of one full run of each demo estate: requests per platform, against budgets.

Run from the repository root: ``.venv/bin/python bench/handle_probes.py``.

Each demo world (``northwind``, ``clinic``) is served by the sandbox and its config's handle
probes run once, as ``brand-audit demo`` runs them. Printed per platform: the handles looked up,
the requests sent, handles per request (X batches 100, Bluesky 25), and for Mastodon the share
of its 300 requests per 5 minutes the run used (target: far below, at most 25%).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from auditor.cli.demo import DEMO_WORLDS, dates_as_of, demo_world, resolve_estate
from auditor.collectors.base import CollectContext
from auditor.collectors.impersonation.handles import HandleCollector, HttpResolver, probe_clients
from auditor.config.loading import load_config
from auditor.core.evidence import HandleProbe
from auditor.sandbox import start_sandbox

MASTODON_WINDOW_LIMIT = 300
"""Mastodon's default API limit: requests per 5 minutes per account and IP."""


def bench(name: str) -> None:
    """One run of ``name``'s handle probes, printed per platform."""
    source, world_path = DEMO_WORLDS[name]
    text = world_path.read_text(encoding="utf-8")
    days = (datetime.now(UTC).date() - dates_as_of(text)).days
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_sandbox(demo_world(text, days, "current"), faults=[]) as box,
    ):
        config = load_config(resolve_estate(source, Path(tmp), days, source.stem))
        wired = config.with_endpoints(box.base_urls, box.whois_server, allow_private=True)
        resolvers = probe_clients(wired)
        ctx = CollectContext(wired.estate, wired.policy, datetime.now(UTC))
        output = HandleCollector(resolvers).collect(ctx)
    probes = [p for p in output.items if isinstance(p, HandleProbe)]
    print(f"{name}: {len(probes)} handles looked up, {output.report.requests} requests")
    for platform, resolver in sorted(resolvers.items()):
        asked = sum(1 for p in probes if p.platform == platform)
        sent = resolver.requests_made if isinstance(resolver, HttpResolver) else 0
        ratio = asked / sent if sent else 0.0
        line = f"  {platform:9} {asked:4} handles  {sent:4} requests  {ratio:5.1f} handles/request"
        if platform == "mastodon":
            share = sent / MASTODON_WINDOW_LIMIT
            verdict = "ok" if share <= 0.25 else "TOO MANY"
            line += f"  {share:.0%} of 300/5 min ({verdict})"
        print(line)


if __name__ == "__main__":
    for world in DEMO_WORLDS:
        bench(world)
