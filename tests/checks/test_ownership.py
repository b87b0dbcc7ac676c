"""Tests for the ownership checks: fail, pass and not_verified for each, plus edge cases."""

from __future__ import annotations

from datetime import date

from factories import (
    NOW,
    PARTIAL,
    account_evidence,
    account_spec,
    demo_directory,
    directory,
    failed_source,
    make_ctx,
    not_exposed,
    only,
    person,
    run,
    statuses,
    vault,
    vault_item,
    with_facets,
)

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import OwnerKind
from auditor.core.evidence import AccountState, PersonStatus
from auditor.core.models import Severity, Status
from auditor.core.registry import build_registry, spec_of
from checks.ownership import records as ownership
from checks.ownership.records import (
    credential_unmanaged,
    owner_not_company,
    recovery_mailbox_inactive,
    registration_email_external,
)

DEALS = account_spec("x", "northwind_deals", "1500000000000000002")


# --- catalog --------------------------------------------------------------------------------


def test_checks_are_in_catalog_order_and_valid():
    registry = build_registry(ownership.CHECKS)
    assert [s.id for s in registry.specs] == [
        "ownership.registration-email-external",
        "ownership.owner-not-company",
        "ownership.unmanaged-account",
        "ownership.account-unreachable",
        "ownership.identity-mismatch",
        "ownership.recovery-mailbox-inactive",
        "ownership.credential-unmanaged",
    ]
    for func in ownership.CHECKS:
        assert "not_verified" in spec_of(func).documentation


# --- ownership.registration-email-external -----------------------------------------------------


def test_registration_email_external_fail_free_mail_is_critical():
    spec = account_spec("x", "northwind_deals", registered_email="Northwind.Deals@GMAIL.com")
    result = only(run(registration_email_external, make_ctx(accounts=(spec,))))
    assert result.status is Status.FAIL
    assert result.severity is Severity.CRITICAL
    assert result.subject == "northwind.deals@gmail.com"
    assert "free-mail" in result.detail


def test_registration_email_external_fail_other_domain_keeps_default_severity():
    spec = account_spec(registered_email="owner@some-startup.example")
    result = only(run(registration_email_external, make_ctx(accounts=(spec,))))
    assert result.status is Status.FAIL
    assert result.severity is None
    assert "some-startup.example" in result.detail


def test_registration_email_external_fail_agency_domain_says_approved_but_external():
    spec = account_spec("instagram", "northwind", registered_email="jo.reyes@brightside.example")
    result = only(run(registration_email_external, make_ctx(accounts=(spec,))))
    assert result.status is Status.FAIL
    assert "Brightside Media" in result.detail
    assert "outside the company" in result.detail


def test_registration_email_external_fail_from_vault_username_and_api():
    spec = account_spec(registered_email="social@northwind.example", vault_item="x-deals")
    item = vault_item("x-deals", username="deals.person@outlook.com")
    ev = account_evidence(registration_email="someone@yahoo.com")
    outcomes = run(
        registration_email_external,
        make_ctx(accounts=(spec,), vault=vault(item), account_evidence=(ev,)),
    )
    assert statuses(outcomes) == {
        "social@northwind.example": Status.PASS,
        "deals.person@outlook.com": Status.FAIL,
        "someone@yahoo.com": Status.FAIL,
    }
    vault_result = only(outcomes, "deals.person@outlook.com")
    assert vault_result.evidence.source == "vault"


def test_registration_email_external_pass_company_domain_and_subdomain():
    specs = (
        account_spec(handle="a", registered_email="social@northwind.example", vault_item=None),
        account_spec(handle="b", registered_email="team@mail.northwind.example", vault_item=None),
    )
    outcomes = run(registration_email_external, make_ctx(accounts=specs))
    assert [o.status for o in outcomes] == [Status.PASS, Status.PASS]


def test_registration_email_external_company_address_with_an_unread_vault_item_is_not_a_pass():
    """The vault item's username is a second place the address is written: a partial export
    may hide an outside address there."""
    spec = account_spec(registered_email="social@northwind.example", vault_item="v1")
    export = vault(facets={Facet.VAULT: PARTIAL})
    result = only(run(registration_email_external, make_ctx(accounts=(spec,), vault=export)))
    assert result.status is Status.NOT_VERIFIED
    assert "page 3 answered 503" in result.detail


def test_registration_email_external_pass_same_email_in_two_places_is_one_result():
    spec = account_spec(registered_email="Social@Northwind.example", vault_item="v1")
    item = vault_item("v1", username="social@northwind.example")
    result = only(run(registration_email_external, make_ctx(accounts=(spec,), vault=vault(item))))
    assert result.status is Status.PASS
    assert result.evidence.facts["sources"] == ["inventory", "vault"]


def test_registration_email_external_fail_lookalike_of_company_domain():
    for email in ("a@northwind.example.evil.example", "a@evilnorthwind.example"):
        spec = account_spec(registered_email=email)
        result = only(run(registration_email_external, make_ctx(accounts=(spec,))))
        assert result.status is Status.FAIL, email


def test_registration_email_external_fail_homoglyph_domain_with_escaped_detail():
    email = "social@n\u043erthwind.example\u202e"  # Cyrillic o, right-to-left override
    spec = account_spec(registered_email=email)
    result = only(run(registration_email_external, make_ctx(accounts=(spec,))))
    assert result.status is Status.FAIL
    assert "\u202e" not in result.detail
    assert "\\u202e" in result.detail


def test_registration_email_external_not_verified_when_no_email_anywhere():
    spec = account_spec(registered_email=None, vault_item=None)
    result = only(run(registration_email_external, make_ctx(accounts=(spec,))))
    assert result.status is Status.NOT_VERIFIED
    assert "no registered_email" in result.detail


def test_registration_email_external_not_verified_vault_username_not_an_email():
    spec = account_spec(registered_email=None, vault_item="v1")
    item = vault_item("v1", username="northwind_login")
    result = only(run(registration_email_external, make_ctx(accounts=(spec,), vault=vault(item))))
    assert result.status is Status.NOT_VERIFIED
    assert "no email as its username" in result.detail


# --- ownership.owner-not-company -----------------------------------------------------------------


def test_owner_not_company_fail_meta_client_page_outranks_inventory():
    spec = account_spec("instagram", "northwind", "17841400000000001")
    ev = account_evidence(
        "instagram",
        "northwind",
        account_id="17841400000000001",
        source="meta",
        owned_by_company=False,
        owner_name="Brightside Media",
    )
    result = only(run(owner_not_company, make_ctx(accounts=(spec,), account_evidence=(ev,))))
    assert result.status is Status.FAIL
    assert "Brightside Media" in result.detail
    assert result.evidence.source == "meta"


def test_owner_not_company_fail_inventory_agency():
    spec = account_spec(owner=OwnerKind.AGENCY, owner_name="Brightside Media")
    ev = account_evidence()
    result = only(run(owner_not_company, make_ctx(accounts=(spec,), account_evidence=(ev,))))
    assert result.status is Status.FAIL
    assert result.evidence.source == "inventory"


def test_owner_not_company_pass_owned_page_even_when_inventory_says_agency():
    spec = account_spec("meta", "northwindoutfitters", "200000000000001", owner=OwnerKind.AGENCY)
    ev = account_evidence(
        "meta", "northwindoutfitters", account_id="200000000000001", owned_by_company=True
    )
    result = only(run(owner_not_company, make_ctx(accounts=(spec,), account_evidence=(ev,))))
    assert result.status is Status.PASS
    assert "inventory says agency" in result.detail


def test_owner_not_company_pass_inventory_company_where_platform_is_silent():
    """Not exposed is never a pass (DESIGN): the inventory's word is shown, not verified."""
    ev = with_facets(account_evidence(), ownership=not_exposed("x"))
    result = only(
        run(owner_not_company, make_ctx(accounts=(account_spec(),), account_evidence=(ev,)))
    )
    assert result.status is Status.NOT_VERIFIED
    assert "x does not expose the account's owner" in result.detail


def test_owner_not_company_not_verified_when_platform_source_failed():
    ctx = make_ctx(
        accounts=(account_spec("meta", "northwindoutfitters"),), sources=(failed_source("meta"),)
    )
    result = only(run(owner_not_company, ctx))
    assert result.status is Status.NOT_VERIFIED
    assert "no meta evidence was collected" in result.detail


def test_owner_not_company_an_ownership_listing_that_failed_is_not_a_pass():
    """The issue: with owned_pages answering 503 once, owner-not-company passed ("meta does not
    expose ownership", false)."""
    ev = with_facets(
        account_evidence("meta", "northwindoutfitters", account_id="200000000000001"),
        ownership=Completeness.unknown("owned_pages answered 503"),
    )
    spec = account_spec("meta", "northwindoutfitters", "200000000000001")
    result = only(run(owner_not_company, make_ctx(accounts=(spec,), account_evidence=(ev,))))
    assert result.status is Status.NOT_VERIFIED
    assert "owned_pages answered 503" in result.detail


def test_owner_not_company_not_verified_when_account_gone():
    ev = account_evidence(state=AccountState.SUSPENDED)
    result = only(
        run(owner_not_company, make_ctx(accounts=(account_spec(),), account_evidence=(ev,)))
    )
    assert result.status is Status.NOT_VERIFIED
    assert "suspended" in result.detail


# --- ownership.recovery-mailbox-inactive ---------------------------------------------------------


def test_recovery_mailbox_inactive_fail_departed_and_suspended():
    specs = (
        account_spec(handle="a", registered_email="ben.ortiz@northwind.example"),
        account_spec(handle="b", registered_email="ERIN.CHO@northwind.example"),
    )
    outcomes = run(recovery_mailbox_inactive, make_ctx(accounts=specs, people=demo_directory()))
    assert [o.status for o in outcomes] == [Status.FAIL, Status.FAIL]
    assert "2026-08-31" in outcomes[0].detail
    assert "suspended" in outcomes[1].detail


def test_recovery_mailbox_inactive_fail_alias_of_departed_person():
    people = directory(
        person(
            "ben.ortiz@northwind.example",
            PersonStatus.DEPARTED,
            departed_on=date(2026, 8, 31),
            aliases=("Ben@Northwind.example",),
        )
    )
    spec = account_spec(registered_email="ben@northwind.example")
    result = only(run(recovery_mailbox_inactive, make_ctx(accounts=(spec,), people=people)))
    assert result.status is Status.FAIL


def test_recovery_mailbox_inactive_fail_active_status_but_departure_date_passed():
    people = directory(person("social@northwind.example", departed_on=NOW.date()))
    result = only(
        run(recovery_mailbox_inactive, make_ctx(accounts=(account_spec(),), people=people))
    )
    assert result.status is Status.FAIL


def test_recovery_mailbox_inactive_pass_active_shared_mailbox():
    ctx = make_ctx(accounts=(account_spec(),), people=demo_directory())
    result = only(run(recovery_mailbox_inactive, ctx))
    assert result.status is Status.PASS
    assert result.subject == "social@northwind.example"


def test_recovery_mailbox_inactive_not_verified_external_mailbox():
    ctx = make_ctx(accounts=(DEALS,), people=demo_directory())
    spec = account_spec("x", "northwind_deals", registered_email="northwind.deals@gmail.com")
    result = only(
        run(recovery_mailbox_inactive, make_ctx(accounts=(spec,), people=ctx.evidence.people))
    )
    assert result.status is Status.NOT_VERIFIED
    assert "gmail.com" in result.detail


def test_recovery_mailbox_inactive_fail_agency_person_the_directory_marks_departed():
    people = directory(person("jo.reyes@brightside.example", PersonStatus.DEPARTED))
    spec = account_spec(registered_email="jo.reyes@brightside.example")
    result = only(run(recovery_mailbox_inactive, make_ctx(accounts=(spec,), people=people)))
    assert result.status is Status.FAIL
    assert "departed" in result.detail


def test_recovery_mailbox_inactive_not_verified_active_agency_person_is_not_a_pass():
    spec = account_spec(registered_email="jo.reyes@brightside.example")
    ctx = make_ctx(accounts=(spec,), people=demo_directory())
    assert only(run(recovery_mailbox_inactive, ctx)).status is Status.NOT_VERIFIED


def test_recovery_mailbox_inactive_not_verified_without_directory():
    result = only(run(recovery_mailbox_inactive, make_ctx(accounts=(account_spec(),))))
    assert result.status is Status.NOT_VERIFIED
    assert "no people directory" in result.detail


def test_recovery_mailbox_active_in_a_partial_directory_is_not_a_pass():
    """The issue: a Google Workspace failure was hidden by the CSV's "active"; the merged
    directory keeps the weaker completeness, and the check reads it."""
    people = directory(
        person("social@northwind.example"),
        facets={Facet.DIRECTORY: Completeness.unknown("google workspace: 503")},
    )
    result = only(
        run(recovery_mailbox_inactive, make_ctx(accounts=(account_spec(),), people=people))
    )
    assert result.status is Status.NOT_VERIFIED
    assert "google workspace: 503" in result.detail


def test_recovery_mailbox_departed_in_a_partial_directory_still_fails():
    people = directory(
        person("social@northwind.example", PersonStatus.SUSPENDED),
        facets={Facet.DIRECTORY: PARTIAL},
    )
    result = only(
        run(recovery_mailbox_inactive, make_ctx(accounts=(account_spec(),), people=people))
    )
    assert result.status is Status.FAIL


def test_recovery_mailbox_inactive_not_verified_unlisted_company_mailbox():
    spec = account_spec(registered_email="ghost@northwind.example")
    result = only(
        run(recovery_mailbox_inactive, make_ctx(accounts=(spec,), people=demo_directory()))
    )
    assert result.status is Status.NOT_VERIFIED
    assert "not listed" in result.detail


# --- ownership.credential-unmanaged --------------------------------------------------------------


def test_credential_unmanaged_fail_no_vault_item_named():
    spec = account_spec(vault_item=None)
    result = only(run(credential_unmanaged, make_ctx(accounts=(spec,), vault=vault())))
    assert result.status is Status.FAIL
    assert "names no vault item" in result.detail


def test_credential_unmanaged_fail_named_item_missing_from_export():
    spec = account_spec(vault_item="x-northwind")
    ctx = make_ctx(accounts=(spec,), vault=vault(vault_item("other")))
    result = only(run(credential_unmanaged, ctx))
    assert result.status is Status.FAIL
    assert "x-northwind" in result.detail


def test_credential_unmanaged_pass_by_id_or_name_case_insensitive():
    specs = (
        account_spec(handle="a", vault_item="item-1"),
        account_spec(handle="b", vault_item="x northwind deals"),
    )
    items = vault(vault_item("item-1"), vault_item("item-2", name="X Northwind Deals"))
    outcomes = run(credential_unmanaged, make_ctx(accounts=specs, vault=items))
    assert [o.status for o in outcomes] == [Status.PASS, Status.PASS]


def test_credential_unmanaged_not_verified_without_vault():
    result = only(run(credential_unmanaged, make_ctx(accounts=(account_spec(),))))
    assert result.status is Status.NOT_VERIFIED
    assert "no vault export was read" in result.detail


def test_credential_unmanaged_item_missing_from_a_partial_export_is_not_a_fail():
    export = vault(vault_item("other"), facets={Facet.VAULT: PARTIAL})
    result = only(run(credential_unmanaged, make_ctx(accounts=(account_spec(),), vault=export)))
    assert result.status is Status.NOT_VERIFIED
    assert "not read in full" in result.detail


def test_credential_unmanaged_item_found_in_a_partial_export_is_not_a_pass():
    spec = account_spec()
    export = vault(vault_item(spec.vault_item), facets={Facet.VAULT: PARTIAL})
    result = only(run(credential_unmanaged, make_ctx(accounts=(spec,), vault=export)))
    assert result.status is Status.NOT_VERIFIED
