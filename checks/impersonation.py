"""impersonation: who pretends to be the brand?

Impersonators register names that read like the brand's: ``n0rthwind.example``,
``northwind-support.example``, an X account ``@n0rthwind`` whose display name spells
"Nοrthwind" with a Greek omicron. These checks read what the lookalike engine and the handle
probes found; none of them fetches anything.

- ``impersonation.lookalike-domain``: each brand domain (``domains[].lookalikes``, on by default)
  is permuted (typos, ASCII and Unicode homoglyphs, TLD swaps, hyphenation, added words such as
  ``-support``), the closest ``policy.lookalike_cap`` permutations are checked for registration,
  and every registered one that is not a company domain fails (subject: the lookalike, so the
  report's *first seen* shows when it appeared). Register the ones you want defensively and list
  them under ``domains`` with ``lookalikes: false``; they are then skipped.
- ``impersonation.lookalike-handle``: confusables and typos of the brand handles and display
  names (``brand_handles``), plus words like ``_official`` or ``hq``, are looked up on every
  platform that can resolve a handle (X, Mastodon, Bluesky, GitHub). An existing account that is
  not in the inventory fails (subject: its handle); the detail says when its display name is
  confusable with the brand.
- ``impersonation.handle-unclaimed``: the brand handle is free on a platform listed in
  ``policy.claim_platforms`` (or is held by an account that is not in the inventory); claiming it
  first costs nothing.

Lookups that failed make the result ``not_verified``, never a pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.evidence import HandleProbe, LookalikeDomain, LookalikeScan
from auditor.core.models import Asset, AssetKind, Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome
from checks.accounts import inventory_account
from checks.domain import is_company_registrant
from checks.facets import facet_gap, pass_needs_complete


def _own_domains(ctx: CheckContext) -> set[str]:
    own = {d.name.lower() for d in ctx.estate.domains}
    return own | {d.lower() for d in ctx.estate.organization.email_domains}


@check(
    id="impersonation.lookalike-domain",
    title="Lookalike of a brand domain is registered",
    severity=Severity.HIGH,
    rationale="A registered lookalike domain is the usual base of phishing pages and spoofed "
    "mail that borrow the brand's name.",
    remediation="Investigate the domain (site, MX records, certificates); file a takedown or UDRP "
    "complaint if it impersonates the brand, or register the most likely lookalikes "
    "defensively.",
    needs=("lookalikes",),
    facets=(Facet.LOOKALIKES,),
)
def lookalike_domain(ctx: CheckContext) -> Iterator[Outcome]:
    """Registered permutations among the closest ``policy.lookalike_cap`` of each brand domain."""
    own = _own_domains(ctx)
    for spec in ctx.estate.domains:
        if not spec.lookalikes:
            continue
        asset = Asset.for_domain(spec.name)
        scan = ctx.evidence.lookalikes.get(spec.name.lower())
        if scan is None:
            detail = f"No lookalike scan of {spec.name} was made."
            yield outcome(ctx, asset, Status.NOT_VERIFIED, detail, source="lookalikes")
            continue
        yield from _scan_results(ctx, asset, scan, own)


def _scan_results(
    ctx: CheckContext, asset: Asset, scan: LookalikeScan, own: set[str]
) -> Iterator[Outcome]:
    candidates = [c for c in scan.candidates if c.domain.lower() not in own]
    company = [
        c for c in candidates if c.registered and is_company_registrant(ctx, c.registrant_org)
    ]
    candidates = [c for c in candidates if c not in company]  # registered to the company: its own
    registered = [c for c in candidates if c.registered]
    unknown = [c for c in candidates if c.registered is None]
    for found in registered:
        yield _registered_lookalike(ctx, asset, scan, found)
    facts: dict[str, Any] = {
        "brand_domain": scan.brand_domain,
        "checked": len(candidates),
        "generated": scan.generated,
        "registered": len(registered),
        "registered_to_company": [c.domain for c in company],
    }
    if unknown:
        detail = (
            f"{len(unknown)} of the {len(candidates)} closest lookalikes of {scan.brand_domain} "
            f"could not be checked (e.g. {unknown[0].domain})."
        )
        yield outcome(
            ctx,
            asset,
            Status.NOT_VERIFIED,
            detail,
            source="lookalikes",
            observed_at=scan.observed_at,
            unknown=[c.domain for c in unknown],
            **facts,
        )
    elif not registered:
        detail = (
            f"None of the {len(candidates)} closest of {scan.generated} permutations of "
            f"{scan.brand_domain} is registered."
        )
        status, detail = pass_needs_complete(Status.PASS, detail, facet_gap(scan, Facet.LOOKALIKES))
        yield outcome(
            ctx,
            asset,
            status,
            detail,
            source="lookalikes",
            observed_at=scan.observed_at,
            **facts,
        )


def _registered_lookalike(
    ctx: CheckContext, asset: Asset, scan: LookalikeScan, found: LookalikeDomain
) -> Outcome:
    since = f" since {found.created_at.date().isoformat()}" if found.created_at else ""
    where = f" at {found.registrar}" if found.registrar else ""
    detail = (
        f"{found.domain} ({found.fuzzer}, similarity {found.similarity:.2f} to "
        f"{scan.brand_domain}) is registered{where}{since} and is not a company domain."
    )
    return outcome(
        ctx,
        asset,
        Status.FAIL,
        detail,
        source="lookalikes",
        subject=found.domain,
        observed_at=scan.observed_at,
        lookalike=found.domain,
        fuzzer=found.fuzzer,
        similarity=found.similarity,
        registrar=found.registrar,
        created_at=found.created_at.isoformat() if found.created_at else None,
    )


def _ours(ctx: CheckContext, probe: HandleProbe) -> bool:
    """True when the probed account is an inventory account."""
    return inventory_account(ctx, probe.platform, probe.handle, probe.account_id) is not None


def _groups(probes: Sequence[HandleProbe]) -> dict[tuple[str, str], list[HandleProbe]]:
    grouped: dict[tuple[str, str], list[HandleProbe]] = {}
    for probe in probes:
        grouped.setdefault((probe.platform, probe.brand_handle), []).append(probe)
    return dict(sorted(grouped.items()))


def _organization(ctx: CheckContext) -> Asset:
    return Asset(kind=AssetKind.ORGANIZATION, handle=ctx.estate.organization.name)


@check(
    id="impersonation.lookalike-handle",
    title="Lookalike account of a brand handle",
    severity=Severity.MEDIUM,
    rationale="Accounts with a confusable or typo handle (or display name) of the brand are used "
    "for support scams, fake giveaways and phishing replies to the brand's followers.",
    remediation="Review the account; report it to the platform as impersonation, or add it to the "
    "inventory if the company owns it.",
    needs=("handles",),
    facets=(Facet.HANDLES,),
)
def lookalike_handle(ctx: CheckContext) -> Iterator[Outcome]:
    """Existing lookalike handles that are not inventory accounts."""
    probes = [p for p in ctx.evidence.handles if p.purpose == "lookalike"]
    if not probes:
        detail = (
            "No lookalike handles were looked up (no platform that resolves handles is set up)."
        )
        yield outcome(ctx, _organization(ctx), Status.NOT_VERIFIED, detail, source="handles")
        return
    for (platform, brand), group in _groups(probes).items():
        yield from _handle_group(ctx, platform, brand, group)


def _handle_group(
    ctx: CheckContext, platform: str, brand: str, group: list[HandleProbe]
) -> Iterator[Outcome]:
    asset = Asset.account(platform, brand)
    found = [p for p in group if p.exists and not _ours(ctx, p)]
    unknown = [p for p in group if p.exists is None or facet_gap(p, Facet.HANDLES) is not None]
    for probe in found:
        shown = f", display name {probe.display_name!r}" if probe.display_name else ""
        detail = (
            f"@{probe.handle} on {platform} (id {probe.account_id}{shown}) looks like the brand "
            f"handle {brand} ({probe.reason}) and is not in the inventory."
        )
        yield outcome(
            ctx,
            asset,
            Status.FAIL,
            detail,
            source="handles",
            subject=probe.handle,
            observed_at=probe.observed_at,
            handle=probe.handle,
            account_id=probe.account_id,
            display_name=probe.display_name,
            reason=probe.reason,
        )
    facts: dict[str, Any] = {"platform": platform, "brand_handle": brand, "checked": len(group)}
    if unknown:
        why = facet_gap(unknown[0], Facet.HANDLES) or "the lookup failed"
        detail = (
            f"{len(unknown)} of {len(group)} lookalike handles of {brand} on {platform} could "
            f"not be looked up in full (e.g. {unknown[0].handle}: {why})."
        )
        yield outcome(ctx, asset, Status.NOT_VERIFIED, detail, source="handles", **facts)
    elif not found:
        detail = f"None of {len(group)} lookalike handles of {brand} exists on {platform}."
        yield outcome(ctx, asset, Status.PASS, detail, source="handles", **facts)


@check(
    id="impersonation.handle-unclaimed",
    title="Brand handle free on a platform",
    severity=Severity.LOW,
    rationale="A free brand handle on a platform the company cares about can be registered by an "
    "impersonator at any time.",
    remediation="Register the handle for the company (a placeholder account is enough) and add "
    "it to the inventory.",
    needs=("handles",),
    facets=(Facet.HANDLES,),
)
def handle_unclaimed(ctx: CheckContext) -> Iterator[Outcome]:
    """Brand handles on ``policy.claim_platforms`` and on every platform ``brand_handles``
    lists handles for: free or held by a stranger fails."""
    for platform in dict.fromkeys((*ctx.policy.claim_platforms, *ctx.estate.platform_handles)):
        probes = [
            p for p in ctx.evidence.handles if p.purpose == "claim" and p.platform == platform
        ]
        if not probes:
            detail = f"The brand handles were not looked up on {platform} (no handle lookup is available there)."
            yield outcome(
                ctx,
                _organization(ctx),
                Status.NOT_VERIFIED,
                detail,
                source="handles",
                subject=platform,
                platform=platform,
            )
        for probe in probes:
            yield _claim(ctx, probe)


def _claim(ctx: CheckContext, probe: HandleProbe) -> Outcome:
    asset = Asset.account(probe.platform, probe.brand_handle)
    facts: dict[str, Any] = {
        "platform": probe.platform,
        "handle": probe.handle,
        "account_id": probe.account_id,
    }
    where = f"{probe.handle} on {probe.platform}"
    gap = facet_gap(probe, Facet.HANDLES)
    if probe.exists is None or (gap is not None and not probe.exists):
        detail = f"The lookup of {where} failed: {gap or 'no answer'}."
        return outcome(
            ctx, asset, Status.NOT_VERIFIED, detail, source="handles", subject=probe.handle, **facts
        )
    if not probe.exists:
        detail = f"The brand handle {where} is free: anyone can register it."
        return outcome(
            ctx, asset, Status.FAIL, detail, source="handles", subject=probe.handle, **facts
        )
    if _ours(ctx, probe):
        detail = (
            f"The brand handle {where} is held by the inventory account (id {probe.account_id})."
        )
        status, detail = pass_needs_complete(Status.PASS, detail, gap)
        return outcome(ctx, asset, status, detail, source="handles", subject=probe.handle, **facts)
    detail = (
        f"The brand handle {where} is held by id {probe.account_id}, which is not in the inventory."
    )
    return outcome(ctx, asset, Status.FAIL, detail, source="handles", subject=probe.handle, **facts)


CHECKS: tuple[CheckFunc, ...] = (lookalike_domain, lookalike_handle, handle_unclaimed)
"""The impersonation checks in catalog order."""
