"""Ownership checks that rest on the platforms alone: discovery, reachability and identity.

Part of the ``ownership`` family; ``brand-audit checks explain
ownership.registration-email-external`` shows the family overview.

- ``ownership.unmanaged-account`` reads the accounts a platform says the company controls: Meta
  business owned Pages and Instagram accounts, a GitHub org, LinkedIn pages the token
  administers. Each one the inventory lists (same immutable id, or same handle when the inventory
  has no id) passes; each one it does not list fails. A platform whose discovery was not complete
  (``Evidence.discovery``: partial, unknown) gives ``not_verified`` for that platform, so does one
  that cannot list (not exposed); a platform whose listing was complete gives a pass when every
  account it listed is in the inventory. When no platform listed anything, the result is
  ``not_verified`` for the organization.
- ``ownership.account-unreachable`` reads each platform's lookup of the inventory handle: not
  found, suspended or deactivated fails (only when the ``identity`` facet is complete: a state
  inferred from a failed read is no proof of a vanished account); an active account passes;
  ``not_verified`` when the platform was not configured, the identity was not read in full, or
  the state was unknown.
- ``ownership.identity-mismatch`` compares the inventory's immutable ``id`` with the id the handle
  resolves to now (X user id, Page id, LinkedIn organization id, YouTube channel id, GitHub org
  id, Mastodon account id, Bluesky DID; subject ``account_id``). ``not_verified`` when the
  inventory records no id (record it: a handle can be re-registered by anyone once released) or
  the platform did not return one.
  Where the collector asked the platform whom the configured token belongs to (X ``get_me``, Meta
  ``debug_token``, Mastodon ``verify_credentials``), that id too (subject ``token_account_id``):
  it passes when the token belongs to this account and fails when it belongs to an account
  outside the inventory; a token of another inventory account on the same platform (one read
  token serving several accounts) gives no token result. For a Meta Page the token counts as the
  Page's when debug_token shows it acting on that Page (its Page token, or a Page scope whose
  ``target_ids`` name it); a business-wide grant names no Page. It is ``not_verified`` when the
  collector stated the ``token_owner`` facet partial or unknown (the token refused, a missing
  scope, a failed source), and a token that does belong to the account still gives
  ``not_verified`` while its ``identity`` or ``token_owner`` facet is not complete. A collector
  that does not ask (the facet not stated, or not exposed) gives no token result.
  Where the collector checks the handle both ways (Bluesky: the handle's DNS TXT ``_atproto`` or
  ``/.well-known/atproto-did`` record must name the DID, and the DID document's ``alsoKnownAs``
  must list ``at://<handle>`` first), subject ``handle-verification`` fails when that check
  failed (Bluesky shows such a handle as ``handle.invalid``: its domain or the account's DID
  record was changed, or the recorded DID now carries another handle), passes when it held
  (``not_verified`` while the account's evidence has a gap), and is ``not_verified`` when it could
  not be made (a lookup failed, the account could not be read or is gone).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from auditor.core.completeness import NOT_COLLECTED, Facet, facet_status
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, DiscoveredAccount
from auditor.core.models import Asset, AssetKind, Outcome, Severity, Status
from auditor.core.registry import CheckContext, check, outcome
from checks.accounts import AccountView, account_views, inventory_account
from checks.facets import gap_reason, pass_needs_complete
from checks.safe_text import shown


@check(
    id="ownership.unmanaged-account",
    title="Company-controlled account missing from the inventory",
    severity=Severity.MEDIUM,
    rationale="An account nobody lists is an account nobody reviews: no access reviews, no "
    "2FA checks, no one notices when it is hijacked.",
    remediation="Add the account to the inventory with its owner, registration email and vault "
    "item, or remove it from the company's business/org if it is not needed.",
    needs=("platform",),
    facets=(Facet.DISCOVERY,),
)
def unmanaged_account(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each discovered account the inventory does not list; passes for listed ones;
    one result per platform on how complete its listing was."""
    seen: set[tuple[str, str]] = set()
    unlisted: set[str] = set()
    for found in ctx.evidence.discovered:
        ident = (found.platform, found.account_id.strip())
        if ident in seen:
            continue
        seen.add(ident)
        result = _discovered(ctx, found)
        if result.status is Status.FAIL:
            unlisted.add(found.platform)
        yield result
    for platform in sorted(ctx.evidence.discovery):
        state = ctx.evidence.discovery[platform]
        if not state.is_complete:
            yield outcome(
                ctx,
                Asset.source(platform),
                Status.NOT_VERIFIED,
                f"The accounts the company controls on {platform} could not be listed in full, "
                f"so unmanaged accounts cannot be ruled out there: "
                f"{gap_reason(Facet.DISCOVERY, state)}.",
                source=platform,
                subject="discovered-accounts",
            )
        elif platform not in unlisted:
            yield outcome(
                ctx,
                Asset.source(platform),
                Status.PASS,
                f"Every account {platform} lists as the company's is in the inventory.",
                source=platform,
                subject="discovered-accounts",
            )
    if not any(state.is_complete for state in ctx.evidence.discovery.values()):
        org = ctx.estate.organization
        yield outcome(
            ctx,
            Asset(kind=AssetKind.ORGANIZATION, handle=org.name),
            Status.NOT_VERIFIED,
            "No platform listed in full the accounts the company's business or org controls "
            "(Meta business_id, GitHub organization ...), so unmanaged accounts cannot be "
            "ruled out.",
            source="platform",
        )


def _discovered(ctx: CheckContext, found: DiscoveredAccount) -> Outcome:
    match = inventory_account(ctx, found.platform, found.handle, found.account_id)
    facts: dict[str, Any] = {
        "discovered_id": found.account_id,
        "via": found.via,
        "handle": found.handle,
    }
    label = f"{found.platform} account {shown(found.handle)} (id {shown(found.account_id)})"
    if match is not None:
        return outcome(
            ctx,
            match.asset,
            Status.PASS,
            f"{label}, found via {shown(found.via)}, is in the inventory as {shown(match.handle)}.",
            source=found.platform,
            subject=found.account_id,
            observed_at=found.observed_at,
            **facts,
        )
    return outcome(
        ctx,
        Asset.account(found.platform, found.handle, found.account_id),
        Status.FAIL,
        f"{label} is controlled by the company (found via {shown(found.via)}) but is not in "
        "the inventory.",
        source=found.platform,
        subject=found.account_id,
        observed_at=found.observed_at,
        **facts,
    )


CREDENTIAL_HINTS = {
    "x": "the account's own OAuth 2.0 user token or OAuth 1.0a keys",
    "youtube": "the channel's own OAuth token (youtube.readonly; channels?mine=true)",
    "meta": "the Page's own Page access token",
}
"""Per platform, the ``accounts[].credentials`` that would show whom an account's token is."""


def _stated_owner_gap(spec: AccountSpec, ev: AccountEvidence) -> str | None:
    """Why the collector said the account's token owner is not known (None: it did not say so,
    or no credential of the account's own could tell on this platform)."""
    owner = facet_status(ev, Facet.TOKEN_OWNER)
    if spec.platform not in CREDENTIAL_HINTS or owner == NOT_COLLECTED or owner.structural:
        return None
    if owner.is_complete:
        return None
    return owner.reason or owner.describe()


def _credential_hint(
    ctx: CheckContext, spec: AccountSpec, ev: AccountEvidence, why: str
) -> Outcome:
    """not_verified: no credential of this account says whom its access belongs to, and
    which one would (``accounts[].credentials``)."""
    detail = (
        f"Whom the {spec.platform} access of {shown(spec.handle)} belongs to is not verified "
        f"({shown(why, limit=200)}): {CREDENTIAL_HINTS[spec.platform]} in "
        "accounts[].credentials would verify it."
    )
    return _token_not_verified(
        ctx, spec, ev, detail, credential_needed=CREDENTIAL_HINTS[spec.platform]
    )


def _token_not_verified(
    ctx: CheckContext, spec: AccountSpec, ev: AccountEvidence, detail: str, **facts: Any
) -> Outcome:
    """The token-owner result (subject ``token_account_id``) when the owner is not known."""
    return outcome(
        ctx,
        spec.asset,
        Status.NOT_VERIFIED,
        detail,
        source=ev.source,
        subject="token_account_id",
        **facts,
    )


_GONE = (AccountState.NOT_FOUND, AccountState.SUSPENDED, AccountState.DEACTIVATED)


@check(
    id="ownership.account-unreachable",
    title="Inventory account is gone, suspended or deactivated",
    severity=Severity.CRITICAL,
    rationale="A vanished or suspended brand account may have been taken over, renamed, or "
    "banned; its handle can be claimed by an impersonator.",
    remediation="Find out what happened (platform support, recovery flow), recover or re-claim "
    "the handle, and update the inventory.",
    needs=("platform",),
    facets=(Facet.IDENTITY,),
)
def account_unreachable(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when the platform says the account is not found, suspended or deactivated."""
    for view in account_views(ctx):
        spec, ev = view.spec, view.evidence
        gap = view.gap(Facet.IDENTITY)
        if ev is not None and ev.state in _GONE and gap is None:
            yield outcome(
                ctx,
                spec.asset,
                Status.FAIL,
                f"{ev.source} reports {shown(spec.handle)} as {ev.state.value}.",
                source=ev.source,
                observed_at=ev.observed_at,
                state=ev.state.value,
            )
        elif gap is not None or ev is None or ev.state is not AccountState.ACTIVE:
            reason = gap or f"{view.source} could not tell whether the account exists"
            yield outcome(
                ctx,
                spec.asset,
                Status.NOT_VERIFIED,
                f"Whether {shown(spec.handle)} is reachable is unknown: {reason}.",
                source=view.source,
                state=ev.state.value if ev else None,
            )
        else:
            yield outcome(
                ctx,
                spec.asset,
                Status.PASS,
                f"{ev.source} found {shown(spec.handle)} active"
                + (f" (id {shown(ev.account_id)})." if ev.account_id else "."),
                source=ev.source,
                observed_at=ev.observed_at,
                state=ev.state.value,
            )


@check(
    id="ownership.identity-mismatch",
    title="Handle resolves to a different account than the inventory records",
    severity=Severity.CRITICAL,
    rationale="When a handle now points to another immutable id, the brand's account was "
    "renamed or lost and someone else holds the name followers trust.",
    remediation="Find the account with the recorded id (it may have been renamed), reclaim the "
    "handle, and warn followers if an impostor holds it.",
    needs=("inventory", "platform"),
    facets=(Facet.IDENTITY, Facet.TOKEN_OWNER),
)
def identity_mismatch(ctx: CheckContext) -> Iterator[Outcome]:
    """Compares the recorded id with the id the handle (and the configured token) resolves to."""
    for view in account_views(ctx):
        yield from _identity(ctx, view)


def _identity(ctx: CheckContext, view: AccountView) -> Iterator[Outcome]:
    spec, ev = view.spec, view.evidence
    expected = spec.id.strip() if spec.id else None
    actual = ev.account_id.strip() if ev is not None and ev.account_id else None
    status, detail = _compare_ids(view, expected, actual)
    yield outcome(
        ctx,
        spec.asset,
        status,
        detail,
        source=view.source,
        subject="account_id",
        inventory_id=expected,
        platform_id=actual,
    )
    handle_result = _handle_verification(ctx, view)
    if handle_result is not None:
        yield handle_result
    token_gap = view.gap(Facet.IDENTITY, Facet.TOKEN_OWNER)
    if ev is not None and ev.token_account_id:
        token_id = ev.token_account_id.strip()
        token = _token_identity(ctx, spec, token_id, expected or actual, ev.source)
        if token is not None:
            status, detail = pass_needs_complete(token.status, token.detail, token_gap)
            yield replace(token, status=status, detail=detail)
        elif _stated_owner_gap(spec, ev) is not None:
            yield _credential_hint(ctx, spec, ev, f"the token belongs to account {shown(token_id)}")
    elif ev is not None:
        why = _token_gap(view)
        stated = _stated_owner_gap(spec, ev)
        if stated is not None:
            yield _credential_hint(ctx, spec, ev, stated)
        elif why is not None:
            detail = f"Whom the configured {spec.platform} token belongs to is unknown: {why}."
            yield _token_not_verified(ctx, spec, ev, detail)


HANDLE_VERIFYING_PLATFORMS = frozenset({"bluesky"})
"""Platforms whose collector always checks the handle both ways (Bluesky handle ⇄ DID)."""

_TWO_WAY = {
    "bluesky": "the handle's DNS TXT or .well-known/atproto-did record names the DID and the "
    "DID document's alsoKnownAs lists at://{handle} first",
}
"""What the two-way handle check requires, per platform (``{handle}`` filled in)."""


def _handle_verification(ctx: CheckContext, view: AccountView) -> Outcome | None:
    """The two-way handle check (subject ``handle-verification``); None where not supported."""
    ev = view.evidence
    verified = ev.handle_verified if ev is not None else None
    if verified is None and view.spec.platform not in HANDLE_VERIFYING_PLATFORMS:
        return None
    handle = shown(view.spec.handle)
    target = shown((ev.account_id if ev else None) or view.spec.id or "the account")
    rule = _TWO_WAY.get(view.spec.platform, "the handle and the account link to each other")
    rule = rule.format(handle=handle)
    if verified is None:
        reason = (
            view.gap(Facet.IDENTITY) or _state_reason(view) or f"{view.source} did not check it"
        )
        status = Status.NOT_VERIFIED
        detail = f"Whether {handle} verifies both ways ({rule}) is unknown: {reason}."
    elif verified:
        detail = f"{handle} verifies both ways for {target}: {rule}."
        status, detail = pass_needs_complete(Status.PASS, detail, view.gap(Facet.IDENTITY))
    else:
        status = Status.FAIL
        detail = (
            f"{handle} does not verify both ways for {target}: it is required that {rule}, and "
            "that no longer holds, so the platform shows the handle as unverified (Bluesky: "
            "handle.invalid); the handle's domain or the account's identity record was changed."
        )
    return outcome(
        ctx,
        view.spec.asset,
        status,
        detail,
        source=view.source,
        subject="handle-verification",
        observed_at=ev.observed_at if ev else None,
        handle_verified=verified,
        platform_id=ev.account_id if ev else None,
    )


def _state_reason(view: AccountView) -> str | None:
    """The account's state when it is not active (``the account is not_found``), else None."""
    ev = view.evidence
    if ev is not None and ev.state is not AccountState.ACTIVE:
        return f"the account is {ev.state.value}"
    return None


def _token_gap(view: AccountView) -> str | None:
    """Why the token owner of the account is missing when its collector stated the facet, or
    None when it was not asked (the facet not stated: no token configured, or a platform whose
    collector cannot ask)."""
    state = facet_status(view.evidence, Facet.TOKEN_OWNER)
    if state == NOT_COLLECTED or state.structural:
        return None
    if state.is_complete:
        return f"{view.source} said the token owner was read, but returned none"
    return gap_reason(Facet.TOKEN_OWNER, state)


def _compare_ids(view: AccountView, expected: str | None, actual: str | None) -> tuple[Status, str]:
    """The verdict on the recorded id versus the id the handle resolves to now."""
    handle = shown(view.spec.handle)
    if expected and actual:
        if actual != expected:
            return (
                Status.FAIL,
                f"{handle} now resolves to id {shown(actual)}, not {shown(expected)}.",
            )
        gap = view.gap(Facet.IDENTITY)
        if gap is None:
            return Status.PASS, f"{handle} resolves to the recorded id {shown(expected)}."
        return Status.NOT_VERIFIED, f"{handle} resolves to {shown(actual)}, but {gap}."
    if not expected:
        reason = "the inventory records no immutable id for it" + (
            f" (the platform reports {shown(actual)}: record it)" if actual else ""
        )
    else:
        reason = (
            view.gap(Facet.IDENTITY)
            or _state_reason(view)
            or f"{view.source} did not return its id"
        )
    return Status.NOT_VERIFIED, f"The identity of {handle} cannot be compared: {reason}."


def _token_identity(
    ctx: CheckContext, spec: AccountSpec, token_id: str, wanted: str | None, source: str
) -> Outcome | None:
    """The token check: one read token per platform may belong to one inventory account only,
    so a token of another inventory account says nothing here (None); an unknown owner fails."""
    facts: dict[str, Any] = {"token_account_id": token_id, "expected_id": wanted}
    if wanted is not None and token_id == wanted:
        status = Status.PASS
        detail = f"The configured token belongs to {shown(spec.handle)} ({shown(wanted)})."
    elif token_id in _inventory_ids(ctx, spec.platform):
        return None
    elif wanted is None:
        status = Status.NOT_VERIFIED
        detail = f"The configured token belongs to account {shown(token_id)}; no id to compare."
    else:
        status = Status.FAIL
        detail = (
            f"The configured {spec.platform} token belongs to account {shown(token_id)}, which "
            f"is neither {shown(spec.handle)} ({shown(wanted)}) nor any inventory account."
        )
    return outcome(
        ctx, spec.asset, status, detail, source=source, subject="token_account_id", **facts
    )


def _inventory_ids(ctx: CheckContext, platform: str) -> set[str]:
    """Recorded and resolved ids of the inventory's accounts on ``platform``."""
    ids = {s.id.strip() for s in ctx.estate.accounts if s.platform == platform and s.id}
    ids |= {
        e.account_id.strip()
        for e in ctx.evidence.accounts.values()
        if e.platform == platform and e.account_id
    }
    return ids
