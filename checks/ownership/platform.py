"""Ownership checks that rest on the platforms alone: discovery, reachability and identity.

Part of the ``ownership`` family; ``brand-audit checks explain
ownership.registration-email-external`` shows the family overview.

- ``ownership.unmanaged-account`` reads the accounts a platform says the company controls: Meta
  business owned Pages and Instagram accounts, a GitHub org, LinkedIn pages the token
  administers. Each one the inventory lists (same immutable id, or same handle when the inventory
  has no id) passes; each one it does not list fails. When a platform source failed, or recorded
  a source-wide problem (its listing may be partial), the result is ``not_verified`` for that
  source; when no platform listed anything (X, YouTube, Mastodon and
  Bluesky cannot), the result is ``not_verified`` for the organization.
- ``ownership.account-unreachable`` reads each platform's lookup of the inventory handle: not
  found, suspended or deactivated fails; an active account passes; ``not_verified`` when the
  platform was not configured, its source failed for the account, or the state was unknown.
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
  ``target_ids`` name it); a business-wide grant names no Page. It is ``not_verified`` when that
  question could not be answered (a source-wide problem, a problem for this account, a token
  refused for another account, a missing scope), and a token that does belong to the account
  still gives ``not_verified`` while the account's evidence has a gap (a problem recorded for it,
  a failed source, an unknown state).
  Where the collector checks the handle both ways (Bluesky: the handle's DNS TXT ``_atproto`` or
  ``/.well-known/atproto-did`` record must name the DID, and the DID document's ``alsoKnownAs``
  must list ``at://<handle>`` first), subject ``handle-verification`` fails when that check
  failed (Bluesky shows such a handle as ``handle.invalid``: its domain or the account's DID
  record was changed, or the recorded DID now carries another handle), passes when it held
  (``not_verified`` while the account's evidence has a gap), and is ``not_verified`` when it could
  not be made (a lookup failed, the account could not be read or is gone).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from auditor.core.completeness import NOT_COLLECTED, Facet, facet_status
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, DiscoveredAccount
from auditor.core.models import Asset, AssetKind, Outcome, Severity, Status
from auditor.core.registry import CheckContext, check, outcome
from checks.completeness import (
    AccountView,
    ProblemIndex,
    account_view,
    problem_index,
    state_gap,
    unless_gap,
)
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
)
def unmanaged_account(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each discovered account the inventory does not list; passes for listed ones."""
    seen: set[tuple[str, str]] = set()
    for found in ctx.evidence.discovered:
        ident = (found.platform, found.account_id.strip())
        if ident in seen:
            continue
        seen.add(ident)
        yield _discovered(ctx, found)
    failed = _failed_discovery_sources(ctx)
    for name in failed:
        yield outcome(
            ctx,
            Asset.source(name),
            Status.NOT_VERIFIED,
            f"The {name} source failed, so the accounts the company controls there could not "
            "be listed and compared with the inventory.",
            source=name,
            subject="discovered-accounts",
        )
    if not ctx.evidence.discovered and not failed:
        org = ctx.estate.organization
        yield outcome(
            ctx,
            Asset(kind=AssetKind.ORGANIZATION, handle=org.name),
            Status.NOT_VERIFIED,
            "No platform source listed the accounts the company's business or org controls "
            "(Meta business_id, GitHub organization ...), so unmanaged accounts cannot be "
            "ruled out.",
            source="platform",
        )


def _discovered(ctx: CheckContext, found: DiscoveredAccount) -> Outcome:
    match = _inventory_match(ctx.estate.accounts, found)
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


def _inventory_match(
    accounts: Iterable[AccountSpec], found: DiscoveredAccount
) -> AccountSpec | None:
    """The inventory entry for a discovered account: same id, or same handle when no id."""
    for spec in accounts:
        if spec.platform != found.platform:
            continue
        if spec.id is not None:
            if spec.id.strip() == found.account_id.strip():
                return spec
        elif spec.handle.strip().lower().lstrip("@") == found.handle.strip().lower().lstrip("@"):
            return spec
    return None


DISCOVERY_SOURCES = frozenset({"meta", "github", "linkedin"})
"""Sources that list the accounts the company controls (the others cannot)."""

TOKEN_OWNER_SOURCES = frozenset({"x", "meta", "mastodon", "youtube"})
"""Sources that ask the platform whom the configured token belongs to."""

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
    if spec.platform not in CREDENTIAL_HINTS or owner == NOT_COLLECTED or owner.is_complete:
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


def _failed_discovery_sources(ctx: CheckContext) -> list[str]:
    names = dict.fromkeys(
        [s.platform for s in ctx.estate.accounts]
        + [ev.source for ev in ctx.evidence.accounts.values()]
    )
    return sorted(n for n in names if ctx.evidence.source_failed(n) or _listing_gap(ctx, n))


def _listing_gap(ctx: CheckContext, name: str) -> bool:
    """A discovering source that recorded a source-wide problem (its listing may be partial or
    missing even though its accounts were read): fail closed."""
    return name in DISCOVERY_SOURCES and _source_gap(ctx, name)


def _source_gap(ctx: CheckContext, name: str) -> bool:
    """True when source ``name`` recorded a problem that is not about one asset."""
    report = ctx.evidence.sources.get(name)
    return report is not None and any(p.asset_key is None for p in report.problems)


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
)
def account_unreachable(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when the platform says the account is not found, suspended or deactivated."""
    problems = problem_index(ctx)
    for spec in ctx.estate.accounts:
        view = account_view(ctx, spec, problems)
        ev = view.evidence
        if ev is not None and ev.state in _GONE:
            yield outcome(
                ctx,
                spec.asset,
                Status.FAIL,
                f"{ev.source} reports {shown(spec.handle)} as {ev.state.value}.",
                source=ev.source,
                observed_at=ev.observed_at,
                state=ev.state.value,
            )
        elif view.gap is not None or ev is None:
            yield outcome(
                ctx,
                spec.asset,
                Status.NOT_VERIFIED,
                f"Whether {shown(spec.handle)} is reachable is unknown: {view.gap}.",
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
)
def identity_mismatch(ctx: CheckContext) -> Iterator[Outcome]:
    """Compares the recorded id with the id the handle (and the configured token) resolves to."""
    problems = problem_index(ctx)
    for spec in ctx.estate.accounts:
        yield from _identity(ctx, spec, problems)


def _identity(ctx: CheckContext, spec: AccountSpec, problems: ProblemIndex) -> Iterator[Outcome]:
    view = account_view(ctx, spec, problems)
    ev = view.evidence
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
    if ev is not None and ev.token_account_id:
        token_id = ev.token_account_id.strip()
        token = _token_identity(ctx, spec, token_id, expected or actual, ev.source)
        if token is not None:
            status, detail = unless_gap(token.status, token.detail, view.gap)
            yield replace(token, status=status, detail=detail)
        elif _stated_owner_gap(spec, ev) is not None:
            yield _credential_hint(ctx, spec, ev, f"the token belongs to account {shown(token_id)}")
    elif ev is not None and ev.source in TOKEN_OWNER_SOURCES:
        why = _token_gap(view, problems)
        stated = _stated_owner_gap(spec, ev)
        if why is None and stated is not None:
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
        reason = state_gap(view) or f"{view.source} did not check it"
        status = Status.NOT_VERIFIED
        detail = f"Whether {handle} verifies both ways ({rule}) is unknown: {reason}."
    elif verified:
        detail = f"{handle} verifies both ways for {target}: {rule}."
        status, detail = unless_gap(Status.PASS, detail, view.gap)
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


_TOKEN_KINDS = frozenset({"auth", "permission"})
"""Problem kinds that mean the token itself was refused."""


def _token_gap(view: AccountView, problems: ProblemIndex) -> str | None:
    """Why the token owner of an account whose source asks for it is missing, or None when
    it was simply not asked (no token configured and nothing went wrong)."""
    ev = view.evidence
    if ev is None:
        return None
    report = problems.get(ev.source)
    if report is not None and report.whole is not None:
        return f"the {ev.source} source recorded a source-wide problem"
    if report is not None and view.spec.asset.key in report.by_asset:
        return f"{view.gap or 'the source recorded a problem for this account'}"
    if report is not None and report.kinds & _TOKEN_KINDS:
        return f"the {ev.source} source reported its token refused for another account"
    if ev.missing_scopes:
        scopes = ", ".join(shown(s, limit=60) for s in ev.missing_scopes)
        return f"the token lacks {scopes}, so the platform may not have said whom it belongs to"
    return None


def _compare_ids(view: AccountView, expected: str | None, actual: str | None) -> tuple[Status, str]:
    """The verdict on the recorded id versus the id the handle resolves to now."""
    handle = shown(view.spec.handle)
    if expected and actual:
        if actual != expected:
            return (
                Status.FAIL,
                f"{handle} now resolves to id {shown(actual)}, not {shown(expected)}.",
            )
        if view.gap is None:
            return Status.PASS, f"{handle} resolves to the recorded id {shown(expected)}."
        return Status.NOT_VERIFIED, f"{handle} resolves to {shown(actual)}, but {view.gap}."
    if not expected:
        reason = "the inventory records no immutable id for it" + (
            f" (the platform reports {shown(actual)}: record it)" if actual else ""
        )
    else:
        reason = state_gap(view) or f"{view.source} did not return its id"
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
