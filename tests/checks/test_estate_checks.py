"""Checks over the estate of issue 14: the minimum of full admins, weak second factors the
platform reports, who holds a credential (vault readers, inventory holders, the registration
mailbox's owner), legal names, and the credential that would verify a token owner."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from factories import (
    NOW,
    ORG,
    account_evidence,
    account_spec,
    directory,
    make_ctx,
    only,
    person,
    role,
    run,
    vault,
    vault_item,
    with_policy,
)

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import DomainSpec, Estate
from auditor.core.evidence import DomainEvidence, LookalikeDomain, LookalikeScan, PersonStatus
from auditor.core.models import Status
from checks.access.holders import single_admin
from checks.auth.passwords import password_not_rotated_after_departure
from checks.auth.two_factor import two_factor_weak_method
from checks.domain import registrant_mismatch
from checks.impersonation import lookalike_domain
from checks.ownership.platform import identity_mismatch

ALICE, BEN, CARLA = (f"{n}@northwind.example" for n in ("alice.ng", "ben.ortiz", "carla.diaz"))


def _admins(*emails: str):  # type: ignore[no-untyped-def]
    return account_evidence("meta", "northwind", roles=tuple(role(e, email=e) for e in emails))


# --- access.single-admin with policy.min_full_admins ------------------------------------------


def test_single_admin_fails_below_the_policy_minimum() -> None:
    ctx = make_ctx(
        accounts=(account_spec("meta", "northwind"),),
        account_evidence=(_admins(ALICE, CARLA),),
        policy=with_policy(min_full_admins=3),
    )
    result = only(run(single_admin, ctx))
    assert result.status is Status.FAIL
    assert "fewer than the policy's minimum of 3" in result.detail


def test_single_admin_passes_at_the_policy_minimum() -> None:
    ctx = make_ctx(
        accounts=(account_spec("meta", "northwind"),),
        account_evidence=(_admins(ALICE, CARLA, BEN),),
        policy=with_policy(min_full_admins=3),
    )
    assert only(run(single_admin, ctx)).status is Status.PASS


def test_single_admin_without_a_visible_admin_is_not_verified_whatever_the_minimum() -> None:
    ev = account_evidence("meta", "northwind", roles=(role("1", email=ALICE, full_admin=False),))
    ctx = make_ctx(
        accounts=(account_spec("meta", "northwind"),),
        account_evidence=(ev,),
        policy=with_policy(min_full_admins=3),
    )
    assert only(run(single_admin, ctx)).status is Status.NOT_VERIFIED


# --- auth.2fa-weak-method: role holders on SMS (GitHub 2fa_insecure) -------------------------


def test_a_role_holder_on_sms_fails_weak_method_on_the_org() -> None:
    ev = account_evidence(
        "github",
        "northwind-labs",
        roles=(
            role("dev", email="dev@northwind.example", two_factor=True, two_factor_method="sms"),
            role("al", email=ALICE, two_factor=True),
        ),
    )
    ctx = make_ctx(accounts=(account_spec("github", "northwind-labs"),), account_evidence=(ev,))
    outcomes = run(two_factor_weak_method, ctx)
    weak = only(outcomes, subject="dev@northwind.example")
    assert weak.status is Status.FAIL and "sms" in weak.detail
    assert ALICE not in {o.subject for o in outcomes}


def test_pending_and_system_holders_on_sms_are_not_judged() -> None:
    holders = (
        role("p", email="p@northwind.example", two_factor_method="sms", pending=True),
        role("s", name="bot", two_factor_method="sms", is_system=True),
    )
    ev = account_evidence("github", "northwind-labs", roles=holders)
    ctx = make_ctx(accounts=(account_spec("github", "northwind-labs"),), account_evidence=(ev,))
    assert [o.subject for o in run(two_factor_weak_method, ctx) if o.status is Status.FAIL] == []


# --- auth.password-not-rotated-after-departure: credential holders ----------------------------


def _departure_ctx(item_kw: dict[str, object], **spec_kw: object):  # type: ignore[no-untyped-def]
    spec = account_spec("x", "northwind", vault_item="X", expected_admins=(ALICE,), **spec_kw)
    people = directory(
        person(ALICE),
        person("social@northwind.example"),
        person(BEN, status=PersonStatus.DEPARTED, departed_on=date(2026, 10, 1)),
    )
    item = vault_item("X", password_changed_at=NOW - timedelta(days=90), **item_kw)
    return make_ctx(accounts=(spec,), people=people, vault=vault(item))


def test_a_vault_reader_who_left_after_the_last_change_fails() -> None:
    result = only(
        run(password_not_rotated_after_departure, _departure_ctx({"readers": (ALICE, BEN)}))
    )
    assert result.status is Status.FAIL
    assert BEN in result.detail


def test_an_inventory_holder_who_left_after_the_last_change_fails() -> None:
    ctx = _departure_ctx({}, credential_holders=(BEN,))
    assert only(run(password_not_rotated_after_departure, ctx)).status is Status.FAIL


def test_unknown_holders_are_never_a_pass() -> None:
    result = only(run(password_not_rotated_after_departure, _departure_ctx({})))
    assert result.status is Status.NOT_VERIFIED
    assert "credential_holders" in result.detail


def test_known_holders_who_stayed_pass() -> None:
    ctx = _departure_ctx({"readers": (ALICE,)})
    assert only(run(password_not_rotated_after_departure, ctx)).status is Status.PASS


def test_the_registration_mailbox_owner_counts_as_a_holder() -> None:
    ctx = _departure_ctx({"readers": (ALICE,)}, registered_email=BEN)
    result = only(run(password_not_rotated_after_departure, ctx))
    assert result.status is Status.FAIL and BEN in result.detail


def test_a_registration_mailbox_nobody_knows_leaves_holders_unknown() -> None:
    ctx = _departure_ctx({"readers": (ALICE,)}, registered_email="brand@gmail.com")
    result = only(run(password_not_rotated_after_departure, ctx))
    assert result.status is Status.NOT_VERIFIED
    assert "registration mailbox" in result.detail


# --- legal names -----------------------------------------------------------------------------


def _domain_ctx(**scan: object):  # type: ignore[no-untyped-def]
    org = replace(ORG, legal_names=("Northwind Outfitters Holdings, LLC",))
    ctx = make_ctx(organization=org, **scan)
    return replace(ctx, estate=Estate(organization=org, domains=(DomainSpec("northwind.example"),)))


def test_a_brand_domain_registered_to_a_legal_name_passes_registrant_mismatch() -> None:
    ev = DomainEvidence(
        domain="northwind.example",
        source="rdap",
        observed_at=NOW,
        registered=True,
        registrant_org="NORTHWIND OUTFITTERS HOLDINGS LLC",
        facets={Facet.REGISTRATION: Completeness.complete()},
    )
    result = only(run(registrant_mismatch, _domain_ctx(domains={"northwind.example": ev})))
    assert result.status is Status.PASS


def test_a_lookalike_registered_to_the_company_is_never_a_finding() -> None:
    scan = LookalikeScan(
        brand_domain="northwind.example",
        observed_at=NOW,
        candidates=(
            LookalikeDomain(
                "northwind.com",
                "tld-swap",
                0.9,
                True,
                registrant_org="Northwind Outfitters Holdings LLC",
            ),
            LookalikeDomain(
                "n0rthwind.example", "homoglyph", 0.9, True, registrant_org="Someone Else"
            ),
        ),
        generated=2,
    )
    outcomes = run(lookalike_domain, _domain_ctx(lookalikes={"northwind.example": scan}))
    assert [o.subject for o in outcomes if o.status is Status.FAIL] == ["n0rthwind.example"]


# --- the credential that would verify a token owner ------------------------------------------


def test_an_unknown_token_owner_names_the_account_credential_that_would_verify_it() -> None:
    why = Completeness.unknown("no token says whom it belongs to")
    ev = account_evidence("x", "northwind", facets={Facet.TOKEN_OWNER: why})
    ctx = make_ctx(accounts=(account_spec("x", "northwind"),), account_evidence=(ev,))
    hint = only(run(identity_mismatch, ctx), subject="token_account_id")
    assert hint.status is Status.NOT_VERIFIED
    assert "accounts[].credentials" in hint.detail and "OAuth" in hint.detail


def test_a_shared_token_of_another_account_names_the_credential_too() -> None:
    other = Completeness.unknown("the configured token belongs to account 9, not this one")
    ev = account_evidence(
        "x",
        "northwind_deals",
        account_id="2",
        token_account_id="1500000000000000001",
        facets={Facet.TOKEN_OWNER: other},
    )
    specs = (account_spec("x", "northwind"), account_spec("x", "northwind_deals", id="2"))
    ctx = make_ctx(accounts=specs, account_evidence=(ev,))
    hint = only(
        [o for o in run(identity_mismatch, ctx) if o.asset.handle == "northwind_deals"],
        subject="token_account_id",
    )
    assert hint.status is Status.NOT_VERIFIED and "accounts[].credentials" in hint.detail


# --- approved apps by id -----------------------------------------------------------------------


def test_a_publisher_is_approved_by_its_id_or_its_name() -> None:
    from auditor.core.evidence import Post
    from checks.content.posts import approved_publisher

    post = Post("1", NOW, "hello", source_app="Calder Scheduler", source_app_id="3190001")
    assert approved_publisher(post, {"3190001"})
    assert approved_publisher(post, {"calder scheduler"})
    assert not approved_publisher(post, {"other app", "42"})
    assert not approved_publisher(Post("2", NOW, "hi"), {""})


def test_brand_handles_per_platform_are_claims_there() -> None:
    from checks.impersonation import handle_unclaimed

    ctx = make_ctx()
    estate = replace(
        ctx.estate, brand_handles=("northwind",), platform_handles={"instagram": ("northwind",)}
    )
    result = only(run(handle_unclaimed, replace(ctx, estate=estate)))
    assert result.status is Status.NOT_VERIFIED and result.subject == "instagram"
