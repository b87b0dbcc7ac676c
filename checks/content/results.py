"""Shared plumbing of the content checks: what was read of each account, and how post text is
shown safely in a finding.

Every content check walks the inventory's accounts (:func:`checks.accounts.account_views`). What
was read is the collector's word on the ``posts`` and ``profile`` facets: posts or a profile
never read give ``not_verified`` with the reason; read in part (a listing truncated, a page
failed), what was read can still fail, but nothing passes. Text quoted in a detail has personal
data masked and invisible or direction-changing characters shown as visible escapes
(:func:`checks.safe_text.quoted`), and is truncated.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.evidence import AccountEvidence, Post, Profile
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext
from checks.accounts import AccountView, account_views, verdict
from checks.content.pii import company_handles, mask_people
from checks.safe_text import hidden_characters, quoted, shown


def current_posts(view: AccountView) -> tuple[tuple[Post, ...] | None, str | None]:
    """The account's posts (None when not read at all) and why they cannot carry a pass
    (None when the listing is complete)."""
    gap = view.gap(Facet.POSTS)
    posts = view.evidence.posts if view.evidence is not None else None
    if posts is None:
        return None, gap or "recent posts were not read"
    return posts, gap


def current_profile(view: AccountView) -> tuple[Profile | None, str | None]:
    """The account's profile (None when not read at all) and why it cannot carry a pass."""
    gap = view.gap(Facet.PROFILE)
    profile = view.evidence.profile if view.evidence is not None else None
    if profile is None:
        return None, gap or "the profile was not read"
    return profile, gap


def previous_account(ctx: CheckContext, key: str) -> AccountEvidence | None:
    """The previous run's evidence for the account, if any."""
    if ctx.previous is None:
        return None
    return ctx.previous.evidence.accounts.get(key)


FACT_LIMIT = 400
"""Characters of one string fact kept (facts are masked excerpts and ids, never whole posts)."""


def _clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts with invisible and bidi characters shown as escapes in every string (defence in
    depth: callers already pass masked, displayed values)."""
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, str):
            out[key] = shown(value, FACT_LIMIT)
        elif isinstance(value, list | tuple):
            out[key] = [shown(v, FACT_LIMIT) if isinstance(v, str) else v for v in value]
        else:
            out[key] = value
    return out


def not_verified(
    ctx: CheckContext, view: AccountView, detail: str, subject: str = "", **facts: Any
) -> Outcome:
    """A ``not_verified`` result for the account."""
    return result(ctx, view, Status.NOT_VERIFIED, detail, subject, **facts)


def result(
    ctx: CheckContext,
    view: AccountView,
    status: Status,
    detail: str,
    subject: str = "",
    *,
    gap: str | None = None,
    severity: Severity | None = None,
    **facts: Any,
) -> Outcome:
    """A result for the account, sourced from its platform evidence; a pass turns
    not_verified while ``gap`` says the evidence it rests on is incomplete."""
    facts = _clean_facts(facts)
    return verdict(ctx, view, status, detail, gap, subject=subject, severity=severity, **facts)


def excerpt(ctx: CheckContext, text: str | None, limit: int = 80) -> str:
    """A quoted excerpt safe for a detail: personal data, street addresses and the handles of
    people outside the estate masked (which needs the text cleaned of hidden characters
    first), then every hidden character the original held named as a visible escape after it,
    truncated."""
    if text is None:
        return quoted(None)
    masked = mask_people(text, ctx.estate.organization, company_handles(ctx.estate))
    shown_text = quoted(masked, limit)
    hidden = hidden_characters(text)
    return f"{shown_text} (hidden characters: {' '.join(hidden)})" if hidden else shown_text


def content_accounts(ctx: CheckContext) -> Iterator[AccountView]:
    """The inventory accounts that publish (with their evidence, possibly None): businesses
    publish nothing of their own (their pages do), so they have no content to judge."""
    return (view for view in account_views(ctx) if not view.spec.is_business)


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (naive values are taken as UTC, never compared raw)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def when(moment: datetime) -> str:
    """A compact UTC-or-zoned timestamp for details (``2026-11-22 14:05 UTC``)."""
    text = moment.strftime("%Y-%m-%d %H:%M")
    zone = moment.tzname() or ""
    return f"{text} {zone}".strip()
