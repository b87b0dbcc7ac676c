"""Profile tamper detection: content.profile-changed and content.verification-lost.

The reference is the accepted baseline (``brand-audit baseline accept``) or, when none was
accepted, the previous run's profile. Each watched field gives one result whose subject is the
field name, so a changed bio is the same finding run after run until it is fixed or accepted.
A planned change window for the account that covers the run time and lists the field turns a
change into a pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from auditor.core.evidence import Profile
from auditor.core.models import Outcome, Status
from auditor.core.registry import CheckContext
from checks.content.scope import (
    AccountScope,
    accounts,
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


def _shown(ctx: CheckContext, value: _Value, memo: dict[_Value, str] | None = None) -> str:
    """The masked excerpt of a field value; ``memo`` (one per check run) computes each
    distinct value once (most accounts share most values between runs)."""
    if memo is None:
        return _excerpt(ctx, value)
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
    scope: AccountScope,
    ref: Reference,
    now: Profile,
    field: str,
    *,
    memo: dict[_Value, str],
) -> Outcome:
    old, new = _value(ref.profile, field), _value(now, field)
    facts: dict[str, Any] = {
        "field": field,
        "reference": ref.kind,
        "old": _shown(ctx, old, memo),
        "new": _shown(ctx, new, memo),
    }
    if new is None and old not in (None, ""):
        detail = f"{field} was not read in this run; {ref.label} has {facts['old']}"
        return not_verified(ctx, scope, detail, field, **facts)
    if old == new or (old in (None, "") and new in (None, "")):
        detail = f"{field} matches {ref.label}"
        accepted = ref.kind == "baseline"  # an accepted baseline closes an open change
        return result(ctx, scope, Status.PASS, detail, field, **facts, accepted=accepted)
    change = f"{field} changed from {facts['old']} to {facts['new']} since {ref.label}"
    window = _window_reason(ctx, scope.key, field)
    if window:
        return result(ctx, scope, Status.PASS, f"{change}, within a {window}", field, **facts)
    return result(ctx, scope, Status.FAIL, change, field, **facts)


def profile_changed(ctx: CheckContext) -> Iterator[Outcome]:
    """One result per watched profile field of every account (one not_verified result for the
    account when there is nothing to compare with)."""
    memo: dict[_Value, str] = {}
    for scope in accounts(ctx):
        profile, reason = current_profile(scope)
        ref = reference_for(ctx, scope.key)
        if ref is None:
            why = reason or "no baseline accepted and no previous run to compare with"
            yield not_verified(ctx, scope, f"profile not compared: {why}")
            continue
        for field in PROFILE_FIELDS:
            if profile is None:
                yield not_verified(ctx, scope, f"{field}: {reason}", field, field=field)
            else:
                yield _field_result(ctx, scope, ref, profile, field, memo=memo)


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


def verification_lost(ctx: CheckContext) -> Iterator[Outcome]:
    """One result per account: badge and badge type against the baseline or previous run."""
    for scope in accounts(ctx):
        profile, reason = current_profile(scope)
        if profile is None:
            yield not_verified(ctx, scope, f"verification unknown: {reason}")
            continue
        if profile.verified is None:
            yield not_verified(ctx, scope, "the platform does not say whether it is verified")
            continue
        now = _badge(profile)
        ref = reference_for(ctx, scope.key)
        if ref is None or ref.profile.verified is None:
            if profile.verified:
                yield result(ctx, scope, Status.PASS, f"verified ({now})", badge=now)
            else:
                detail = "not verified now, and no baseline or previous run says whether it was"
                yield not_verified(ctx, scope, detail, badge=now)
            continue
        before = _badge(ref.profile)
        facts: dict[str, Any] = {"badge": now, "before": before, "reference": ref.kind}
        if _lost(before, now):
            detail = f"verification changed from {before} to {now} since {ref.label}"
            yield result(ctx, scope, Status.FAIL, detail, **facts)
        else:
            detail = f"verification is {now}, as in {ref.label}"
            accepted = ref.kind == "baseline"  # an accepted baseline closes an open change
            yield result(ctx, scope, Status.PASS, detail, **facts, accepted=accepted)
