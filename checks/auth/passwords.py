"""auth (passwords): the vault checks of the auth family.

Each inventory account is linked to its vault item by ``accounts[].vault_item`` (the item's id or
title). Every result is about the account (asset) and names the item (subject: the inventory's
``vault_item`` reference). The vault collector reduced passwords to facts before any check runs:
no check ever sees a password.

- ``auth.password-breached``: the password appears in Pwned Passwords (count > 0). Unknown when
  ``sources.vault.check_breaches`` is off or the range lookup failed.
- ``auth.password-reused``: another vault item holds the same password (the result names them).
- ``auth.password-weak``: zxcvbn score below ``policy.password_min_score`` (default 3 of 4) or
  fewer than ``policy.password_min_length`` characters (default 14). Company words (its name,
  domains and handles) count as guessable.
- ``auth.password-stale``: last change older than ``policy.password_max_age_days`` (default 365).
  The change date is the newest password-history entry, else the item's revision date, which is
  an upper bound (any edit moves it), so the real age may be larger than reported. 1Password CSV
  exports carry no dates: ``not_verified``.
- ``auth.password-not-rotated-after-departure``: the password was last changed before the
  departure date (people directory ``departed_on``) of someone who had access: a role holder now
  or in the previous run, or an expected admin in the inventory.
- ``auth.totp-beside-password``: the TOTP seed is stored in the same item as the password, so
  whoever reads the vault item has both factors.

No linked item, an item that is not in the export, or no vault export at all give
``not_verified`` (``ownership.credential-unmanaged`` reports the missing item itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.estate import AccountSpec
from auditor.core.evidence import Person, PersonStatus, VaultItem
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome
from checks.accounts import AccountView
from checks.facets import facet_gap, pass_needs_complete
from checks.people import PeopleIndex, expected_emails, find_person, holder_email, people_index
from checks.safe_text import shown
from checks.vaults import linked_item, vault_lookup

_VAULT_NEEDS = ("vault", "inventory")
_GONE = (PersonStatus.DEPARTED, PersonStatus.DELETED)


def _items(ctx: CheckContext, check_name: str) -> Iterator[tuple[AccountSpec, VaultItem] | Outcome]:
    """Each account with its item, or a not_verified outcome saying why it has none."""
    lookup = vault_lookup(ctx.evidence.vault)
    for spec in ctx.estate.accounts:
        item, gap = linked_item(ctx, spec, lookup)
        if item is not None and item.has_password:
            yield spec, item
            continue
        why = gap or f"vault item {shown(item.name if item else '')} holds no password"
        yield outcome(
            ctx,
            spec.asset,
            Status.NOT_VERIFIED,
            f"Cannot judge {check_name}: {why}",
            source="vault",
            subject=spec.vault_item or "",
        )


def _result(
    ctx: CheckContext,
    spec: AccountSpec,
    item: VaultItem,
    status: Status,
    detail: str,
    *,
    gating: tuple[Facet, ...] = (Facet.VAULT,),
    **facts: object,
) -> Outcome:
    """The account's result about its item; a pass needs ``gating`` facets of the vault
    complete."""
    vault = ctx.evidence.vault
    status, detail = pass_needs_complete(status, detail, facet_gap(vault, *gating))
    ref = ctx.ref(
        "vault",
        vault.observed_at if vault else None,
        vault_item_id=item.item_id,
        vault_item=item.name,
        **facts,
    )
    subject = spec.vault_item or item.item_id
    return Outcome(asset=spec.asset, subject=subject, status=status, detail=detail, evidence=ref)


@check(
    id="auth.password-breached",
    title="Password found in breach corpus",
    severity=Severity.CRITICAL,
    rationale="Passwords in breach corpora are tried first in credential-stuffing attacks.",
    remediation="Change the password now to a unique generated one, and check the account's "
    "recent sessions and recovery settings.",
    needs=("vault", "hibp", "inventory"),
    facets=(Facet.VAULT, Facet.BREACH),
)
def password_breached(ctx: CheckContext) -> Iterator[Outcome]:
    """Pwned Passwords count of the item's password (k-anonymity range query)."""
    for entry in _items(ctx, "breach exposure"):
        if isinstance(entry, Outcome):
            yield entry
            continue
        spec, item = entry
        count = item.breach_count
        name = f"'{shown(item.name)}'"
        both = (Facet.VAULT, Facet.BREACH)
        if count is None:
            why = facet_gap(ctx.evidence.vault, Facet.BREACH) or "this item was not looked up"
            detail = f"Breach exposure of vault item {name} unknown: {why}"
            yield _result(ctx, spec, item, Status.NOT_VERIFIED, detail)
        elif count > 0:
            detail = f"The password of vault item {name} appears {count:,} times in Pwned Passwords"
            yield _result(ctx, spec, item, Status.FAIL, detail, gating=both, breach_count=count)
        else:
            detail = f"The password of vault item {name} is not in Pwned Passwords"
            yield _result(ctx, spec, item, Status.PASS, detail, gating=both, breach_count=0)


@check(
    id="auth.password-reused",
    title="Password reused across vault items",
    severity=Severity.HIGH,
    rationale="A reused password falls with the weakest site that holds it.",
    remediation="Give each account its own generated password.",
    needs=_VAULT_NEEDS,
    facets=(Facet.VAULT,),
)
def password_reused(ctx: CheckContext) -> Iterator[Outcome]:
    """Items holding the same password (compared by keyed hash inside the collector)."""
    lookup = vault_lookup(ctx.evidence.vault)
    for entry in _items(ctx, "password reuse"):
        if isinstance(entry, Outcome):
            yield entry
            continue
        spec, item = entry
        if item.reused_with:
            others = [_name(lookup.find(i) if lookup else None, i) for i in item.reused_with]
            detail = f"Vault item '{item.name}' shares its password with {', '.join(others)}"
            yield _result(
                ctx,
                spec,
                item,
                Status.FAIL,
                detail,
                reused_with=list(item.reused_with),
                reused_with_names=others,
            )
        else:
            detail = f"No other vault item holds the password of '{item.name}'"
            yield _result(ctx, spec, item, Status.PASS, detail, reused_with=[])


def _name(item: VaultItem | None, fallback: str) -> str:
    return f"'{item.name}'" if item is not None else f"item {fallback}"


@check(
    id="auth.password-weak",
    title="Weak password",
    severity=Severity.HIGH,
    rationale="Short or guessable passwords fall to guessing and cracking.",
    remediation="Replace it with a generated password of at least the policy length.",
    needs=_VAULT_NEEDS,
    facets=(Facet.VAULT,),
)
def password_weak(ctx: CheckContext) -> Iterator[Outcome]:
    """zxcvbn score and length against policy."""
    policy = ctx.policy
    for entry in _items(ctx, "password strength"):
        if isinstance(entry, Outcome):
            yield entry
            continue
        spec, item = entry
        score, length = item.strength_score, item.password_length
        if score is None or length is None:
            detail = f"Strength of vault item '{item.name}' was not measured"
            yield _result(ctx, spec, item, Status.NOT_VERIFIED, detail)
            continue
        facts: dict[str, Any] = {
            "strength_score": score,
            "password_length": length,
            "min_score": policy.password_min_score,
            "min_length": policy.password_min_length,
        }
        measured = f"zxcvbn score {score}/4 (policy {policy.password_min_score}), {length} characters (policy {policy.password_min_length})"
        weak = score < policy.password_min_score or length < policy.password_min_length
        status = Status.FAIL if weak else Status.PASS
        verdict = "is weak" if weak else "meets policy"
        yield _result(
            ctx, spec, item, status, f"The password of '{item.name}' {verdict}: {measured}", **facts
        )


@check(
    id="auth.password-stale",
    title="Password older than policy",
    severity=Severity.MEDIUM,
    rationale="Old passwords have had more time to leak through phishing, devices and people.",
    remediation="Rotate the password and record the change in the vault.",
    needs=_VAULT_NEEDS,
    facets=(Facet.VAULT,),
)
def password_stale(ctx: CheckContext) -> Iterator[Outcome]:
    """Last change from password history, else the item's revision date. The revision date is
    only an upper bound (any edit moves it): it can prove a password stale, never fresh, so a
    recent edit without history is ``not_verified``."""
    limit = ctx.policy.password_max_age_days
    for entry in _items(ctx, "password age"):
        if isinstance(entry, Outcome):
            yield entry
            continue
        spec, item = entry
        changed = item.password_changed_at
        if changed is None:
            detail = f"The export does not say when the password of '{item.name}' last changed"
            yield _result(ctx, spec, item, Status.NOT_VERIFIED, detail)
            continue
        age = (ctx.now - changed).days
        status = Status.FAIL if age > limit else Status.PASS
        detail = (
            f"The password of '{item.name}' last changed on {changed.date().isoformat()}, "
            f"{age} days ago (policy: {limit} days)"
        )
        if status is Status.PASS and not item.password_changed_exact:
            status = Status.NOT_VERIFIED
            detail = (
                f"'{item.name}' was last edited on {changed.date().isoformat()} and the export "
                "keeps no password history, so the password itself may be older"
            )
        elif not item.password_changed_exact:
            detail += " at the latest (the item's last edit; no password history)"
        yield _result(
            ctx,
            spec,
            item,
            status,
            detail,
            changed_on=changed.date().isoformat(),
            age_days=age,
            max_age_days=limit,
        )


@check(
    id="auth.password-not-rotated-after-departure",
    title="Password not rotated after someone with access left",
    severity=Severity.HIGH,
    rationale="People who leave keep what they knew: a password they used still works.",
    remediation="Rotate the password (and the TOTP seed) whenever someone with access leaves.",
    needs=("vault", "directory", "platform", "history", "inventory"),
    facets=(Facet.VAULT, Facet.DIRECTORY, Facet.ROLES),
)
def password_not_rotated_after_departure(ctx: CheckContext) -> Iterator[Outcome]:
    """People with access: role holders now and in the previous run, and expected admins. A
    revision date (no password history) proves a password predates a departure, but an edit
    after it is not proof of rotation: that case is ``not_verified``."""
    directory = ctx.evidence.people
    index = people_index(directory) if directory is not None else None
    for entry in _items(ctx, "rotation after departures"):
        if isinstance(entry, Outcome):
            yield entry
            continue
        spec, item = entry
        yield _rotation(ctx, spec, item, index)


def _rotation(
    ctx: CheckContext, spec: AccountSpec, item: VaultItem, index: PeopleIndex | None
) -> Outcome:
    """A departure before the last change fails on whatever is known; "nobody left" passes only
    when everyone who had access is known: a complete role list, an email for every holder, each
    of them in a complete directory."""
    name = f"'{shown(item.name)}'"
    if index is None:
        detail = "No people directory was read, so departures are unknown"
        return _result(ctx, spec, item, Status.NOT_VERIFIED, detail)
    access, people, unknown = _who_had_access(ctx, spec, item, index)
    left = [p for p in people if p.departed_on is not None and p.departed_on <= ctx.now.date()]
    undated = [shown(p.email) for p in people if p.departed_on is None and p.status in _GONE]
    changed = item.password_changed_at
    facts: dict[str, Any] = {
        "with_access": sorted(access),
        "departed": [p.email for p in left],
        "changed_on": changed.date().isoformat() if changed else None,
    }
    if left and changed is None:
        detail = f"{_who(left)}, but the export does not say when {name} last changed"
        return _result(ctx, spec, item, Status.NOT_VERIFIED, detail, **facts)
    late = [p for p in left if changed is not None and changed.date() < _day(p)]
    if late:
        detail = (
            f"The password of {name} last changed on {facts['changed_on']}, before {_who(late)}"
        )
        late_emails = [p.email for p in late]
        return _result(ctx, spec, item, Status.FAIL, detail, not_rotated_after=late_emails, **facts)
    if undated:
        detail = (
            f"{', '.join(undated)} left on an unknown date (no departed_on in the directory): "
            f"cannot tell whether {name} was rotated after"
        )
        return _result(ctx, spec, item, Status.NOT_VERIFIED, detail, **facts)
    if left and not item.password_changed_exact:
        detail = (
            f"{_who(left)}; {name} was last edited on {facts['changed_on']}, but the "
            "export keeps no password history, so the password may not have changed since"
        )
        return _result(ctx, spec, item, Status.NOT_VERIFIED, detail, **facts)
    if left:
        detail = f"The password of {name} was changed on {facts['changed_on']}, after {_who(left)}"
    else:
        checked = ", ".join(shown(p.email) for p in people)
        detail = f"Nobody with access to {name} has left (checked: {checked or 'nobody'})"
    directory_gap = facet_gap(ctx.evidence.people, Facet.DIRECTORY)
    gap = "; ".join([*unknown, *([directory_gap] if directory_gap else [])]) or None
    if gap is not None:
        gap = f"who had access is not fully known: {gap}"
    status, detail = pass_needs_complete(Status.PASS, detail, gap)
    return _result(ctx, spec, item, status, detail, **facts)


def _with_access(ctx: CheckContext, spec: AccountSpec) -> tuple[set[str], list[str]]:
    """Emails of everyone who had access (expected admins, role holders now and at the previous
    run), and why that list may be incomplete."""
    emails = set(expected_emails(spec))
    unknown: list[str] = []
    view = AccountView(spec, ctx.evidence.accounts.get(spec.asset.key))
    gap = view.gap(Facet.ROLES)
    if gap is not None:
        unknown.append(gap)
    runs = [view.evidence]
    if ctx.previous is not None:
        runs.append(ctx.previous.evidence.accounts.get(spec.asset.key))
    for ev in runs:
        for holder in (ev.roles or ()) if ev is not None else ():
            if holder.pending or holder.is_system:
                continue
            email = holder_email(spec, holder).email
            if email is None:
                unknown.append(f"role holder {shown(holder.person_id)} exposes no email")
            else:
                emails.add(email)
    return emails, unknown


def _who_had_access(
    ctx: CheckContext, spec: AccountSpec, item: VaultItem, index: PeopleIndex
) -> tuple[set[str], list[Person], list[str]]:
    """Everyone who could read the password (emails), those the directory knows, and why the
    list may be incomplete: who reads the vault item (the vault's word, else the inventory's
    ``credential_holders``), the registration mailbox's owner, and every role holder and
    expected admin (an admin can reset the password). When who reads the item is not known,
    the role list must be complete too for a pass."""
    holders, holders_gap = credential_holders(spec, item, index)
    role_access, role_gaps = _with_access(ctx, spec)
    access = holders | role_access
    # who reads the item known: a departed role holder still fails, but an unlistable role
    # list (X exposes no delegates) does not keep the pass out of reach
    unknown = [] if holders_gap is None else [holders_gap, *role_gaps]
    people: list[Person] = []
    for email in sorted(access):
        person = find_person(index, email)
        if person is None:
            unknown.append(f"{shown(email)} is not in the people directory")
        else:
            people.append(person)
    return access, people, unknown


def credential_holders(
    spec: AccountSpec, item: VaultItem, index: PeopleIndex
) -> tuple[set[str], str | None]:
    """Everyone who can read the account's password, and why that list may be incomplete
    (None: complete). Holders: who can read the vault item where the vault tells
    (``VaultItem.readers``), else the inventory's ``credential_holders``; and always the owner
    of the registration mailbox (whoever reads it can reset the password). Neither source
    known, or a mailbox whose owner the directory does not know, leaves the list incomplete."""
    holders = set(item.readers or ()) | set(spec.credential_holders)
    unknown: list[str] = []
    if item.readers is None and not spec.credential_holders:
        unknown.append(
            "the vault does not say who reads the item and the inventory records no "
            "credential_holders"
        )
    mailbox = spec.registered_email
    if mailbox is None:
        unknown.append("no registration email is recorded")
    else:
        owner = find_person(index, mailbox)
        if owner is None:
            unknown.append(f"the owner of the registration mailbox {shown(mailbox)} is unknown")
        else:
            holders.add(owner.email.lower())
    return holders, "; ".join(unknown) or None


def _day(person: Person) -> date:
    return person.departed_on or date.max


def _who(people: list[Person]) -> str:
    """``a@x left on 2026-08-31 and b@x left on 2026-10-15`` (people with a departure date)."""
    return " and ".join(f"{shown(p.email)} left on {_day(p).isoformat()}" for p in people)


@check(
    id="auth.totp-beside-password",
    title="TOTP seed stored with the password",
    severity=Severity.LOW,
    rationale="Whoever reads the vault item holds both factors: the second factor adds nothing.",
    remediation="Move the TOTP seed to a separate authenticator or vault, or use a security key.",
    needs=_VAULT_NEEDS,
    facets=(Facet.VAULT,),
)
def totp_beside_password(ctx: CheckContext) -> Iterator[Outcome]:
    """A TOTP seed in the same vault item as the password."""
    for entry in _items(ctx, "TOTP placement"):
        if isinstance(entry, Outcome):
            yield entry
            continue
        spec, item = entry
        if item.has_totp:
            detail = f"Vault item '{item.name}' holds both the password and the TOTP seed"
            yield _result(ctx, spec, item, Status.FAIL, detail, has_totp=True)
        else:
            detail = f"Vault item '{item.name}' holds no TOTP seed beside the password"
            yield _result(ctx, spec, item, Status.PASS, detail, has_totp=False)


CHECKS: tuple[CheckFunc, ...] = (
    password_breached,
    password_reused,
    password_weak,
    password_stale,
    password_not_rotated_after_departure,
    totp_beside_password,
)
"""The vault checks of the auth family, in catalog order (re-exported by :mod:`checks.auth.two_factor`)."""
