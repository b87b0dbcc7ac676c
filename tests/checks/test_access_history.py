"""Tests for the access checks that compare role holders with the previous run."""

from __future__ import annotations

from dataclasses import replace

from factories import (
    PARTIAL,
    TRUNCATED,
    UNREADABLE,
    account_evidence,
    account_spec,
    demo_directory,
    directory,
    make_ctx,
    not_exposed,
    only,
    person,
    previous_run,
    role,
    run,
    statuses,
    with_facets,
)

from auditor.core.models import Status
from checks.access.holders import (
    new_admin,
    role_escalation,
)

PAGE = account_spec(
    "meta",
    "northwindoutfitters",
    "200000000000001",
    expected_admins=("alice.ng@northwind.example", "carla.diaz@northwind.example"),
)

ALICE = role("302", email="alice.ng@northwind.example", name="Alice Ng")
CARLA = role("303", email="carla.diaz@northwind.example", name="Carla Diaz")
MALLORY = role("304", email="mallory.k@gmail.com", name="Mallory K", full_admin=False)
JO = role("305", email="jo.reyes@brightside.example", name="Jo Reyes", full_admin=False)


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


# --- access.new-admin ----------------------------------------------------------------------------------


def test_new_admin_fail_unexpected_holder():
    ctx = ctx_for(ALICE, MALLORY, previous=previous_run(page(ALICE)))
    outcomes = run(new_admin, ctx)
    assert statuses(outcomes) == {
        "alice.ng@northwind.example": Status.PASS,
        "mallory.k@gmail.com": Status.FAIL,
    }
    assert "Mallory K" in only(outcomes, "mallory.k@gmail.com").detail
    assert "new since the previous audit" in only(outcomes, "mallory.k@gmail.com").detail


def test_new_admin_unexpected_holder_fails_again_on_every_later_run():
    """Today's code reported an unexpected admin once and then passed it ("already held a role
    at the previous audit") while it still held the role."""
    ctx = ctx_for(ALICE, MALLORY, previous=previous_run(page(ALICE, MALLORY)))
    result = only(run(new_admin, ctx), "mallory.k@gmail.com")
    assert result.status is Status.FAIL
    assert "still not accepted" in result.detail


def test_new_admin_fails_an_unexpected_holder_on_the_first_audit_too():
    result = only(run(new_admin, ctx_for(ALICE, MALLORY)), "mallory.k@gmail.com")
    assert result.status is Status.FAIL
    assert "first audit" in result.detail


def test_new_admin_partial_role_list_fails_what_it_sees_and_passes_nothing():
    outcomes = run(new_admin, ctx_for(ALICE, MALLORY, roles_state=TRUNCATED))
    assert statuses(outcomes) == {
        "alice.ng@northwind.example": Status.NOT_VERIFIED,
        "mallory.k@gmail.com": Status.FAIL,
    }


def test_new_admin_not_verified_when_roles_unreadable_or_not_exposed():
    for state in (UNREADABLE, not_exposed("meta")):
        ev = with_facets(page(), roles=state)
        ev = replace(ev, roles=None)
        ctx = make_ctx(accounts=(PAGE,), account_evidence=(ev,), people=demo_directory())
        assert only(run(new_admin, ctx)).status is Status.NOT_VERIFIED


def test_new_admin_pass_expected_by_email_alias_or_id():
    spec = account_spec(
        "meta",
        "northwindoutfitters",
        "200000000000001",
        expected_admins=("carla@northwind.example", "305", "302"),
    )
    people = directory(
        person("carla.diaz@northwind.example", aliases=("carla@northwind.example",)),
    )
    ctx = ctx_for(ALICE, CARLA, JO, spec=spec, people=people, previous=previous_run(page(ALICE)))
    outcomes = run(new_admin, ctx)
    assert set(statuses(outcomes).values()) == {Status.PASS}
    assert len(outcomes) == 3


def test_new_admin_unexpected_holder_matched_by_email_when_id_changed_is_not_new():
    before = role("old-id", email="mallory.k@gmail.com")
    result = only(run(new_admin, ctx_for(MALLORY, previous=previous_run(page(before)))))
    assert result.status is Status.FAIL
    assert "already held a role" in result.detail


def test_role_escalation_not_verified_previous_run_without_roles():
    prev = previous_run(account_evidence("meta", "northwindoutfitters", roles=None))
    result = only(run(role_escalation, ctx_for(ALICE, previous=prev)))
    assert result.status is Status.NOT_VERIFIED
    assert "run-prev" in result.detail


# --- access.role-escalation --------------------------------------------------------------------------


def test_role_escalation_fail_editor_became_admin():
    before = role("304", email="mallory.k@gmail.com", role="CREATE_CONTENT", full_admin=False)
    now = role("304", email="mallory.k@gmail.com", role="MANAGE", full_admin=True)
    ctx = ctx_for(now, previous=previous_run(page(before)))
    result = only(run(role_escalation, ctx))
    assert result.status is Status.FAIL
    assert "CREATE_CONTENT" in result.detail
    assert result.evidence.facts["previous_privilege"] == 2


def test_an_unaccepted_full_admin_keeps_failing_new_admin_after_the_rise():
    """Today's code compared with the previous run only: on the run after the rise the holder
    was "no higher than before" and nothing failed. The escalation itself stays open through
    the lifecycle; the unexpected full admin fails access.new-admin on every run."""
    risen = role("304", email="mallory.k@gmail.com", full_admin=True)
    ctx = ctx_for(ALICE, risen, previous=previous_run(page(ALICE, risen)))
    assert only(run(role_escalation, ctx), "mallory.k@gmail.com").status is Status.PASS
    result = only(run(new_admin, ctx), "mallory.k@gmail.com")
    assert result.status is Status.FAIL
    assert "still not accepted" in result.detail


def test_new_admin_lesser_holder_fails_only_when_new():
    viewer = role("305", email="viewer@northwind.example", role="ANALYZE", full_admin=False)
    viewer = replace(viewer, privilege=0)
    first = only(run(new_admin, ctx_for(viewer)), "viewer@northwind.example")
    assert first.status is Status.PASS and "baseline" in first.detail
    new = only(
        run(new_admin, ctx_for(viewer, previous=previous_run(page()))), "viewer@northwind.example"
    )
    assert new.status is Status.FAIL and "new since the previous audit" in new.detail
    kept = only(
        run(new_admin, ctx_for(viewer, previous=previous_run(page(viewer)))),
        "viewer@northwind.example",
    )
    assert kept.status is Status.PASS


def test_role_escalation_of_an_expected_admin_is_accepted():
    before = role("303", email="carla.diaz@northwind.example", full_admin=False)
    result = only(run(role_escalation, ctx_for(CARLA, previous=previous_run(page(before)))))
    assert result.status is Status.PASS
    assert result.evidence.facts["accepted"] is True


def test_role_escalation_partial_list_passes_nothing():
    ctx = ctx_for(ALICE, roles_state=PARTIAL, previous=previous_run(page(ALICE)))
    assert only(run(role_escalation, ctx)).status is Status.NOT_VERIFIED


def test_role_escalation_pass_unchanged_or_lowered():
    lowered_now = role("302", email="alice.ng@northwind.example", full_admin=False, privilege=1)
    ctx = ctx_for(lowered_now, CARLA, previous=previous_run(page(ALICE, CARLA)))
    outcomes = run(role_escalation, ctx)
    assert set(statuses(outcomes).values()) == {Status.PASS}
    assert len(outcomes) == 2


def test_role_escalation_pass_no_common_holders_is_one_account_result():
    result = only(run(role_escalation, ctx_for(CARLA, previous=previous_run(page(ALICE)))))
    assert result.status is Status.PASS
    assert result.subject == ""


def test_role_escalation_not_verified_first_audit():
    assert only(run(role_escalation, ctx_for(ALICE))).status is Status.NOT_VERIFIED


def test_role_escalation_fail_pending_invitation_to_a_higher_role():
    before = role("304", email="mallory.k@gmail.com", full_admin=False, privilege=1)
    invite = role("304", email="mallory.k@gmail.com", pending=True)
    result = only(run(role_escalation, ctx_for(invite, previous=previous_run(page(before)))))
    assert result.status is Status.FAIL
    assert "pending invitation" in result.detail


def test_new_admin_detail_says_exactly_how_old_the_unexpected_holder_is():
    new = only(run(new_admin, ctx_for(MALLORY, previous=previous_run(page()))))
    assert new.detail == (
        "Mallory K (mallory.k@gmail.com) holds ADMIN (privilege 2) and is not in "
        "expected_admins (new since the previous audit)."
    )
    old = only(run(new_admin, ctx_for(MALLORY, previous=previous_run(page(MALLORY)))))
    assert old.detail.endswith(
        "(it already held a role at the previous audit and is still not accepted)."
    )


def test_holders_are_matched_across_runs_by_id_in_any_case_else_by_email():
    before = role("URN:LI:PERSON:ABC", email=None, full_admin=False)
    now = role("urn:li:person:abc", email=None, full_admin=False)
    result = only(run(new_admin, ctx_for(now, previous=previous_run(page(before)))))
    assert "already held a role" in result.detail
    renamed_before = role("old", email="Mallory.K@gmail.com", full_admin=False)
    result = only(run(new_admin, ctx_for(MALLORY, previous=previous_run(page(renamed_before)))))
    assert "already held a role" in result.detail
    stranger = role("other", email=None, full_admin=False)
    result = only(run(new_admin, ctx_for(now, previous=previous_run(page(stranger)))))
    assert "new since the previous audit" in result.detail
