"""The runner: collector and check isolation, change tracking, first_seen, mutes, severity,
exit codes. Uses fake in-memory collectors and tiny fake checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from engine_fakes import T0, FakeCollector, config, people, registry

from auditor.core.completeness import SourceStatus
from auditor.core.errors import AuthFailed, InputFileError, UserError
from auditor.core.evidence import PeopleDirectory
from auditor.core.models import Change, Mute, Severity, SourceProblem, Status
from auditor.engine.runner import audit as full_audit
from auditor.engine.runner import exit_code, run_audit
from auditor.store.database import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "audit.db") as opened:
        yield opened


def audit(tmp_path, store, collectors, *, now=T0, crash=False, only=None, **extra):
    return run_audit(
        config(tmp_path, **extra),
        registry=registry(crash=crash),
        collectors=collectors,
        store=store,
        only=only,
        now=now,
    )


def by_subject(run, check_id="access.fake-departed"):
    return {f.subject: f for f in run.findings if f.check_id == check_id}


def test_collection_error_becomes_a_failed_source_and_not_verified(tmp_path, store):
    broken = FakeCollector(error=AuthFailed("token rejected (401)", status=401))
    run = audit(tmp_path, store, [broken])
    (source,) = run.sources
    assert source.status is SourceStatus.FAILED
    assert source.problems == (SourceProblem(kind="auth", detail="token rejected (401)"),)
    coverage = by_subject(run, "coverage.fake-collection")[""]
    assert coverage.status is Status.FAIL
    assert coverage.evidence.facts["kinds"] == "auth"
    (departed,) = by_subject(run).values()
    assert departed.status is Status.NOT_VERIFIED
    assert exit_code(run, Severity.HIGH) == 3


def test_unexpected_collector_exception_is_isolated_as_internal(tmp_path, store):
    healthy = FakeCollector(name="directory", items=[people(alice="active")])
    crashing = FakeCollector(name="x", error=KeyError("boom"))
    run = audit(tmp_path, store, [healthy, crashing])
    reports = {s.name: s for s in run.sources}
    assert reports["directory"].status is SourceStatus.COMPLETE
    assert reports["x"].status is SourceStatus.FAILED
    (problem,) = reports["x"].problems
    assert problem.kind == "internal"
    assert "KeyError" in problem.detail
    assert "boom" not in problem.detail
    assert by_subject(run)["alice@acme.example"].status is Status.PASS


def test_user_error_from_a_collector_stops_the_run_and_is_recorded(tmp_path, store):
    bad_file = FakeCollector(error=InputFileError("file not found", file="vault.json"))
    with pytest.raises(UserError, match=r"vault\.json: file not found"):
        audit(tmp_path, store, [bad_file])
    (failed,) = store.history()
    assert failed.status == "failed"
    assert failed.error == "vault.json: file not found"


def test_check_that_raises_becomes_not_verified_naming_check_and_error(tmp_path, store):
    run = audit(tmp_path, store, [FakeCollector(items=[people(ben="departed")])], crash=True)
    (crashed,) = [f for f in run.findings if f.check_id == "domain.fake-crash"]
    assert crashed.status is Status.NOT_VERIFIED
    assert "domain.fake-crash" in crashed.detail
    assert "ZeroDivisionError" in crashed.detail
    assert crashed.asset.kind.value == "organization"
    assert by_subject(run)["ben@acme.example"].status is Status.FAIL
    assert run.checks_run == (
        "access.fake-departed",
        "coverage.fake-collection",
        "domain.fake-crash",
    )


def test_change_tracking_new_persisting_resolved_and_first_seen(tmp_path, store):
    def directory(d: PeopleDirectory) -> list[FakeCollector]:
        return [FakeCollector(items=[d])]

    run1 = audit(tmp_path, store, directory(people(ben="departed", cara="departed")))
    first = by_subject(run1)
    assert first["ben@acme.example"].change is Change.NEW
    assert first["ben@acme.example"].first_seen == T0

    later = T0 + timedelta(days=1)
    run2 = audit(tmp_path, store, directory(people(ben="departed", cara="departed")), now=later)
    second = by_subject(run2)
    assert second["ben@acme.example"].change is Change.PERSISTING
    assert second["ben@acme.example"].first_seen == T0
    assert second["ben@acme.example"].fingerprint == first["ben@acme.example"].fingerprint
    assert run2.previous_run_id == run1.id

    # ben becomes active (fail -> pass: resolved); cara leaves the directory (vanished: resolved)
    run3 = audit(tmp_path, store, directory(people(ben="active")), now=later + timedelta(days=1))
    third = by_subject(run3)
    assert third["ben@acme.example"].status is Status.PASS
    assert third["ben@acme.example"].change is Change.RESOLVED
    assert third["cara@acme.example"].status is Status.PASS
    assert third["cara@acme.example"].change is Change.RESOLVED
    assert "cara@acme.example is departed" in third["cara@acme.example"].detail

    # ben fails again: new, but first_seen keeps the first time he failed
    run4 = audit(tmp_path, store, directory(people(ben="departed")), now=later + timedelta(days=2))
    fourth = by_subject(run4)
    assert fourth["ben@acme.example"].change is Change.NEW
    assert fourth["ben@acme.example"].first_seen == T0
    assert "cara@acme.example" not in fourth


def test_collection_gap_is_not_counted_as_resolved(tmp_path, store):
    audit(tmp_path, store, [FakeCollector(items=[people(ben="departed")])])
    run = audit(tmp_path, store, [FakeCollector(error=AuthFailed("401"))], now=T0 + timedelta(1))
    assert all(f.change is not Change.RESOLVED for f in run.findings)


def test_collectors_receive_the_previous_evidence(tmp_path, store):
    collector = FakeCollector(items=[people(ben="departed")])
    audit(tmp_path, store, [collector])
    audit(tmp_path, store, [collector], now=T0 + timedelta(days=1))
    assert collector.seen_previous[0] is None
    assert set(collector.seen_previous[1].sources) == {"directory"}
    assert collector.seen_previous[1].people is None  # the stored snapshot keeps no directory


def test_active_mute_mutes_and_expired_mute_reopens(tmp_path, store):
    run1 = audit(tmp_path, store, [FakeCollector(items=[people(ben="departed")])])
    fp = by_subject(run1)["ben@acme.example"].fingerprint
    store.add_mute(Mute(fp, "contractor returns", "ciso", T0 + timedelta(days=2), T0))

    run2 = audit(
        tmp_path, store, [FakeCollector(items=[people(ben="departed")])], now=T0 + timedelta(days=1)
    )
    muted = by_subject(run2)["ben@acme.example"]
    assert muted.status is Status.MUTED
    assert muted.muted_status is Status.FAIL
    assert muted.mute is not None
    assert muted.change is Change.PERSISTING
    assert exit_code(run2, Severity.LOW) == 0

    run3 = audit(
        tmp_path, store, [FakeCollector(items=[people(ben="departed")])], now=T0 + timedelta(days=3)
    )
    reopened = by_subject(run3)["ben@acme.example"]
    assert reopened.status is Status.FAIL
    assert reopened.mute is not None and not reopened.mute.active(T0 + timedelta(days=3))
    assert reopened.change is Change.PERSISTING
    assert exit_code(run3, Severity.HIGH) == 1


def test_policy_severity_override(tmp_path, store):
    run = audit(
        tmp_path,
        store,
        [FakeCollector(items=[people(ben="departed")])],
        policy={"severity": {"access.fake-departed": "critical"}},
    )
    assert by_subject(run)["ben@acme.example"].severity is Severity.CRITICAL
    assert by_subject(run, "coverage.fake-collection")[""].severity is Severity.MEDIUM


def test_only_selects_checks_and_rejects_unknown_names(tmp_path, store):
    run = audit(tmp_path, store, [FakeCollector(items=[people(ben="departed")])], only=["access"])
    assert run.checks_run == ("access.fake-departed",)
    with pytest.raises(UserError, match=r"nope, auth\.zzz"):
        audit(tmp_path, store, [], only=["access", "nope", "auth.zzz"])


def test_exit_codes(tmp_path, store):
    clean = audit(tmp_path, store, [FakeCollector(items=[people(alice="active")])])
    assert exit_code(clean, Severity.HIGH) == 0
    failing = audit(tmp_path, store, [FakeCollector(items=[people(ben="departed")])])
    assert exit_code(failing, Severity.HIGH) == 1
    assert exit_code(failing, Severity.CRITICAL) == 0
    assert exit_code(failing, None) == 0
    gap = replace(
        clean, sources=(replace(clean.sources[0], problems=(SourceProblem("rate_limit", "429"),)),)
    )
    assert exit_code(gap, Severity.HIGH) == 3
    partial = replace(clean, sources=(replace(clean.sources[0], status=SourceStatus.PARTIAL),))
    assert exit_code(partial, Severity.HIGH) == 3  # partial without a problem listed
    assert exit_code(replace(failing, sources=gap.sources), Severity.HIGH) == 1


def test_run_is_persisted_with_evidence(tmp_path, store):
    run = audit(tmp_path, store, [FakeCollector(items=[people(ben="departed")])])
    prior = store.previous_run("Acme")
    assert prior is not None and prior.run.run_id == run.id
    assert set(prior.run.evidence.sources) == {"directory"}
    assert prior.run.evidence.people is None  # minimised: no later run reads the directory
    assert {a.key for a in run.assets} >= {"account:x:acme", "domain:acme.example"}


def test_csv_and_workspace_directories_are_merged_workspace_decides_2sv(tmp_path, store):
    from auditor.core.evidence import Person, PersonStatus

    csv = people(ben="departed", alice="active")
    workspace = PeopleDirectory(
        source="google_workspace",
        observed_at=T0,
        people=(
            Person("ben@acme.example", "Ben", PersonStatus.ACTIVE, two_sv_enrolled=False),
            Person("zoe@acme.example", "Zoe", PersonStatus.ACTIVE),
        ),
    )
    collectors = [
        FakeCollector(items=[csv]),
        FakeCollector(name="google_workspace", items=[workspace]),
    ]
    merged = full_audit(
        config(tmp_path), registry=registry(), collectors=collectors, store=store, now=T0
    ).evidence.people
    assert merged.source == "directory+google_workspace"
    ben = merged.find("ben@acme.example")
    assert (ben.status, ben.two_sv_enrolled) == (PersonStatus.DEPARTED, False)
    assert merged.find("zoe@acme.example") is not None


def test_only_runs_the_collectors_the_selected_checks_need(tmp_path, store):
    directory = FakeCollector(items=[people(ben="departed")])
    platform = FakeCollector(name="x", error=AuthFailed("401"))
    vault = FakeCollector(name="vault")
    run = audit(tmp_path, store, [directory, platform, vault], only=["access"])
    assert [s.name for s in run.sources] == ["directory"]
    assert platform.seen_previous == [] and vault.seen_previous == []
    everything = audit(tmp_path, store, [directory, platform, vault], only=["coverage"])
    assert {s.name for s in everything.sources} == {"directory", "x", "vault"}


def test_a_failed_or_incomplete_source_never_resolves_earlier_fails(tmp_path, store):
    from auditor.collectors import capability_registry
    from auditor.core.evidence import Evidence
    from auditor.core.models import Asset, SourceReport
    from auditor.engine.runner import collection_gaps

    def report(name, ok, *asset_keys):
        problems = tuple(SourceProblem("network", "down", key) for key in asset_keys) or (
            () if ok else (SourceProblem("auth", "401"),)
        )
        return SourceReport(
            name,
            (
                SourceStatus.FAILED
                if not ok
                else SourceStatus.PARTIAL
                if problems
                else SourceStatus.COMPLETE
            ),
            T0,
            problems,
        )

    evidence = Evidence(
        collected_at=T0,
        sources={
            "directory": report("directory", False),
            "meta": report("meta", False),
            "x": report("x", True, "account:x:acme"),
            "vault": report("vault", True),
        },
    )
    specs = registry().specs
    gaps = collection_gaps(evidence, specs, capability_registry())
    assert gaps.checks == {"access.fake-departed"}  # needs the failed directory
    assert gaps.unsure("auth.any", Asset.account("instagram", "acme").key)
    assert gaps.unsure("auth.any", "account:x:acme")
    assert not gaps.unsure("auth.any", "account:x:other")
    assert not gaps.unsure("coverage.fake-collection", "domain:acme.example")


class FakeLookup:
    """A DomainLookup stand-in: ``registered`` names exist, every other name does not."""

    def __init__(self, registered=(), broken=()):
        self.registered = set(registered)
        self.broken = set(broken)
        self.requests = 0
        self.asked = []

    def lookup(self, domain, now):
        from auditor.core.errors import NetworkFailure
        from auditor.core.evidence import DomainEvidence

        self.asked.append(domain)
        self.requests += 1
        if domain in self.broken:
            raise NetworkFailure(f"{domain}: connection refused")
        from auditor.core.completeness import Completeness, Facet

        complete = {Facet.REGISTRATION: Completeness.complete()}
        return DomainEvidence(
            domain, "rdap", now, registered=domain in self.registered, facets=complete
        )


def _linking_account(*links):
    from auditor.core.evidence import AccountEvidence, AccountState, Profile

    return AccountEvidence(
        platform="x",
        handle="acme",
        source="x",
        observed_at=T0,
        state=AccountState.ACTIVE,
        profile=Profile(link=links[0], extra_links=links[1:]),
    )


def _registration(lookup):
    from auditor.collectors.registration.lookup import RegistrationCollector
    from auditor.collectors.registration.public_suffix import PublicSuffixList

    return RegistrationCollector(lookup, PublicSuffixList.bundled())


def test_links_planted_this_run_are_looked_up_before_evaluation(tmp_path, store):
    lookup = FakeLookup(registered={"acme.example"})
    platform = FakeCollector(name="x", items=[_linking_account("https://fresh-link.example/x")])
    audit(tmp_path, store, [platform, _registration(lookup)])  # first run: no previous evidence
    evidence = store.previous_run("Acme").run.evidence
    fresh = evidence.domains["fresh-link.example"]
    assert (fresh.registered, fresh.linked_from) == (False, ("account:x:acme",))
    assert evidence.domains["acme.example"].registered is True
    report = evidence.sources["whois"]
    assert (
        (report.status is not SourceStatus.FAILED)
        and report.requests == 2
        and lookup.asked.count("fresh-link.example") == 1
    )


def test_second_phase_merges_linked_from_and_problems_into_one_report(tmp_path, store):
    lookup = FakeLookup(registered={"acme.example", "kept.example"}, broken={"down.example"})
    links = ("https://kept.example/a", "https://down.example/b")
    platform = FakeCollector(name="x", items=[_linking_account(*links)])
    audit(tmp_path, store, [platform, _registration(lookup)])
    second = FakeCollector(
        name="x", items=[_linking_account("kept.example/c", "down.example", "new.example")]
    )
    run = audit(tmp_path, store, [second, _registration(lookup)], now=T0 + timedelta(days=1))
    evidence = store.previous_run("Acme").run.evidence
    # kept.example: found from the previous run's links (phase one) and this run's (phase two)
    assert evidence.domains["kept.example"].linked_from == ("account:x:acme",)
    assert evidence.domains["new.example"].registered is False  # phase two only
    report = next(s for s in run.sources if s.name == "whois")
    assert [p.asset_key for p in report.problems] == ["domain:down.example"]  # once, not twice
    assert report.status is SourceStatus.PARTIAL


def test_a_failing_second_phase_keeps_the_first_phase_evidence(tmp_path, store):
    lookup = FakeLookup(registered={"acme.example"}, broken={"gone.example"})
    platform = FakeCollector(name="x", items=[_linking_account("gone.example")])
    run = audit(tmp_path, store, [platform, _registration(lookup)])
    report = next(s for s in run.sources if s.name == "whois")
    # phase one was read: partial, not failed
    assert report.status is SourceStatus.PARTIAL and [p.kind for p in report.problems] == [
        "network"
    ]
    assert store.previous_run("Acme").run.evidence.domains["acme.example"].registered is True


def test_a_given_run_id_names_the_stored_run(tmp_path, store):
    run = run_audit(
        config(tmp_path),
        registry=registry(),
        collectors=[FakeCollector(items=[people(ben="departed")])],
        store=store,
        now=T0,
        run_id="20261001T090000Z-f1f1f1",
    )
    assert run.id == "20261001T090000Z-f1f1f1"
    assert store.previous_run("Acme").run.run_id == run.id


def test_collectors_run_in_the_callers_log_context(tmp_path, store):
    from auditor.service.run_log import RunContext, current_run, run_context

    seen = []

    class Recording(FakeCollector):
        def collect(self, ctx):
            seen.append(current_run())
            return super().collect(ctx)

    collectors = [Recording(items=[people(ben="departed")]), Recording(name="vault")]
    with run_context("firing-1", "nightly"):
        audit(tmp_path, store, collectors)
    assert seen == [RunContext("firing-1", "nightly")] * 2
    assert current_run() == RunContext(None, None)


def test_keep_runs_prunes_older_runs_after_each_save(tmp_path, store):
    storage = {"path": "audit.db", "keep_runs": 2}
    ids = [
        audit(tmp_path, store, [FakeCollector()], now=T0 + timedelta(days=n), storage=storage).id
        for n in range(3)
    ]
    assert [r.id for r in store.history("Acme")] == ids[:0:-1]
    unlimited = audit(tmp_path, store, [FakeCollector()], now=T0 + timedelta(days=3))
    assert len(store.history("Acme")) == 3 and store.history("Acme")[0].id == unlimited.id


def test_keep_runs_must_be_at_least_one(tmp_path):
    from auditor.core.errors import ConfigError

    with pytest.raises(ConfigError, match="keep_runs"):
        config(tmp_path, storage={"path": "audit.db", "keep_runs": 0})


def test_collectors_inner_pools_keep_the_log_context(tmp_path, store):
    from auditor.collectors.platforms.collector import concurrently
    from auditor.service.run_log import RunContext, current_run, run_context

    class Recording(FakeLookup):
        def lookup(self, domain, now):
            self.contexts.append(current_run())
            return super().lookup(domain, now)

    lookup = Recording(registered={"acme.example"})
    lookup.contexts = []
    platform = FakeCollector(name="x", items=[_linking_account("a.example", "b.example")])
    with run_context("firing-2", None):
        audit(tmp_path, store, [platform, _registration(lookup)])
        inner = concurrently({"a": current_run, "b": current_run}, workers=2)
    expected = RunContext("firing-2", None)
    assert lookup.contexts == [expected] * 3 and set(inner.values()) == {expected}
