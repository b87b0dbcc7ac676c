"""The registration family: RDAP-then-WHOIS lookup with a per-run cache, the domains collected
(brand, allow-listed, linked), the second-phase hook, and build()."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.collectors.base import CollectContext
from auditor.collectors.registration.lookup import (
    DomainLookup,
    RegistrationCollector,
    bootstrap_path,
    build,
    build_lookup,
    link_domains,
)
from auditor.collectors.registration.public_suffix import PublicSuffixList
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.completeness import Completeness, Facet, SourceStatus, facet_status
from auditor.core.errors import ConfigError, NetworkFailure, ServerFailure
from auditor.core.estate import DomainSpec, Estate, Organization, Policy
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    DomainEvidence,
    Evidence,
    Post,
    Profile,
    RegistryAnswer,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class FakeRdap:
    def __init__(self, answers: dict[str, DomainEvidence | Exception | None]) -> None:
        self.answers = answers
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def lookup(self, domain: str, observed_at: datetime) -> DomainEvidence | None:
        with self.lock:
            self.calls.append(domain)
        answer = self.answers.get(
            domain, DomainEvidence(domain, "rdap", observed_at, registered=False, facets=COMPLETE)
        )
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeWhois(FakeRdap):
    def lookup(self, domain: str, observed_at: datetime) -> DomainEvidence:
        found = super().lookup(domain, observed_at)
        assert found is not None
        return found


COMPLETE = {Facet.REGISTRATION: Completeness.complete()}


def registered(name: str, source: str = "rdap") -> DomainEvidence:
    return DomainEvidence(
        name, source, NOW, registered=True, registrar="Example Registrar, Inc.", facets=COMPLETE
    )


def throttled(name: str) -> DomainEvidence:
    return DomainEvidence(
        name,
        "whois",
        NOW,
        registered=None,
        facets={Facet.REGISTRATION: Completeness.unknown("throttled: slow down")},
        answer=RegistryAnswer.THROTTLED,
    )


class Scripted(FakeWhois):
    """Answers each domain from a list, one item per call."""

    def __init__(self, script: dict[str, list[DomainEvidence | Exception]]) -> None:
        super().__init__({})
        self.script = script

    def lookup(self, domain: str, observed_at: datetime) -> DomainEvidence:
        with self.lock:
            self.calls.append(domain)
            answer = self.script[domain].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_throttled_whois_answer_is_retried_once_later() -> None:
    waits: list[float] = []
    whois = Scripted(
        {
            "a.example": [throttled("a.example"), registered("a.example", "whois")],
            "b.example": [throttled("b.example"), throttled("b.example")],
        }
    )
    lookup = DomainLookup(None, whois, retry_delay_s=7, sleep=waits.append)  # type: ignore[arg-type]
    assert lookup.lookup("a.example", NOW).registered is True
    still = lookup.lookup("b.example", NOW)
    assert still.registered is None and still.answer is RegistryAnswer.THROTTLED
    assert waits == [7, 7] and whois.calls == ["a.example", "a.example", "b.example", "b.example"]


def test_a_parser_fault_is_that_domains_unknown_and_every_waiter_resolves() -> None:
    whois = Scripted({"a.sg": [IndexError("python-whois on .sg")]})
    lookup = DomainLookup(None, whois)  # type: ignore[arg-type]
    first = lookup.lookup("a.sg", NOW)
    assert first.registered is None and first.answer is RegistryAnswer.ERROR
    assert "IndexError" in str(facet_status(first, Facet.REGISTRATION).reason)
    assert lookup.lookup("a.sg", NOW) is first  # the second lookup gets the same answer
    assert whois.calls == ["a.sg"]


def test_a_waiter_resolves_even_when_the_owner_dies() -> None:
    class Dying(FakeWhois):
        def lookup(self, domain: str, observed_at: datetime) -> DomainEvidence:
            gate.wait(5)
            raise KeyboardInterrupt

    gate = threading.Event()
    lookup = DomainLookup(None, Dying({}))  # type: ignore[arg-type]
    outcome: list[str] = []

    def owner() -> None:
        try:
            lookup.lookup("a.example", NOW)
        except KeyboardInterrupt:
            outcome.append("owner interrupted")

    def waiter() -> None:
        try:
            lookup.lookup("a.example", NOW)
        except KeyboardInterrupt:
            outcome.append("waiter resolved")

    first = threading.Thread(target=owner)
    first.start()
    while "a.example" not in lookup._cache:  # the owner holds the future
        pass
    second = threading.Thread(target=waiter)
    second.start()
    gate.set()
    first.join(5)
    second.join(5)
    assert sorted(outcome) == ["owner interrupted", "waiter resolved"]


def test_rdap_first_whois_on_failure_or_missing_server() -> None:
    rdap = FakeRdap(
        {"a.example": ServerFailure("503"), "b.example": None, "c.example": registered("c.example")}
    )
    whois = FakeWhois(
        {
            "a.example": registered("a.example", "whois"),
            "b.example": registered("b.example", "whois"),
        }
    )
    lookup = DomainLookup(rdap, whois)  # type: ignore[arg-type]
    assert lookup.lookup("a.example", NOW).source == "whois"
    assert lookup.lookup("b.example", NOW).source == "whois"
    assert lookup.lookup("c.example", NOW).source == "rdap"
    assert whois.calls == ["a.example", "b.example"]


def test_both_failing_raises_the_rdap_error_and_caches_per_run() -> None:
    rdap = FakeRdap({"a.example": ServerFailure("503")})
    whois = FakeWhois({"a.example": NetworkFailure("refused")})
    lookup = DomainLookup(rdap, whois)  # type: ignore[arg-type]
    for _ in range(3):
        with pytest.raises(ServerFailure):
            lookup.lookup("A.example.", NOW)
    assert rdap.calls == ["a.example"]
    with pytest.raises(ServerFailure):
        lookup.lookup("a.example", NOW + timedelta(days=1))  # a new run asks again
    assert len(rdap.calls) == 2


def test_concurrent_lookups_of_one_domain_ask_once() -> None:
    rdap = FakeRdap({})
    lookup = DomainLookup(rdap, None)  # type: ignore[arg-type]
    threads = [threading.Thread(target=lookup.lookup, args=("x.example", NOW)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert rdap.calls == ["x.example"]


def _account(key_handle: str, link: str | None, post_links: tuple[str, ...]) -> AccountEvidence:
    posts = (Post("1", NOW, "see", links=post_links),)
    return AccountEvidence(
        "x", key_handle, "x", NOW, AccountState.ACTIVE, profile=Profile(link=link), posts=posts
    )


def test_link_domains_reduce_hosts_to_registrable_domains() -> None:
    accounts = {
        "account:x:a": _account(
            "a", "https://shop.northwind.example/x", ("http://lapsed.example/p", "10.0.0.1")
        ),
        "account:x:b": _account("b", "lapsed.example", ("not a url ::",)),
    }
    found = link_domains(accounts, PublicSuffixList.bundled())
    assert found == {
        "northwind.example": ("account:x:a",),
        "lapsed.example": ("account:x:a", "account:x:b"),
    }


def _ctx(previous: Evidence | None = None) -> CollectContext:
    estate = Estate(
        organization=Organization("Northwind Outfitters", ("northwind.example",)),
        domains=(DomainSpec("northwind.example"),),
    )
    return CollectContext(
        estate, Policy(allowed_link_domains=("www.brightside.example",)), NOW, previous
    )


def test_collector_covers_brand_allowed_and_previously_linked_domains() -> None:
    previous = Evidence(
        collected_at=NOW, accounts={"account:x:a": _account("a", "https://lapsed.example", ())}
    )
    rdap = FakeRdap(
        {
            "northwind.example": registered("northwind.example"),
            "lapsed.example": NetworkFailure("x"),
        }
    )
    collector = RegistrationCollector(DomainLookup(rdap, None), PublicSuffixList.bundled())  # type: ignore[arg-type]
    output = collector.collect(_ctx(previous))
    by_name = {i.domain: i for i in output.items if isinstance(i, DomainEvidence)}
    assert set(by_name) == {"northwind.example", "brightside.example", "lapsed.example"}
    assert by_name["lapsed.example"].registered is None
    assert by_name["lapsed.example"].linked_from == ("account:x:a",)
    assert output.report.name == "whois" and output.report.status is SourceStatus.PARTIAL
    assert [p.asset_key for p in output.report.problems] == ["domain:lapsed.example"]


def test_second_phase_hook_adds_this_runs_links() -> None:
    rdap = FakeRdap({})
    collector = RegistrationCollector(DomainLookup(rdap, None), PublicSuffixList.bundled())  # type: ignore[arg-type]
    accounts = {"account:x:a": _account("a", None, ("https://northwind-lookbook.example/fall",))}
    output = collector.collect_linked(_ctx(), accounts)
    (item,) = output.items
    assert isinstance(item, DomainEvidence) and item.registered is False
    assert item.linked_from == ("account:x:a",)


def test_everything_failing_raises() -> None:
    rdap = FakeRdap(
        {"northwind.example": NetworkFailure("x"), "brightside.example": NetworkFailure("y")}
    )
    collector = RegistrationCollector(DomainLookup(rdap, None), PublicSuffixList.bundled())  # type: ignore[arg-type]
    with pytest.raises(NetworkFailure):
        collector.collect(_ctx())


def _config(**extra: object) -> AppConfig:
    raw = {
        "organization": {"name": "N", "email_domains": ["n.example"]},
        "domains": [{"name": "n.example"}],
        **extra,
    }
    return AppConfig(ConfigModel.model_validate(raw), Path("brand-audit.yaml"))


def test_build_returns_the_collectors_the_config_asks_for() -> None:
    names = [c.name for c in build(_config(platforms={"github": {}}, brand_handles=["n"]))]
    assert names == ["whois", "lookalikes", "handles"]
    assert [c.name for c in build(_config(domains=[]))] == []
    with pytest.raises(ConfigError, match=r"whois\.server"):
        build(_config(whois={"server": "nohost"}))


def test_build_lookup_prefers_a_refreshed_bootstrap_beside_the_database(tmp_path: Path) -> None:
    config = _config(storage={"path": str(tmp_path / "audit.db")})
    assert bootstrap_path(config) == tmp_path / "rdap_dns.json"
    bundled = build_lookup(config).rdap
    assert (
        bundled is not None
        and bundled.url_for("a.com") == "https://rdap.verisign.com/com/v1/domain/a.com"
    )
    (tmp_path / "rdap_dns.json").write_text(
        json.dumps({"services": [[["com"], ["https://rdap.mirror.example/"]]]})
    )
    refreshed = build_lookup(config).rdap
    assert (
        refreshed is not None
        and refreshed.url_for("a.com") == "https://rdap.mirror.example/domain/a.com"
    )
