"""domain checks: a fail, a pass and a not_verified result for each."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import DomainSpec, Estate, Organization, Policy
from auditor.core.evidence import DomainEvidence, Evidence, RegistryAnswer
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc
from checks import domain

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BRAND = "northwind.example"
COMPLETE = {Facet.REGISTRATION: Completeness.complete()}


def healthy(name: str = BRAND, **changes: Any) -> DomainEvidence:
    ev = DomainEvidence(
        domain=name,
        source="rdap",
        observed_at=NOW,
        registered=True,
        expires_at=NOW + timedelta(days=400),
        created_at=NOW - timedelta(days=4000),
        registrar="Example Registrar, Inc.",
        statuses=("clientDeleteProhibited", "clientTransferProhibited"),
        registrant_org="Northwind Outfitters, Inc.",
        dnssec=True,
        facets=COMPLETE,
        answer=RegistryAnswer.REGISTERED,
    )
    return replace(ev, **changes)


def uncertain(answer: RegistryAnswer, reason: str) -> DomainEvidence:
    """What the collector states for a reply that is not certain."""
    return DomainEvidence(
        BRAND,
        "whois",
        NOW,
        registered=None,
        facets={Facet.REGISTRATION: Completeness.unknown(reason)},
        answer=answer,
    )


def ctx(*evidence: DomainEvidence, policy: Policy | None = None) -> CheckContext:
    estate = Estate(
        organization=Organization("Northwind Outfitters", ("northwind.example",)),
        domains=(DomainSpec(BRAND),),
    )
    bundle = Evidence(collected_at=NOW, domains={e.domain: e for e in evidence})
    chosen = policy or Policy(approved_registrars=("Example Registrar Inc",))
    return CheckContext(evidence=bundle, estate=estate, policy=chosen, now=NOW)


def run(func: CheckFunc, context: CheckContext) -> list[Outcome]:
    return list(func(context))


def one(func: CheckFunc, context: CheckContext) -> Outcome:
    (result,) = run(func, context)
    assert result.asset.key == f"domain:{BRAND}"
    return result


def test_expiring_fail_tiers_by_days_left() -> None:
    for days, severity in (
        (10, Severity.CRITICAL),
        (-3, Severity.CRITICAL),
        (25, Severity.HIGH),
        (50, Severity.MEDIUM),
    ):
        result = one(domain.expiring, ctx(healthy(expires_at=NOW + timedelta(days=days, hours=1))))
        assert result.status is Status.FAIL and result.severity is severity
        assert result.evidence.facts["days_left"] == days
    assert (
        "expired 3 days ago"
        in one(domain.expiring, ctx(healthy(expires_at=NOW - timedelta(days=3)))).detail
    )


def test_expiring_pass_beyond_the_policy_window() -> None:
    result = one(domain.expiring, ctx(healthy(expires_at=NOW + timedelta(days=61))))
    assert result.status is Status.PASS and "2027-01-20" in result.detail
    tight = Policy(domain_expiry_days=90)
    assert (
        one(domain.expiring, ctx(healthy(expires_at=NOW + timedelta(days=61)), policy=tight)).status
        is Status.FAIL
    )


def test_expiring_not_verified_without_data_or_date() -> None:
    assert one(domain.expiring, ctx()).status is Status.NOT_VERIFIED
    assert one(domain.expiring, ctx(healthy(registered=None))).status is Status.NOT_VERIFIED
    assert one(domain.expiring, ctx(healthy(expires_at=None))).status is Status.NOT_VERIFIED
    assert run(domain.expiring, ctx(healthy(registered=False))) == []  # reported as unregistered


def test_unregistered_fail_for_brand_and_linked_domains() -> None:
    lapsed = DomainEvidence(
        "northwind-lookbook.example",
        "rdap",
        NOW,
        registered=False,
        linked_from=("account:x:northwind_deals",),
        facets=COMPLETE,
        answer=RegistryAnswer.AVAILABLE,
    )
    results = run(domain.unregistered, ctx(healthy(registered=False), lapsed))
    assert [r.status for r in results] == [Status.FAIL, Status.FAIL]
    assert "account:x:northwind_deals" in results[1].detail
    assert results[1].asset.key == "domain:northwind-lookbook.example"


def test_unregistered_pass_when_registered() -> None:
    linked = healthy("brightside.example", linked_from=("account:x:northwind",))
    results = run(domain.unregistered, ctx(healthy(), linked))
    assert [r.status for r in results] == [Status.PASS, Status.PASS]


def test_unregistered_not_verified_when_lookup_failed() -> None:
    assert one(domain.unregistered, ctx(healthy(registered=None))).status is Status.NOT_VERIFIED
    assert one(domain.unregistered, ctx()).status is Status.NOT_VERIFIED


def test_transfer_lock_missing_fail() -> None:
    result = one(domain.transfer_lock_missing, ctx(healthy(statuses=("clientDeleteProhibited",))))
    assert result.status is Status.FAIL and "clientDeleteProhibited" in result.detail


def test_transfer_lock_missing_pass() -> None:
    assert one(domain.transfer_lock_missing, ctx(healthy())).status is Status.PASS


def test_transfer_lock_missing_not_verified() -> None:
    assert (
        one(domain.transfer_lock_missing, ctx(healthy(statuses=None))).status is Status.NOT_VERIFIED
    )


def test_registrant_mismatch_fail() -> None:
    result = one(domain.registrant_mismatch, ctx(healthy(registrant_org="Brightside Media")))
    assert result.status is Status.FAIL and "Brightside Media" in result.detail


def test_registrant_mismatch_pass_ignores_legal_suffix_and_case() -> None:
    assert one(domain.registrant_mismatch, ctx(healthy())).status is Status.PASS
    assert domain.org_key("NORTHWIND OUTFITTERS GmbH.") == domain.org_key("Northwind Outfitters")


def test_registrant_mismatch_not_verified_when_redacted() -> None:
    result = one(domain.registrant_mismatch, ctx(healthy(registrant_org=None)))
    assert result.status is Status.NOT_VERIFIED and "redacted" in result.detail


def test_registrar_unapproved_fail() -> None:
    result = one(domain.registrar_unapproved, ctx(healthy(registrar="Cheap Names LLC")))
    assert result.status is Status.FAIL and "Cheap Names LLC" in result.detail


def test_registrar_unapproved_pass() -> None:
    assert one(domain.registrar_unapproved, ctx(healthy())).status is Status.PASS


def test_registrar_unapproved_not_verified_without_a_list_or_a_name() -> None:
    assert (
        one(domain.registrar_unapproved, ctx(healthy(), policy=Policy())).status
        is Status.NOT_VERIFIED
    )
    assert (
        one(domain.registrar_unapproved, ctx(healthy(registrar=None))).status is Status.NOT_VERIFIED
    )


def test_dnssec_off_fail() -> None:
    assert one(domain.dnssec_off, ctx(healthy(dnssec=False))).status is Status.FAIL


def test_dnssec_off_pass() -> None:
    assert one(domain.dnssec_off, ctx(healthy())).status is Status.PASS


def test_dnssec_off_not_verified() -> None:
    assert one(domain.dnssec_off, ctx(healthy(dnssec=None))).status is Status.NOT_VERIFIED


def test_unregistered_never_fails_on_a_throttled_reserved_or_unread_answer() -> None:
    for answer, reason in (
        (RegistryAnswer.THROTTLED, "throttled: CZ.NIC says 'connection limit exceeded'"),
        (RegistryAnswer.RESERVED, "reserved: TWNIC says 'reserved name'"),
        (RegistryAnswer.INVALID, "invalid: TRABIS says 'Invalid input'"),
        (RegistryAnswer.ERROR, "the WHOIS reply could not be read (IndexError)"),
    ):
        result = one(domain.unregistered, ctx(uncertain(answer, reason)))
        assert result.status is Status.NOT_VERIFIED and reason in result.detail


def test_every_domain_check_needs_a_complete_registration_facet() -> None:
    partial = healthy(facets={Facet.REGISTRATION: Completeness.partial("python-whois timed out")})
    unstated = healthy(facets={})
    for check in domain.CHECKS:
        assert Facet.REGISTRATION in check.__check_spec__.facets  # type: ignore[attr-defined]
        for ev in (partial, unstated):
            statuses = {r.status for r in run(check, ctx(ev))}
            assert statuses == {Status.NOT_VERIFIED}, check


def test_registration_hold_fails_in_redemption_pending_delete_or_hold() -> None:
    for status in ("redemptionPeriod", "pendingDelete", "serverHold", "clientHold"):
        held = healthy(statuses=("clientTransferProhibited", status))
        result = one(domain.registration_hold, ctx(held))
        assert result.status is Status.FAIL and result.severity in (None, Severity.CRITICAL)
        assert status in result.detail and result.evidence.facts["held"] == [status]


def test_registration_hold_passes_an_active_registration() -> None:
    assert one(domain.registration_hold, ctx(healthy())).status is Status.PASS
    locked = healthy(statuses=("serverTransferProhibited", "clientUpdateProhibited"))
    assert one(domain.registration_hold, ctx(locked)).status is Status.PASS


def test_registration_hold_not_verified_without_statuses_or_answer() -> None:
    assert one(domain.registration_hold, ctx(healthy(statuses=None))).status is Status.NOT_VERIFIED
    throttled = uncertain(RegistryAnswer.THROTTLED, "throttled")
    assert one(domain.registration_hold, ctx(throttled)).status is Status.NOT_VERIFIED
    assert one(domain.registration_hold, ctx()).status is Status.NOT_VERIFIED


def test_registrar_approved_by_iana_id_where_the_registry_gives_it() -> None:
    by_id = Policy(approved_registrars=("iana:292",))
    markmonitor = healthy(registrar="MarkMonitor Inc.", registrar_iana_id="292")
    assert one(domain.registrar_unapproved, ctx(markmonitor, policy=by_id)).status is Status.PASS
    other = healthy(registrar="MarkMonitor Inc.", registrar_iana_id="146")
    result = one(domain.registrar_unapproved, ctx(other, policy=by_id))
    assert result.status is Status.FAIL
    unnamed = healthy(registrar=None, registrar_iana_id="292")
    assert one(domain.registrar_unapproved, ctx(unnamed, policy=by_id)).status is Status.PASS
