"""Lookalike domains: generation, ranking, capping, skipping own domains, and the collector."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.collectors.base import CollectContext
from auditor.collectors.impersonation.lookalikes import LookalikeCollector, generate, rank
from auditor.collectors.registration.public_suffix import PublicSuffixList
from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.errors import TimedOut
from auditor.core.estate import DomainSpec, Estate, Organization, Policy
from auditor.core.evidence import DomainEvidence, LookalikeScan, RegistryAnswer

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def psl() -> PublicSuffixList:
    return PublicSuffixList.bundled()


def test_public_suffix_split(psl: PublicSuffixList) -> None:
    assert psl.registrable("shop.northwind.example") == "northwind.example"
    assert psl.registrable("www.bbc.co.uk") == "bbc.co.uk"
    assert psl.registrable("co.uk") is None
    assert psl.split("bankofamerica.com") == ("bankofamerica", "com")


def test_families_are_generated_and_the_cheapest_wins() -> None:
    found = generate("northwind", "example")
    assert found["n0rthwind"] == ("homoglyph-ascii", 0.3)
    assert found["nortwind"][0] == "omission"
    assert found["northwind-support"][0] == "dictionary"
    assert found["=com"][0] == "tld-swap"
    assert "northwind" not in found
    assert {fam for fam, _ in found.values()} >= {
        "homoglyph",
        "insertion",
        "bitsquatting",
        "vowel-swap",
    }


def test_rank_is_closest_first_capped_and_skips_own_domains(psl: PublicSuffixList) -> None:
    own = ("northwind.com", "northwind-outfitters.example")
    chosen, generated = rank("northwind.example", 50, own, psl)
    names = [c.domain for c in chosen]
    assert len(chosen) == 50 < generated
    assert "n0rthwind.example" in names and "northwind-support.example" in names
    assert "northwind.com" not in names and "northwind.example" not in names
    sims = [c.similarity for c in chosen]
    assert sims == sorted(sims, reverse=True) and all(0 < s < 1 for s in sims)
    assert len(set(names)) == len(names)


def test_unicode_candidates_are_idna_encoded(psl: PublicSuffixList) -> None:
    chosen, _ = rank("bank.com", 400, (), psl)
    idn = [c.domain for c in chosen if c.domain.startswith("xn--")]
    assert idn and all(c.domain.isascii() for c in chosen)


class _Registry:
    def __init__(
        self,
        registered: set[str],
        failing: set[str] = frozenset(),  # type: ignore[assignment]
        throttled: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        self.registered = registered
        self.failing = failing
        self.throttled = throttled
        self.calls: list[str] = []

    def lookup(self, domain: str, now: datetime) -> DomainEvidence:
        self.calls.append(domain)
        if domain in self.failing:
            raise TimedOut("slow registry")
        if domain in self.throttled:  # what the lookup returns for a throttled WHOIS reply
            return DomainEvidence(
                domain,
                "whois",
                now,
                registered=None,
                facets={Facet.REGISTRATION: Completeness.unknown("throttled")},
                answer=RegistryAnswer.THROTTLED,
            )
        return DomainEvidence(
            domain,
            "rdap",
            now,
            registered=domain in self.registered,
            registrar="Anon",
            facets={Facet.REGISTRATION: Completeness.complete()},
        )


def _ctx(cap: int = 20) -> CollectContext:
    estate = Estate(
        organization=Organization("Northwind Outfitters", ("northwind.example",)),
        domains=(
            DomainSpec("northwind.example"),
            DomainSpec("northwindshop.example", lookalikes=False),
        ),
    )
    return CollectContext(estate, Policy(lookalike_cap=cap), NOW)


def test_collector_checks_the_capped_candidates_and_reports_failures(psl: PublicSuffixList) -> None:
    registry = _Registry({"n0rthwind.example"}, failing={"northwind.net"})
    output = LookalikeCollector(registry, psl, workers=4).collect(_ctx())
    (scan,) = output.items
    assert isinstance(scan, LookalikeScan) and scan.brand_domain == "northwind.example"
    assert len(scan.candidates) == 20 == len(registry.calls) and scan.generated > 1000
    by_name = {c.domain: c for c in scan.candidates}
    assert by_name["n0rthwind.example"].registered is True
    assert by_name["northwind.net"].registered is None
    assert output.report.status is SourceStatus.PARTIAL
    assert output.report.problems[0].asset_key == "domain:northwind.example"
    assert output.report.problems[0].kind == "timeout"


def test_a_throttled_answer_is_neither_registered_nor_free(psl: PublicSuffixList) -> None:
    registry = _Registry({"n0rthwind.example"}, throttled={"n0rthwind.example", "northwind.net"})
    output = LookalikeCollector(registry, psl, workers=4).collect(_ctx())
    (scan,) = output.items
    by_name = {c.domain: c for c in scan.candidates}
    assert by_name["n0rthwind.example"].registered is None
    assert by_name["northwind.net"].registered is None
    assert [p.kind for p in output.report.problems] == ["rate_limit"]
    assert "2 of 20" in output.report.problems[0].detail
