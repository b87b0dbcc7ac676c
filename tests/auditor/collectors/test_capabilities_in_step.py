"""The capability registry and the collectors stay in step: against the sandbox demo world,
every facet a collector states is declared in its capabilities, and every facet it declares
it states, for every item it returns."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.cli.demo import DEMO_CONFIG, DEMO_WORLD, dates_as_of, demo_world, resolve_estate
from auditor.collectors import build_collectors, capability_registry
from auditor.collectors.base import CollectContext, CollectorOutput
from auditor.config.loading import load_config
from auditor.core.evidence import AccountEvidence, DiscoveredAccount, HandleProbe
from auditor.sandbox import start_sandbox


@pytest.fixture(scope="module")
def outputs() -> Iterator[dict[str, CollectorOutput]]:
    world_text = DEMO_WORLD.read_text(encoding="utf-8")
    days = (datetime.now(UTC).date() - dates_as_of(world_text)).days
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(resolve_estate(DEMO_CONFIG, Path(tmp), days))
        with start_sandbox(demo_world(world_text, days, "current")) as sandbox:
            wired = config.with_endpoints(
                sandbox.base_urls, sandbox.whois_server, allow_private=True
            )
            ctx = CollectContext(wired.estate, wired.policy, datetime.now(UTC))
            yield {c.name: c.collect(ctx) for c in build_collectors(wired)}


def test_every_collector_of_the_demo_is_in_the_registry(
    outputs: dict[str, CollectorOutput],
) -> None:
    registry = capability_registry()
    assert {name for name in outputs if registry.of(name) is None} == set()


def test_every_stated_facet_is_declared_and_every_declared_facet_is_stated(
    outputs: dict[str, CollectorOutput],
) -> None:
    registry = capability_registry()
    mismatches: list[str] = []
    for name, output in outputs.items():
        declared = registry.of(name)
        assert declared is not None
        for item in output.items:
            if isinstance(item, DiscoveredAccount):
                continue
            stated = set(item.facets)
            if isinstance(item, AccountEvidence | HandleProbe):
                platform = declared.platform(item.platform)
                assert platform is not None, f"{name} states {item.platform} it does not serve"
                expected = set(platform.provides) | set(platform.not_exposed)
            else:
                expected = set(declared.facets)
            if name == "whois":
                continue  # DomainEvidence facets are the registration collector's (reg13)
            if stated != expected:
                mismatches.append(
                    f"{name} {type(item).__name__}: stated {sorted(stated)} != {sorted(expected)}"
                )
    assert mismatches == []


def test_every_declared_platform_collector_discovers_what_it_says(
    outputs: dict[str, CollectorOutput],
) -> None:
    registry = capability_registry()
    for name, output in outputs.items():
        declared = registry.of(name)
        assert declared is not None
        discovering = {p.platform for p in declared.platforms if p.discovery}
        assert set(output.discovery) <= discovering, name
