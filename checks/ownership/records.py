"""Ownership checks: does the company own and control each brand account?

An account is only the company's if it is registered to a company mailbox that is still alive,
sits in the company's own business or org, resolves to the id the inventory recorded, and its
credential is in the company vault. These checks compare the inventory (``accounts`` in the
config) with the people directory, the vault export and what each platform's API tells.

Where the evidence comes from, per platform:

- Registration email: the inventory's ``registered_email``, the vault item's username when it is an
  address, and the platform API where it tells (few do). X, Meta, LinkedIn, YouTube, GitHub,
  Mastodon and Bluesky do not expose another account's registration email to an API token.
- Owner: Meta tells whether a Page or Instagram account is among the company business's owned
  assets or only accessed as a client (agency-owned); that outranks the inventory's ``owner``.
  Other platforms do not expose an owner, so the inventory's declaration is used.
- Unmanaged accounts: platforms that list what the company controls (Meta business owned pages
  and Instagram accounts, a GitHub org, LinkedIn pages the token administers).
- Reachability and identity: every platform's lookup of the handle (state and immutable id) and,
  where the collector checks it, the account the configured token belongs to.
- Recovery mailbox: the people directory (CSV or Google Workspace). A mailbox on a domain the
  company does not run (free-mail, an agency) is ``not_verified``: the company cannot see whether
  it is alive, unless the directory itself marks its owner as departed or suspended (a fail).
- Credential: the vault export (Bitwarden JSON or 1Password CSV).

``not_verified`` means the evidence for that account was not read in full (the collector's
``ownership``, ``directory`` or ``vault`` facet is partial, unknown or not exposed: the platform
was not configured, its source failed, the account's state could not be read, the platform
offers no way to read it), or the fact lives outside what the company can see (a registration
mailbox on a domain the company does not run). A not_verified result is never a pass; the
detail names what was missing. An owner the platform does not expose is not_verified too: the
inventory's word is shown, never taken as proof.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.estate import OwnerKind
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome
from checks.account_records import registrations
from checks.accounts import AccountView, account_views
from checks.facets import facet_gap, pass_needs_complete
from checks.ownership.platform import (
    account_unreachable,
    identity_mismatch,
    unmanaged_account,
)
from checks.people import PeopleIndex, email_domain, find_person, inactive_reason, people_index
from checks.safe_text import shown
from checks.vaults import linked_item, vault_lookup


@check(
    id="ownership.registration-email-external",
    title="Account registered to an email outside the company",
    severity=Severity.HIGH,
    rationale="Whoever controls the registration email can reset the password and take the "
    "account; a personal, agency or free-mail address leaves with its owner.",
    remediation="Change the account's registration email to a company-owned shared mailbox "
    "(e.g. social@ your domain) and record it in the inventory.",
    needs=("inventory", "vault", "platform"),
    facets=(Facet.VAULT,),
)
def registration_email_external(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each registration email not on a company domain (critical on free-mail). A
    company address passes only when the account's vault item (a second place the address is
    written) was read from a complete export."""
    org = ctx.estate.organization
    free = {d.lower() for d in ctx.policy.free_mail_domains}
    lookup = vault_lookup(ctx.evidence.vault)
    for view in account_views(ctx):
        spec = view.spec
        found = registrations(ctx, view, lookup)
        _, vault_reason = linked_item(ctx, spec, lookup)
        if not found:
            yield outcome(
                ctx,
                spec.asset,
                Status.NOT_VERIFIED,
                f"No registration email is known for {shown(spec.handle)}: the inventory has no "
                f"registered_email, {vault_reason or 'the vault item has no email as its username'}"
                f", and {spec.platform} does not tell.",
                source="inventory",
            )
            continue
        vault_gap = facet_gap(ctx.evidence.vault, Facet.VAULT) if spec.vault_item else None
        for reg in found:
            domain = email_domain(reg.email)
            where = ", ".join(reg.sources)
            facts: dict[str, Any] = {
                "email": reg.email,
                "domain": domain,
                "sources": list(reg.sources),
            }
            shown_email = shown(reg.email)
            if org.is_company_email(reg.email):
                status, severity = Status.PASS, None
                detail = f"Registered to {shown_email}, a company address (per {where})."
            elif (agency := org.agency_for(reg.email)) is not None:
                status, severity = Status.FAIL, None
                detail = (
                    f"Registered to {shown_email} (per {where}), on the domain of the approved "
                    f"agency {shown(agency.name)}: approved, but still outside the company."
                )
            else:
                status = Status.FAIL
                severity = Severity.CRITICAL if domain in free else None
                kind = "a free-mail domain" if domain in free else "not a company domain"
                detail = f"Registered to {shown_email} (per {where}); {shown(domain)} is {kind}."
            status, detail = pass_needs_complete(status, detail, vault_gap)
            yield outcome(
                ctx,
                spec.asset,
                status,
                detail,
                source=reg.sources[0],
                subject=reg.email,
                severity=severity,
                **facts,
            )


@check(
    id="ownership.owner-not-company",
    title="Account owned by an agency or a person, not the company",
    severity=Severity.HIGH,
    rationale="An account that sits in a partner's business or a person's name can be kept, "
    "locked or sold by them; the company has no standing to recover it.",
    remediation="Move the account into the company's own business/org (e.g. request the Page "
    "from the agency's Business Manager) and grant the agency access as a partner.",
    needs=("inventory", "platform"),
    facets=(Facet.OWNERSHIP,),
)
def owner_not_company(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when the platform or the inventory says someone else owns the account."""
    for view in account_views(ctx):
        yield _ownership(ctx, view)


def _ownership(ctx: CheckContext, view: AccountView) -> Outcome:
    """A platform or inventory saying "not the company" fails; a pass needs the platform's
    ownership facet complete and saying "the company"."""
    spec, ev = view.spec, view.evidence
    api = ev.owned_by_company if ev is not None else None
    owner = shown(ev.owner_name) if ev is not None and ev.owner_name else "another business"
    declared = f"{spec.owner.value}" + (f" {shown(spec.owner_name)}" if spec.owner_name else "")
    facts: dict[str, Any] = {"inventory_owner": spec.owner.value, "owned_by_company": api}
    if api is False and ev is not None:
        return outcome(
            ctx,
            spec.asset,
            Status.FAIL,
            f"{ev.source} says {shown(spec.handle)} is owned by {owner}; the company only "
            f"accesses it as a client (the inventory says: {declared}).",
            source=ev.source,
            owner_name=ev.owner_name,
            **facts,
        )
    if spec.owner is not OwnerKind.COMPANY and api is not True:
        return outcome(
            ctx,
            spec.asset,
            Status.FAIL,
            f"The inventory records {shown(spec.handle)} as owned by {declared}, not the company.",
            source="inventory",
            **facts,
        )
    gap = view.gap(Facet.OWNERSHIP)
    if api is not True and gap is None:
        gap = f"{view.source} did not say who owns it"
    if gap is not None:
        return outcome(
            ctx,
            spec.asset,
            Status.NOT_VERIFIED,
            f"Ownership of {shown(spec.handle)} could not be confirmed ({declared} according to "
            f"the inventory): {gap}.",
            source=view.source,
            **facts,
        )
    note = "" if spec.owner is OwnerKind.COMPANY else f" (the inventory says {declared})"
    detail = f"{view.source} lists {shown(spec.handle)} among the company's own assets{note}."
    return outcome(ctx, spec.asset, Status.PASS, detail, source=view.source, **facts)


@check(
    id="ownership.recovery-mailbox-inactive",
    title="Registration mailbox suspended, deleted or belonging to someone who left",
    severity=Severity.CRITICAL,
    rationale="Password resets and security alerts go to the registration mailbox; if it is "
    "dead or belongs to a leaver, the company cannot recover the account and may not notice "
    "a takeover.",
    remediation="Move the registration to an active, company-owned shared mailbox with 2-step "
    "verification, and keep that mailbox out of offboarding.",
    needs=("directory", "inventory"),
    facets=(Facet.DIRECTORY,),
)
def recovery_mailbox_inactive(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when the registration mailbox is not active in the people directory."""
    people = ctx.evidence.people
    index = people_index(people) if people is not None else None
    lookup = vault_lookup(ctx.evidence.vault)
    for view in account_views(ctx):
        spec = view.spec
        found = registrations(ctx, view, lookup)
        if not found:
            yield outcome(
                ctx,
                spec.asset,
                Status.NOT_VERIFIED,
                f"No registration email is known for {shown(spec.handle)}, so its recovery "
                "mailbox cannot be checked.",
                source="inventory",
            )
        for reg in found:
            yield _mailbox(ctx, view, reg.email, index)


def _mailbox(
    ctx: CheckContext, view: AccountView, email: str, index: PeopleIndex | None
) -> Outcome:
    """Inactive fails on any directory that says so; active passes only on a complete one."""
    spec = view.spec
    people = ctx.evidence.people
    org = ctx.estate.organization
    label = shown(email)
    external = not org.is_company_email(email)
    listed = find_person(index, email) if index is not None else None
    if external and (listed is None or inactive_reason(listed, ctx.now.date()) is None):
        detail = (
            f"The recovery mailbox {label} is on {shown(email_domain(email))}, outside the "
            "company's directory: whether it is active cannot be verified."
        )
        return outcome(
            ctx, spec.asset, Status.NOT_VERIFIED, detail, source="inventory", subject=email
        )
    if people is None:
        detail = (
            f"The state of the recovery mailbox {label} is unknown: no people directory was read."
        )
        return outcome(
            ctx, spec.asset, Status.NOT_VERIFIED, detail, source="directory", subject=email
        )
    person = listed
    src, seen = people.source, people.observed_at
    if person is None:
        detail = f"The recovery mailbox {label} is not listed in the people directory."
        gap = facet_gap(people, Facet.DIRECTORY)
        detail += f" ({gap})" if gap else ""
        return outcome(ctx, spec.asset, Status.NOT_VERIFIED, detail, source=src, subject=email)
    left = inactive_reason(person, ctx.now.date())
    facts: dict[str, Any] = {
        "person": person.email,
        "person_status": person.status.value,
        "departed_on": person.departed_on,
    }
    if left is None:
        status, detail = pass_needs_complete(
            Status.PASS,
            f"The recovery mailbox {label} is active in the directory.",
            facet_gap(people, Facet.DIRECTORY),
        )
    else:
        status = Status.FAIL
        detail = f"The recovery mailbox {label} ({shown(person.name)}) is not active: {left}."
    return outcome(
        ctx, spec.asset, status, detail, source=src, observed_at=seen, subject=email, **facts
    )


@check(
    id="ownership.credential-unmanaged",
    title="No item for the account in the company password vault",
    severity=Severity.MEDIUM,
    rationale="A credential outside the vault lives in someone's head or browser: it leaves "
    "with them and cannot be rotated or audited.",
    remediation="Store the account's login in the company vault and record the item id as "
    "vault_item in the inventory.",
    needs=("vault", "inventory"),
    facets=(Facet.VAULT,),
)
def credential_unmanaged(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when the inventory names no vault item or the named item is not in a complete
    export; a partial export cannot prove an item missing, nor present-and-complete."""
    vault = ctx.evidence.vault
    lookup = vault_lookup(vault)
    export_gap = facet_gap(vault, Facet.VAULT)
    for spec in ctx.estate.accounts:
        handle = shown(spec.handle)
        item, reason = linked_item(ctx, spec, lookup)
        if vault is None:
            detail = f"Whether the credential of {handle} is in the vault is unknown: {reason}."
            yield outcome(ctx, spec.asset, Status.NOT_VERIFIED, detail, source="vault")
            continue
        if spec.vault_item is None:
            status, detail = Status.FAIL, f"The inventory names no vault item for {handle}."
        elif item is None and export_gap is None:
            status = Status.FAIL
            detail = f"The vault item {shown(spec.vault_item)} named for {handle} is not in the vault export."
        elif item is None:
            status = Status.NOT_VERIFIED
            detail = f"Whether the credential of {handle} is in the vault is unknown: {reason}."
        else:
            detail = f"The credential of {handle} is vault item {shown(item.name)} ({shown(item.item_id)})."
            status, detail = pass_needs_complete(Status.PASS, detail, export_gap)
        yield outcome(
            ctx,
            spec.asset,
            status,
            detail,
            source=vault.source,
            observed_at=vault.observed_at,
            vault_item=spec.vault_item,
        )


CHECKS: tuple[CheckFunc, ...] = (
    registration_email_external,
    owner_not_company,
    unmanaged_account,
    account_unreachable,
    identity_mismatch,
    recovery_mailbox_inactive,
    credential_unmanaged,
)
"""The ownership checks in catalog order."""
