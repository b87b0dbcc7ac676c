"""Tests of the coverage checks over hand-built evidence: a fail, a pass and a not_verified each."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.estate import (
    AccountSpec,
    Attestation,
    DomainSpec,
    Estate,
    Organization,
    Policy,
    TwoFactorMethod,
)
from auditor.core.evidence import AccountEvidence, AccountState, Evidence, TwoFactorPolicy
from auditor.core.models import AssetKind, Outcome, SourceProblem, SourceReport, Status
from auditor.core.registry import CheckContext, build_registry
from checks import coverage

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
COMPLETE = Completeness.complete()
ORG = Organization(name="Northwind Outfitters", email_domains=("northwind.example",))
X = AccountSpec(platform="x", handle="northwind", id="1500000000000000001")
META = AccountSpec(platform="meta", handle="northwindoutfitters", id="200000000000001")


def account_ev(platform: str = "x", handle: str = "northwind", **kw: Any) -> AccountEvidence:
    """Account evidence; its identity (and 2FA policy when given) stated complete unless
    ``facets`` says otherwise."""
    kw.setdefault("state", AccountState.ACTIVE)
    facets = {Facet.IDENTITY: COMPLETE}
    if kw.get("two_factor_policy") is not None:
        facets[Facet.TWO_FACTOR_POLICY] = COMPLETE
    facets.update(kw.pop("facets", {}))
    return AccountEvidence(
        platform=platform, handle=handle, source=platform, observed_at=NOW, facets=facets, **kw
    )


def report(name: str, ok: bool = True, *problems: SourceProblem, requests: int = 3) -> SourceReport:
    return SourceReport(
        name=name,
        status=(
            SourceStatus.FAILED
            if not ok
            else SourceStatus.PARTIAL
            if problems
            else SourceStatus.COMPLETE
        ),
        observed_at=NOW,
        problems=problems,
        requests=requests,
    )


def ctx(
    accounts: tuple[AccountSpec, ...] = (),
    *,
    sources: tuple[SourceReport, ...] = (),
    evidence: tuple[AccountEvidence, ...] = (),
    domains: tuple[DomainSpec, ...] = (),
    policy: Policy | None = None,
) -> CheckContext:
    ev = Evidence(
        collected_at=NOW,
        sources={s.name: s for s in sources},
        accounts={f"account:{e.platform}:{e.handle.lower()}": e for e in evidence},
    )
    estate = Estate(organization=ORG, accounts=accounts, domains=domains)
    return CheckContext(evidence=ev, estate=estate, policy=policy or Policy(), now=NOW)


def results(func: Any, context: CheckContext) -> list[Outcome]:
    return list(func(context))


def test_coverage_checks_register_with_catalog_ids() -> None:
    ids = [s.id for s in build_registry(coverage.CHECKS).specs]
    assert ids == [
        "coverage.collection-failed",
        "coverage.permission-missing",
        "coverage.evidence-stale",
    ]


# --- coverage.collection-failed ----------------------------------------------------------


def test_collection_failed_fail_whole_source() -> None:
    problem = SourceProblem("auth", "401 from /2/users/me")
    out = results(coverage.collection_failed, ctx(sources=(report("x", False, problem),)))
    assert len(out) == 1
    assert out[0].status is Status.FAIL
    assert out[0].asset.kind is AssetKind.SOURCE
    assert out[0].subject == ""
    assert "auth: 401 from /2/users/me" in out[0].detail


def test_collection_failed_fail_per_asset_facet_and_breach_gap() -> None:
    problems = (
        SourceProblem("timeout", "timed out", asset_key="account:x:northwind_help"),
        SourceProblem("rate_limit", "429 beyond budget", asset_key="account:x:northwind_help"),
    )
    help_ev = account_ev(
        "x",
        "northwind_help",
        facets={
            Facet.POSTS: Completeness.unknown("timed out"),
            Facet.PROFILE: Completeness.partial("429 beyond budget"),
            Facet.ROLES: Completeness.not_exposed("x"),
        },
    )
    breach = SourceProblem("network", "breach lookup failed: network")
    x_report = SourceReport("x", SourceStatus.PARTIAL, NOW, problems)
    vault_report = SourceReport("vault", SourceStatus.PARTIAL, NOW, (breach,))
    context = ctx(sources=(x_report, vault_report), evidence=(help_ev,))
    out = {(o.asset.handle, o.subject): o for o in results(coverage.collection_failed, context)}
    assert set(out) == {("x", ""), ("x", "account:x:northwind_help"), ("vault", "")}
    per_asset = out[("x", "account:x:northwind_help")].detail
    assert "the recent posts: unknown: timed out" in per_asset
    assert "the profile: partial: 429 beyond budget" in per_asset
    assert "role holders" not in per_asset  # not exposed: a platform limit, not a failure
    assert "breach lookup failed" in out[("vault", "")].detail
    assert "read only in part" in out[("x", "")].detail
    assert all(o.status is Status.FAIL for o in out.values())


def test_collection_failed_partial_status_with_a_source_wide_problem_fails() -> None:
    """A report with ``ok`` True and a source-wide problem was read in part: not a pass."""
    problem = SourceProblem("server", "owned_pages answered 503")
    partial = SourceReport("meta", SourceStatus.PARTIAL, NOW, (problem,))
    (result,) = results(coverage.collection_failed, ctx(sources=(partial,)))
    assert result.status is Status.FAIL
    assert "owned_pages answered 503" in result.detail
    assert result.evidence.facts["source_status"] == "partial"


def test_collection_failed_pass_healthy_source() -> None:
    out = results(coverage.collection_failed, ctx(sources=(report("directory", requests=0),)))
    assert [o.status for o in out] == [Status.PASS]
    assert "read completely" in out[0].detail


def test_collection_failed_not_verified_uncollected_account_and_domain() -> None:
    context = ctx((X,), domains=(DomainSpec("northwind.example"),))
    out = results(coverage.collection_failed, context)
    assert [o.status for o in out] == [Status.NOT_VERIFIED, Status.NOT_VERIFIED]
    assert "platforms.x" in out[0].detail
    assert out[1].asset.domain == "northwind.example"


# --- coverage.permission-missing --------------------------------------------------------


def test_permission_missing_fail_scopes_and_source_problem() -> None:
    ev = account_ev("meta", "northwindoutfitters", missing_scopes=("business_management",))
    problem = SourceProblem(
        "permission",
        "403 on organizationAcls",
        asset_key="account:linkedin:acme",
        scope="rw_organization_admin",
    )
    duplicate = SourceProblem(
        "permission",
        "403",
        asset_key="account:meta:northwindoutfitters",
        scope="business_management",
    )
    context = ctx(
        (META,),
        evidence=(ev,),
        sources=(report("linkedin", True, problem), report("meta", True, duplicate)),
    )
    out = results(coverage.permission_missing, context)
    assert [(o.status, o.subject) for o in out] == [
        (Status.FAIL, "business_management"),
        (Status.FAIL, "rw_organization_admin"),
    ]
    assert "account:linkedin:acme" in out[1].detail


def test_permission_missing_pass_all_scopes() -> None:
    out = results(coverage.permission_missing, ctx((X,), evidence=(account_ev(),)))
    assert [o.status for o in out] == [Status.PASS]


def test_permission_missing_not_verified_unreadable_or_uncollected() -> None:
    unreadable = account_ev(
        state=AccountState.UNKNOWN, facets={Facet.IDENTITY: Completeness.unknown("401")}
    )
    context = ctx((X, META), evidence=(unreadable,))
    out = results(coverage.permission_missing, context)
    assert [o.status for o in out] == [Status.NOT_VERIFIED, Status.NOT_VERIFIED]
    assert out[1].asset.platform == "meta"


# --- coverage.evidence-stale ------------------------------------------------------------


def _attested(on: date) -> AccountSpec:
    return AccountSpec(
        platform="x", handle="northwind_help", two_factor=Attestation(TwoFactorMethod.TOTP, on)
    )


def test_evidence_stale_fail() -> None:
    out = results(coverage.evidence_stale, ctx((_attested(date(2025, 12, 1)),)))
    assert out[0].status is Status.FAIL
    assert out[0].subject == "two_factor"
    assert out[0].evidence.facts["age_days"] == 354


def test_evidence_stale_pass_fresh_and_platform_reported() -> None:
    ev = account_ev(
        "meta",
        "northwindoutfitters",
        two_factor_policy=TwoFactorPolicy("admins", "two_factor_type"),
    )
    context = ctx((_attested(date(2026, 11, 1)), META), evidence=(ev,))
    assert [o.status for o in results(coverage.evidence_stale, context)] == [
        Status.PASS,
        Status.PASS,
    ]


def test_evidence_stale_future_dated_attestation_is_not_fresh() -> None:
    """Today's code counted an attestation dated in the future as fresh."""
    (result,) = results(coverage.evidence_stale, ctx((_attested(date(2027, 3, 1)),)))
    assert result.status is Status.NOT_VERIFIED
    assert "2027-03-01" in result.detail and "future" in result.detail


def test_evidence_stale_platform_policy_read_in_part_needs_an_attestation() -> None:
    ev = account_ev(
        "meta",
        "northwindoutfitters",
        two_factor_policy=TwoFactorPolicy("admins", "two_factor_type"),
        facets={Facet.TWO_FACTOR_POLICY: Completeness.unknown("503")},
    )
    (result,) = results(coverage.evidence_stale, ctx((META,), evidence=(ev,)))
    assert result.status is Status.NOT_VERIFIED


def test_evidence_stale_not_verified_without_attestation() -> None:
    out = results(coverage.evidence_stale, ctx((X,), evidence=(account_ev(),)))
    assert out[0].status is Status.NOT_VERIFIED


def test_collection_failed_fail_whole_source_covers_its_accounts() -> None:
    instagram = AccountSpec(platform="instagram", handle="northwind")
    failed = report("meta", False, SourceProblem("auth", "token expired"))
    out = results(coverage.collection_failed, ctx((META, instagram), sources=(failed,)))
    assert [(o.status, o.asset.key) for o in out] == [(Status.FAIL, "source:meta")]
