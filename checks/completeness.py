"""How complete the platform evidence for one inventory account is.

Ownership and access checks read :class:`~auditor.core.evidence.AccountEvidence` through
:func:`account_view`, which pairs the inventory entry with what the platform said and with the
reason (a *gap*) why that evidence may be incomplete: nothing collected for the account, the
platform source failed entirely or for this account, or the account's state could not be read. A
check may still report a failure it can see in incomplete evidence (a departed admin listed is a
fact), but it must turn every would-be pass into ``not_verified`` while a gap exists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.core.completeness import SourceStatus
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, RoleHolder
from auditor.core.models import Asset, Outcome, SourceProblem, Status
from auditor.core.registry import CheckContext, outcome
from checks.people import distinct_holders
from checks.safe_text import shown


@dataclass(frozen=True)
class AccountView:
    """One inventory account with its platform evidence and the reason it may be incomplete."""

    spec: AccountSpec
    """The inventory entry."""
    evidence: AccountEvidence | None
    """What the platform said; None when nothing was collected for the account."""
    gap: str | None
    """Why the evidence is missing or incomplete (a sentence), or None when it is complete."""
    source: str
    """The collector that produced (or should have produced) the evidence."""

    @property
    def asset(self) -> Asset:
        """The account as an asset (inventory handle, platform id when known)."""
        return self.spec.asset


@dataclass(frozen=True)
class SourceProblems:
    """One source's report, indexed: what :func:`account_view` asks of it per account."""

    ok: bool
    """The source's own verdict."""
    whole: SourceProblem | None
    """Its first source-wide problem (no asset key)."""
    by_asset: Mapping[str, SourceProblem]
    """The first problem recorded for each asset key."""
    kinds: frozenset[str]
    """The kinds of all its problems."""


ProblemIndex = Mapping[str, SourceProblems]
"""Source name to its indexed problems (:func:`problem_index`)."""


def problem_index(ctx: CheckContext) -> ProblemIndex:
    """Every source's problems indexed once, so that looking at one account does not scan
    every problem (a check over N accounts with N problems would be quadratic)."""
    index: dict[str, SourceProblems] = {}
    for name, report in ctx.evidence.sources.items():
        by_asset: dict[str, SourceProblem] = {}
        for problem in report.problems:
            if problem.asset_key is not None:
                by_asset.setdefault(problem.asset_key, problem)
        whole = next((p for p in report.problems if p.asset_key is None), None)
        kinds = frozenset(p.kind for p in report.problems)
        ok = report.status is not SourceStatus.FAILED
        index[name] = SourceProblems(ok, whole, by_asset, kinds)
    return index


def account_view(
    ctx: CheckContext, spec: AccountSpec, problems: ProblemIndex | None = None
) -> AccountView:
    """Pair ``spec`` with this run's platform evidence and explain any gap in it. Pass a
    :func:`problem_index` built once per check run when calling this per account."""
    ev = ctx.evidence.accounts.get(spec.asset.key)
    source = ev.source if ev is not None else spec.platform
    index = problem_index(ctx) if problems is None else problems
    return AccountView(spec=spec, evidence=ev, gap=_gap(index, spec, ev, source), source=source)


def _gap(
    problems: ProblemIndex, spec: AccountSpec, ev: AccountEvidence | None, source: str
) -> str | None:
    names = dict.fromkeys((source, spec.platform))
    key = spec.asset.key
    for name in names:
        report = problems.get(name)
        if report is None:
            continue
        whole = report.whole
        if not report.ok and whole is not None:
            return f"the {name} source failed ({_problem(whole)})"
        mine = report.by_asset.get(key)
        if mine is not None:
            return f"the {name} source could not read this account completely ({_problem(mine)})"
    if ev is None:
        return f"no {spec.platform} evidence was collected for this account"
    if ev.state is AccountState.UNKNOWN:
        return f"{source} could not tell whether the account exists"
    return None


def _problem(problem: SourceProblem) -> str:
    text = f"{problem.kind}: {shown(problem.detail, limit=160)}"
    if problem.scope:
        text += f"; missing scope {shown(problem.scope, limit=60)}"
    return text


def state_gap(view: AccountView) -> str | None:
    """Why the account's roles, apps or ownership cannot be read, or None when they can be.

    Adds to :attr:`AccountView.gap` the case of an account that is gone, suspended or
    deactivated (``ownership.account-unreachable`` reports that itself).
    """
    if view.evidence is None or view.evidence.state is AccountState.UNKNOWN:
        return view.gap or "the account could not be read"
    if view.evidence.state is not AccountState.ACTIVE:
        return f"the account is {view.evidence.state.value} (see ownership.account-unreachable)"
    return view.gap


def roles_gap(view: AccountView) -> str | None:
    """Why the account's role holders are unknown, or None when the platform listed them.

    Prefers the collector's own note (``roles_note``, e.g. that YouTube does not expose channel
    managers) and names the scopes the token lacks.
    """
    ev = view.evidence
    if ev is not None and ev.roles is not None:
        return None
    gap = state_gap(view)
    if ev is None or ev.state is not AccountState.ACTIVE:
        return gap
    reason = shown(ev.roles_note, limit=160) if ev.roles_note else None
    reason = reason or gap or f"{ev.source} did not return the account's role holders"
    if ev.missing_scopes:
        reason += f" (the token lacks {', '.join(shown(s, limit=60) for s in ev.missing_scopes)})"
    return reason


def accounts_with_roles(
    ctx: CheckContext,
) -> Iterator[tuple[AccountView, tuple[RoleHolder, ...]] | Outcome]:
    """Each inventory account with its (de-duplicated) role holders, or a not_verified result
    saying why they are unknown."""
    problems = problem_index(ctx)
    for spec in ctx.estate.accounts:
        view = account_view(ctx, spec, problems)
        reason = roles_gap(view)
        ev = view.evidence
        if ev is None or ev.roles is None:
            detail = f"The role holders of {shown(spec.handle)} are unknown: {reason}."
            yield outcome(ctx, spec.asset, Status.NOT_VERIFIED, detail, source=view.source)
            continue
        yield view, tuple(distinct_holders(ev.roles))


def unless_gap(status: Status, detail: str, gap: str | None) -> tuple[Status, str]:
    """A pass stays a pass only when the evidence is complete; otherwise it is not_verified."""
    if status is Status.PASS and gap is not None:
        return Status.NOT_VERIFIED, f"{detail} Not verified: {gap}."
    return status, detail


def gated_outcome(
    ctx: CheckContext,
    view: AccountView,
    status: Status,
    detail: str,
    *,
    subject: str = "",
    **facts: Any,
) -> Outcome:
    """The account's outcome, with a pass turned not_verified when its evidence has a gap
    (:func:`unless_gap`)."""
    status, detail = unless_gap(status, detail, view.gap)
    return outcome(ctx, view.asset, status, detail, source=view.source, subject=subject, **facts)
