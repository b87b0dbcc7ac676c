"""Tests of the auth checks over hand-built evidence: a fail, a pass and a not_verified each."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import (
    AccountSpec,
    Attestation,
    Estate,
    Organization,
    Policy,
    TwoFactorMethod,
)
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    Evidence,
    PeopleDirectory,
    Person,
    PersonStatus,
    RoleHolder,
    TwoFactorPolicy,
    VaultEvidence,
    VaultItem,
)
from auditor.core.models import Outcome, SourceReport, Status
from auditor.core.registry import CheckContext, CheckFunc, PreviousRun, build_registry
from checks.auth import two_factor as auth
from checks.auth.passwords import (
    password_breached,
    password_not_rotated_after_departure,
    password_reused,
    password_stale,
    password_weak,
    totp_beside_password,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
COMPLETE = Completeness.complete()
ORG = Organization(name="Northwind Outfitters", email_domains=("northwind.example",))


def spec(**kw: Any) -> AccountSpec:
    kw.setdefault("platform", "x")
    kw.setdefault("handle", "northwind")
    kw.setdefault("registered_email", "social@northwind.example")
    kw.setdefault("vault_item", "X - @northwind")
    return AccountSpec(**kw)


def item(**kw: Any) -> VaultItem:
    defaults: dict[str, Any] = {
        "item_id": "i-1",
        "name": "X - @northwind",
        "username": "social@northwind.example",
        "uris": ("https://x.com",),
        "has_password": True,
        "password_length": 20,
        "strength_score": 4,
        "password_changed_at": datetime(2026, 9, 1, tzinfo=UTC),
        "has_totp": False,
        "breach_count": 0,
    }
    defaults.update(kw)
    return VaultItem(**defaults)


def vault(*items: VaultItem, **states: Completeness) -> VaultEvidence:
    """A vault export read in full (breach lookups too) unless ``states`` restates a facet."""
    facets = {Facet.VAULT: COMPLETE, Facet.BREACH: COMPLETE}
    facets.update({Facet(k): v for k, v in states.items()})
    return VaultEvidence(
        source="vault", format="bitwarden", observed_at=NOW, items=items, facets=facets
    )


def person(email: str, **kw: Any) -> Person:
    kw.setdefault("status", PersonStatus.ACTIVE)
    return Person(email=email, name=email.split("@", maxsplit=1)[0], **kw)


def people(*persons: Person, **states: Completeness) -> PeopleDirectory:
    """A directory read in full unless ``states`` restates a facet."""
    facets = {Facet.DIRECTORY: COMPLETE, Facet.MAILBOX_TWO_FACTOR: COMPLETE}
    facets.update({Facet(k): v for k, v in states.items()})
    return PeopleDirectory(source="directory", observed_at=NOW, people=persons, facets=facets)


def account_ev(**kw: Any) -> AccountEvidence:
    """Account evidence as a healthy collector states it: every facet complete, except that a
    platform which gave no role list or no 2FA policy does not expose it. Pass ``facets`` to
    state anything else."""
    kw.setdefault("platform", "x")
    kw.setdefault("handle", "northwind")
    kw.setdefault("source", kw["platform"])
    kw.setdefault("observed_at", NOW)
    kw.setdefault("state", AccountState.ACTIVE)
    hidden = Completeness.not_exposed(kw["platform"])
    said = kw.get("two_factor_policy") is not None or kw.get("account_two_factor") is not None
    stated = {
        Facet.IDENTITY: COMPLETE,
        Facet.ROLES: COMPLETE if kw.get("roles") is not None else hidden,
        Facet.MEMBER_TWO_FACTOR: COMPLETE if kw.get("roles") is not None else hidden,
        Facet.TWO_FACTOR_POLICY: COMPLETE if said else hidden,
    }
    stated.update(kw.pop("facets", {}))
    return AccountEvidence(facets=stated, **kw)


def x_account(**kw: Any) -> AccountEvidence:
    """The X account: no role list and no 2FA policy exposed."""
    return account_ev(**kw)


def role(email: str, two_factor: bool | None, **kw: Any) -> RoleHolder:
    kw.setdefault("role", "ADMIN")
    kw.setdefault("full_admin", True)
    kw.setdefault("privilege", 3)
    return RoleHolder(person_id=email, name=None, email=email, two_factor=two_factor, **kw)


def ctx(
    accounts: tuple[AccountSpec, ...] = (),
    *,
    vault_ev: VaultEvidence | None = None,
    directory: PeopleDirectory | None = None,
    account_evidence: tuple[AccountEvidence, ...] = (),
    sources: tuple[SourceReport, ...] = (),
    previous: Evidence | None = None,
    policy: Policy | None = None,
) -> CheckContext:
    evidence = Evidence(
        collected_at=NOW,
        sources={s.name: s for s in sources},
        people=directory,
        vault=vault_ev,
        accounts={f"account:{e.platform}:{e.handle.lower()}": e for e in account_evidence},
    )
    prev = PreviousRun("r0", NOW, previous) if previous is not None else None
    return CheckContext(
        evidence=evidence,
        estate=Estate(organization=ORG, accounts=accounts),
        policy=policy or Policy(),
        now=NOW,
        previous=prev,
    )


def run(func: CheckFunc, context: CheckContext) -> list[Outcome]:
    return list(func(context))


def only(func: CheckFunc, context: CheckContext) -> Outcome:
    results = run(func, context)
    assert len(results) == 1, results
    return results[0]


def test_auth_checks_register_with_catalog_ids() -> None:
    ids = [s.id for s in build_registry(auth.CHECKS).specs]
    assert ids == [
        "auth.2fa-missing",
        "auth.2fa-weak-method",
        "auth.member-without-2fa",
        "auth.password-breached",
        "auth.password-reused",
        "auth.password-weak",
        "auth.password-stale",
        "auth.password-not-rotated-after-departure",
        "auth.totp-beside-password",
    ]


# --- auth.2fa-missing --------------------------------------------------------------------


def test_2fa_missing_fail_platform_policy_outranks_attestation() -> None:
    att = Attestation(TwoFactorMethod.TOTP, date(2026, 11, 1), "alice")
    ev = account_ev(
        platform="meta",
        handle="northwindoutfitters",
        owner_name="Northwind Business",
        two_factor_policy=TwoFactorPolicy("none", "two_factor_type"),
    )
    s = spec(platform="meta", handle="northwindoutfitters", two_factor=att)
    result = only(auth.two_factor_missing, ctx((s,), account_evidence=(ev,)))
    assert result.status is Status.FAIL
    assert "two_factor_type" in result.detail
    assert "outranks" in result.detail
    assert result.evidence.facts["evidence_used"] == "platform"
    assert result.evidence.facts["attestation_overridden"] is True


def test_2fa_missing_fail_attested_none() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.NONE, date(2026, 11, 1)))
    result = only(auth.two_factor_missing, ctx((s,), account_evidence=(x_account(),)))
    assert result.status is Status.FAIL
    assert result.evidence.facts["evidence_used"] == "attestation"
    assert "2026-11-01" in result.detail


def test_2fa_missing_pass_platform_account_factor() -> None:
    ev = account_ev(platform="bluesky", handle="northwind.example", account_two_factor=True)
    s = spec(platform="bluesky", handle="northwind.example")
    result = only(auth.two_factor_missing, ctx((s,), account_evidence=(ev,)))
    assert result.status is Status.PASS
    assert result.evidence.facts["account_two_factor"] is True


def test_2fa_missing_fail_platform_account_factor_off_despite_attestation() -> None:
    ev = account_ev(platform="bluesky", handle="northwind.example", account_two_factor=False)
    s = spec(
        platform="bluesky",
        handle="northwind.example",
        two_factor=Attestation(TwoFactorMethod.EMAIL, date(2026, 11, 1)),
    )
    result = only(auth.two_factor_missing, ctx((s,), account_evidence=(ev,)))
    assert result.status is Status.FAIL
    assert "outranks" in result.detail


def test_2fa_missing_pass_vault_totp_when_nothing_else() -> None:
    result = only(
        auth.two_factor_missing,
        ctx((spec(),), vault_ev=vault(item(has_totp=True)), account_evidence=(x_account(),)),
    )
    assert result.status is Status.PASS
    assert result.evidence.facts["evidence_used"] == "vault_totp"


def test_2fa_missing_not_verified_without_any_evidence() -> None:
    result = only(
        auth.two_factor_missing,
        ctx((spec(),), vault_ev=vault(item()), account_evidence=(x_account(),)),
    )
    assert result.status is Status.NOT_VERIFIED
    assert "no TOTP seed" in result.detail


@pytest.mark.parametrize(
    "state",
    [Completeness.unknown("server error 503"), Completeness.partial("page 2 failed")],
)
def test_2fa_missing_org_policy_unreadable_never_falls_back_to_the_vault_seed(
    state: Completeness,
) -> None:
    """Today's code passed a GitHub org on the vault's TOTP seed when the org's policy could
    not be read."""
    ev = account_ev(platform="github", handle="northwind", facets={Facet.TWO_FACTOR_POLICY: state})
    s = spec(platform="github", handle="northwind")
    result = only(
        auth.two_factor_missing,
        ctx((s,), vault_ev=vault(item(has_totp=True)), account_evidence=(ev,)),
    )
    assert result.status is Status.NOT_VERIFIED
    assert "second-factor policy" in result.detail


def test_2fa_missing_not_verified_when_nothing_was_collected_for_the_account() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.TOTP, date(2026, 11, 1)))
    result = only(auth.two_factor_missing, ctx((s,), vault_ev=vault(item(has_totp=True))))
    assert result.status is Status.NOT_VERIFIED
    assert "no x evidence was collected" in result.detail


def test_2fa_missing_platform_pass_needs_the_policy_complete() -> None:
    ev = account_ev(
        platform="github",
        handle="northwind",
        two_factor_policy=TwoFactorPolicy("all", "two_factor_requirement_enabled"),
        facets={Facet.TWO_FACTOR_POLICY: Completeness.partial("members page 2 failed")},
    )
    s = spec(platform="github", handle="northwind")
    result = only(auth.two_factor_missing, ctx((s,), account_evidence=(ev,)))
    assert result.status is Status.NOT_VERIFIED
    assert "members page 2 failed" in result.detail


def test_2fa_missing_future_dated_attestation_is_not_a_pass() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.TOTP, date(2027, 1, 1)))
    result = only(auth.two_factor_missing, ctx((s,), account_evidence=(x_account(),)))
    assert result.status is Status.NOT_VERIFIED
    assert "2027-01-01" in result.detail


def test_2fa_missing_vault_seed_in_a_partial_export_is_not_a_pass() -> None:
    export = vault(item(has_totp=True), vault=Completeness.partial("2 items unreadable"))
    result = only(
        auth.two_factor_missing, ctx((spec(),), vault_ev=export, account_evidence=(x_account(),))
    )
    assert result.status is Status.NOT_VERIFIED


# --- auth.2fa-weak-method ----------------------------------------------------------------


def test_2fa_weak_method_fail_sms() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.SMS, date(2026, 10, 20)))
    result = only(auth.two_factor_weak_method, ctx((s,), vault_ev=vault(item())))
    assert result.status is Status.FAIL
    assert "sms" in result.detail


def test_2fa_weak_method_pass_security_key() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.SECURITY_KEY, date(2026, 10, 20)))
    assert only(auth.two_factor_weak_method, ctx((s,))).status is Status.PASS


def test_2fa_weak_method_pass_when_vault_holds_totp() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.VOICE, date(2026, 10, 20)))
    result = only(auth.two_factor_weak_method, ctx((s,), vault_ev=vault(item(has_totp=True))))
    assert result.status is Status.PASS
    assert "TOTP" in result.detail


def test_2fa_weak_method_future_dated_attestation_is_not_a_pass() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.SECURITY_KEY, date(2027, 2, 1)))
    result = only(auth.two_factor_weak_method, ctx((s,)))
    assert result.status is Status.NOT_VERIFIED
    assert "2027-02-01" in result.detail


def test_2fa_weak_method_not_verified_without_attestation() -> None:
    result = only(auth.two_factor_weak_method, ctx((spec(),)))
    assert result.status is Status.NOT_VERIFIED


def test_2fa_weak_method_not_verified_when_no_factor() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.NONE, date(2026, 10, 20)))
    result = only(auth.two_factor_weak_method, ctx((s,)))
    assert result.status is Status.NOT_VERIFIED
    assert "auth.2fa-missing" in result.detail


# --- auth.member-without-2fa -------------------------------------------------------------


def _member_results(**kw: Any) -> dict[str, Outcome]:
    return {o.subject: o for o in run(auth.member_without_two_factor, ctx(**kw))}


def test_member_without_2fa_fail_role_holder_and_mailbox() -> None:
    ev = account_ev(
        roles=(
            role("dev.patel@northwind.example", False),
            role("alice.ng@northwind.example", True, two_factor_method="totp"),
            role("pending@northwind.example", False, pending=True),
        )
    )
    s = spec(registered_email="dev.patel@northwind.example")
    directory = people(person("dev.patel@northwind.example", two_sv_enrolled=False))
    results = _member_results(accounts=(s,), account_evidence=(ev,), directory=directory)
    assert results["dev.patel@northwind.example"].status is Status.FAIL
    assert results["alice.ng@northwind.example"].status is Status.PASS
    assert "pending@northwind.example" not in results
    mailbox = results["mailbox:dev.patel@northwind.example"]
    assert mailbox.status is Status.FAIL
    assert "not enrolled" in mailbox.detail


def test_member_without_2fa_mailbox_enforced_but_not_enrolled_fails() -> None:
    """Today's code passed a mailbox whose 2-step verification is enforced but not enrolled."""
    directory = people(
        person("social@northwind.example", two_sv_enrolled=False, two_sv_enforced=True)
    )
    results = _member_results(
        accounts=(spec(),), account_evidence=(x_account(),), directory=directory
    )
    mailbox = results["mailbox:social@northwind.example"]
    assert mailbox.status is Status.FAIL
    assert "although it is enforced" in mailbox.detail


def test_member_without_2fa_mailbox_enforced_enrolment_unknown_is_not_verified() -> None:
    directory = people(person("social@northwind.example", two_sv_enforced=True))
    results = _member_results(
        accounts=(spec(),), account_evidence=(x_account(),), directory=directory
    )
    assert results["mailbox:social@northwind.example"].status is Status.NOT_VERIFIED


def test_member_without_2fa_mailbox_on_a_failed_workspace_read_is_not_verified() -> None:
    """Today's code never looked at the directory's completeness."""
    directory = people(
        person("social@northwind.example", two_sv_enrolled=True),
        mailbox_two_factor=Completeness.unknown("google workspace: 503"),
    )
    results = _member_results(
        accounts=(spec(),), account_evidence=(x_account(),), directory=directory
    )
    mailbox = results["mailbox:social@northwind.example"]
    assert mailbox.status is Status.NOT_VERIFIED
    assert "google workspace: 503" in mailbox.detail


def test_member_without_2fa_checks_the_vault_username_mailbox_too() -> None:
    """The vault item's username is a registration mailbox as well (the old lookup ignored
    it)."""
    directory = people(
        person("social@northwind.example", two_sv_enrolled=True),
        person("old.owner@northwind.example", two_sv_enrolled=False),
    )
    results = _member_results(
        accounts=(spec(),),
        account_evidence=(x_account(),),
        directory=directory,
        vault_ev=vault(item(username="old.owner@northwind.example")),
    )
    assert results["mailbox:old.owner@northwind.example"].status is Status.FAIL
    assert results["mailbox:social@northwind.example"].status is Status.PASS


@pytest.mark.parametrize(
    "state", [Completeness.partial("page 2 failed"), Completeness.unknown("timeout")]
)
def test_member_without_2fa_role_holders_on_an_incomplete_read(state: Completeness) -> None:
    """Today's code never looked at source problems: a holder with 2FA passed on a list that
    was cut short."""
    ev = account_ev(
        roles=(
            role("dev.patel@northwind.example", False),
            role("alice.ng@northwind.example", True),
        ),
        facets={Facet.MEMBER_TWO_FACTOR: state},
    )
    results = _member_results(accounts=(spec(),), account_evidence=(ev,))
    assert results["dev.patel@northwind.example"].status is Status.FAIL
    assert results["alice.ng@northwind.example"].status is Status.NOT_VERIFIED


def test_member_without_2fa_pass_mailbox_enrolled() -> None:
    ev = account_ev(roles=(role("alice.ng@northwind.example", True),))
    directory = people(person("social@northwind.example", two_sv_enrolled=True))
    results = _member_results(accounts=(spec(),), account_evidence=(ev,), directory=directory)
    assert {o.status for o in results.values()} == {Status.PASS}


def test_member_without_2fa_not_verified_roles_hidden_and_mailbox_external() -> None:
    ev = account_ev(
        platform="youtube",
        handle="@northwind",
    )
    s = spec(platform="youtube", handle="@northwind", registered_email="brand@gmail.com")
    results = _member_results(accounts=(s,), account_evidence=(ev,), directory=people())
    assert results["roles"].status is Status.NOT_VERIFIED
    assert "youtube does not expose the role holders" in results["roles"].detail
    assert results["mailbox:brand@gmail.com"].status is Status.NOT_VERIFIED


def test_member_without_2fa_not_verified_unknown_holder_state() -> None:
    ev = account_ev(roles=(role("carla@northwind.example", None),))
    results = _member_results(accounts=(spec(),), account_evidence=(ev,))
    assert results["carla@northwind.example"].status is Status.NOT_VERIFIED
    assert results["mailbox:social@northwind.example"].status is Status.NOT_VERIFIED


# --- vault-linked checks ---------------------------------------------------------------


def test_password_breached_fail() -> None:
    result = only(password_breached, ctx((spec(),), vault_ev=vault(item(breach_count=52))))
    assert result.status is Status.FAIL
    assert "52 times" in result.detail
    assert result.subject == "X - @northwind"


def test_password_breached_pass() -> None:
    result = only(password_breached, ctx((spec(),), vault_ev=vault(item(breach_count=0))))
    assert result.status is Status.PASS


def test_password_breached_not_verified_when_lookup_failed() -> None:
    export = vault(
        item(breach_count=None), breach=Completeness.unknown("breach lookup failed: network")
    )
    result = only(password_breached, ctx((spec(),), vault_ev=export))
    assert result.status is Status.NOT_VERIFIED
    assert "breach lookup failed" in result.detail


def test_password_breached_zero_count_from_a_partial_lookup_is_not_a_pass() -> None:
    export = vault(item(breach_count=0), breach=Completeness.partial("3 of 9 ranges failed"))
    result = only(password_breached, ctx((spec(),), vault_ev=export))
    assert result.status is Status.NOT_VERIFIED
    assert "3 of 9 ranges failed" in result.detail


def test_password_breached_not_verified_without_linked_item() -> None:
    result = only(password_breached, ctx((spec(vault_item=None),), vault_ev=vault(item())))
    assert result.status is Status.NOT_VERIFIED
    assert "vault_item" in result.detail


def test_password_reused_fail_names_other_items() -> None:
    items = (
        item(reused_with=("i-2",)),
        item(item_id="i-2", name="Bluesky - northwindstore", reused_with=("i-1",)),
    )
    result = only(password_reused, ctx((spec(),), vault_ev=vault(*items)))
    assert result.status is Status.FAIL
    assert "'Bluesky - northwindstore'" in result.detail
    assert result.evidence.facts["reused_with"] == ["i-2"]


def test_password_reused_pass() -> None:
    assert only(password_reused, ctx((spec(),), vault_ev=vault(item()))).status is Status.PASS


def test_password_reused_not_verified_without_vault() -> None:
    result = only(password_reused, ctx((spec(),)))
    assert result.status is Status.NOT_VERIFIED
    assert "no vault export" in result.detail


def test_password_reused_not_verified_item_missing_from_export() -> None:
    result = only(password_reused, ctx((spec(vault_item="Nope"),), vault_ev=vault(item())))
    assert result.status is Status.NOT_VERIFIED
    assert "'Nope' is not in the bitwarden export" in result.detail


def test_password_weak_fail_by_score() -> None:
    weak = item(strength_score=2, password_length=14)
    result = only(password_weak, ctx((spec(),), vault_ev=vault(weak)))
    assert result.status is Status.FAIL
    assert "score 2/4" in result.detail


def test_password_weak_fail_by_length() -> None:
    short = item(strength_score=4, password_length=11)
    assert only(password_weak, ctx((spec(),), vault_ev=vault(short))).status is Status.FAIL


def test_password_weak_pass() -> None:
    assert only(password_weak, ctx((spec(),), vault_ev=vault(item()))).status is Status.PASS


def test_password_weak_not_verified_no_password() -> None:
    empty = item(has_password=False, password_length=None, strength_score=None)
    result = only(password_weak, ctx((spec(),), vault_ev=vault(empty)))
    assert result.status is Status.NOT_VERIFIED
    assert "holds no password" in result.detail


def test_password_stale_fail() -> None:
    old = item(password_changed_at=datetime(2025, 3, 2, tzinfo=UTC))
    result = only(password_stale, ctx((spec(),), vault_ev=vault(old)))
    assert result.status is Status.FAIL
    assert "2025-03-02" in result.detail
    assert result.evidence.facts["age_days"] == 628


def test_password_stale_pass_with_custom_policy() -> None:
    old = item(password_changed_at=datetime(2025, 3, 2, tzinfo=UTC))
    context = ctx((spec(),), vault_ev=vault(old), policy=Policy(password_max_age_days=700))
    assert only(password_stale, context).status is Status.PASS


def test_password_stale_not_verified_without_dates() -> None:
    undated = item(password_changed_at=None)
    result = only(password_stale, ctx((spec(),), vault_ev=vault(undated)))
    assert result.status is Status.NOT_VERIFIED


def test_password_stale_not_verified_when_only_the_last_edit_is_known() -> None:
    # the revision date bounds the password's age from above: a recent edit proves nothing
    edited = item(
        password_changed_at=datetime(2026, 10, 1, tzinfo=UTC), password_changed_exact=False
    )
    result = only(password_stale, ctx((spec(),), vault_ev=vault(edited)))
    assert result.status is Status.NOT_VERIFIED
    assert "no password history" in result.detail


def test_password_stale_fail_when_even_the_last_edit_is_too_old() -> None:
    edited = item(
        password_changed_at=datetime(2025, 3, 2, tzinfo=UTC), password_changed_exact=False
    )
    result = only(password_stale, ctx((spec(),), vault_ev=vault(edited)))
    assert result.status is Status.FAIL
    assert "at the latest" in result.detail


def _departure_ctx(changed: datetime, **kw: Any) -> CheckContext:
    s = spec(
        expected_admins=("alice.ng@northwind.example",),
        credential_holders=("alice.ng@northwind.example",),
    )
    directory = people(
        person("alice.ng@northwind.example"),
        person("social@northwind.example"),
        person(
            "ben.ortiz@northwind.example",
            status=PersonStatus.DEPARTED,
            departed_on=date(2026, 8, 31),
        ),
    )
    ev = account_ev(roles=(role("ben.ortiz@northwind.example", True),))
    kw.setdefault("account_evidence", (ev,))
    return ctx((s,), vault_ev=vault(item(password_changed_at=changed)), directory=directory, **kw)


def test_password_not_rotated_after_departure_fail() -> None:
    result = only(
        password_not_rotated_after_departure, _departure_ctx(datetime(2026, 6, 10, tzinfo=UTC))
    )
    assert result.status is Status.FAIL
    assert "before ben.ortiz@northwind.example left on 2026-08-31" in result.detail
    assert result.evidence.facts["not_rotated_after"] == ["ben.ortiz@northwind.example"]


def test_password_not_rotated_after_departure_fail_from_previous_run_roles() -> None:
    previous = Evidence(
        collected_at=NOW,
        accounts={
            "account:x:northwind": account_ev(roles=(role("ben.ortiz@northwind.example", True),))
        },
    )
    context = _departure_ctx(
        datetime(2026, 6, 10, tzinfo=UTC),
        account_evidence=(account_ev(roles=()),),
        previous=previous,
    )
    assert only(password_not_rotated_after_departure, context).status is Status.FAIL


def test_password_not_rotated_after_departure_pass() -> None:
    result = only(
        password_not_rotated_after_departure, _departure_ctx(datetime(2026, 9, 2, tzinfo=UTC))
    )
    assert result.status is Status.PASS
    assert "after ben.ortiz@northwind.example" in result.detail


def test_password_not_rotated_after_departure_not_verified_without_directory() -> None:
    context = ctx((spec(),), vault_ev=vault(item()))
    result = only(password_not_rotated_after_departure, context)
    assert result.status is Status.NOT_VERIFIED
    assert "directory" in result.detail


def test_password_not_rotated_after_departure_not_verified_without_dates() -> None:
    context = _departure_ctx(datetime(2026, 6, 10, tzinfo=UTC))
    context = replace(
        context, evidence=replace(context.evidence, vault=vault(item(password_changed_at=None)))
    )
    assert only(password_not_rotated_after_departure, context).status is Status.NOT_VERIFIED


def test_password_not_rotated_after_departure_not_verified_when_only_an_edit_followed() -> None:
    # edited after ben left, but with no password history the edit may not be a rotation
    context = _departure_ctx(datetime(2026, 9, 2, tzinfo=UTC))
    edited = item(
        password_changed_at=datetime(2026, 9, 2, tzinfo=UTC), password_changed_exact=False
    )
    context = replace(context, evidence=replace(context.evidence, vault=vault(edited)))
    result = only(password_not_rotated_after_departure, context)
    assert result.status is Status.NOT_VERIFIED
    assert "no password history" in result.detail


def test_password_not_rotated_after_departure_fail_when_even_the_last_edit_predates() -> None:
    context = _departure_ctx(datetime(2026, 6, 10, tzinfo=UTC))
    edited = item(
        password_changed_at=datetime(2026, 6, 10, tzinfo=UTC), password_changed_exact=False
    )
    context = replace(context, evidence=replace(context.evidence, vault=vault(edited)))
    assert only(password_not_rotated_after_departure, context).status is Status.FAIL


def test_totp_beside_password_fail() -> None:
    result = only(totp_beside_password, ctx((spec(),), vault_ev=vault(item(has_totp=True))))
    assert result.status is Status.FAIL


def test_totp_beside_password_pass() -> None:
    assert only(totp_beside_password, ctx((spec(),), vault_ev=vault(item()))).status is Status.PASS


def test_totp_beside_password_not_verified_vault_unreadable() -> None:
    result = only(totp_beside_password, ctx((spec(),)))
    assert result.status is Status.NOT_VERIFIED
    assert "no vault export was read" in result.detail


@pytest.mark.parametrize("check", [password_reused, password_weak, totp_beside_password])
def test_vault_checks_pass_nothing_on_a_partial_export(check: CheckFunc) -> None:
    export = vault(item(), vault=Completeness.partial("4 items could not be parsed"))
    result = only(check, ctx((spec(),), vault_ev=export))
    assert result.status is Status.NOT_VERIFIED
    assert "4 items could not be parsed" in result.detail


def test_password_not_rotated_after_departure_not_verified_undated_departure() -> None:
    s = spec(expected_admins=("ben.ortiz@northwind.example",))
    directory = people(person("ben.ortiz@northwind.example", status=PersonStatus.DEPARTED))
    context = ctx((s,), vault_ev=vault(item()), directory=directory)
    result = only(password_not_rotated_after_departure, context)
    assert result.status is Status.NOT_VERIFIED
    assert "unknown date" in result.detail


def test_password_not_rotated_after_departure_pass_nobody_left() -> None:
    s = spec(
        platform="meta",
        expected_admins=("alice.ng@northwind.example", "1234567"),
        credential_holders=("alice.ng@northwind.example",),
    )
    ev = account_ev(platform="meta", roles=(role("alice.ng@northwind.example", True),))
    directory = people(person("alice.ng@northwind.example"), person("social@northwind.example"))
    result = only(
        password_not_rotated_after_departure,
        ctx((s,), vault_ev=vault(item()), directory=directory, account_evidence=(ev,)),
    )
    assert result.status is Status.PASS
    assert "checked: alice.ng@northwind.example" in result.detail


def _nobody_left(ev: AccountEvidence | None, **kw: Any) -> Outcome:
    s = spec(platform=ev.platform if ev else "x", expected_admins=("alice.ng@northwind.example",))
    directory = kw.pop("directory", people(person("alice.ng@northwind.example")))
    evidence = (ev,) if ev is not None else ()
    context = ctx((s,), vault_ev=vault(item()), directory=directory, account_evidence=evidence)
    return only(password_not_rotated_after_departure, context)


def test_password_not_rotated_nobody_left_is_not_a_pass_when_the_platform_has_no_role_list() -> (
    None
):
    """Today's code passed ("nobody the directory knows") when nobody knew who had access."""
    result = _nobody_left(x_account())
    assert result.status is Status.NOT_VERIFIED
    assert "x does not expose the role holders" in result.detail


def test_password_not_rotated_nobody_left_is_not_a_pass_with_holders_without_email() -> None:
    holder = RoleHolder("urn:li:person:zz9", None, None, "ADMINISTRATOR", True, 3)
    result = _nobody_left(account_ev(platform="linkedin", roles=(holder,)))
    assert result.status is Status.NOT_VERIFIED
    assert "urn:li:person:zz9 exposes no email" in result.detail


def test_password_not_rotated_nobody_left_is_not_a_pass_when_the_source_is_down() -> None:
    assert _nobody_left(None).status is Status.NOT_VERIFIED
    down = account_ev(
        platform="meta",
        roles=(role("alice.ng@northwind.example", True),),
        facets={Facet.ROLES: Completeness.unknown("source failed: 503")},
    )
    result = _nobody_left(down)
    assert result.status is Status.NOT_VERIFIED
    assert "source failed: 503" in result.detail


def test_password_not_rotated_nobody_left_is_not_a_pass_on_a_partial_directory() -> None:
    ev = account_ev(platform="meta", roles=(role("alice.ng@northwind.example", True),))
    directory = people(
        person("alice.ng@northwind.example"), directory=Completeness.partial("csv row 9 bad")
    )
    result = _nobody_left(ev, directory=directory)
    assert result.status is Status.NOT_VERIFIED
    assert "csv row 9 bad" in result.detail


def test_password_not_rotated_holder_missing_from_the_directory_is_not_a_pass() -> None:
    ev = account_ev(
        platform="meta",
        roles=(
            role("alice.ng@northwind.example", True),
            role("ghost@northwind.example", True),
        ),
    )
    result = _nobody_left(ev)
    assert result.status is Status.NOT_VERIFIED
    assert "ghost@northwind.example is not in the people directory" in result.detail


def test_member_without_2fa_fail_hostile_name_is_shown_escaped() -> None:
    ev = account_ev(roles=(role("admin\u202egro.dniwhtron@evil.example", False),))
    results = _member_results(accounts=(spec(registered_email=None),), account_evidence=(ev,))
    (holder,) = [o for o in results.values() if o.subject not in ("mailbox",)]
    assert holder.status is Status.FAIL
    assert "\u202e" not in holder.detail and "\\u202e" in holder.detail
    assert results["mailbox"].status is Status.NOT_VERIFIED


def test_member_without_2fa_one_result_per_holder_listed_twice() -> None:
    """A person listed twice (business user and page user) gave two results with one subject,
    one fingerprint; the strongest grant is judged once."""
    ev = account_ev(
        roles=(
            role("Dev.Patel@northwind.example", False, full_admin=False, privilege=2),
            role("dev.patel@northwind.example", None),
        )
    )
    results = run(auth.member_without_two_factor, ctx((spec(),), account_evidence=(ev,)))
    subjects = [o.subject for o in results if not o.subject.startswith("mailbox")]
    assert subjects == ["dev.patel@northwind.example"]


def test_attestation_dated_today_is_not_in_the_future() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.SECURITY_KEY, NOW.date()))
    context = ctx((s,), account_evidence=(x_account(),))
    assert only(auth.two_factor_missing, context).status is Status.PASS
    assert only(auth.two_factor_weak_method, context).status is Status.PASS


def test_2fa_weak_method_totp_in_a_partial_export_is_not_a_pass() -> None:
    s = spec(two_factor=Attestation(TwoFactorMethod.SMS, date(2026, 10, 20)))
    export = vault(item(has_totp=True), vault=Completeness.partial("2 items unreadable"))
    result = only(auth.two_factor_weak_method, ctx((s,), vault_ev=export))
    assert result.status is Status.NOT_VERIFIED
    assert "2 items unreadable" in result.detail


def test_2fa_missing_vault_results_to_the_letter() -> None:
    seeded = only(
        auth.two_factor_missing,
        ctx((spec(),), vault_ev=vault(item(has_totp=True)), account_evidence=(x_account(),)),
    )
    assert seeded.asset.key == "account:x:northwind"
    assert seeded.evidence.source == "vault"
    assert seeded.evidence.facts == {"evidence_used": "vault_totp", "vault_item_id": "i-1"}
    assert seeded.detail == (
        "A TOTP seed for the account is stored in vault item X - @northwind (the platform does "
        "not expose 2FA and no attestation is recorded)"
    )
    bare = only(
        auth.two_factor_missing,
        ctx((spec(),), vault_ev=vault(item()), account_evidence=(x_account(),)),
    )
    assert bare.detail == (
        "The x API does not report 2FA, no attestation is recorded, and vault item "
        "X - @northwind holds no TOTP seed"
    )
    assert bare.evidence.source == "inventory"


def test_password_rotation_boundaries_and_who_counts() -> None:
    """A departure today counts; a change on the departure day counts as rotation; system
    users and invitations are skipped without ending the walk."""
    today = NOW.date()
    directory = people(
        person("ben.ortiz@northwind.example", departed_on=today),
        person("social@northwind.example"),
    )
    holders = (
        role("bot@northwind.example", True, is_system=True),
        role("invite@elsewhere.example", True, pending=True),
        role("ben.ortiz@northwind.example", True),
    )
    ev = account_ev(platform="meta", roles=holders)
    s = spec(platform="meta", credential_holders=("ben.ortiz@northwind.example",))

    def judged(changed: datetime) -> Outcome:
        context = ctx(
            (s,),
            vault_ev=vault(item(password_changed_at=changed)),
            directory=directory,
            account_evidence=(ev,),
        )
        return only(password_not_rotated_after_departure, context)

    before = judged(datetime(2026, 11, 19, tzinfo=UTC))
    assert before.status is Status.FAIL
    assert before.detail == (
        "The password of 'X - @northwind' last changed on 2026-11-19, before "
        "ben.ortiz@northwind.example left on 2026-11-20"
    )
    assert judged(datetime(2026, 11, 20, 8, tzinfo=UTC)).status is Status.PASS


def test_password_reused_names_an_item_missing_from_the_export_by_id() -> None:
    export = vault(item(reused_with=("zz-9",)))
    result = only(password_reused, ctx((spec(),), vault_ev=export))
    assert result.detail == "Vault item 'X - @northwind' shares its password with item zz-9"
