"""auth: password and two-factor hygiene of the brand accounts.

A brand account falls to whoever holds its password and can pass its second factor. These checks
read three kinds of evidence and say in every result which one they used:

- platform evidence (what the platform's API reports: Bluesky's ``emailAuthFactor``, the
  two-factor requirement of a Meta business or GitHub org, each role holder's 2FA state). When the
  platform tells, it outranks everything else;
- the inventory attestation (``accounts[].two_factor``: the strongest method a person
  confirmed, and when; ``coverage.evidence-stale`` reports attestations older than policy);
- the vault export (Bitwarden JSON or 1Password CSV), reduced in memory to facts: zxcvbn
  strength, length, reuse between items, the last password change, whether a TOTP seed is stored
  in the same item, and the Pwned Passwords count (only a 5-character SHA-1 prefix leaves the
  machine). An account is linked to its item by ``accounts[].vault_item`` (item id or title).

Checks in this family:

- ``auth.2fa-missing``: no second factor on the account, or the business/org holding it does not
  require one. Platform evidence first, then the attestation, then a TOTP seed in the vault item.
- ``auth.2fa-weak-method``: the strongest attested factor is SMS or voice (SIM-swappable), and
  the vault holds no TOTP seed for the account.
- ``auth.member-without-2fa``: a role holder without a second factor (platform evidence), or the
  mailbox the account is registered to without 2-step verification (people directory,
  ``two_sv_enrolled``).
- ``auth.password-breached``, ``auth.password-reused``, ``auth.password-weak``
  (``policy.password_min_score``, ``policy.password_min_length``), ``auth.password-stale``
  (``policy.password_max_age_days``), ``auth.password-not-rotated-after-departure`` and
  ``auth.totp-beside-password``: the vault checks; ``brand-audit checks explain ID`` shows the
  details of each.

Unknown is never a pass: no linked vault item, a 1Password CSV without dates, a breach lookup
that was off or failed, a platform that does not expose 2FA and no attestation all give
``not_verified`` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from auditor.core.completeness import Facet, facet_status
from auditor.core.estate import AccountSpec, Attestation, TwoFactorMethod
from auditor.core.evidence import AccountEvidence, PeopleDirectory, Person, RoleHolder
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome
from checks.account_records import registrations
from checks.accounts import AccountView, account_views, verdict
from checks.auth import passwords as auth_passwords
from checks.facets import facet_gap, pass_needs_complete
from checks.people import (
    PeopleIndex,
    distinct_holders,
    find_person,
    holder_subject,
    people_index,
)
from checks.safe_text import shown
from checks.vaults import VaultLookup, linked_item, vault_lookup


def attestation_gap(att: Attestation, today: date) -> str | None:
    """Why an attestation cannot be believed (dated in the future), or None."""
    if att.attested_on > today:
        return (
            f"the 2FA attestation is dated {att.attested_on.isoformat()}, in the future: "
            "a statement not yet made proves nothing"
        )
    return None


@check(
    id="auth.2fa-missing",
    title="Account without a second factor",
    severity=Severity.CRITICAL,
    rationale="A password alone is phished, reused or leaked; a second factor stops most takeovers.",
    remediation="Turn on a second factor (security key or TOTP) for the account and require it "
    "in the business or organization that holds it.",
    needs=("platform", "inventory", "vault"),
    facets=(Facet.TWO_FACTOR_POLICY, Facet.VAULT),
)
def two_factor_missing(ctx: CheckContext) -> Iterator[Outcome]:
    """Platform evidence outranks the attestation, which outranks a TOTP seed in the vault.

    Where the platform exposes a second-factor policy but it could not be read in full, the
    answer is not_verified: the attestation and the vault are fallbacks for platforms that do
    not expose it, never for a read that failed."""
    lookup = vault_lookup(ctx.evidence.vault)
    for view in account_views(ctx):
        spec = view.spec
        policy_state = view.gap(Facet.TWO_FACTOR_POLICY)
        platform = _platform_two_factor(ctx, view, policy_state)
        if platform is not None:
            yield platform
        elif policy_state is not None and not _not_exposed(view, Facet.TWO_FACTOR_POLICY):
            detail = (
                f"The second factor of {shown(spec.handle)} is unknown: {policy_state}; the "
                "attestation and the vault are not used in place of a platform read that failed"
            )
            yield outcome(ctx, spec.asset, Status.NOT_VERIFIED, detail, source=view.source)
        elif spec.two_factor is not None:
            yield _attested_two_factor(ctx, spec, spec.two_factor)
        else:
            yield _vault_two_factor(ctx, spec, lookup)


def _not_exposed(view: AccountView, facet: Facet) -> bool:
    """True when the collector said the platform offers no way to read ``facet``."""
    return facet_status(view.evidence, facet).structural


def _platform_two_factor(ctx: CheckContext, view: AccountView, gap: str | None) -> Outcome | None:
    """The platform's word, when it said anything: a failure it shows stands; a pass needs the
    policy facet complete."""
    ev, spec = view.evidence, view.spec
    if ev is None or (ev.account_two_factor is None and ev.two_factor_policy is None):
        return None
    said: list[str] = []
    failing: list[str] = []
    if ev.account_two_factor is not None:
        said.append(
            f"the account's own second factor is {'on' if ev.account_two_factor else 'off'}"
        )
        if not ev.account_two_factor:
            failing.append("the account has no second factor")
    policy = ev.two_factor_policy
    if policy is not None:
        holder = (
            shown(ev.owner_name) if ev.owner_name else "the business or organization holding it"
        )
        said.append(f"{holder} requires 2FA for {policy.required_for} ({policy.source_field})")
        if policy.required_for == "none":
            failing.append(f"{holder} does not require a second factor ({policy.source_field})")
    overridden = spec.two_factor is not None and bool(failing) != (
        spec.two_factor.method is TwoFactorMethod.NONE
    )
    note = " (platform evidence outranks the inventory attestation)" if overridden else ""
    status = Status.FAIL if failing else Status.PASS
    detail = f"{ev.platform} API: " + "; ".join(failing or said) + note
    return verdict(
        ctx,
        view,
        status,
        detail,
        gap,
        evidence_used="platform",
        account_two_factor=ev.account_two_factor,
        required_for=policy.required_for if policy else None,
        policy_field=policy.source_field if policy else None,
        attested_method=spec.two_factor.method.value if spec.two_factor else None,
        attestation_overridden=overridden,
    )


def _attested_two_factor(ctx: CheckContext, spec: AccountSpec, att: Attestation) -> Outcome:
    by = f" by {shown(att.attested_by)}" if att.attested_by else ""
    when = f"attested{by} on {att.attested_on.isoformat()}"
    future = attestation_gap(att, ctx.now.date())
    if att.method is TwoFactorMethod.NONE:
        status, detail = Status.FAIL, f"No second factor: {when} (the platform does not report it)"
    else:
        status = Status.PASS
        detail = f"Second factor {att.method.value} {when} (the platform does not report it)"
    status, detail = pass_needs_complete(status, detail, future)
    return outcome(
        ctx,
        spec.asset,
        status,
        detail,
        source="inventory",
        evidence_used="attestation",
        attested_method=att.method.value,
        attested_on=att.attested_on.isoformat(),
    )


def _vault_two_factor(ctx: CheckContext, spec: AccountSpec, lookup: VaultLookup | None) -> Outcome:
    item, why = linked_item(ctx, spec, lookup)
    if item is not None and item.has_totp:
        detail = (
            f"A TOTP seed for the account is stored in vault item {shown(item.name)} (the "
            f"platform does not expose 2FA and no attestation is recorded)"
        )
        status, detail = pass_needs_complete(
            Status.PASS, detail, facet_gap(ctx.evidence.vault, Facet.VAULT)
        )
        return outcome(
            ctx,
            spec.asset,
            status,
            detail,
            source="vault",
            evidence_used="vault_totp",
            vault_item_id=item.item_id,
        )
    reason = why or f"vault item {shown(item.name if item else '')} holds no TOTP seed"
    return outcome(
        ctx,
        spec.asset,
        Status.NOT_VERIFIED,
        f"The {spec.platform} API does not report 2FA, no attestation is recorded, and {reason}",
        source="inventory",
        evidence_used="none",
    )


@check(
    id="auth.2fa-weak-method",
    title="Only SMS or voice as second factor",
    severity=Severity.MEDIUM,
    rationale="SMS and voice codes are taken over by SIM swaps and number ports.",
    remediation="Enroll a security key, passkey or TOTP app and remove the phone number as a "
    "second factor.",
    needs=("inventory", "vault"),
    facets=(Facet.VAULT,),
)
def two_factor_weak_method(ctx: CheckContext) -> Iterator[Outcome]:
    """Reads the attestation; a TOTP seed in the vault item proves a stronger factor exists.
    Role holders the platform reports with an SMS or voice factor (GitHub's ``2fa_insecure``)
    fail too, one result each."""
    lookup = vault_lookup(ctx.evidence.vault)
    for spec in ctx.estate.accounts:
        yield _weak_method(ctx, spec, spec.two_factor, lookup)
        yield from _weak_holders(ctx, spec, ctx.evidence.accounts.get(spec.asset.key))


WEAK_HOLDER_METHODS = frozenset({"sms", "voice"})
"""Role holders' second-factor methods that SIM swaps defeat."""


def _weak_holders(
    ctx: CheckContext, spec: AccountSpec, ev: AccountEvidence | None
) -> Iterator[Outcome]:
    """A fail per accepted role holder whose only second factor the platform reports as SMS or
    voice (a weak factor is never a pass; holders with another or no known method give no
    result here: auth.member-without-2fa covers them)."""
    for holder in (ev.roles or ()) if ev is not None else ():
        method = (holder.two_factor_method or "").lower()
        if holder.pending or holder.is_system or method not in WEAK_HOLDER_METHODS:
            continue
        who = holder.email or holder.name or holder.person_id
        detail = (
            f"{shown(who)} ({shown(holder.role, 40)}) uses {method} as second factor, "
            f"as the {ev.platform if ev else spec.platform} API reports"
        )
        yield outcome(
            ctx,
            spec.asset,
            Status.FAIL,
            detail,
            source=ev.source if ev else spec.platform,
            subject=holder.email or holder.person_id,
            role=holder.role,
            method=method,
            evidence_used="platform",
        )


def _weak_method(
    ctx: CheckContext, spec: AccountSpec, att: Attestation | None, lookup: VaultLookup | None
) -> Outcome:
    item, _ = linked_item(ctx, spec, lookup)
    totp = item is not None and item.has_totp
    attested = f", attested on {att.attested_on.isoformat()}" if att else ""
    gap = attestation_gap(att, ctx.now.date()) if att is not None else None
    if att is not None and att.method.weak and not totp:
        status = Status.FAIL
        detail = f"The strongest second factor is {att.method.value}{attested}"
    elif totp and item is not None:
        status = Status.PASS
        detail = f"A TOTP factor exists: its seed is stored in vault item {shown(item.name)}"
        gap = facet_gap(ctx.evidence.vault, Facet.VAULT)
    elif att is not None and att.method is not TwoFactorMethod.NONE:
        status = Status.PASS
        detail = f"The strongest second factor is {att.method.value}{attested}"
    elif att is not None:
        status = Status.NOT_VERIFIED
        detail = (
            f"The attestation of {att.attested_on.isoformat()} says the account has no second "
            "factor (auth.2fa-missing reports it), so there is no method to judge"
        )
    else:
        status = Status.NOT_VERIFIED
        detail = "No 2FA attestation is recorded and the vault holds no TOTP seed for the account"
    status, detail = pass_needs_complete(status, detail, gap)
    return outcome(
        ctx,
        spec.asset,
        status,
        detail,
        source="vault" if totp and status is Status.PASS else "inventory",
        attested_method=att.method.value if att else None,
        vault_totp=totp,
    )


@check(
    id="auth.member-without-2fa",
    title="Role holder or registration mailbox without a second factor",
    severity=Severity.HIGH,
    rationale="Anyone who can act as the brand, and the mailbox that can reset its password, is "
    "as good a way in as the account itself.",
    remediation="Have the person enroll a second factor (or remove their role), and enroll "
    "2-step verification on the registration mailbox (enforcing it is not enough).",
    needs=("platform", "directory", "inventory"),
    facets=(Facet.ROLES, Facet.MEMBER_TWO_FACTOR, Facet.DIRECTORY, Facet.MAILBOX_TWO_FACTOR),
)
def member_without_two_factor(ctx: CheckContext) -> Iterator[Outcome]:
    """One result per role holder (subject: email or platform id) and one per registration
    mailbox of the account (subject ``mailbox:<email>``)."""
    directory = ctx.evidence.people
    index = people_index(directory) if directory is not None else None
    lookup = vault_lookup(ctx.evidence.vault)
    for view in account_views(ctx):
        yield from _role_holders(ctx, view)
        yield from _registration_mailboxes(ctx, view, index, lookup)


def _role_holders(ctx: CheckContext, view: AccountView) -> Iterator[Outcome]:
    ev = view.evidence
    gap = view.gap(Facet.ROLES, Facet.MEMBER_TWO_FACTOR)
    if ev is None or ev.roles is None:
        why = gap or f"the {view.source} API did not return role holders"
        yield outcome(
            ctx,
            view.asset,
            Status.NOT_VERIFIED,
            f"Role holders' 2FA unknown: {why}",
            source=view.source,
            subject="roles",
        )
        return
    for holder in distinct_holders(ev.roles):
        if holder.pending or holder.is_system:
            continue
        yield _holder(ctx, view, ev, holder, gap)


def _holder(
    ctx: CheckContext, view: AccountView, ev: AccountEvidence, holder: RoleHolder, gap: str | None
) -> Outcome:
    who = holder.email or holder.name or holder.person_id
    label = f"{shown(who)} ({shown(holder.role, 40)})"
    if holder.two_factor is None:
        status = Status.NOT_VERIFIED
        detail = f"{label}: the {ev.platform} API does not say whether they use 2FA"
    elif holder.two_factor:
        method = f" ({shown(holder.two_factor_method, 40)})" if holder.two_factor_method else ""
        status, detail = Status.PASS, f"{label} has a second factor{method}"
    else:
        status, detail = Status.FAIL, f"{label} has no second factor"
    return verdict(
        ctx,
        view,
        status,
        detail,
        gap,
        subject=holder_subject(holder),
        role=holder.role,
        full_admin=holder.full_admin,
        two_factor=holder.two_factor,
        evidence_used="platform",
    )


def _registration_mailboxes(
    ctx: CheckContext, view: AccountView, index: PeopleIndex | None, lookup: VaultLookup | None
) -> Iterator[Outcome]:
    found = registrations(ctx, view, lookup)
    if not found:
        detail = (
            "No registration email is recorded in the inventory or the vault item, or reported "
            "by the platform"
        )
        yield outcome(
            ctx, view.asset, Status.NOT_VERIFIED, detail, source="inventory", subject="mailbox"
        )
        return
    directory = ctx.evidence.people
    for reg in found:
        person = find_person(index, reg.email) if index is not None else None
        if directory is None or person is None:
            where = "no people directory was read" if directory is None else "not in the directory"
            yield outcome(
                ctx,
                view.asset,
                Status.NOT_VERIFIED,
                f"Registration mailbox {shown(reg.email)}: 2-step verification unknown ({where})",
                source="directory",
                subject=f"mailbox:{reg.email}",
                email=reg.email,
            )
            continue
        yield _mailbox_two_step(ctx, view, reg.email, directory, person)


def _mailbox_two_step(
    ctx: CheckContext, view: AccountView, email: str, directory: PeopleDirectory, person: Person
) -> Outcome:
    """Enrolled passes (on a complete directory); not enrolled fails even where 2-step
    verification is enforced: enforcement without enrolment protects nothing yet."""
    label = shown(email)
    if person.two_sv_enrolled is True:
        status, detail = Status.PASS, f"Registration mailbox {label} has 2-step verification"
    elif person.two_sv_enrolled is False:
        enforced = " although it is enforced" if person.two_sv_enforced else ""
        status = Status.FAIL
        detail = f"Registration mailbox {label} is not enrolled in 2-step verification{enforced}"
    else:
        status = Status.NOT_VERIFIED
        detail = (
            f"Registration mailbox {label}: the {directory.source} source does not say whether "
            "2-step verification is enrolled"
        )
    gap = facet_gap(directory, Facet.DIRECTORY, Facet.MAILBOX_TWO_FACTOR)
    status, detail = pass_needs_complete(status, detail, gap)
    return outcome(
        ctx,
        view.asset,
        status,
        detail,
        source=directory.source,
        observed_at=directory.observed_at,
        subject=f"mailbox:{email}",
        email=email,
        two_sv_enrolled=person.two_sv_enrolled,
        two_sv_enforced=person.two_sv_enforced,
        evidence_used="directory",
    )


CHECKS: tuple[CheckFunc, ...] = (
    two_factor_missing,
    two_factor_weak_method,
    member_without_two_factor,
    *auth_passwords.CHECKS,
)
"""The auth checks in catalog order."""
