"""Tests for the access checks that compare role holders with the previous run."""

from __future__ import annotations

from factories import (
    account_evidence,
    account_spec,
    demo_directory,
    directory,
    make_ctx,
    only,
    person,
    previous_run,
    role,
    run,
    statuses,
)

from auditor.core.models import Status
from checks.access.holders import (
    new_admin,
    role_escalation,
)

PAGE = account_spec("meta", "northwindoutfitters", "200000000000001")

ALICE = role("302", email="alice.ng@northwind.example", name="Alice Ng")
CARLA = role("303", email="carla.diaz@northwind.example", name="Carla Diaz")
MALLORY = role("304", email="mallory.k@gmail.com", name="Mallory K", full_admin=False)
JO = role("305", email="jo.reyes@brightside.example", name="Jo Reyes", full_admin=False)


def page(*roles, **kw):
    """Evidence for the demo Facebook page with these role holders."""
    return account_evidence(
        "meta", "northwindoutfitters", account_id="200000000000001", roles=roles, **kw
    )


def ctx_for(*roles, spec=PAGE, **kw):
    kw.setdefault("people", demo_directory())
    return make_ctx(accounts=(spec,), account_evidence=(page(*roles),), **kw)


# --- access.new-admin ----------------------------------------------------------------------------------


def test_new_admin_fail_unexpected_holder():
    ctx = ctx_for(ALICE, MALLORY, previous=previous_run(page(ALICE)))
    outcomes = run(new_admin, ctx)
    assert statuses(outcomes) == {
        "alice.ng@northwind.example": Status.PASS,
        "mallory.k@gmail.com": Status.FAIL,
    }
    assert "Mallory K" in only(outcomes, "mallory.k@gmail.com").detail


def test_new_admin_pass_expected_by_email_alias_or_id():
    spec = account_spec(
        "meta",
        "northwindoutfitters",
        "200000000000001",
        expected_admins=("carla@northwind.example", "305"),
    )
    people = directory(
        person("carla.diaz@northwind.example", aliases=("carla@northwind.example",)),
    )
    ctx = ctx_for(ALICE, CARLA, JO, spec=spec, people=people, previous=previous_run(page(ALICE)))
    outcomes = run(new_admin, ctx)
    assert set(statuses(outcomes).values()) == {Status.PASS}
    assert len(outcomes) == 3


def test_new_admin_pass_same_holder_matched_by_email_when_id_changed():
    before = role("old-id", email="alice.ng@northwind.example")
    result = only(run(new_admin, ctx_for(ALICE, previous=previous_run(page(before)))))
    assert result.status is Status.PASS


def test_new_admin_not_verified_first_audit():
    result = only(run(new_admin, ctx_for(ALICE)))
    assert result.status is Status.NOT_VERIFIED
    assert "first audit" in result.detail


def test_new_admin_not_verified_previous_run_without_roles():
    prev = previous_run(account_evidence("meta", "northwindoutfitters", roles=None))
    result = only(run(new_admin, ctx_for(ALICE, previous=prev)))
    assert result.status is Status.NOT_VERIFIED
    assert "run-prev" in result.detail


# --- access.role-escalation --------------------------------------------------------------------------


def test_role_escalation_fail_editor_became_admin():
    before = role(
        "303", email="carla.diaz@northwind.example", role="CREATE_CONTENT", full_admin=False
    )
    ctx = ctx_for(CARLA, previous=previous_run(page(before)))
    result = only(run(role_escalation, ctx))
    assert result.status is Status.FAIL
    assert "CREATE_CONTENT" in result.detail
    assert result.evidence.facts["previous_privilege"] == 2


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
    before = role("303", email="carla.diaz@northwind.example", full_admin=False, privilege=1)
    invite = role("303", email="carla.diaz@northwind.example", pending=True)
    result = only(run(role_escalation, ctx_for(invite, previous=previous_run(page(before)))))
    assert result.status is Status.FAIL
    assert "pending invitation" in result.detail
