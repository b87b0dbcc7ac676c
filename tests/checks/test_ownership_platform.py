"""Tests for the platform-only ownership checks: discovery, reachability and identity."""

from __future__ import annotations

from dataclasses import replace

from factories import (
    COMPLETE,
    PARTIAL,
    SOURCE_DOWN,
    TRUNCATED,
    account_evidence,
    account_spec,
    asset_problem,
    discovered,
    make_ctx,
    not_exposed,
    only,
    run,
    statuses,
    with_facets,
)

from auditor.core.completeness import Completeness
from auditor.core.evidence import AccountState
from auditor.core.models import AssetKind, Status
from checks.ownership.records import (
    account_unreachable,
    identity_mismatch,
    unmanaged_account,
)

DEALS = account_spec("x", "northwind_deals", "1500000000000000002")


# --- ownership.unmanaged-account -----------------------------------------------------------------


def test_unmanaged_account_fail_discovered_page_not_in_inventory():
    spec = account_spec("meta", "northwindoutfitters", "200000000000001")
    found = (
        discovered("meta", "northwindoutfitters", "200000000000001"),
        discovered("meta", "Northwind Outlet", "200000000000099"),
        discovered("meta", "Northwind Outlet", "200000000000099"),  # seen via two edges
    )
    ctx = make_ctx(accounts=(spec,), discovered=found, discovery={"meta": COMPLETE})
    outcomes = run(unmanaged_account, ctx)
    assert statuses(outcomes) == {
        "200000000000001": Status.PASS,
        "200000000000099": Status.FAIL,
    }
    failing = only(outcomes, "200000000000099")
    assert failing.asset.handle == "Northwind Outlet"
    assert "not in the inventory" in failing.detail


def test_unmanaged_account_fail_same_handle_different_id():
    spec = account_spec("github", "northwind-labs", "9100001")
    found = (discovered("github", "northwind-labs", "9100777", via="github org"),)
    ctx = make_ctx(accounts=(spec,), discovered=found, discovery={"github": COMPLETE})
    result = only(run(unmanaged_account, ctx))
    assert result.status is Status.FAIL


def test_unmanaged_account_pass_matched_by_handle_when_inventory_has_no_id():
    spec = account_spec("github", "Northwind-Labs", None)
    found = (discovered("github", "northwind-labs", "9100001", via="github org"),)
    ctx = make_ctx(accounts=(spec,), discovered=found, discovery={"github": COMPLETE})
    outcomes = run(unmanaged_account, ctx)
    result = only(outcomes, "9100001")
    assert result.status is Status.PASS
    assert result.asset.key == spec.asset.key
    assert only(outcomes, "discovered-accounts").status is Status.PASS


def test_unmanaged_account_listed_accounts_of_a_truncated_listing_still_pass_but_the_platform_does_not():
    spec = account_spec("github", "northwind-labs", "9100001")
    found = (discovered("github", "northwind-labs", "9100001", via="github org"),)
    ctx = make_ctx(accounts=(spec,), discovered=found, discovery={"github": TRUNCATED})
    outcomes = run(unmanaged_account, ctx)
    assert only(outcomes, "9100001").status is Status.PASS
    platform = only(outcomes, "discovered-accounts")
    assert platform.status is Status.NOT_VERIFIED
    assert "max_pages" in platform.detail


def test_unmanaged_account_not_verified_when_discovery_source_failed():
    spec = account_spec("meta", "northwindoutfitters", "200000000000001")
    ctx = make_ctx(accounts=(spec,), discovery={"meta": SOURCE_DOWN})
    result = only(run(unmanaged_account, ctx), "discovered-accounts")
    assert result.status is Status.NOT_VERIFIED
    assert result.asset.kind is AssetKind.SOURCE
    assert result.asset.handle == "meta"
    assert "connection refused" in result.detail


def test_unmanaged_account_not_verified_when_nothing_was_discovered():
    result = only(run(unmanaged_account, make_ctx(accounts=(account_spec(),))))
    assert result.status is Status.NOT_VERIFIED
    assert result.asset.kind is AssetKind.ORGANIZATION


# --- ownership.account-unreachable ---------------------------------------------------------------


def test_account_unreachable_fail_for_gone_states():
    for state in (AccountState.NOT_FOUND, AccountState.SUSPENDED, AccountState.DEACTIVATED):
        ev = account_evidence("bluesky", "northwindstore.bsky.social", account_id=None, state=state)
        spec = account_spec("bluesky", "northwindstore.bsky.social", None)
        ctx = make_ctx(accounts=(spec,), account_evidence=(ev,))
        result = only(run(account_unreachable, ctx))
        assert result.status is Status.FAIL
        assert state.value in result.detail


def test_account_unreachable_fail_even_when_source_reported_the_account():
    spec = account_spec()
    ev = account_evidence(state=AccountState.NOT_FOUND, account_id=None)
    problem = asset_problem("x", spec.asset.key, kind="not_found")
    ctx = make_ctx(accounts=(spec,), account_evidence=(ev,), sources=(problem,))
    assert only(run(account_unreachable, ctx)).status is Status.FAIL


def test_account_unreachable_pass_active():
    ctx = make_ctx(accounts=(account_spec(),), account_evidence=(account_evidence(),))
    result = only(run(account_unreachable, ctx))
    assert result.status is Status.PASS
    assert "1500000000000000001" in result.detail


def test_account_unreachable_not_verified_unknown_state():
    ev = account_evidence(state=AccountState.UNKNOWN, account_id=None)
    ctx = make_ctx(accounts=(account_spec(),), account_evidence=(ev,))
    assert only(run(account_unreachable, ctx)).status is Status.NOT_VERIFIED


def test_account_unreachable_not_verified_without_evidence_or_with_identity_unread():
    spec = account_spec()
    assert only(run(account_unreachable, make_ctx(accounts=(spec,)))).status is (
        Status.NOT_VERIFIED
    )
    ev = with_facets(account_evidence(), identity=Completeness.unknown("rate_limit: 429"))
    ctx = make_ctx(accounts=(spec,), account_evidence=(ev,))
    result = only(run(account_unreachable, ctx))
    assert result.status is Status.NOT_VERIFIED
    assert "rate_limit" in result.detail


def test_account_unreachable_a_not_found_state_on_an_unread_identity_is_not_a_fail():
    """The issue: a page without an id got a critical account-unreachable Meta never said."""
    ev = with_facets(
        account_evidence(
            "meta", "northwindoutfitters", account_id=None, state=AccountState.NOT_FOUND
        ),
        identity=Completeness.unknown("owned_pages answered 503"),
    )
    spec = account_spec("meta", "northwindoutfitters", None)
    result = only(run(account_unreachable, make_ctx(accounts=(spec,), account_evidence=(ev,))))
    assert result.status is Status.NOT_VERIFIED
    assert "503" in result.detail


# --- ownership.identity-mismatch -----------------------------------------------------------------


def test_identity_mismatch_fail_handle_resolves_elsewhere():
    spec = account_spec("x", "northwind_help", "1500000000000000003")
    ev = account_evidence("x", "northwind_help", account_id="1699999999999999999")
    result = only(run(identity_mismatch, make_ctx(accounts=(spec,), account_evidence=(ev,))))
    assert result.status is Status.FAIL
    assert result.subject == "account_id"
    assert "1699999999999999999" in result.detail


def test_identity_mismatch_fail_token_belongs_to_other_account():
    ev = account_evidence(token_account_id="42")
    outcomes = run(identity_mismatch, make_ctx(accounts=(account_spec(),), account_evidence=(ev,)))
    assert statuses(outcomes) == {"account_id": Status.PASS, "token_account_id": Status.FAIL}


def test_identity_mismatch_pass_shared_token_of_another_inventory_account_is_silent():
    specs = (account_spec(), account_spec("x", "northwind_deals", "1500000000000000002"))
    evs = (
        account_evidence(token_account_id="1500000000000000001"),
        account_evidence(
            "x",
            "northwind_deals",
            account_id="1500000000000000002",
            token_account_id="1500000000000000001",
        ),
    )
    outcomes = run(identity_mismatch, make_ctx(accounts=specs, account_evidence=evs))
    assert [(o.asset.handle, o.subject, o.status) for o in outcomes] == [
        ("northwind", "account_id", Status.PASS),
        ("northwind", "token_account_id", Status.PASS),
        ("northwind_deals", "account_id", Status.PASS),
    ]


def test_identity_mismatch_pass_same_id_and_token():
    ev = account_evidence(token_account_id="1500000000000000001")
    outcomes = run(identity_mismatch, make_ctx(accounts=(account_spec(),), account_evidence=(ev,)))
    assert statuses(outcomes) == {"account_id": Status.PASS, "token_account_id": Status.PASS}


def test_identity_mismatch_not_verified_without_inventory_id():
    spec = account_spec(id=None)
    result = only(
        run(identity_mismatch, make_ctx(accounts=(spec,), account_evidence=(account_evidence(),)))
    )
    assert result.status is Status.NOT_VERIFIED
    assert "record it" in result.detail


def test_identity_mismatch_not_verified_when_account_not_found():
    ev = account_evidence(state=AccountState.NOT_FOUND, account_id=None)
    result = only(
        run(identity_mismatch, make_ctx(accounts=(account_spec(),), account_evidence=(ev,)))
    )
    assert result.status is Status.NOT_VERIFIED
    assert "not_found" in result.detail


def test_identity_mismatch_not_verified_token_of_account_with_a_recorded_problem():
    """Was fail-open: the token result passed although the source recorded a problem for the
    account (its evidence is incomplete, so nothing about it may pass)."""
    spec = account_spec()
    ev = account_evidence(token_account_id="1500000000000000001")
    ev = with_facets(ev, identity=Completeness.partial("server: lookup retried"))
    ctx = make_ctx(accounts=(spec,), account_evidence=(ev,))
    found = statuses(run(identity_mismatch, ctx))
    assert found == {"account_id": Status.NOT_VERIFIED, "token_account_id": Status.NOT_VERIFIED}


def test_identity_mismatch_not_verified_when_token_owner_lookup_failed_for_the_account():
    spec = account_spec()
    ev = with_facets(account_evidence(), token_owner=Completeness.unknown("malformed answer"))
    ctx = make_ctx(accounts=(spec,), account_evidence=(ev,))
    outcomes = run(identity_mismatch, ctx)
    assert statuses(outcomes)["token_account_id"] is Status.NOT_VERIFIED
    assert "malformed" in next(o for o in outcomes if o.subject == "token_account_id").detail


def test_identity_mismatch_not_verified_when_token_refused_or_scope_missing():
    spec = account_spec()
    refused = with_facets(account_evidence(), token_owner=Completeness.unknown("auth: 401"))
    ctx = make_ctx(accounts=(spec,), account_evidence=(refused,))
    assert statuses(run(identity_mismatch, ctx))["token_account_id"] is Status.NOT_VERIFIED
    said_but_empty = with_facets(account_evidence(), token_owner=COMPLETE)
    ctx = make_ctx(accounts=(spec,), account_evidence=(said_but_empty,))
    assert statuses(run(identity_mismatch, ctx))["token_account_id"] is Status.NOT_VERIFIED
    hidden = with_facets(account_evidence(), token_owner=not_exposed("youtube"))
    ctx = make_ctx(accounts=(spec,), account_evidence=(hidden,))
    assert "token_account_id" not in statuses(run(identity_mismatch, ctx))


def test_identity_mismatch_pass_without_token_question_gives_no_token_result():
    ctx = make_ctx(accounts=(account_spec(),), account_evidence=(account_evidence(),))
    assert statuses(run(identity_mismatch, ctx)) == {"account_id": Status.PASS}


BSKY = account_spec("bluesky", "northwind.example", "did:plc:northwindexample00000001")


def _bsky(**kw):
    return account_evidence(
        "bluesky", "northwind.example", account_id="did:plc:northwindexample00000001", **kw
    )


def test_identity_mismatch_fail_handle_does_not_verify_both_ways():
    ctx = make_ctx(accounts=(BSKY,), account_evidence=(_bsky(handle_verified=False),))
    outcomes = run(identity_mismatch, ctx)
    assert statuses(outcomes) == {"account_id": Status.PASS, "handle-verification": Status.FAIL}
    failing = only(outcomes, "handle-verification")
    assert "northwind.example" in failing.detail and "alsoKnownAs" in failing.detail
    assert "did:plc:northwindexample00000001" in failing.detail


def test_identity_mismatch_fail_handle_released_by_the_recorded_did():
    """The handle is gone while the recorded DID carries another handle: an observed fact, so
    it fails although the account's state is a gap for the other results."""
    ev = _bsky(state=AccountState.NOT_FOUND, handle_verified=False)
    ctx = make_ctx(accounts=(BSKY,), account_evidence=(replace(ev, account_id=None),))
    result = only(run(identity_mismatch, ctx), "handle-verification")
    assert result.status is Status.FAIL
    assert "did:plc:northwindexample00000001" in result.detail


def test_identity_mismatch_pass_handle_verifies_both_ways():
    ctx = make_ctx(accounts=(BSKY,), account_evidence=(_bsky(handle_verified=True),))
    assert statuses(run(identity_mismatch, ctx)) == {
        "account_id": Status.PASS,
        "handle-verification": Status.PASS,
    }


def test_identity_mismatch_not_verified_handle_verification_not_made():
    ctx = make_ctx(accounts=(BSKY,), account_evidence=(_bsky(state=AccountState.UNKNOWN),))
    result = only(run(identity_mismatch, ctx), "handle-verification")
    assert result.status is Status.NOT_VERIFIED
    ev = with_facets(_bsky(), identity=Completeness.unknown("timeout on DNS-over-HTTPS"))
    ctx = make_ctx(accounts=(BSKY,), account_evidence=(ev,))
    result = only(run(identity_mismatch, ctx), "handle-verification")
    assert result.status is Status.NOT_VERIFIED and "timeout" in result.detail
    missing = only(run(identity_mismatch, make_ctx(accounts=(BSKY,))), "handle-verification")
    assert missing.status is Status.NOT_VERIFIED


def test_identity_mismatch_not_verified_verified_handle_with_a_gap():
    ev = with_facets(_bsky(handle_verified=True), identity=PARTIAL)
    ctx = make_ctx(accounts=(BSKY,), account_evidence=(ev,))
    assert only(run(identity_mismatch, ctx), "handle-verification").status is Status.NOT_VERIFIED


def test_identity_mismatch_pass_other_platforms_give_no_handle_result():
    ctx = make_ctx(accounts=(account_spec(),), account_evidence=(account_evidence(),))
    assert "handle-verification" not in statuses(run(identity_mismatch, ctx))
