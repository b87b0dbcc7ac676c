"""domain: are the brand's domains safe?

A brand domain carries the website, the mail, and the recovery addresses of every brand account.
These checks read registration data (RDAP, with WHOIS as the fallback; each result says which
source answered) for every brand domain listed under ``domains`` in the config, and, for
``domain.unregistered``, also for every domain a brand profile or post links to.

- ``domain.registration-hold``: the registry shows the domain in redemption, pending delete or
  on hold (``redemptionPeriod``, ``pendingRestore``, ``pendingDelete``, ``serverHold``,
  ``clientHold``): it is lapsing, or it already resolves nowhere.

- ``domain.expiring``: the registration ends soon. Critical within 14 days (or already expired),
  high within 30, medium within ``policy.domain_expiry_days`` (default 60). The earliest expiry
  date the registry gives is used.
- ``domain.unregistered``: a brand domain, or a domain a profile or post links to, is not
  registered: anyone can buy it and receive the mail or serve the page your followers click.
- ``domain.transfer-lock-missing``: no ``clientTransferProhibited`` status, so a request at the
  registrar is enough to move the domain away.
- ``domain.registrant-mismatch``: the registrant organisation is published and is not the company
  (compared without case, punctuation and legal suffixes such as Inc. or GmbH). A redacted or
  privacy-proxy registrant is ``not_verified``: check the registrar account instead.
- ``domain.registrar-unapproved``: the registrar is not in ``policy.approved_registrars``
  (names, compared without case, punctuation and legal suffixes; or ``iana:ID`` / a bare number,
  matched against the registrar's IANA id where the registry gives it). With no approved list
  the result is ``not_verified``.
- ``domain.dnssec-off``: the delegation is not DNSSEC-signed.

Every check reads the registration facet through ``facet_status``: a domain whose lookup
failed, or whose registry answered something that is not certain (throttled, reserved, an
invalid query, an unreadable reply) is ``not_verified`` in every check, never a pass and never
"unregistered"; an unregistered brand domain is reported by ``domain.unregistered`` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from auditor.core.completeness import Facet, facet_status
from auditor.core.evidence import DomainEvidence
from auditor.core.models import Asset, Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome

_LEGAL = re.compile(
    r"\b(inc|incorporated|llc|ltd|limited|gmbh|corp|corporation|co|company|plc|sa|sas|ag|bv|nv|"
    r"pty|oy|ab|as|srl|spa|kk)\b"
)


def org_key(name: str) -> str:
    """A company name compared without case, punctuation or legal suffix."""
    words = re.sub(r"[^\w\s]", " ", name.casefold())
    return " ".join(_LEGAL.sub(" ", words).split())


def _sentence(text: str) -> str:
    """``text`` ending with exactly one full stop (registrar names often end in ``Inc.``)."""
    return text if text.endswith(".") else text + "."


def _facts(ev: DomainEvidence) -> dict[str, Any]:
    facts: dict[str, Any] = {"domain": ev.domain, "registered": ev.registered}
    if ev.server:
        facts["server"] = ev.server
    return facts


def _brand(ctx: CheckContext) -> Iterator[tuple[Asset, DomainEvidence | None]]:
    for spec in ctx.estate.domains:
        yield Asset.for_domain(spec.name), ctx.evidence.domains.get(spec.name.lower())


def _unknown(ctx: CheckContext, asset: Asset, ev: DomainEvidence | None) -> Outcome | None:
    """not_verified when the registration data is missing or unreadable; else None."""
    name = asset.domain
    if ev is None:
        detail = f"No registration data was collected for {name}."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source="whois", domain=name)
    state = facet_status(ev, Facet.REGISTRATION)
    if not state.is_complete or ev.registered is None:
        why = state.reason or "no answer"
        detail = f"The registration data of {name} could not be read ({ev.source}: {why})."
        facts = {**_facts(ev), "completeness": state.describe()}
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **facts)
    return None


Judge = Callable[[CheckContext, Asset, DomainEvidence], Outcome]
"""Judges one registered brand domain."""


def _each_registered(ctx: CheckContext, judge: Judge) -> Iterator[Outcome]:
    """``judge`` on every registered brand domain; not_verified where the data is unknown."""
    for asset, ev in _brand(ctx):
        unknown = _unknown(ctx, asset, ev)
        if unknown is not None:
            yield unknown
        elif ev is not None and ev.registered:
            yield judge(ctx, asset, ev)


HOLD_STATUSES = {
    "redemptionPeriod": "in redemption (deleted at the registrar; restorable for a fee)",
    "pendingRestore": "being restored from redemption",
    "pendingDelete": "pending deletion (released for anyone to register within days)",
    "serverHold": "on hold at the registry (it resolves nowhere)",
    "clientHold": "on hold at the registrar (it resolves nowhere)",
}
"""EPP statuses of a lapsing or suspended registration, and what each means."""


@check(
    id="domain.registration-hold",
    title="Brand domain in redemption, pending delete or on hold",
    severity=Severity.CRITICAL,
    rationale="A domain in redemption or pending delete is about to be released for anyone to "
    "buy; a domain on hold already resolves nowhere, so its website and mail are down.",
    remediation="Call the registrar today: restore the domain from redemption (or renew it), "
    "and find out who placed the hold and why (unpaid invoice, abuse report, dispute).",
    needs=("whois",),
    facets=(Facet.REGISTRATION,),
)
def registration_hold(ctx: CheckContext) -> Iterator[Outcome]:
    """Looks for redemption, pending-delete and hold statuses among the EPP statuses."""
    yield from _each_registered(ctx, _registration_hold)


def _registration_hold(ctx: CheckContext, asset: Asset, ev: DomainEvidence) -> Outcome:
    facts = {**_facts(ev), "statuses": list(ev.statuses or ())}
    if ev.statuses is None:
        detail = f"{ev.domain}: the registry did not list any status."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **facts)
    found = [s for s in ev.statuses if s in HOLD_STATUSES]
    if not found:
        detail = f"{ev.domain} is in none of redemption, pending delete or hold."
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    meaning = "; ".join(f"{s}: {HOLD_STATUSES[s]}" for s in found)
    detail = f"{ev.domain} is {meaning}."
    return outcome(ctx, asset, Status.FAIL, detail, source=ev.source, held=found, **facts)


@check(
    id="domain.expiring",
    title="Brand domain registration expiring",
    severity=Severity.CRITICAL,
    rationale="A lapsed domain is bought within hours; the buyer receives the brand's mail, "
    "password resets included.",
    remediation="Renew the domain now and turn on auto-renew with a payment method that does "
    "not expire.",
    needs=("whois",),
    facets=(Facet.REGISTRATION,),
)
def expiring(ctx: CheckContext) -> Iterator[Outcome]:
    """Days until the earliest expiry: ≤14 critical, ≤30 high, ≤ policy medium."""
    yield from _each_registered(ctx, _expiring)


def _expiring(ctx: CheckContext, asset: Asset, ev: DomainEvidence) -> Outcome:
    if ev.expires_at is None:
        detail = f"{ev.domain}: the registry did not state an expiry date."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **_facts(ev))
    days = round((ev.expires_at - ctx.now).total_seconds() / 86400)
    when = ev.expires_at.date().isoformat()
    facts = {**_facts(ev), "expires_at": ev.expires_at.isoformat(), "days_left": days}
    tier = _tier(days, ctx.policy.domain_expiry_days)
    if tier is None:
        detail = f"{ev.domain} is registered until {when} ({days} days)."
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    left = f"expired {-days} days ago" if days < 0 else f"expires in {days} days"
    detail = _sentence(f"{ev.domain} {left} ({when}) at {ev.registrar or 'an unnamed registrar'}")
    return outcome(ctx, asset, Status.FAIL, detail, source=ev.source, severity=tier, **facts)


def _tier(days: int, policy_days: int) -> Severity | None:
    if days <= 14:
        return Severity.CRITICAL
    if days <= 30:
        return Severity.HIGH
    if days <= policy_days:
        return Severity.MEDIUM
    return None


@check(
    id="domain.unregistered",
    title="Brand or linked domain not registered",
    severity=Severity.CRITICAL,
    rationale="An unregistered domain that the brand uses or links to can be bought by anyone, "
    "who then receives its mail or serves its pages to the brand's followers.",
    remediation="Register the domain for the company now, or remove the links that point to it.",
    needs=("whois", "platform"),
    # profiles and posts name the linked domains the second collection phase looks up
    facets=(Facet.REGISTRATION, Facet.PROFILE, Facet.POSTS),
)
def unregistered(ctx: CheckContext) -> Iterator[Outcome]:
    """Brand domains and every domain a profile or post links to."""
    brand = {spec.name.lower() for spec in ctx.estate.domains}
    for asset, ev in _brand(ctx):
        yield _unregistered_one(ctx, asset, ev, "brand domain")
    for name, ev in sorted(ctx.evidence.domains.items()):
        if name not in brand:
            role = "linked domain" if ev.linked_from else "allow-listed link domain"
            yield _unregistered_one(ctx, Asset.for_domain(name), ev, role)


def _unregistered_one(
    ctx: CheckContext, asset: Asset, ev: DomainEvidence | None, role: str
) -> Outcome:
    unknown = _unknown(ctx, asset, ev)
    if unknown is not None:
        return unknown
    assert ev is not None  # _unknown covers the missing evidence
    facts = {**_facts(ev), "role": role, "linked_from": list(ev.linked_from)}
    where = f", linked from {', '.join(ev.linked_from)}," if ev.linked_from else ""
    if ev.registered:
        detail = f"The {role} {ev.domain}{where} is registered ({ev.registrar or 'registrar not named'})."
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    detail = f"The {role} {ev.domain}{where} is not registered: anyone can buy it."
    return outcome(ctx, asset, Status.FAIL, detail, source=ev.source, **facts)


@check(
    id="domain.transfer-lock-missing",
    title="Brand domain without a transfer lock",
    severity=Severity.MEDIUM,
    rationale="Without clientTransferProhibited, a request through the registrar (or a "
    "compromised registrar account) moves the domain to someone else.",
    remediation="Turn on the registrar's transfer lock (and a registry lock for the main domain).",
    needs=("whois",),
    facets=(Facet.REGISTRATION,),
)
def transfer_lock_missing(ctx: CheckContext) -> Iterator[Outcome]:
    """Looks for clientTransferProhibited among the EPP statuses."""
    yield from _each_registered(ctx, _transfer_lock_missing)


def _transfer_lock_missing(ctx: CheckContext, asset: Asset, ev: DomainEvidence) -> Outcome:
    facts = {**_facts(ev), "statuses": list(ev.statuses or ())}
    if ev.statuses is None:
        detail = f"{ev.domain}: the registry did not list any status."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **facts)
    if "clientTransferProhibited" in ev.statuses:
        detail = f"{ev.domain} has clientTransferProhibited."
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    shown = ", ".join(ev.statuses) or "none"
    detail = f"{ev.domain} has no clientTransferProhibited (statuses: {shown})."
    return outcome(ctx, asset, Status.FAIL, detail, source=ev.source, **facts)


def is_company_registrant(ctx: CheckContext, registrant: str | None) -> bool:
    """True when ``registrant`` is the company's name or one of ``organization.legal_names``
    (case, punctuation and legal suffixes ignored)."""
    org = ctx.estate.organization
    wanted = org_key(registrant) if registrant is not None else ""
    return bool(wanted) and any(wanted == org_key(name) for name in (org.name, *org.legal_names))


@check(
    id="domain.registrant-mismatch",
    title="Brand domain registered to someone else",
    severity=Severity.MEDIUM,
    rationale="The registrant owns the domain in law and at the registrar; an agency or a former "
    "employee as registrant can keep or move it.",
    remediation="Change the registrant to the company through the registrar (an ICANN change of "
    "registrant) and keep the registrar account under company control.",
    needs=("whois",),
    facets=(Facet.REGISTRATION,),
)
def registrant_mismatch(ctx: CheckContext) -> Iterator[Outcome]:
    """Compares the visible registrant organisation with the company name."""
    yield from _each_registered(ctx, _registrant_mismatch)


def _registrant_mismatch(ctx: CheckContext, asset: Asset, ev: DomainEvidence) -> Outcome:
    company = ctx.estate.organization.name
    facts = {**_facts(ev), "registrant_org": ev.registrant_org, "company": company}
    if ev.registrant_org is None:
        detail = f"{ev.domain}: the registrant is redacted or not published."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **facts)
    if is_company_registrant(ctx, ev.registrant_org):
        detail = _sentence(f"{ev.domain} is registered to {ev.registrant_org}")
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    detail = f"{ev.domain} is registered to {ev.registrant_org!r}, not {company}."
    return outcome(ctx, asset, Status.FAIL, detail, source=ev.source, **facts)


@check(
    id="domain.registrar-unapproved",
    title="Brand domain at an unapproved registrar",
    severity=Severity.LOW,
    rationale="Brand domains belong at registrars the company has vetted (registry lock, 2FA "
    "enforced, a company-owned account); a stray registrar account is easy to lose.",
    remediation="Transfer the domain to an approved registrar, or add this one to "
    "policy.approved_registrars after review.",
    needs=("whois",),
    facets=(Facet.REGISTRATION,),
)
def registrar_unapproved(ctx: CheckContext) -> Iterator[Outcome]:
    """Compares the registrar name with ``policy.approved_registrars``."""
    yield from _each_registered(ctx, _registrar_unapproved)


def iana_id(entry: str) -> str | None:
    """The IANA registrar id an approved-registrar entry names (``iana:292`` or ``292``)."""
    text = entry.strip().lower().removeprefix("iana:").strip()
    return text if text.isdigit() else None


def _registrar_unapproved(ctx: CheckContext, asset: Asset, ev: DomainEvidence) -> Outcome:
    entries = ctx.policy.approved_registrars
    ids = {i for i in map(iana_id, entries) if i is not None}
    approved = {org_key(r): r for r in entries if iana_id(r) is None}
    facts = {
        **_facts(ev),
        "registrar": ev.registrar,
        "registrar_iana_id": ev.registrar_iana_id,
        "approved": sorted(entries),
    }
    if not entries:
        detail = f"{ev.domain}: no approved registrars are listed in policy."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **facts)
    named = ev.registrar or (f"IANA id {ev.registrar_iana_id}" if ev.registrar_iana_id else None)
    if ev.registrar_iana_id is not None and ev.registrar_iana_id in ids:
        detail = (
            f"{ev.domain} is at {named} (IANA id {ev.registrar_iana_id}), an approved registrar."
        )
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    if ev.registrar is not None and org_key(ev.registrar) in approved:
        detail = f"{ev.domain} is at {ev.registrar}, an approved registrar."
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    if ev.registrar is None and not (ids and ev.registrar_iana_id):
        detail = f"{ev.domain}: the registry did not name the registrar."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **facts)
    detail = f"{ev.domain} is at {named}, which is not an approved registrar."
    return outcome(ctx, asset, Status.FAIL, detail, source=ev.source, **facts)


@check(
    id="domain.dnssec-off",
    title="Brand domain without DNSSEC",
    severity=Severity.LOW,
    rationale="Without DNSSEC, forged DNS answers can send visitors and mail elsewhere.",
    remediation="Sign the zone at the DNS host and publish its DS record at the registrar.",
    needs=("whois",),
    facets=(Facet.REGISTRATION,),
)
def dnssec_off(ctx: CheckContext) -> Iterator[Outcome]:
    """Reads the registry's DNSSEC flag (delegationSigned / the WHOIS DNSSEC line)."""
    yield from _each_registered(ctx, _dnssec_off)


def _dnssec_off(ctx: CheckContext, asset: Asset, ev: DomainEvidence) -> Outcome:
    facts = {**_facts(ev), "dnssec": ev.dnssec}
    if ev.dnssec is None:
        detail = f"{ev.domain}: the registry did not state whether DNSSEC is on."
        return outcome(ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, **facts)
    if ev.dnssec:
        detail = f"{ev.domain} has a signed delegation (DNSSEC)."
        return outcome(ctx, asset, Status.PASS, detail, source=ev.source, **facts)
    detail = f"{ev.domain} is not DNSSEC-signed."
    return outcome(ctx, asset, Status.FAIL, detail, source=ev.source, **facts)


CHECKS: tuple[CheckFunc, ...] = (
    registration_hold,
    expiring,
    unregistered,
    transfer_lock_missing,
    registrant_mismatch,
    registrar_unapproved,
    dnssec_off,
)
"""The domain checks in catalog order."""
