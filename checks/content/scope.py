"""Shared plumbing of the content checks: which accounts to look at, what is unreadable, and
how post text is shown safely in a finding.

Every content check walks the inventory's accounts. An account without platform evidence, or
whose state is not ``active``, or whose posts/profile were not read, gives ``not_verified`` with
the reason; text quoted in a detail is cleaned of bidi and invisible characters, has personal
data masked, and is truncated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, Post, Profile
from auditor.core.models import Asset, Outcome, Severity, Status
from auditor.core.registry import CheckContext, outcome
from checks.content.normalise import BIDI_CONTROLS, INVISIBLE, display, strip_invisible
from checks.content.pii import company_handles, mask_people


@dataclass(frozen=True)
class AccountScope:
    """One inventory account and what the platform said about it in this run."""

    spec: AccountSpec
    """The inventory entry."""
    evidence: AccountEvidence | None
    """This run's platform evidence; None when the collector returned nothing for it."""

    @property
    def asset(self) -> Asset:
        """The account as an asset."""
        return self.spec.asset

    @property
    def key(self) -> str:
        """The account's asset key."""
        return self.spec.asset.key

    @property
    def source(self) -> str:
        """The collector the evidence came from (the platform name when there is none)."""
        return self.evidence.source if self.evidence else self.spec.platform

    @property
    def observed_at(self) -> datetime | None:
        """When the evidence was read."""
        return self.evidence.observed_at if self.evidence else None


def accounts(ctx: CheckContext) -> Iterator[AccountScope]:
    """Every inventory account with its evidence (possibly None); businesses publish nothing
    of their own (their pages do), so they have no content to judge."""
    for spec in ctx.estate.accounts:
        if not spec.is_business:
            yield AccountScope(spec, ctx.evidence.accounts.get(spec.asset.key))


def unreadable(scope: AccountScope) -> str | None:
    """Why nothing can be said about this account's content, or None when it was read."""
    evidence = scope.evidence
    if evidence is None:
        return f"no {scope.spec.platform} evidence was collected for this account"
    if evidence.state is AccountState.UNKNOWN:
        return f"the {scope.spec.platform} account could not be read"
    if evidence.state is not AccountState.ACTIVE:
        return f"the account is {evidence.state.value}: its content cannot be read"
    return None


def current_posts(scope: AccountScope) -> tuple[tuple[Post, ...] | None, str | None]:
    """The account's posts, or the reason they are unknown."""
    reason = unreadable(scope)
    if reason:
        return None, reason
    assert scope.evidence is not None
    if scope.evidence.posts is None:
        return None, "recent posts were not read"
    return scope.evidence.posts, None


def current_profile(scope: AccountScope) -> tuple[Profile | None, str | None]:
    """The account's profile, or the reason it is unknown."""
    reason = unreadable(scope)
    if reason:
        return None, reason
    assert scope.evidence is not None
    if scope.evidence.profile is None:
        return None, "the profile was not read"
    return scope.evidence.profile, None


def previous_account(ctx: CheckContext, key: str) -> AccountEvidence | None:
    """The previous run's evidence for the account, if any."""
    if ctx.previous is None:
        return None
    return ctx.previous.evidence.accounts.get(key)


def _clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts with invisible and bidi characters removed from every string (defence in depth:
    callers already pass masked, displayed values)."""
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, str):
            out[key] = strip_invisible(value)
        elif isinstance(value, list | tuple):
            out[key] = [strip_invisible(v) if isinstance(v, str) else v for v in value]
        else:
            out[key] = value
    return out


def not_verified(
    ctx: CheckContext, scope: AccountScope, detail: str, subject: str = "", **facts: Any
) -> Outcome:
    """A ``not_verified`` result for the account."""
    return result(ctx, scope, Status.NOT_VERIFIED, detail, subject, **facts)


def result(
    ctx: CheckContext,
    scope: AccountScope,
    status: Status,
    detail: str,
    subject: str = "",
    *,
    severity: Severity | None = None,
    **facts: Any,
) -> Outcome:
    """A result for the account, sourced from its platform evidence."""
    return outcome(
        ctx,
        scope.asset,
        status,
        detail,
        source=scope.source,
        subject=subject,
        observed_at=scope.observed_at,
        severity=severity,
        **_clean_facts(facts),
    )


def excerpt(ctx: CheckContext, text: str | None, limit: int = 80) -> str:
    """A quoted excerpt safe for a detail: personal data, street addresses and the handles of
    people outside the estate masked, bidi escaped, truncated."""
    if text is None:
        return display(None)
    shown = display(mask_people(text, ctx.estate.organization, company_handles(ctx.estate)), limit)
    if not text.isascii() and any(ch in INVISIBLE or ch in BIDI_CONTROLS for ch in text):
        shown += " (hidden characters removed)"
    return shown


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (naive values are taken as UTC, never compared raw)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def when(moment: datetime) -> str:
    """A compact UTC-or-zoned timestamp for details (``2026-11-22 14:05 UTC``)."""
    text = moment.strftime("%Y-%m-%d %H:%M")
    zone = moment.tzname() or ""
    return f"{text} {zone}".strip()
