"""The shared reading of completeness and the one-of-each lookups, to the letter: the sentence a
not_verified result gives, the account view's gaps, the inventory match, the vault item, the
registration mailboxes and the display rule."""

from __future__ import annotations

from dataclasses import replace

from factories import (
    COMPLETE,
    PARTIAL,
    UNREADABLE,
    account_evidence,
    account_spec,
    make_ctx,
    not_exposed,
    vault,
    vault_item,
    with_facets,
)

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import Attestation, TwoFactorMethod
from auditor.core.evidence import AccountState
from auditor.core.models import Status
from checks.account_records import registrations
from checks.accounts import AccountView, account_views, handle_key, inventory_account
from checks.facets import FACET_WORDS, facet_gap, gap_reason, pass_needs_complete
from checks.safe_text import hidden_characters, quoted, shown
from checks.vaults import linked_item, vault_lookup

# --- checks.facets ----------------------------------------------------------------------------


def test_every_facet_has_words() -> None:
    assert set(FACET_WORDS) == set(Facet)


def test_gap_reason_names_the_facet_and_the_collectors_reason() -> None:
    assert gap_reason(Facet.ROLES, PARTIAL) == "the role holders: partial: page 3 answered 503"
    assert gap_reason(Facet.APPS, not_exposed("x")) == "x does not expose the connected apps"
    nameless = Completeness(not_exposed("x").state, None)
    assert gap_reason(Facet.APPS, nameless) == "the platform does not expose the connected apps"


def test_facet_gap_is_the_weakest_facet_named() -> None:
    ev = with_facets(account_evidence(), roles=PARTIAL, apps=UNREADABLE)
    assert facet_gap(ev, Facet.PROFILE) is None
    assert facet_gap(ev, Facet.PROFILE, Facet.ROLES) == gap_reason(Facet.ROLES, PARTIAL)
    assert facet_gap(ev, Facet.ROLES, Facet.APPS) == gap_reason(Facet.APPS, UNREADABLE)
    assert facet_gap(None, Facet.VAULT) == "the vault export: unknown: not collected"


def test_pass_needs_complete_turns_only_a_pass() -> None:
    assert pass_needs_complete(Status.PASS, "Fine.", None) == (Status.PASS, "Fine.")
    assert pass_needs_complete(Status.PASS, ".Fine..", "gap") == (
        Status.NOT_VERIFIED,
        ".Fine. Not verified: gap.",
    )
    assert pass_needs_complete(Status.FAIL, "Bad", "gap") == (Status.FAIL, "Bad")
    assert pass_needs_complete(Status.NOT_VERIFIED, "?", "gap") == (Status.NOT_VERIFIED, "?")


# --- checks.accounts --------------------------------------------------------------------------


def test_account_view_reads_the_collectors_word_and_the_accounts_state() -> None:
    spec = account_spec()
    assert AccountView(spec, None).gap(Facet.ROLES) == (
        "no x evidence was collected for this account"
    )
    view = AccountView(spec, with_facets(account_evidence(), roles=PARTIAL))
    assert view.gap(Facet.PROFILE) is None
    assert view.gap(Facet.ROLES) == gap_reason(Facet.ROLES, PARTIAL)
    gone = AccountView(
        spec, account_evidence(state=AccountState.SUSPENDED, token_account_id="1500000000000000001")
    )
    assert gone.gap(Facet.IDENTITY) is None
    assert gone.gap(Facet.IDENTITY, Facet.TOKEN_OWNER) is None
    assert gone.gap(Facet.IDENTITY, Facet.ROLES) == (
        "the account is suspended (see ownership.account-unreachable)"
    )
    assert (view.key, view.source, view.observed_at) == (
        spec.asset.key,
        "x",
        account_evidence().observed_at,
    )
    assert (AccountView(spec, None).source, AccountView(spec, None).observed_at) == ("x", None)


def test_inventory_account_matches_by_id_then_by_handle_only_without_ids() -> None:
    with_id = account_spec("github", "northwind-labs", "91")
    no_id = account_spec("github", "Old-Name", None)
    other = account_spec("x", "northwind-labs", "91")
    resolved = account_evidence("github", "Old-Name", account_id="77")
    ctx = make_ctx(accounts=(other, with_id, no_id), account_evidence=(resolved,))
    assert inventory_account(ctx, "github", "anything", " 91 ") is with_id
    assert inventory_account(ctx, "github", "anything", "77") is no_id  # resolved this run
    assert inventory_account(ctx, "github", "@Northwind-Labs", None) is with_id
    assert inventory_account(ctx, "github", "northwind-labs", "92") is None
    bare = make_ctx(accounts=(account_spec("github", "solo", None),))
    assert inventory_account(bare, "github", "SOLO", "5") is not None
    assert inventory_account(bare, "x", "solo", None) is None
    assert handle_key("  @Brand ") == "brand"


def test_account_views_walk_the_inventory_in_order() -> None:
    a, b = account_spec("x", "a"), account_spec("x", "b")
    ctx = make_ctx(accounts=(a, b), account_evidence=(account_evidence("x", "b"),))
    views = list(account_views(ctx))
    assert [v.spec for v in views] == [a, b]
    assert views[0].evidence is None and views[1].evidence is not None


# --- checks.vaults, checks.account_records ----------------------------------------------------


def test_linked_item_says_why_there_is_none() -> None:
    spec = account_spec(vault_item="X - Brand")
    assert linked_item(make_ctx(), spec, None) == (None, "no vault export was read")
    export = vault(vault_item("i-1", "x - brand"))
    ctx = make_ctx(vault=export)
    item, reason = linked_item(ctx, spec, vault_lookup(export))
    assert item is not None and item.item_id == "i-1" and reason is None
    assert linked_item(ctx, replace(spec, vault_item=None), vault_lookup(export)) == (
        None,
        "no vault item is linked to the account (accounts[].vault_item)",
    )
    missing = replace(spec, vault_item="gone")
    assert linked_item(ctx, missing, vault_lookup(export)) == (
        None,
        "vault item 'gone' is not in the bitwarden export",
    )
    partial = vault(vault_item("i-1"), facets={Facet.VAULT: PARTIAL})
    _, why = linked_item(make_ctx(vault=partial), missing, vault_lookup(partial))
    assert why == (
        "vault item 'gone' is not in the bitwarden export, which was not read in full "
        f"({gap_reason(Facet.VAULT, PARTIAL)})"
    )


def test_vault_lookup_prefers_the_first_item_by_id_or_title() -> None:
    export = vault(vault_item("b", "Shared"), vault_item("Shared", "other"), vault_item("c", "b"))
    lookup = vault_lookup(export)
    assert lookup is not None
    found = lookup.find("Shared")
    assert found is not None and found.item_id == "b"
    by_id = lookup.find("c")
    assert by_id is not None and by_id.item_id == "c"
    first = lookup.find("b")
    assert first is not None and first.item_id == "b"
    assert lookup.find("nothing") is None
    assert vault_lookup(None) is None


def test_registrations_gather_every_address_once_with_its_sources() -> None:
    spec = account_spec(registered_email=" Social@Northwind.example ", vault_item="v")
    export = vault(vault_item("v", username="social@northwind.example"))
    ev = account_evidence(registration_email="ops@northwind.example")
    ctx = make_ctx(accounts=(spec,), account_evidence=(ev,), vault=export)
    found = registrations(ctx, AccountView(spec, ev), vault_lookup(export))
    assert [(r.email, r.sources) for r in found] == [
        ("social@northwind.example", ("inventory", "vault")),
        ("ops@northwind.example", ("x",)),
    ]
    login = vault(vault_item("v", username="social-login"))
    none = registrations(
        make_ctx(vault=login), AccountView(replace(spec, registered_email=None), None), None
    )
    assert none == []
    plain = registrations(
        make_ctx(vault=login),
        AccountView(replace(spec, registered_email="  "), None),
        vault_lookup(login),
    )
    assert plain == []


# --- checks.safe_text -------------------------------------------------------------------------


def test_one_display_rule_escapes_hidden_characters() -> None:
    assert shown(None) == "(none)"
    assert shown("abc", 2) == "a…"
    assert shown("abc", 3) == "abc"
    assert shown("a\u202eb\u200bc") == "a\\u202eb\\u200bc"
    assert shown("ü" * 5, 3) == "üü…"
    assert quoted(None) == "(none)"
    assert quoted("  a \n\t b  ") == "'a b'"
    assert quoted("x\u200by", 20) == "'x\\u200by'"
    assert quoted("e\u0301") == "'\u00e9'"
    assert hidden_characters("plain") == []
    assert hidden_characters("a\u202eb\u202ec\u200b\n") == ["\\u202e", "\\u200b"]
    assert COMPLETE.is_complete


def test_factories_build_the_states_that_occur() -> None:
    """A source read with a source-wide problem is partial though ``ok``; a truncated listing is
    a partial facet; a failed source is failed."""
    from factories import TRUNCATED, failed_source, partial_source

    from auditor.core.completeness import Coverage, SourceStatus

    partial = partial_source("meta")
    assert partial.status is SourceStatus.PARTIAL
    assert partial.problems[0].asset_key is None
    assert failed_source("meta").status is SourceStatus.FAILED
    assert TRUNCATED.state is Coverage.PARTIAL and "max_pages" in (TRUNCATED.reason or "")


def test_display_defaults_and_edges() -> None:
    """Default lengths and the ASCII fast path's edges, to the character."""
    assert shown("a" * 80) == "a" * 80
    assert shown("a" * 81) == "a" * 79 + "…"
    assert quoted("b" * 81) == "'" + "b" * 79 + "…'"
    assert hidden_characters("a\x00b") == ["\\u0000"]
    assert hidden_characters("a\tb\u2028") == ["\\u2028"]


def test_pass_needs_complete_keeps_the_last_letter() -> None:
    assert pass_needs_complete(Status.PASS, "UNIX", "gap")[1] == "UNIX. Not verified: gap."
    assert handle_key("@Xavier") == "xavier"


def test_roles_gap_names_the_scopes_the_token_lacks() -> None:
    from checks.accounts import roles_gap

    long_scope = "s" * 70
    ev = replace(
        with_facets(account_evidence(), roles=UNREADABLE),
        missing_scopes=("business_management", long_scope),
    )
    assert roles_gap(AccountView(account_spec(), ev)) == (
        f"{gap_reason(Facet.ROLES, UNREADABLE)} (the token lacks business_management, {'s' * 59}…)"
    )
    complete = replace(account_evidence(), missing_scopes=("business_management",))
    assert roles_gap(AccountView(account_spec(), complete)) is None
    assert roles_gap(AccountView(account_spec(), None)) == (
        "no x evidence was collected for this account"
    )


def test_role_results_carry_the_account_its_source_and_when_it_was_read() -> None:
    """Every account is walked (an account without roles does not end the walk), and each result
    names the account, the collector and the time of the read."""
    from datetime import timedelta

    from factories import NOW, role

    from checks.access.history import role_escalation
    from checks.access.holders import external_admin

    first = account_spec("meta", "page-a", "1")
    second = account_spec("meta", "page-b", "2")
    third = account_spec("meta", "page-c", "3")
    read_at = NOW - timedelta(minutes=5)
    holder = role("9", email="alice.ng@northwind.example")
    evidence = (
        replace(
            account_evidence("meta", "page-a", account_id="1", roles=None), observed_at=read_at
        ),
        replace(
            account_evidence("meta", "page-b", account_id="2", roles=(holder,)), observed_at=read_at
        ),
        replace(
            account_evidence("meta", "page-c", account_id="3", roles=(holder,)), observed_at=read_at
        ),
    )
    ctx = make_ctx(accounts=(first, second, third), account_evidence=evidence)
    results = list(external_admin(ctx))
    assert [(o.asset.key, o.status) for o in results] == [
        (first.asset.key, Status.NOT_VERIFIED),
        (second.asset.key, Status.PASS),
        (third.asset.key, Status.PASS),
    ]
    assert "page-a" in results[0].detail
    assert {o.evidence.source for o in results} == {"meta"}
    assert results[1].evidence.observed_at == read_at
    first_audit = list(role_escalation(ctx))
    assert [(o.asset.key, o.evidence.source) for o in first_audit] == [
        (first.asset.key, "meta"),
        (second.asset.key, "history"),
        (third.asset.key, "history"),
    ]
    assert first_audit[1].detail == (
        "Role changes cannot be judged: first audit, no previous run to compare with."
    )


def test_expected_admins_entries_in_every_spelling() -> None:
    """Plain emails, plain ids, ``id=email`` in either order; an entry with an empty side is
    neither a mapping nor a match."""
    from factories import role

    from checks.people import expected_emails, holder_email, is_expected

    spec = account_spec(
        expected_admins=(
            " Alice.Ng@Northwind.example ",
            "urn:li:person:AB1",
            "carla.diaz@northwind.example = urn:li:person:cd2",
            "urn:li:person:ef3=ERIN.cho@northwind.example",
            "=ghost@northwind.example",
            "urn:li:person:gh4=",
        )
    )
    assert expected_emails(spec) == {
        "alice.ng@northwind.example",
        "carla.diaz@northwind.example",
        "erin.cho@northwind.example",
        "=ghost@northwind.example",
    }
    mapped = holder_email(spec, role("URN:LI:PERSON:CD2"))
    assert (mapped.email, mapped.via) == ("carla.diaz@northwind.example", "expected_admins")
    assert holder_email(spec, role("urn:li:person:ef3")).email == "erin.cho@northwind.example"
    assert (holder_email(spec, role("x")).email, holder_email(spec, role("x")).via) == (
        None,
        "none",
    )
    exposed = holder_email(spec, role("x", email=" Bob@Example.com "))
    assert (exposed.email, exposed.via) == ("bob@example.com", "platform")
    assert is_expected(spec, role("urn:li:person:ab1"))
    assert is_expected(spec, role("urn:li:person:cd2"))
    assert is_expected(spec, role("z", email="alice.ng@northwind.example"))
    assert not is_expected(spec, role("urn:li:person:gh4"))
    assert not is_expected(spec, role("z", email="ghost@northwind.example"))
    assert not is_expected(spec, role("z"))


def test_attestation_age_boundaries() -> None:
    from datetime import timedelta

    from factories import NOW

    from checks.coverage import evidence_stale

    def age(days: int) -> Status:
        att = Attestation(TwoFactorMethod.TOTP, (NOW - timedelta(days=days)).date())
        (result,) = evidence_stale(make_ctx(accounts=(account_spec(two_factor=att),)))
        return result.status

    assert [age(180), age(181), age(0), age(-1)] == [
        Status.PASS,
        Status.FAIL,
        Status.PASS,
        Status.NOT_VERIFIED,
    ]
