"""Accepting profile baselines: the reference ``content.profile-changed`` compares with.

``accept_latest`` is what ``brand-audit baseline accept`` does (and what ``brand-audit demo``
does after auditing the estate as it stood a week ago): take the latest finished run's evidence
from the store and record each account's profile as accepted, by a person, with a reason.
"""

from __future__ import annotations

from datetime import datetime

from auditor.core.registry import Baseline
from auditor.store.database import Store


def accept_latest(
    store: Store,
    estate_name: str,
    *,
    by: str,
    reason: str,
    now: datetime,
    account_key: str | None = None,
) -> tuple[str, list[Baseline]] | None:
    """Accept the profiles of the latest run of ``estate_name`` (only ``account_key``'s when
    given); returns that run's id and the baselines recorded, or None when there is no run."""
    latest = store.latest_evidence(estate_name)
    if latest is None:
        return None
    run_id, evidence = latest
    accepted = [
        Baseline(key, ev.profile, by, reason, now)
        for key, ev in sorted(evidence.accounts.items())
        if ev.profile is not None and (account_key is None or key == account_key)
    ]
    for baseline in accepted:
        store.accept_baseline(baseline)
    return run_id, accepted
