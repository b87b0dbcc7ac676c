"""Mutes and acknowledgements: a person accepts a finding's risk with a reason, an owner and an
expiry (a mute), or says they acted on it (an acknowledgement, :func:`new_acknowledgement`, which
closes an open finding for the lifecycle of :mod:`auditor.engine.stamping`).

Only results that report a risk or a gap (``fail`` and ``not_verified``) can be muted. While a
mute is active the finding's status is ``muted`` and ``muted_status`` keeps what the evidence said;
the finding still appears in every report. When the mute expires the finding reopens with its
original status and carries the expired mute, so the report can say "mute expired on ...".
Mutes are stored by fingerprint (check id + asset key + subject), so they survive re-wording and
re-runs, and end when the expiry date has passed (the whole expiry day is included).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from auditor.core.errors import UserError
from auditor.core.models import Finding, Mute, Status
from auditor.store.schema import Acknowledgement

MUTABLE = frozenset({Status.FAIL, Status.NOT_VERIFIED})
"""Statuses a mute applies to."""


def apply_mutes(
    findings: Iterable[Finding], mutes: Mapping[str, Mute], now: datetime
) -> tuple[Finding, ...]:
    """Apply active mutes, attach expired ones; other findings pass through unchanged."""
    return tuple(_apply_one(f, mutes.get(f.fingerprint), now) for f in findings)


def _apply_one(finding: Finding, mute: Mute | None, now: datetime) -> Finding:
    if mute is None or finding.status not in MUTABLE:
        return finding
    if mute.active(now):
        return replace(finding, status=Status.MUTED, muted_status=finding.status, mute=mute)
    return replace(finding, mute=mute)


def new_mute(fingerprint: str, *, reason: str, owner: str, expires_on: date, now: datetime) -> Mute:
    """A validated mute that lasts through ``expires_on`` (UTC); :class:`UserError` when the
    reason or owner is blank or the date has already passed."""
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
    ends = datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=UTC)
    return Mute(
        fingerprint=fingerprint.strip(),
        reason=reason.strip(),
        owner=owner.strip(),
        expires=ends,
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
