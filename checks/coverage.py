"""coverage: what could not be verified, and why.

An audit is only as good as the evidence behind it. Every check turns missing evidence into
``not_verified`` (never a pass); this family says where the gaps come from, so they can be fixed:

- ``coverage.collection-failed``: one result per evidence source. It fails once for a source that
  could not be read at all (authentication, network, rate limit, malformed answer, server error,
  a failed breach lookup) and once per (source, asset) a source could not read; it passes for a
  source read completely. An inventory account or brand domain that no source returned evidence
  for is ``not_verified`` (its platform is probably not configured under ``platforms``).
  Permission problems are reported by ``coverage.permission-missing`` instead.
- ``coverage.permission-missing``: the configured token lacks a scope or permission that a check
  needs (``AccountEvidence.missing_scopes``, or a 403 recorded by a collector). One result per
  missing scope; a pass for each account whose token had everything.
- ``coverage.evidence-stale``: an inventory 2FA attestation (``accounts[].two_factor``) is older
  than ``policy.attestation_max_days`` (default 180). When the platform reports 2FA itself, no
  attestation is needed; with neither, the result is ``not_verified``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.core.completeness import SourceStatus
from auditor.core.evidence import AccountEvidence, AccountState
from auditor.core.models import Asset, Outcome, Severity, SourceProblem, SourceReport, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome
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
)
def collection_failed(ctx: CheckContext) -> Iterator[Outcome]:
    """One result per source report, per (source, asset) problem, and per uncollected asset."""
    for name in sorted(ctx.evidence.sources):
        yield from _source_results(ctx, ctx.evidence.sources[name])
    yield from _uncollected(ctx)


def _source_results(ctx: CheckContext, report: SourceReport) -> Iterator[Outcome]:
    asset = Asset.source(report.name)
    whole = [p for p in report.problems if p.asset_key is None]
    if report.status is SourceStatus.FAILED or whole:
        what = "; ".join(_problem(p) for p in whole) or "the collector reported a failure"
        verb = (
            "could not be read" if report.status is SourceStatus.FAILED else "was read with a gap"
        )
        yield outcome(
            ctx,
            asset,
            Status.FAIL,
            f"The {report.name} source {verb}: {what}",
            source=report.name,
            observed_at=report.observed_at,
            kinds=sorted({p.kind for p in whole}),
            requests=report.requests,
        )
    by_asset: dict[str, list[SourceProblem]] = {}
    for problem in report.problems:
        if problem.asset_key is not None and problem.kind != PERMISSION:
            by_asset.setdefault(problem.asset_key, []).append(problem)
    for key in sorted(by_asset):
        problems = by_asset[key]
        yield outcome(
            ctx,
            asset,
            Status.FAIL,
            f"The {report.name} source could not read {key}: "
            + "; ".join(_problem(p) for p in problems),
            source=report.name,
            observed_at=report.observed_at,
            subject=key,
            kinds=sorted({p.kind for p in problems}),
            asset_key=key,
        )
    if report.status is SourceStatus.COMPLETE and not whole and not by_asset:
        detail = f"The {report.name} source was read completely ({report.requests} requests)"
        yield outcome(
            ctx,
            asset,
            Status.PASS,
            detail,
            source=report.name,
            observed_at=report.observed_at,
            requests=report.requests,
            duration_s=round(report.duration_s, 3),
        )


def _problem(problem: SourceProblem) -> str:
    return f"{problem.kind}: {shown(problem.detail, DETAIL_LIMIT)}"


def _uncollected(ctx: CheckContext) -> Iterator[Outcome]:
    sources = ctx.evidence.sources
    reported = {p.asset_key for r in sources.values() for p in r.problems if p.asset_key}
    failed = {n for n in sources if ctx.evidence.source_failed(n)}
    for spec in ctx.estate.accounts:
        key = spec.asset.key
        names = {spec.platform, *PLATFORM_SOURCES.get(spec.platform, ())}
        if key in ctx.evidence.accounts or key in reported or names & failed:
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
        if domain.name in ctx.evidence.domains or asset.key in reported or REGISTRY & failed:
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
    if ev.state is AccountState.UNKNOWN:
        detail = (
            f"The {ev.platform} account could not be read, so the token's permissions are unknown"
        )
        yield outcome(
            ctx, asset, Status.NOT_VERIFIED, detail, source=ev.source, observed_at=ev.observed_at
        )
    else:
        detail = f"The {ev.platform} token had every permission the checks need for {ev.handle}"
        yield outcome(ctx, asset, Status.PASS, detail, source=ev.source, observed_at=ev.observed_at)


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
)
def evidence_stale(ctx: CheckContext) -> Iterator[Outcome]:
    """Age of each account's 2FA attestation (subject ``two_factor``)."""
    limit = ctx.policy.attestation_max_days
    today = ctx.now.date()
    for spec in ctx.estate.accounts:
        att = spec.two_factor
        ev = ctx.evidence.accounts.get(spec.asset.key)
        if att is not None:
            age = (today - att.attested_on).days
            status = Status.FAIL if age > limit else Status.PASS
            detail = (
                f"The 2FA attestation ({att.method.value}) dates from {att.attested_on.isoformat()}, "
                f"{age} days ago (policy: {limit} days)"
            )
            yield outcome(
                ctx,
                spec.asset,
                status,
                detail,
                source="inventory",
                subject="two_factor",
                attested_on=att.attested_on.isoformat(),
                age_days=age,
                max_age_days=limit,
            )
        elif ev is not None and (
            ev.account_two_factor is not None or ev.two_factor_policy is not None
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


CHECKS: tuple[CheckFunc, ...] = (collection_failed, permission_missing, evidence_stale)
"""The coverage checks in catalog order."""
