"""Which collectors a run needs, from the checks' facets and the collectors' capabilities."""

from __future__ import annotations

from dataclasses import replace

from auditor.collectors import capability_registry
from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Facet
from auditor.core.models import Severity
from auditor.core.registry import Category, CheckContext, CheckSpec
from auditor.engine.source_needs import relevant_collectors


class Declared(Collector):
    """A collector that only declares the real collector's capabilities for its name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.declared = capability_registry().of(name) or Capabilities(source=name)

    @property  # type: ignore[misc]
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        """The real collector's declaration."""
        return self.declared

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        raise AssertionError("never collected here")


NAMES = ("directory", "vault", "x", "meta", "github", "whois", "lookalikes", "handles")


def _spec(needs: tuple[str, ...], facets: tuple[Facet, ...] = ()) -> CheckSpec:
    def func(ctx: CheckContext) -> list[object]:
        return []

    return CheckSpec(
        id="access.fake",
        title="t",
        category=Category.ACCESS,
        severity=Severity.HIGH,
        rationale="r",
        remediation="m",
        needs=needs,
        func=func,  # type: ignore[arg-type]
        facets=facets,
    )


def _chosen(*specs: CheckSpec) -> list[str]:
    collectors = [Declared(name) for name in NAMES]
    return [c.name for c in relevant_collectors(collectors, specs, only=["access"])]


def test_declared_facets_pick_the_collectors_that_read_them() -> None:
    roles = _spec(("platform", "directory"), (Facet.ROLES, Facet.DIRECTORY))
    assert _chosen(roles) == ["directory", "meta", "github"]  # X exposes no roles
    breach = _spec(("vault", "hibp"), (Facet.BREACH,))
    assert _chosen(breach) == ["vault"]


def test_without_declared_facets_needs_are_read_in_facet_terms() -> None:
    assert _chosen(_spec(("whois",))) == ["whois"]
    assert _chosen(_spec(("platform",))) == ["x", "meta", "github"]
    assert _chosen(_spec(("inventory",))) == []


def test_a_check_about_every_collector_reads_them_all() -> None:
    every = replace(_spec(("collector",)), facets=(Facet.IDENTITY,))
    assert _chosen(every) == list(NAMES)


def test_without_only_every_collector_runs() -> None:
    collectors = [Declared(name) for name in NAMES]
    assert relevant_collectors(collectors, (_spec(("whois",)),), only=None) == collectors
