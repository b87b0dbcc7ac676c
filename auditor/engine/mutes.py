"""Mutes and acknowledgements: a person accepts a finding's risk with a reason, an owner and an
expiry (a mute), or says they acted on it (an acknowledgement, :func:`new_acknowledgement`, which
closes an open finding for the lifecycle of :mod:`auditor.engine.stamping`).

Only results that report a risk or a gap (``fail`` and ``not_verified``) can be muted. While a
mute is active the finding's status is ``muted`` and ``muted_status`` keeps what the evidence said;
the finding still appears in every report. When the mute expires the finding reopens with its
original status and carries the expired mute, so the report can say "mute expired on ...".
Two kinds, applied the same way: one-off mutes recorded with ``brand-audit mute`` are stored by
fingerprint (check id + asset key + subject), so they survive re-wording and re-runs; the rules
of the config's mutes file (:mod:`auditor.config.mutes_file`) match results by check id or
category, platform, asset and subject, with wildcards. Both end when the expiry day has passed
(the whole expiry day is included). An active mute wins over an expired one; between two active
ones the store's (the more specific, one result) wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase

from auditor.config.mutes_file import MuteRule, end_of_day, latest_expiry
from auditor.core.errors import UserError
from auditor.core.models import Finding, Mute, Status
from auditor.store.schema import Acknowledgement

MUTABLE = frozenset({Status.FAIL, Status.NOT_VERIFIED})
"""Statuses a mute applies to."""


def apply_mutes(
    findings: Iterable[Finding],
    mutes: Mapping[str, Mute],
    now: datetime,
    rules: Sequence[MuteRule] = (),
) -> tuple[Finding, ...]:
    """Apply active mutes, attach expired ones; other findings pass through unchanged."""
    return tuple(_apply_one(f, _chosen(f, mutes, rules, now), now) for f in findings)


def _chosen(
    finding: Finding, mutes: Mapping[str, Mute], rules: Sequence[MuteRule], now: datetime
) -> Mute | None:
    """The mute that governs ``finding``: the first active one (the store's, then the rules' in
    file order), else the first expired one."""
    stored = mutes.get(finding.fingerprint)
    candidates = [stored] if stored is not None else []
    candidates += [
        replace(rule.mute, fingerprint=finding.fingerprint)
        for rule in rules
        if rule_matches(rule, finding)
    ]
    active = [m for m in candidates if m.active(now)]
    chosen = active or candidates
    return chosen[0] if chosen else None


def rule_matches(rule: MuteRule, finding: Finding) -> bool:
    """Whether a mutes-file rule covers ``finding`` (patterns are lower case; so is what they
    are compared with)."""
    asset = finding.asset
    check = rule.check
    by_check = check == finding.category.value or fnmatchcase(finding.check_id.lower(), check)
    platform = (asset.platform or "").lower()
    names = [n.lower() for n in (asset.handle, asset.domain, asset.id, asset.key) if n]
    return (
        by_check
        and (rule.platform == "*" or fnmatchcase(platform, rule.platform))
        and (rule.asset == "*" or any(fnmatchcase(n, rule.asset) for n in names))
        and fnmatchcase(finding.subject.lower(), rule.subject)
    )


def _apply_one(finding: Finding, mute: Mute | None, now: datetime) -> Finding:
    if mute is None or finding.status not in MUTABLE:
        return finding
    if mute.active(now):
        return replace(finding, status=Status.MUTED, muted_status=finding.status, mute=mute)
    return replace(finding, mute=mute)


def new_mute(
    fingerprint: str,
    *,
    reason: str,
    owner: str,
    expires_on: date,
    now: datetime,
    max_days: int = 365,
) -> Mute:
    """A validated mute that lasts through ``expires_on`` (UTC); :class:`UserError` when the
    reason or owner is blank, the date has already passed or lies more than ``max_days``
    (``policy.max_mute_days``) ahead."""
    if not reason.strip():
        raise UserError("a mute needs a reason", field="--reason")
    if not owner.strip():
        raise UserError("a mute needs an owner", field="--owner")
    today = now.astimezone(UTC).date()
    if expires_on < today:
        raise UserError(
            f"expected a date from {today.isoformat()} on, got {expires_on.isoformat()}",
            field="--expires",
        )
    latest = latest_expiry(today, max_days)
    if expires_on > latest:
        raise UserError(
            f"expected a date at most policy.max_mute_days ({max_days}) days ahead, by"
            f" {latest.isoformat()}, got {expires_on.isoformat()}",
            field="--expires",
        )
    return Mute(
        fingerprint=fingerprint.strip(),
        reason=reason.strip(),
        owner=owner.strip(),
        expires=end_of_day(expires_on),
        created_at=now,
    )


def new_acknowledgement(
    fingerprint: str, *, reason: str, by: str, now: datetime
) -> Acknowledgement:
    """A validated acknowledgement; :class:`UserError` when the reason or the person is blank."""
    if not reason.strip():
        raise UserError("an acknowledgement needs a reason", field="--reason")
    if not by.strip():
        raise UserError("an acknowledgement needs who acted", field="--by")
    return Acknowledgement(fingerprint.strip(), reason.strip(), by.strip(), now)
