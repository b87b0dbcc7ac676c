"""Incidents: open results that say an account is being taken over right now.

Most findings are hygiene (a weak password, a missing second factor) and wait for the next
sprint; these do not. A scam post on the brand's account, a handle that now belongs to another
account, a profile link rewritten to a risky domain, a new full admin nobody expected, an
embargoed launch leaking: each opens the report and the email with a banner naming the account,
what happened, since when, and the first thing to do. Muted results are accepted and are not
incidents.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.core.models import AuditRun, Finding, Status
from reports.rows import asset_label, when
from reports.view_types import Incident

SIGNALS: dict[str, tuple[str, str]] = {
    "content.scam-pattern": (
        "Scam post published",
        "Delete the post, then lock the account: reset the password, revoke sessions and apps.",
    ),
    "ownership.identity-mismatch": (
        "Handle now belongs to a different account",
        "Confirm who controls the handle; if it was lost, open the platform's recovery case.",
    ),
    "access.new-admin": (
        "New full admin nobody expected",
        "Ask the account owner who added them; remove the role if nobody did.",
    ),
    "content.embargo-leak": (
        "Embargoed launch leaked",
        "Take the post down and tell the launch owner; check who published it.",
    ),
    "content.profile-changed": (
        "Profile link rewritten to a risky domain",
        "Restore the profile link, then reset the password and revoke sessions and apps.",
    ),
}
"""Check id -> (what happened, first action)."""


def _is_signal(finding: Finding, risky_profiles: set[str]) -> bool:
    if finding.status is not Status.FAIL or finding.check_id not in SIGNALS:
        return False
    if finding.check_id == "access.new-admin":
        return finding.evidence.facts.get("full_admin") is True
    if finding.check_id == "content.profile-changed":
        return finding.subject == "link" and finding.asset.key in risky_profiles
    return True


def incidents_of(run: AuditRun) -> tuple[Incident, ...]:
    """The run's active-takeover signals, the most severe first (a scam post or a lost handle
    before an unexpected admin), then oldest first."""
    risky_profiles = {
        f.asset.key
        for f in run.findings
        if f.check_id == "content.suspicious-link"
        and f.status is Status.FAIL
        and f.subject == "profile"
    }
    found: Sequence[Finding] = sorted(
        (f for f in run.findings if _is_signal(f, risky_profiles)),
        key=lambda f: (-f.severity.rank, f.first_seen, f.check_id, f.asset.key),
    )
    return tuple(
        Incident(
            account=asset_label(f.asset),
            what=SIGNALS[f.check_id][0],
            since=when(f.first_seen),
            first_action=SIGNALS[f.check_id][1],
            detail=f.detail,
            check_id=f.check_id,
            fingerprint=f.fingerprint,
        )
        for f in found
    )
