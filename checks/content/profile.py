"""Profile tamper detection: content.profile-changed and content.verification-lost.

The reference is the accepted baseline (``brand-audit baseline accept``) or, when none was
accepted, the previous run's profile. Each watched field gives one result whose subject is the
field name, so a changed bio is the same finding run after run until it is fixed or accepted.
A planned change window for the account that covers the run time and lists the field turns a
change into a pass.

An unread field is unknown, never equal to another unread field: a field that is None (not
read) in the reference or in this run is ``not_verified``, and every pass needs the ``profile``
facet complete in this run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.evidence import Profile
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, check
from checks.accounts import AccountView
from checks.content.results import (
    content_accounts,
    current_profile,
    excerpt,
    not_verified,
    previous_account,
    result,
    when,
)

PROFILE_FIELDS = (
    "display_name",
    "bio",
    "link",
    "avatar_hash",
    "banner_hash",
    "location",
    "pinned_post_id",
    "extra_links",
)
"""Profile fields watched for changes, in report order."""

_NO_BADGE = {"", "none", "null", "false", "unverified"}


@dataclass(frozen=True)
class Reference:
    """The profile state a run is compared with."""

    profile: Profile
    """The accepted or previously seen profile."""
    label: str
    """How details name it (``the baseline accepted by ann on 2026-11-01``)."""
    kind: str
    """``baseline`` or ``previous``."""


def reference_for(ctx: CheckContext, key: str) -> Reference | None:
    """The accepted baseline, else the previous run's profile, else None."""
    baseline = (ctx.baselines or {}).get(key)
    if baseline is not None:
        label = (
            f"the baseline accepted by {baseline.accepted_by} on {baseline.accepted_at:%Y-%m-%d}"
        )
        return Reference(baseline.profile, label, "baseline")
    previous = previous_account(ctx, key)
    if previous is not None and previous.profile is not None and ctx.previous is not None:
        label = f"the previous run ({ctx.previous.finished_at:%Y-%m-%d})"
        return Reference(previous.profile, label, "previous")
    return None


def _value(profile: Profile, field: str) -> str | tuple[str, ...] | None:
    raw = getattr(profile, field)
    if field == "extra_links":
        return tuple(sorted(str(link).strip() for link in raw))
    return raw.strip() if isinstance(raw, str) else raw


_Value = str | tuple[str, ...] | None


def _shown(ctx: CheckContext, value: _Value, memo: dict[_Value, str]) -> str:
    """The masked excerpt of a field value; ``memo`` (one per check run) computes each
    distinct value once (most accounts share most values between runs)."""
    found = memo.get(value)
    if found is None:
        found = memo[value] = _excerpt(ctx, value)
    return found


def _excerpt(ctx: CheckContext, value: _Value) -> str:
    if isinstance(value, tuple):
        return excerpt(ctx, ", ".join(value), 120) if value else "(none)"
    return excerpt(ctx, value, 80)


def _window_reason(ctx: CheckContext, key: str, field: str) -> str | None:
    for window in ctx.estate.change_windows:
        applies = window.account_key == key and field in window.fields
        if applies and window.starts <= ctx.now < window.ends:
            why = f" ({excerpt(ctx, window.reason, 60)})" if window.reason else ""
            return f"planned change window{why} until {when(window.ends)}"
    return None


def _field_result(
    ctx: CheckContext,
    view: AccountView,
    ref: Reference,
    now: Profile,
    field: str,
    *,
    gap: str | None,
    memo: dict[_Value, str],
) -> Outcome:
    old, new = _value(ref.profile, field), _value(now, field)
    facts: dict[str, Any] = {
        "field": field,
        "reference": ref.kind,
        "old": _shown(ctx, old, memo),
        "new": _shown(ctx, new, memo),
    }
    if new is None or old is None:
        where = "in this run" if new is None else f"in {ref.label}"
        detail = f"{field} was not read {where}: an unread field is unknown, never equal"
        return not_verified(ctx, view, detail, field, **facts)
    if old == new:
        detail = f"{field} matches {ref.label}"
        accepted = ref.kind == "baseline"  # an accepted baseline closes an open change
        return result(ctx, view, Status.PASS, detail, field, gap=gap, **facts, accepted=accepted)
    change = f"{field} changed from {facts['old']} to {facts['new']} since {ref.label}"
    window = _window_reason(ctx, view.key, field)
    if window:
        detail = f"{change}, within a {window}"
        return result(ctx, view, Status.PASS, detail, field, gap=gap, **facts)
    return result(ctx, view, Status.FAIL, change, field, **facts)


@check(
    id="content.profile-changed",
    title="Profile changed from the accepted baseline",
    severity=Severity.HIGH,
    rationale="A hijacker's first move is the bio and link: they point followers at the scam.",
    remediation="Confirm the change with the social team; restore the profile and secure the "
    "account if nobody made it, or accept the new state with `brand-audit baseline accept`.",
    needs=("platform", "baseline", "history"),
    facets=(Facet.PROFILE,),
)
def profile_changed(ctx: CheckContext) -> Iterator[Outcome]:
    """One result per watched profile field of every account (one not_verified result for the
    account when there is nothing to compare with)."""
    memo: dict[_Value, str] = {}
    for view in content_accounts(ctx):
        profile, gap = current_profile(view)
        ref = reference_for(ctx, view.key)
        if ref is None:
            why = gap or "no baseline accepted and no previous run to compare with"
            yield not_verified(ctx, view, f"profile not compared: {why}")
            continue
        for field in PROFILE_FIELDS:
            if profile is None:
                yield not_verified(ctx, view, f"{field}: {gap}", field, field=field)
            else:
                yield _field_result(ctx, view, ref, profile, field, gap=gap, memo=memo)


def _badge(profile: Profile) -> str:
    """``none``, ``verified`` (type not exposed) or the badge type."""
    if not profile.verified:
        return "none"
    if profile.verified_type is None:
        return "verified"
    kind = profile.verified_type.strip().lower()
    return "none" if kind in _NO_BADGE else kind


def _lost(before: str, now: str) -> bool:
    """A badge disappeared, or a known type became another known type."""
    if before == "none":
        return False
    if now == "none":
        return True
    return "verified" not in (before, now) and before != now


@check(
    id="content.verification-lost",
    title="Verification badge lost",
    severity=Severity.HIGH,
    rationale="Platforms remove badges after a handle or name change, often by a hijacker; "
    "without the badge impersonators are indistinguishable.",
    remediation="Find out why the badge went (name change, lapsed subscription, takeover) and "
    "restore it through the platform's verification process.",
    needs=("platform", "baseline", "history"),
    facets=(Facet.PROFILE,),
)
def verification_lost(ctx: CheckContext) -> Iterator[Outcome]:
    """One result per account: badge and badge type against the baseline or previous run."""
    for view in content_accounts(ctx):
        profile, gap = current_profile(view)
        if profile is None:
            yield not_verified(ctx, view, f"verification unknown: {gap}")
            continue
        if profile.verified is None:
            yield not_verified(ctx, view, "the platform does not say whether it is verified")
            continue
        now = _badge(profile)
        ref = reference_for(ctx, view.key)
        if ref is None or ref.profile.verified is None:
            if profile.verified:
                yield result(ctx, view, Status.PASS, f"verified ({now})", gap=gap, badge=now)
            else:
                detail = "not verified now, and no baseline or previous run says whether it was"
                yield not_verified(ctx, view, detail, badge=now)
            continue
        before = _badge(ref.profile)
        facts: dict[str, Any] = {"badge": now, "before": before, "reference": ref.kind}
        if _lost(before, now):
            detail = f"verification changed from {before} to {now} since {ref.label}"
            yield result(ctx, view, Status.FAIL, detail, **facts)
        else:
            detail = f"verification is {now}, as in {ref.label}"
            accepted = ref.kind == "baseline"  # an accepted baseline closes an open change
            yield result(ctx, view, Status.PASS, detail, gap=gap, **facts, accepted=accepted)
