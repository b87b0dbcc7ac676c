"""domain checks: a fail, a pass and a not_verified result for each."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.core.estate import DomainSpec, Estate, Organization, Policy
from auditor.core.evidence import DomainEvidence, Evidence
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc
from checks import domain

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BRAND = "northwind.example"


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
    )
    return replace(ev, **changes)


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
