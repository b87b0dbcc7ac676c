"""Tests for the access checks: fail, pass and not_verified for each, plus edge cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import (
    NOW,
    PARTIAL,
    SOURCE_DOWN,
    TRUNCATED,
    UNREADABLE,
    account_evidence,
    account_spec,
    app,
    demo_directory,
    directory,
    failed_source,
    make_ctx,
    not_exposed,
    only,
    person,
    previous_run,
    role,
    run,
    statuses,
    with_facets,
    with_policy,
)

from auditor.core.completeness import Facet
from auditor.core.evidence import AccountState, PersonStatus
from auditor.core.models import Status
from auditor.core.registry import build_registry, spec_of
from checks.access import holders as access
from checks.access.holders import (
    departed_admin,
    excess_admins,
    external_admin,
    new_admin,
    review_overdue,
    single_admin,
    unapproved_app,
)

PAGE = account_spec("meta", "northwindoutfitters", "200000000000001")

BEN = role("301", email="ben.ortiz@northwind.example", name="Ben Ortiz")
ALICE = role("302", email="alice.ng@northwind.example", name="Alice Ng")
CARLA = role("303", email="carla.diaz@northwind.example", name="Carla Diaz")
MALLORY = role("304", email="mallory.k@gmail.com", name="Mallory K", full_admin=False)
JO = role("305", email="jo.reyes@brightside.example", name="Jo Reyes", full_admin=False)
BOT = role("900", name="Publishing bot", is_system=True)


def page(*roles, **kw):
    """Evidence for the demo Facebook page with these role holders."""
    return account_evidence(
        "meta", "northwindoutfitters", account_id="200000000000001", roles=roles, **kw
    )


def ctx_for(*roles, spec=PAGE, roles_state=None, **kw):
    """The page with these holders; ``roles_state`` restates the roles facet."""
    kw.setdefault("people", demo_directory())
    ev = page(*roles)
    if roles_state is not None:
        ev = with_facets(ev, roles=roles_state)
    return make_ctx(accounts=(spec,), account_evidence=(ev,), **kw)


# --- catalog ---------------------------------------------------------------------------------------


def test_checks_are_in_catalog_order_and_valid():
    registry = build_registry(access.CHECKS)
    assert [s.id for s in registry.specs] == [
        "access.departed-admin",
        "access.external-admin",
        "access.excess-admins",
        "access.single-admin",
        "access.new-admin",
        "access.role-escalation",
        "access.review-overdue",
        "access.unapproved-app",
    ]
    for func in access.CHECKS:
        assert "not_verified" in spec_of(func).documentation


def test_roles_not_exposed_is_not_verified_with_platform_note_for_every_role_check():
    spec = account_spec("youtube", "@northwind", "UCnorthwind000000000000001")
    ev = account_evidence(
        "youtube",
        "@northwind",
        account_id="UCnorthwind000000000000001",
        roles=None,
    )
    ev = with_facets(ev, roles=not_exposed("youtube"))
    ctx = make_ctx(
        accounts=(spec,), account_evidence=(ev,), people=demo_directory(), previous=previous_run()
    )
    for check in (departed_admin, external_admin, excess_admins, single_admin, new_admin):
        result = only(run(check, ctx))
        assert result.status is Status.NOT_VERIFIED
        assert "youtube does not expose the role holders" in result.detail


# --- access.departed-admin ---------------------------------------------------------------------------


def test_departed_admin_fail_departed_person_with_date():
    outcomes = run(departed_admin, ctx_for(BEN, ALICE))
    assert statuses(outcomes) == {
        "ben.ortiz@northwind.example": Status.FAIL,
        "alice.ng@northwind.example": Status.PASS,
    }
    failing = only(outcomes, "ben.ortiz@northwind.example")
    assert "Ben Ortiz" in failing.detail
    assert "2026-08-31" in failing.detail
    assert failing.evidence.facts["person_status"] == "departed"


def test_departed_admin_fail_via_expected_admins_id_mapping():
    holder = role("urn:li:person:AbC123", role="ADMINISTRATOR")
    spec = account_spec(
        "linkedin",
        "northwind-outfitters",
        "1001",
        expected_admins=("urn:li:person:abc123=frank.li@northwind.example",),
    )
    ev = account_evidence("linkedin", "northwind-outfitters", account_id="1001", roles=(holder,))
    ctx = make_ctx(accounts=(spec,), account_evidence=(ev,), people=demo_directory())
    result = only(run(departed_admin, ctx))
    assert result.status is Status.FAIL
    assert result.evidence.facts["matched_via"] == "expected_admins"
    assert "2026-10-15" in result.detail


def test_departed_admin_fail_alias_and_case_and_pending_invitation():
    people = directory(
        person(
            "ben.ortiz@northwind.example",
            PersonStatus.DELETED,
            aliases=("b.ortiz@northwind.example",),
        )
    )
    invite = role("p1", email="B.Ortiz@NORTHWIND.example", pending=True)
    result = only(run(departed_admin, ctx_for(invite, people=people)))
    assert result.status is Status.FAIL
    assert "pending invitation" in result.detail
    assert result.subject == "b.ortiz@northwind.example"


def test_departed_admin_pass_active_people_and_system_users_skipped():
    outcomes = run(departed_admin, ctx_for(ALICE, CARLA, BOT))
    assert statuses(outcomes) == {
        "alice.ng@northwind.example": Status.PASS,
        "carla.diaz@northwind.example": Status.PASS,
    }


def test_departed_admin_not_verified_without_directory():
    ctx = make_ctx(accounts=(PAGE,), account_evidence=(page(BEN),))
    result = only(run(departed_admin, ctx))
    assert result.status is Status.NOT_VERIFIED
    assert "directory" in result.detail


def test_departed_admin_not_verified_unknown_email_and_unlisted_person():
    nameless = role("urn:li:person:zzz", name="\u202eevil\u200b")
    outcomes = run(departed_admin, ctx_for(nameless, MALLORY))
    assert statuses(outcomes) == {
        "urn:li:person:zzz": Status.NOT_VERIFIED,
        "mallory.k@gmail.com": Status.NOT_VERIFIED,
    }
    hostile = only(outcomes, "urn:li:person:zzz")
    assert "\u202e" not in hostile.detail
    assert "\\u202e" in hostile.detail


@pytest.mark.parametrize("state", [PARTIAL, TRUNCATED, UNREADABLE, not_exposed("meta")])
def test_departed_admin_fails_what_it_sees_but_passes_nothing_on_an_incomplete_role_list(state):
    outcomes = run(departed_admin, ctx_for(BEN, ALICE, roles_state=state))
    assert statuses(outcomes) == {
        "ben.ortiz@northwind.example": Status.FAIL,
        "alice.ng@northwind.example": Status.NOT_VERIFIED,
    }
    assert "the role holders" in only(outcomes, "alice.ng@northwind.example").detail


def test_departed_admin_not_verified_when_platform_source_failed():
    ctx = make_ctx(accounts=(PAGE,), people=demo_directory(), sources=(failed_source("meta"),))
    result = only(run(departed_admin, ctx))
    assert result.status is Status.NOT_VERIFIED
    assert "no meta evidence was collected" in result.detail


def test_departed_admin_active_holder_on_a_partial_directory_is_not_verified():
    people = directory(person("alice.ng@northwind.example"), facets={Facet.DIRECTORY: SOURCE_DOWN})
    result = only(run(departed_admin, ctx_for(ALICE, people=people)))
    assert result.status is Status.NOT_VERIFIED
    assert "the people directory: unknown" in result.detail


# --- access.external-admin ---------------------------------------------------------------------------


def test_external_admin_fail_free_mail_holder():
    outcomes = run(external_admin, ctx_for(ALICE, MALLORY, JO, BOT))
    assert statuses(outcomes) == {
        "alice.ng@northwind.example": Status.PASS,
        "mallory.k@gmail.com": Status.FAIL,
        "jo.reyes@brightside.example": Status.PASS,
    }
    assert "gmail.com" in only(outcomes, "mallory.k@gmail.com").detail
    assert "Brightside Media" in only(outcomes, "jo.reyes@brightside.example").detail


def test_external_admin_fail_lookalike_domain_and_pending_invite():
    invite = role("p9", email="x@northwind.example.attacker.example", pending=True)
    result = only(run(external_admin, ctx_for(invite)))
    assert result.status is Status.FAIL
    assert "pending invitation" in result.detail


def test_external_admin_pass_subdomain_and_case():
    holder = role("1", email="Ops@EU.Northwind.Example")
    result = only(run(external_admin, ctx_for(holder)))
    assert result.status is Status.PASS
    assert result.subject == "ops@eu.northwind.example"


def test_external_admin_not_verified_holder_without_email():
    result = only(run(external_admin, ctx_for(role("urn:li:person:q1"))))
    assert result.status is Status.NOT_VERIFIED
    assert result.subject == "urn:li:person:q1"


# --- access.excess-admins ----------------------------------------------------------------------------


def test_excess_admins_fail_above_policy():
    admins = [role(str(i), email=f"p{i}@northwind.example") for i in range(3)]
    ctx = ctx_for(*admins, policy=with_policy(max_full_admins=2))
    result = only(run(excess_admins, ctx))
    assert result.status is Status.FAIL
    assert "3 full admins" in result.detail
    assert result.evidence.facts["full_admins"] == 3


def test_excess_admins_pass_pending_and_system_not_counted():
    roles = (
        ALICE,
        CARLA,
        role("x1", email="new@northwind.example", pending=True),
        role("sys", is_system=True),
        MALLORY,  # not a full admin
    )
    result = only(run(excess_admins, ctx_for(*roles, policy=with_policy(max_full_admins=2))))
    assert result.status is Status.PASS
    assert result.evidence.facts["full_admins"] == 2


def test_excess_admins_not_verified_account_unreachable():
    ev = account_evidence("meta", "northwindoutfitters", state=AccountState.SUSPENDED)
    ctx = make_ctx(accounts=(PAGE,), account_evidence=(ev,))
    result = only(run(excess_admins, ctx))
    assert result.status is Status.NOT_VERIFIED
    assert "suspended" in result.detail


# --- access.single-admin -----------------------------------------------------------------------------


def test_single_admin_fail_one_admin_with_an_invitation_pending():
    roles = (ALICE, role("x1", email="carla.diaz@northwind.example", pending=True), MALLORY)
    result = only(run(single_admin, ctx_for(*roles)))
    assert result.status is Status.FAIL
    assert "alice.ng@northwind.example" in result.detail


def test_single_admin_pass_two_admins():
    assert only(run(single_admin, ctx_for(ALICE, CARLA))).status is Status.PASS


def test_single_admin_not_verified_no_visible_admin_or_partial_list():
    assert only(run(single_admin, ctx_for(MALLORY))).status is Status.NOT_VERIFIED
    result = only(run(single_admin, ctx_for(ALICE, roles_state=TRUNCATED)))
    assert result.status is Status.NOT_VERIFIED
    assert "max_pages" in result.detail


# --- access.review-overdue ---------------------------------------------------------------------------


def test_review_overdue_fail_old_review():
    spec = account_spec(last_access_review=(NOW - timedelta(days=91)).date())
    result = only(run(review_overdue, make_ctx(accounts=(spec,))))
    assert result.status is Status.FAIL
    assert "91 days" in result.detail


def test_review_overdue_fail_never_reviewed():
    spec = account_spec(last_access_review=None)
    result = only(run(review_overdue, make_ctx(accounts=(spec,))))
    assert result.status is Status.FAIL
    assert "never reviewed" in result.detail


def test_review_overdue_pass_on_the_limit():
    spec = account_spec(last_access_review=(NOW - timedelta(days=90)).date())
    assert only(run(review_overdue, make_ctx(accounts=(spec,)))).status is Status.PASS


def test_review_overdue_not_verified_future_review_date():
    spec = account_spec(last_access_review=(NOW + timedelta(days=3)).date())
    result = only(run(review_overdue, make_ctx(accounts=(spec,))))
    assert result.status is Status.NOT_VERIFIED
    assert "in the future" in result.detail


# --- access.unapproved-app ---------------------------------------------------------------------------


def test_unapproved_app_fail_publishing_app_not_approved():
    spec = account_spec("github", "northwind-labs", "9100001", approved_apps=("dependabot",))
    ev = account_evidence(
        "github",
        "northwind-labs",
        account_id="9100001",
        apps=(
            app("11", "Dependabot", can_publish=True),
            app("12", "Sketchy Deployer", can_admin=True),
            app("13", "Read-only stats", can_publish=False),
        ),
    )
    outcomes = run(unapproved_app, make_ctx(accounts=(spec,), account_evidence=(ev,)))
    assert statuses(outcomes) == {"11": Status.PASS, "12": Status.FAIL}
    assert "administer" in only(outcomes, "12").detail


def test_unapproved_app_fail_homoglyph_name_does_not_match_approved():
    ev = account_evidence(apps=(app("77", "H\u043eotsuite"),))
    ctx = make_ctx(
        accounts=(account_spec(),),
        account_evidence=(ev,),
        policy=with_policy(approved_apps=("Hootsuite",)),
    )
    assert only(run(unapproved_app, ctx)).status is Status.FAIL


def test_unapproved_app_pass_policy_approved_by_id_and_read_only_apps():
    ev = account_evidence(apps=(app("55", "Buffer"), app("56", "Analytics", can_publish=False)))
    ctx = make_ctx(
        accounts=(account_spec(),),
        account_evidence=(ev,),
        policy=with_policy(approved_apps=("55",)),
    )
    assert statuses(run(unapproved_app, ctx)) == {"55": Status.PASS}
    ev = account_evidence(apps=(app("56", "Analytics", can_publish=False),))
    result = only(run(unapproved_app, make_ctx(accounts=(account_spec(),), account_evidence=(ev,))))
    assert result.status is Status.PASS


def test_unapproved_app_not_verified_when_platform_does_not_expose_apps():
    ev = with_facets(account_evidence(apps=None), apps=not_exposed("x"))
    result = only(run(unapproved_app, make_ctx(accounts=(account_spec(),), account_evidence=(ev,))))
    assert result.status is Status.NOT_VERIFIED
    assert "x does not expose the connected apps" in result.detail


def test_unapproved_app_partial_app_list_fails_what_it_sees_and_passes_nothing():
    apps = (app("1", "Approved Scheduler"), app("2", "Shady Poster"))
    ev = with_facets(account_evidence(apps=apps), apps=PARTIAL)
    spec = account_spec(approved_apps=("Approved Scheduler",))
    outcomes = run(unapproved_app, make_ctx(accounts=(spec,), account_evidence=(ev,)))
    assert statuses(outcomes) == {"1": Status.NOT_VERIFIED, "2": Status.FAIL}


def test_excess_admins_fail_counts_a_person_listed_twice_once():
    dup = role("302", email="Alice.Ng@northwind.example", role="MANAGE", pending=True)
    admins = [ALICE, dup, CARLA, role("9", email="dev.patel@northwind.example")]
    outcomes = run(excess_admins, ctx_for(*admins, policy=with_policy(max_full_admins=2)))
    result = only(outcomes)
    assert result.status is Status.FAIL
    assert result.evidence.facts["full_admins"] == 3
    departed = run(departed_admin, ctx_for(*admins))
    assert len(departed) == 3


def test_access_edges_to_the_letter():
    """An app approved by its id in another case; a holder marked active but departed; a
    holder without email; no risky app at all."""
    apps = (app("App-1", "Unnamed Tool"), app("r1", "Reader", can_publish=False))
    spec = account_spec(approved_apps=("app-1",))
    ev = account_evidence(apps=apps)
    (result,) = run(unapproved_app, make_ctx(accounts=(spec,), account_evidence=(ev,)))
    assert result.status is Status.PASS
    quiet = account_evidence(apps=(app("r1", "Reader", can_publish=False),))
    (calm,) = run(unapproved_app, make_ctx(accounts=(account_spec(),), account_evidence=(quiet,)))
    assert calm.detail == "None of the 1 connected app(s) can publish or administer."
    assert calm.evidence.facts == {"apps": 1}
    assert calm.status is Status.PASS
    people = directory(
        person("gone@northwind.example", departed_on=(NOW - timedelta(days=2)).date())
    )
    outcomes = run(
        departed_admin,
        ctx_for(role("1", email="gone@northwind.example"), role("urn:x"), people=people),
    )
    gone = only(outcomes, "gone@northwind.example")
    assert gone.status is Status.FAIL
    assert "marked active but departed on" in gone.detail
    silent = only(outcomes, "urn:x")
    assert silent.asset.key == PAGE.asset.key and silent.evidence.source == "meta"
    assert silent.detail == (
        "urn:x holds ADMIN (full admin) but no email is exposed and expected_admins maps no "
        "email to this id."
    )
    assert silent.evidence.facts == {"email": None, "matched_via": "none", "role": "ADMIN"}
