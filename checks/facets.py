"""How a check reads completeness: the one sentence for "this facet was not read in full".

Completeness is stated once, by the collector, per facet of every evidence item
(:mod:`auditor.core.completeness`). Checks read it only through
:func:`~auditor.core.completeness.facet_status`; this module turns the weakest of the facets a
verdict rests on into the reason a would-be pass is ``not_verified``:

- ``partial`` / ``unknown``: ``the role holders: partial: page 3 failed`` (the collector's
  :meth:`~auditor.core.completeness.Completeness.describe`);
- ``not_exposed``: ``linkedin does not expose the role holders``;
- nothing collected for the item: ``the role holders: unknown: not collected``.

:func:`pass_needs_complete` is the rule itself: a pass stays a pass only without a gap.
"""

from __future__ import annotations

from auditor.core.completeness import Completeness, Facet, HasFacets, facet_status
from auditor.core.models import Status

FACET_WORDS: dict[Facet, str] = {
    Facet.IDENTITY: "the account's identity and state",
    Facet.TOKEN_OWNER: "the owner of the configured token",
    Facet.PROFILE: "the profile",
    Facet.POSTS: "the recent posts",
    Facet.ROLES: "the role holders",
    Facet.MEMBER_TWO_FACTOR: "the role holders' second factor",
    Facet.APPS: "the connected apps",
    Facet.TWO_FACTOR_POLICY: "the second-factor policy",
    Facet.OWNERSHIP: "the account's owner",
    Facet.REGISTRATION_EMAIL: "the registration email",
    Facet.DISCOVERY: "the accounts the company controls",
    Facet.DIRECTORY: "the people directory",
    Facet.MAILBOX_TWO_FACTOR: "the mailboxes' 2-step verification",
    Facet.VAULT: "the vault export",
    Facet.BREACH: "the breach lookup",
    Facet.REGISTER: "the approved-content register",
    Facet.REGISTRATION: "the domain's registration data",
    Facet.LOOKALIKES: "the lookalike-domain scan",
    Facet.HANDLES: "the handle lookups",
}
"""How a detail names each facet."""


def gap_reason(facet: Facet, state: Completeness) -> str:
    """The reason ``facet`` in ``state`` cannot carry a pass (``state`` is not complete)."""
    what = FACET_WORDS[facet]
    if state.structural:
        return f"{state.reason or 'the platform'} does not expose {what}"
    return f"{what}: {state.describe()}"


def facet_gap(item: HasFacets | None, *facets: Facet) -> str | None:
    """Why ``facets`` of ``item`` cannot carry a pass (the weakest one, named), or None when
    every one is complete. ``item`` None means nothing was collected."""
    weakest = facet_status(item, *facets)
    if weakest.is_complete:
        return None
    named = next(f for f in facets if facet_status(item, f) == weakest)
    return gap_reason(named, weakest)


def pass_needs_complete(status: Status, detail: str, gap: str | None) -> tuple[Status, str]:
    """A pass stays a pass only when ``gap`` is None; otherwise it is not_verified, saying why.
    Fails and not_verified results are left as they are (a fail seen in part of the evidence
    is a fact)."""
    if status is Status.PASS and gap is not None:
        return Status.NOT_VERIFIED, f"{detail.rstrip('.')}. Not verified: {gap}."
    return status, detail
