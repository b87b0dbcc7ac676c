"""The one view of an inventory account that every account check walks.

:class:`AccountView` pairs the inventory entry with what the platform said about it in this run.
Whether that evidence can carry a pass is read from the facets the collector stated
(:meth:`AccountView.gap`), never re-derived from problem lists: a check may still report a failure
it can see in incomplete evidence (a departed admin listed is a fact), but every would-be pass
becomes ``not_verified`` while a facet it rests on is not ``complete``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, RoleHolder
from auditor.core.models import Asset, Outcome, Status
from auditor.core.registry import CheckContext, outcome
from checks.facets import facet_gap, pass_needs_complete
from checks.people import distinct_holders
from checks.safe_text import shown

STATE_FACETS = frozenset({Facet.IDENTITY, Facet.TOKEN_OWNER})
"""Facets that stay readable when the account is gone (its state and token are what is known)."""


@dataclass(frozen=True)
class AccountView:
    """One inventory account and what the platform said about it in this run."""

    spec: AccountSpec
    """The inventory entry."""
    evidence: AccountEvidence | None
    """This run's platform evidence; None when nothing was collected for the account."""

    @property
    def asset(self) -> Asset:
        """The account as an asset (inventory handle, platform id when known)."""
        return self.spec.asset

    @property
    def key(self) -> str:
        """The account's asset key."""
        return self.spec.asset.key

    @property
    def source(self) -> str:
        """The collector the evidence came from (the platform name when there is none)."""
        return self.evidence.source if self.evidence is not None else self.spec.platform

    @property
    def observed_at(self) -> datetime | None:
        """When the evidence was read."""
        return self.evidence.observed_at if self.evidence is not None else None

    def gap(self, *facets: Facet) -> str | None:
        """Why ``facets`` of this account cannot carry a pass, or None when all are complete.

        Besides the collector's word, an account that is gone, suspended or deactivated has no
        readable roles, posts or settings (``ownership.account-unreachable`` reports it)."""
        ev = self.evidence
        if ev is None:
            return f"no {self.spec.platform} evidence was collected for this account"
        reason = facet_gap(ev, *facets)
        if reason is not None:
            return reason
        if ev.state is not AccountState.ACTIVE and not set(facets) <= STATE_FACETS:
            return f"the account is {ev.state.value} (see ownership.account-unreachable)"
        return None


def account_views(ctx: CheckContext) -> Iterator[AccountView]:
    """Every inventory account with its evidence (possibly None), in inventory order."""
    for spec in ctx.estate.accounts:
        yield AccountView(spec, ctx.evidence.accounts.get(spec.asset.key))


def roles_gap(view: AccountView) -> str | None:
    """Why the account's role list cannot carry a pass, naming the scopes the token lacks."""
    reason = view.gap(Facet.ROLES)
    ev = view.evidence
    if reason is not None and ev is not None and ev.missing_scopes:
        reason += f" (the token lacks {', '.join(shown(s, limit=60) for s in ev.missing_scopes)})"
    return reason


def accounts_with_roles(
    ctx: CheckContext,
) -> Iterator[tuple[AccountView, tuple[RoleHolder, ...], str | None] | Outcome]:
    """Each inventory account with its de-duplicated role holders and the roles gap (None when
    the list is complete), or a not_verified result when no role list was read at all."""
    for view in account_views(ctx):
        gap = roles_gap(view)
        ev = view.evidence
        if ev is None or ev.roles is None:
            reason = gap or f"{view.source} returned no role list"
            detail = f"The role holders of {shown(view.spec.handle)} are unknown: {reason}."
            yield outcome(ctx, view.asset, Status.NOT_VERIFIED, detail, source=view.source)
            continue
        yield view, tuple(distinct_holders(ev.roles)), gap


def verdict(
    ctx: CheckContext,
    view: AccountView,
    status: Status,
    detail: str,
    gap: str | None,
    *,
    subject: str = "",
    **facts: Any,
) -> Outcome:
    """The account's result, a pass turned not_verified while ``gap`` says the evidence it rests
    on is incomplete (:func:`checks.facets.pass_needs_complete`)."""
    status, detail = pass_needs_complete(status, detail, gap)
    return outcome(
        ctx,
        view.asset,
        status,
        detail,
        source=view.source,
        subject=subject,
        observed_at=view.observed_at,
        **facts,
    )


def handle_key(handle: str) -> str:
    """A handle as compared across sources: lower-cased, without ``@`` or surrounding space."""
    return handle.strip().lstrip("@").lower()


def inventory_account(
    ctx: CheckContext, platform: str, handle: str, account_id: str | None
) -> AccountSpec | None:
    """The inventory account an account seen on ``platform`` is (discovered by a platform, or
    found by a handle probe): the same immutable id (recorded in the inventory or resolved in
    this run), else the same handle when there is no id on one side to compare."""
    views = [v for v in account_views(ctx) if v.spec.platform == platform]
    wanted_id = account_id.strip() if account_id else None
    if wanted_id:
        for view in views:
            if wanted_id in _known_ids(view):
                return view.spec
    wanted = handle_key(handle)
    for view in views:
        if handle_key(view.spec.handle) == wanted and (not wanted_id or not _known_ids(view)):
            return view.spec
    return None


def _known_ids(view: AccountView) -> set[str]:
    """The account's recorded id and the id its handle resolved to in this run."""
    resolved = view.evidence.account_id if view.evidence is not None else None
    return {i.strip() for i in (view.spec.id, resolved) if i and i.strip()}
