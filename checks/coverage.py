"""coverage: what could not be verified, and why.

An audit is only as good as the evidence behind it. Every check turns missing evidence into
``not_verified`` (never a pass); this family says where the gaps come from, so they can be fixed:

- ``coverage.collection-failed``: one result per evidence source, from its one status
  (``SourceReport.status``): ``failed`` (nothing usable was read) and ``partial`` (something was
  not) fail, naming the source-wide problems; ``complete`` passes. Then one result per evidence
  item whose collector stated a facet ``partial`` or ``unknown`` (subject: the asset), naming each
  such facet and its reason; ``not_exposed`` facets are platform limits, not failures, and are not
  listed. An inventory account or brand domain that no source returned evidence for is
  ``not_verified`` (its platform is probably not configured under ``platforms``).
- ``coverage.permission-missing``: the configured token lacks a scope or permission that a check
  needs (``AccountEvidence.missing_scopes``, or a 403 with a scope recorded by a collector). One
  result per missing scope; a pass for each account whose token had everything, when the account
  itself was read (its ``identity`` facet complete).
- ``coverage.evidence-stale``: an inventory 2FA attestation (``accounts[].two_factor``) is older
  than ``policy.attestation_max_days`` (default 180). An attestation dated in the future is not
  fresh: ``not_verified``, naming the date. When the platform reports 2FA itself (its
  ``two_factor_policy`` facet complete), no attestation is needed; with neither, the result is
  ``not_verified``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from auditor.core.completeness import Facet, HasFacets, SourceStatus, facet_status
from auditor.core.evidence import AccountEvidence
from auditor.core.models import Asset, Outcome, Severity, SourceProblem, SourceReport, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome
from checks.facets import facet_gap, gap_reason, pass_needs_complete
from checks.safe_text import shown

PERMISSION = "permission"
"""The SourceProblem kind of a missing scope."""

PLATFORM_SOURCES = {"instagram": ("meta",)}
"""Inventory platforms read by a source of another name (Instagram through Meta's Graph API)."""

DETAIL_LIMIT = 200
"""Characters of a collector's problem detail quoted in a result."""

REGISTRY = frozenset({"rdap", "whois", "registration"})
"""Source names that read domain registrations."""


@check(
    id="coverage.collection-failed",
    title="Evidence source could not be read",
    severity=Severity.HIGH,
    rationale="Every check that needed the source is not_verified: its risks are unknown, not absent.",
    remediation="Fix the source (token, network, rate limit, configuration) and run the audit again.",
    needs=("collector",),
    facets=(),
)
def collection_failed(ctx: CheckContext) -> Iterator[Outcome]:
    """One result per source report (its status), per evidence item with a facet not read in
    full, and per uncollected asset. It reads every facet the collectors stated, so it declares
    none of its own: its passes rest on the sources' status alone."""
    for name in sorted(ctx.evidence.sources):
        yield _source_result(ctx, ctx.evidence.sources[name])
    for key, source, observed_at, item in _items(ctx):
        incomplete = _incomplete_facets(item)
        if incomplete:
            yield outcome(
                ctx,
                Asset.source(source),
                Status.FAIL,
                f"The {source} source could not read {shown(key, DETAIL_LIMIT)} in full: "
                + "; ".join(incomplete),
                source=source,
                observed_at=observed_at,
                subject=key,
                asset_key=key,
            )
    yield from _uncollected(ctx)


def _source_result(ctx: CheckContext, report: SourceReport) -> Outcome:
    status = report.status or SourceStatus.FAILED
    whole = [p for p in report.problems if p.asset_key is None]
    facts: dict[str, Any] = {
        "source_status": status.value,
        "kinds": sorted({p.kind for p in report.problems}),
        "requests": report.requests,
    }
    if status is SourceStatus.COMPLETE:
        detail = f"The {report.name} source was read completely ({report.requests} requests)"
        verdict = Status.PASS
    else:
        what = "; ".join(_problem(p) for p in whole) or (
            f"{len(report.problems)} asset-level problem(s)"
            if report.problems
            else "the collector reported no detail"
        )
        verb = "could not be read" if status is SourceStatus.FAILED else "was read only in part"
        detail = f"The {report.name} source {verb}: {what}"
        verdict = Status.FAIL
    return outcome(
        ctx,
        Asset.source(report.name),
        verdict,
        detail,
        source=report.name,
        observed_at=report.observed_at,
        duration_s=round(report.duration_s, 3),
        **facts,
    )


def _items(ctx: CheckContext) -> Iterator[tuple[str, str, datetime, HasFacets]]:
    """Every evidence item of the run: the key it is reported under, its source, when it was
    read, and the item."""
    ev = ctx.evidence
    for item in (ev.people, ev.vault, ev.register):
        if item is not None:
            yield item.source, item.source, item.observed_at, item
    for key, account in sorted(ev.accounts.items()):
        yield key, account.source, account.observed_at, account
    for name, domain in sorted(ev.domains.items()):
        yield f"domain:{name}", domain.source, domain.observed_at, domain
    for name, scan in sorted(ev.lookalikes.items()):
        yield f"lookalikes:{name}", "lookalikes", scan.observed_at, scan
    for probe in ev.handles:
        yield f"handle:{probe.platform}:{probe.handle}", "handles", probe.observed_at, probe


def _incomplete_facets(item: HasFacets) -> list[str]:
    """The stated facets of ``item`` that failed (partial or unknown), each with its reason."""
    found: list[str] = []
    for facet in sorted(item.facets):
        state = facet_status(item, facet)
        if not state.is_complete and not state.structural:
            found.append(gap_reason(facet, state))
    return found


def _problem(problem: SourceProblem) -> str:
    return f"{problem.kind}: {shown(problem.detail, DETAIL_LIMIT)}"


def _uncollected(ctx: CheckContext) -> Iterator[Outcome]:
    sources = ctx.evidence.sources
    failed = {n for n, r in sources.items() if r.status is SourceStatus.FAILED}
    for spec in ctx.estate.accounts:
        key = spec.asset.key
        names = {spec.platform, *PLATFORM_SOURCES.get(spec.platform, ())}
        if key in ctx.evidence.accounts or names & failed:
            continue
        detail = (
            f"No source returned evidence for {spec.platform} account {spec.handle}: is "
            f"platforms.{PLATFORM_SOURCES.get(spec.platform, (spec.platform,))[0]} configured?"
        )
        yield outcome(
            ctx, spec.asset, Status.NOT_VERIFIED, detail, source="collector", platform=spec.platform
        )
    for domain in ctx.estate.domains:
        asset = Asset.for_domain(domain.name)
        if domain.name in ctx.evidence.domains or REGISTRY & failed:
            continue
        detail = f"No registration data (RDAP or WHOIS) was collected for {domain.name}"
        yield outcome(ctx, asset, Status.NOT_VERIFIED, detail, source="collector")


@check(
    id="coverage.permission-missing",
    title="Token lacks a needed permission",
    severity=Severity.MEDIUM,
    rationale="Without the scope the platform hides the evidence (roles, apps, 2FA), so those "
    "checks cannot pass.",
    remediation="Grant the listed scope to the token (or the app behind it) and run again.",
    needs=("collector",),
    facets=(Facet.IDENTITY,),
)
def permission_missing(ctx: CheckContext) -> Iterator[Outcome]:
    """Missing scopes per account, 403s recorded by collectors, a pass per account with all."""
    for key in sorted(ctx.evidence.accounts):
        yield from _account_scopes(ctx, key, ctx.evidence.accounts[key])
    for name in sorted(ctx.evidence.sources):
        report = ctx.evidence.sources[name]
        for problem in report.problems:
            if problem.kind == PERMISSION and not _already_listed(ctx, problem):
                yield _permission_problem(ctx, report, problem)
    for spec in ctx.estate.accounts:
        if spec.asset.key not in ctx.evidence.accounts:
            detail = (
                f"No {spec.platform} evidence was collected, so the token's permissions are unknown"
            )
            yield outcome(ctx, spec.asset, Status.NOT_VERIFIED, detail, source="collector")


def _account_scopes(ctx: CheckContext, key: str, ev: AccountEvidence) -> Iterator[Outcome]:
    spec = ctx.estate.account(key)
    asset = spec.asset if spec is not None else Asset.account(ev.platform, ev.handle, ev.account_id)
    for scope in ev.missing_scopes:
        detail = f"The {ev.platform} token lacks {scope}: evidence that needs it is not_verified"
        yield outcome(
            ctx,
            asset,
            Status.FAIL,
            detail,
            source=ev.source,
            observed_at=ev.observed_at,
            subject=scope,
            scope=scope,
        )
    if ev.missing_scopes:
        return
    status, detail = pass_needs_complete(
        Status.PASS,
        f"The {ev.platform} token had every permission the checks need for {shown(ev.handle)}",
        facet_gap(ev, Facet.IDENTITY),
    )
    yield outcome(ctx, asset, status, detail, source=ev.source, observed_at=ev.observed_at)


def _already_listed(ctx: CheckContext, problem: SourceProblem) -> bool:
    ev = ctx.evidence.accounts.get(problem.asset_key or "")
    return ev is not None and problem.scope is not None and problem.scope in ev.missing_scopes


def _permission_problem(ctx: CheckContext, report: SourceReport, problem: SourceProblem) -> Outcome:
    scope = problem.scope or "a permission"
    where = f" for {problem.asset_key}" if problem.asset_key else ""
    return outcome(
        ctx,
        Asset.source(report.name),
        Status.FAIL,
        f"The {report.name} token lacks {shown(scope)}{where}: {shown(problem.detail, DETAIL_LIMIT)}",
        source=report.name,
        observed_at=report.observed_at,
        subject=problem.scope or problem.asset_key or "",
        scope=problem.scope,
        asset_key=problem.asset_key,
    )


@check(
    id="coverage.evidence-stale",
    title="Attestation older than policy",
    severity=Severity.MEDIUM,
    rationale="An old statement about an account's second factor may no longer be true.",
    remediation="Have the account owner confirm the second factor again and update the "
    "attestation date in the inventory.",
    needs=("inventory",),
    facets=(Facet.TWO_FACTOR_POLICY,),
)
def evidence_stale(ctx: CheckContext) -> Iterator[Outcome]:
    """Age of each account's 2FA attestation (subject ``two_factor``)."""
    for spec in ctx.estate.accounts:
        att = spec.two_factor
        ev = ctx.evidence.accounts.get(spec.asset.key)
        if att is not None:
            yield _attestation_age(ctx, spec.asset, att.method.value, att.attested_on)
        elif (
            ev is not None
            and (ev.account_two_factor is not None or ev.two_factor_policy is not None)
            and facet_gap(ev, Facet.TWO_FACTOR_POLICY) is None
        ):
            detail = f"No attestation needed: the {ev.platform} API reports the account's 2FA"
            yield outcome(
                ctx,
                spec.asset,
                Status.PASS,
                detail,
                source=ev.source,
                observed_at=ev.observed_at,
                subject="two_factor",
            )
        else:
            detail = "No 2FA attestation is recorded and the platform does not report 2FA"
            yield outcome(
                ctx,
                spec.asset,
                Status.NOT_VERIFIED,
                detail,
                source="inventory",
                subject="two_factor",
            )


def _attestation_age(ctx: CheckContext, asset: Asset, method: str, attested_on: date) -> Outcome:
    """Stale beyond policy fails; a date in the future is not fresh (not_verified)."""
    limit = ctx.policy.attestation_max_days
    age = (ctx.now.date() - attested_on).days
    if age < 0:
        status = Status.NOT_VERIFIED
        detail = (
            f"The 2FA attestation ({method}) is dated {attested_on.isoformat()}, in the future: "
            "a statement dated ahead proves nothing about today"
        )
    else:
        status = Status.FAIL if age > limit else Status.PASS
        detail = (
            f"The 2FA attestation ({method}) dates from {attested_on.isoformat()}, "
            f"{age} days ago (policy: {limit} days)"
        )
    return outcome(
        ctx,
        asset,
        status,
        detail,
        source="inventory",
        subject="two_factor",
        attested_on=attested_on.isoformat(),
        age_days=age,
        max_age_days=limit,
    )


CHECKS: tuple[CheckFunc, ...] = (collection_failed, permission_missing, evidence_stale)
"""The coverage checks in catalog order."""
