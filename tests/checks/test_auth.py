"""Tests of the auth checks over hand-built evidence: a fail, a pass and a not_verified each."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from auditor.core.completeness import SourceStatus
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
from auditor.core.models import Outcome, SourceProblem, SourceReport, Status
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


def vault(*items: VaultItem) -> VaultEvidence:
    return VaultEvidence(source="vault", format="bitwarden", observed_at=NOW, items=items)


def person(email: str, **kw: Any) -> Person:
    kw.setdefault("status", PersonStatus.ACTIVE)
    return Person(email=email, name=email.split("@", maxsplit=1)[0], **kw)


def people(*persons: Person) -> PeopleDirectory:
    return PeopleDirectory(source="directory", observed_at=NOW, people=persons)


def account_ev(**kw: Any) -> AccountEvidence:
    kw.setdefault("platform", "x")
    kw.setdefault("handle", "northwind")
    kw.setdefault("source", kw["platform"])
    kw.setdefault("observed_at", NOW)
    kw.setdefault("state", AccountState.ACTIVE)
    return AccountEvidence(**kw)


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
    result = only(auth.two_factor_missing, ctx((s,)))
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
    result = only(auth.two_factor_missing, ctx((spec(),), vault_ev=vault(item(has_totp=True))))
    assert result.status is Status.PASS
    assert result.evidence.facts["evidence_used"] == "vault_totp"


def test_2fa_missing_not_verified_without_any_evidence() -> None:
    result = only(auth.two_factor_missing, ctx((spec(),), vault_ev=vault(item())))
    assert result.status is Status.NOT_VERIFIED
    assert "no TOTP seed" in result.detail


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
    assert "no 2-step verification" in mailbox.detail


def test_member_without_2fa_pass_mailbox_enrolled() -> None:
    ev = account_ev(roles=(role("alice.ng@northwind.example", True),))
    directory = people(person("social@northwind.example", two_sv_enrolled=True))
    results = _member_results(accounts=(spec(),), account_evidence=(ev,), directory=directory)
    assert {o.status for o in results.values()} == {Status.PASS}


def test_member_without_2fa_not_verified_roles_hidden_and_mailbox_external() -> None:
    ev = account_ev(
        platform="youtube",
        handle="@northwind",
        roles_note="YouTube does not expose channel managers",
    )
    s = spec(platform="youtube", handle="@northwind", registered_email="brand@gmail.com")
    results = _member_results(accounts=(s,), account_evidence=(ev,), directory=people())
    assert results["roles"].status is Status.NOT_VERIFIED
    assert "YouTube does not expose" in results["roles"].detail
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
    report = SourceReport(
        name="vault",
        status=SourceStatus.PARTIAL,
        observed_at=NOW,
        problems=(SourceProblem(kind="network", detail="breach lookup failed: network"),),
    )
    context = ctx((spec(),), vault_ev=vault(item(breach_count=None)), sources=(report,))
    result = only(password_breached, context)
    assert result.status is Status.NOT_VERIFIED
    assert "breach lookup failed" in result.detail


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
    report = SourceReport(
        name="vault",
        status=SourceStatus.FAILED,
        observed_at=NOW,
        problems=(SourceProblem("malformed", "bad"),),
    )
    result = only(totp_beside_password, ctx((spec(),), sources=(report,)))
    assert result.status is Status.NOT_VERIFIED
    assert "could not be read" in result.detail


def test_password_not_rotated_after_departure_not_verified_undated_departure() -> None:
    s = spec(expected_admins=("ben.ortiz@northwind.example",))
    directory = people(person("ben.ortiz@northwind.example", status=PersonStatus.DEPARTED))
    context = ctx((s,), vault_ev=vault(item()), directory=directory)
    result = only(password_not_rotated_after_departure, context)
    assert result.status is Status.NOT_VERIFIED
    assert "unknown date" in result.detail


def test_password_not_rotated_after_departure_pass_nobody_left() -> None:
    s = spec(
        expected_admins=("alice.ng@northwind.example", "1234567"),
        credential_holders=("alice.ng@northwind.example",),
    )
    directory = people(person("alice.ng@northwind.example"), person("social@northwind.example"))
    result = only(
        password_not_rotated_after_departure, ctx((s,), vault_ev=vault(item()), directory=directory)
    )
    assert result.status is Status.PASS
    assert "checked: alice.ng@northwind.example" in result.detail


def test_member_without_2fa_fail_hostile_name_is_shown_escaped() -> None:
    ev = account_ev(roles=(role("admin\u202egro.dniwhtron@evil.example", False),))
    results = _member_results(accounts=(spec(registered_email=None),), account_evidence=(ev,))
    (holder,) = [o for o in results.values() if o.subject not in ("mailbox",)]
    assert holder.status is Status.FAIL
    assert "\u202e" not in holder.detail and "\\u202e" in holder.detail
    assert results["mailbox"].status is Status.NOT_VERIFIED
