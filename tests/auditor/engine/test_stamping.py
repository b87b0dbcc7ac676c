"""The finding lifecycle (DESIGN.md "Statuses, identity and lifecycle") through the runner and a
real SQLite store: resolved only on a pass or a complete read, open fails carried forward as not
verified with first_seen kept, change events open until accepted or acknowledged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.config.loading import load_config
from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    DiscoveredAccount,
    EvidenceItem,
    PeopleDirectory,
    Person,
)
from auditor.core.evidence import PersonStatus as P
from auditor.core.models import (
    Asset,
    AssetKind,
    AuditRun,
    Change,
    Finding,
    Outcome,
    Severity,
    SourceProblem,
    SourceReport,
    Status,
)
from auditor.core.registry import CheckContext, CheckFunc, build_registry, check, outcome
from auditor.engine.runner import run_audit
from auditor.store.database import Acknowledgement, Store

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
ORG = Asset(kind=AssetKind.ORGANIZATION, handle="acme")


@dataclass
class Source(Collector):
    """Canned items and problems under a report that calls itself ok (as the platform
    collectors did for anything but an auth problem)."""

    name: str = "directory"
    items: Sequence[EvidenceItem] = ()
    problems: tuple[SourceProblem, ...] = ()

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        return CollectorOutput(
            SourceReport(
                self.name,
                SourceStatus.PARTIAL if self.problems else SourceStatus.COMPLETE,
                ctx.now,
                self.problems,
            ),
            tuple(self.items),
        )


def directory(complete: bool = True, **statuses: P) -> PeopleDirectory:
    state = Completeness.complete() if complete else Completeness.partial("page 2 failed")
    return PeopleDirectory(
        source="directory",
        observed_at=T0,
        people=tuple(Person(f"{n}@acme.example", n, s) for n, s in statuses.items()),
        facets={Facet.DIRECTORY: state},
    )


# Scripted checks: a directory person's status says what the check reports about them.
# departed: fail; active: pass; suspended: pass with "accepted"; deleted: not_verified.
_SCRIPT = {P.DEPARTED: Status.FAIL, P.ACTIVE: Status.PASS, P.SUSPENDED: Status.PASS}


def _scripted(ctx: CheckContext) -> Iterable[Outcome]:
    for person in ctx.evidence.people.people if ctx.evidence.people else ():
        status = _SCRIPT.get(person.status, Status.NOT_VERIFIED)
        facts = {"accepted": True} if person.status is P.SUSPENDED else {}
        detail = f"{person.email} is {person.status}."
        yield outcome(ctx, ORG, status, detail, source="directory", subject=person.email, **facts)


def scripted_check(check_id: str) -> CheckFunc:
    """A check reading the directory (``Facet.DIRECTORY``) whose results follow the script."""

    @check(
        id=check_id,
        title=f"Scripted {check_id}",
        severity=Severity.HIGH,
        rationale="Test.",
        remediation="Test.",
        needs=["directory"],
        facets=[Facet.DIRECTORY],
    )
    def scripted(ctx: CheckContext) -> Iterable[Outcome]:
        """Follows the script."""
        return _scripted(ctx)

    return scripted


state_check = scripted_check("access.departed-admin")  # a state: fails while it holds
event_check = scripted_check("access.new-admin")  # a change event: fails when it happens


@check(
    id="ownership.account-uninventoried",
    title="Discovered account",
    severity=Severity.HIGH,
    rationale="Test.",
    remediation="Test.",
    needs=["platform"],
    facets=[Facet.DISCOVERY],
)
def discovered_check(ctx: CheckContext) -> Iterable[Outcome]:
    """Fails for every account the platform lists."""
    for found in ctx.evidence.discovered:
        asset = Asset.account(found.platform, found.handle, found.account_id)
        yield outcome(ctx, asset, Status.FAIL, f"{found.handle} is not inventoried", source="meta")


@check(
    id="auth.2fa-missing",
    title="Account check",
    severity=Severity.HIGH,
    rationale="Test.",
    remediation="Test.",
    needs=["platform"],
)
def account_check(ctx: CheckContext) -> Iterable[Outcome]:
    """One result per directory person, about the meta page of that name (declares no facets,
    as checks did before they declared them)."""
    for person in ctx.evidence.people.people if ctx.evidence.people else ():
        status = _SCRIPT.get(person.status, Status.NOT_VERIFIED)
        asset = Asset.account("meta", person.name)
        yield outcome(ctx, asset, status, f"{person.name}: {person.status}", source="meta")


class Runs:
    """Successive audits of one estate, a day apart, on one store."""

    def __init__(self, folder: Path, store: Store) -> None:
        data = {
            "organization": {"name": "Acme", "email_domains": ["acme.example"]},
            "storage": {"path": "audit.db"},
        }
        path = folder / "brand.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        self.config = load_config(path)
        self.store = store
        self.day = 0
        self.registry = build_registry([state_check, event_check, discovered_check, account_check])

    def __call__(self, *collectors: Collector) -> AuditRun:
        run = run_audit(
            self.config,
            registry=self.registry,
            collectors=list(collectors),
            store=self.store,
            now=T0 + timedelta(days=self.day),
        )
        self.day += 1
        return run


@pytest.fixture
def runs(tmp_path):
    with Store(tmp_path / "audit.db") as store:
        yield Runs(tmp_path, store)


def found(run: AuditRun, check_id: str, subject: str = "ben@acme.example") -> Finding | None:
    matches = [f for f in run.findings if f.check_id == check_id and f.subject == subject]
    assert len(matches) <= 1
    return matches[0] if matches else None


def test_discovered_account_fail_stays_open_when_every_api_fails(runs):
    rogue = DiscoveredAccount("meta", "acme-rogue", "777", "meta owned_pages", T0)
    meta = Source(name="meta", items=[rogue])
    first = found(runs(meta), "ownership.account-uninventoried", "")
    assert first is not None and first.status is Status.FAIL

    down = SourceProblem("network", "meta: ConnectionError on /me/businesses")
    later = found(
        runs(Source(name="meta", problems=(down,))), "ownership.account-uninventoried", ""
    )
    assert later is not None
    assert later.status is Status.NOT_VERIFIED  # was "resolved" before the lifecycle fix
    assert later.change is Change.PERSISTING and later.carried
    assert later.first_seen == first.first_seen == T0
    assert "acme-rogue is not inventoried" in later.detail

    again = found(
        runs(Source(name="meta", problems=(down,))), "ownership.account-uninventoried", ""
    )
    assert again is not None and again.status is Status.NOT_VERIFIED
    assert again.first_seen == T0
    assert again.detail.count("acme-rogue is not inventoried") == 1


def test_discovered_account_resolves_once_discovery_is_read_in_full(runs):
    rogue = DiscoveredAccount("meta", "acme-rogue", "777", "meta owned_pages", T0)
    runs(Source(name="meta", items=[rogue]))
    run = runs(Source(name="meta", items=[rogue]))  # still listed: persisting
    assert found(run, "ownership.account-uninventoried", "").change is Change.PERSISTING
    # Listed no more, but discovery's completeness was never stated: not a fix
    run = runs(Source(name="meta"))
    assert found(run, "ownership.account-uninventoried", "").status is Status.NOT_VERIFIED


def test_a_fail_that_becomes_unreadable_stays_open_then_resolves_on_a_pass(runs):
    first = found(runs(Source(items=[directory(ben=P.DEPARTED)])), "access.departed-admin")
    assert first.status is Status.FAIL and first.change is Change.NEW

    unread = found(runs(Source(items=[directory(ben=P.DELETED)])), "access.departed-admin")
    assert unread.status is Status.NOT_VERIFIED and unread.carried
    assert unread.change is Change.PERSISTING and unread.first_seen == T0
    assert "It failed on 2026-10-01" in unread.detail

    still = found(runs(Source(items=[directory(ben=P.DELETED)])), "access.departed-admin")
    assert still.status is Status.NOT_VERIFIED and still.carried and still.first_seen == T0

    again = found(runs(Source(items=[directory(ben=P.DEPARTED)])), "access.departed-admin")
    assert again.status is Status.FAIL and again.change is Change.PERSISTING
    assert again.first_seen == T0 and not again.carried

    fixed = found(runs(Source(items=[directory(ben=P.ACTIVE)])), "access.departed-admin")
    assert fixed.status is Status.PASS and fixed.change is Change.RESOLVED


def test_a_vanished_subject_resolves_only_on_a_complete_read(runs):
    runs(Source(items=[directory(ben=P.DEPARTED)]))
    partial = found(runs(Source(items=[directory(False, ann=P.ACTIVE)])), "access.departed-admin")
    assert partial.status is Status.NOT_VERIFIED and partial.carried
    assert partial.first_seen == T0
    gone = found(runs(Source(items=[directory(ann=P.ACTIVE)])), "access.departed-admin")
    assert gone.status is Status.PASS and gone.change is Change.RESOLVED


def test_a_source_that_failed_keeps_the_fail_open(runs):
    runs(Source(items=[directory(ben=P.DEPARTED)]))
    down = SourceProblem("server", "directory: HTTP 503")
    run = runs(Source(problems=(down,)))
    carried = found(run, "access.departed-admin")
    assert carried.status is Status.NOT_VERIFIED and carried.first_seen == T0
    assert all(f.change is not Change.RESOLVED for f in run.findings)


def test_change_event_stays_open_through_a_plain_pass_and_absence(runs):
    first = found(runs(Source(items=[directory(ben=P.DEPARTED)])), "access.new-admin")
    assert first.status is Status.FAIL

    # the next run compares with the previous one: "no change", a pass that accepts nothing
    plain = found(runs(Source(items=[directory(ben=P.ACTIVE)])), "access.new-admin")
    assert plain.status is Status.FAIL and plain.carried
    assert plain.change is Change.PERSISTING and plain.first_seen == T0
    assert "ben@acme.example is departed." in plain.detail

    absent = found(runs(Source(items=[directory(ann=P.ACTIVE)])), "access.new-admin")
    assert absent.status is Status.FAIL and absent.first_seen == T0
    assert absent.detail.count("ben@acme.example is departed.") == 1

    unread = found(runs(Source(items=[directory(ben=P.DELETED)])), "access.new-admin")
    assert unread.status is Status.FAIL and unread.carried


def test_change_event_closes_when_the_condition_is_accepted(runs):
    runs(Source(items=[directory(ben=P.DEPARTED)]))
    accepted = found(runs(Source(items=[directory(ben=P.SUSPENDED)])), "access.new-admin")
    assert accepted.status is Status.PASS and accepted.change is Change.RESOLVED
    later = found(runs(Source(items=[directory(ben=P.ACTIVE)])), "access.new-admin")
    assert later.status is Status.PASS and not later.carried


def test_acknowledged_change_event_closes_and_a_later_one_is_new(runs):
    runs(Source(items=[directory(ben=P.DEPARTED)]))
    open_ = found(runs(Source(items=[directory(ann=P.ACTIVE)])), "access.new-admin")
    assert open_.status is Status.FAIL
    ack_at = T0 + timedelta(days=1, hours=1)
    runs.store.acknowledge(
        Acknowledgement(open_.fingerprint, "added by the agency", "ciso", ack_at)
    )
    assert runs.store.acknowledgements()[open_.fingerprint].by == "ciso"

    closed = runs(Source(items=[directory(ann=P.ACTIVE)]))
    assert found(closed, "access.new-admin") is None

    recurs = found(runs(Source(items=[directory(ben=P.DEPARTED)])), "access.new-admin")
    assert recurs.status is Status.FAIL and recurs.first_seen > ack_at
    stays = found(runs(Source(items=[directory(ann=P.ACTIVE)])), "access.new-admin")
    assert stays.status is Status.FAIL and stays.first_seen == recurs.first_seen


def test_a_pass_on_evidence_not_read_in_full_does_not_resolve(runs):
    runs(Source(items=[directory(ben=P.DEPARTED)]))
    # a check that passes although the directory it reads is partial (a check-side bug)
    early = found(runs(Source(items=[directory(False, ben=P.ACTIVE)])), "access.departed-admin")
    assert early.status is Status.NOT_VERIFIED and early.carried
    assert early.change is Change.PERSISTING and early.first_seen == T0
    assert "ben@acme.example is departed." in early.detail
    fixed = found(runs(Source(items=[directory(ben=P.ACTIVE)])), "access.departed-admin")
    assert fixed.status is Status.PASS and fixed.change is Change.RESOLVED


def test_a_source_wide_problem_on_a_source_called_ok_keeps_its_accounts_open(runs):
    people = Source(items=[directory(page=P.DEPARTED)])
    first = found(runs(people, Source(name="meta")), "auth.2fa-missing", "")
    assert first.status is Status.FAIL
    listing = SourceProblem("server", "meta: HTTP 503 from /v21.0/1/owned_pages")
    page = AccountEvidence("meta", "page", "meta", T0, AccountState.UNKNOWN)  # in view
    fallback = Source(items=[directory(page=P.ACTIVE)])  # the check passes on a fallback
    meta = Source(name="meta", items=[page], problems=(listing,))
    later = found(runs(fallback, meta), "auth.2fa-missing", "")
    assert later.status is Status.NOT_VERIFIED and later.carried and later.first_seen == T0
