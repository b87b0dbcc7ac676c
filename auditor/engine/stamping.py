"""Stamping: turning a run's check outcomes into findings that know their history.

For each outcome the runner's stamp gives:

- **severity**: the check's default, replaced by ``policy.severity`` for that check id, replaced
  by the result's own severity when the check sets one (e.g. ``domain.expiring`` tiers);
- **fingerprint**: check id + asset key + subject (:func:`auditor.core.models.fingerprint`); when a
  check yields the same fingerprint twice the worst status is kept (fail, then not_verified);
- **change**: ``persisting`` when the previous run had this fingerprint in the same status family
  (the status before muting), ``resolved`` when it failed then and passes now, ``new`` otherwise;
- **first_seen**: the earliest time the store saw this fingerprint in this status family (now for
  a first sighting);
- **resolved entries**: a fingerprint that failed in the previous run and is no longer reported
  becomes a ``pass`` finding with change ``resolved``, unless this run could not decide it (the
  check crashed or reported ``not_verified`` on that asset, a source it needs failed, or a
  source reported a problem with that asset: :class:`Gaps`), so a collection gap never looks
  like a fix.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from auditor.core.models import Change, Finding, Outcome, Severity, Status, fingerprint
from auditor.core.registry import CheckSpec
from auditor.store.schema import PriorFinding, PriorState

_WORST = {Status.FAIL: 3, Status.NOT_VERIFIED: 2, Status.PASS: 1, Status.MUTED: 0}


class FindingHistory(Protocol):
    """The store's history queries used here."""

    def first_seen(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
        """Earliest first_seen by (fingerprint, status family)."""

    def findings_of(self, run_id: str, fingerprints: Collection[str]) -> list[Finding]:
        """Stored findings of a run."""


@dataclass(frozen=True)
class Evaluated:
    """One check's outcomes in this run."""

    spec: CheckSpec
    """The check."""
    outcomes: tuple[Outcome, ...]
    """What it yielded (one not_verified result when it crashed)."""
    crashed: bool = False
    """The check raised; nothing it reported last time can count as resolved."""


@dataclass(frozen=True)
class Gaps:
    """What this run could not read, so that no earlier fail there counts as resolved."""

    checks: frozenset[str] = frozenset()
    """Checks that need a source which failed entirely."""
    assets: frozenset[str] = frozenset()
    """Asset keys a source reported a problem for."""
    prefixes: tuple[str, ...] = ()
    """Asset-key prefixes of platforms whose collector failed entirely (``account:x:``)."""

    def unsure(self, check_id: str, asset_key: str) -> bool:
        """True when this run cannot tell whether the finding went away."""
        return (
            check_id in self.checks
            or asset_key in self.assets
            or asset_key.startswith(self.prefixes)
        )


@dataclass(frozen=True)
class _Draft:
    """One outcome on its way to becoming a finding."""

    spec: CheckSpec
    """The check that produced it."""
    outcome: Outcome
    """What the check said."""
    fingerprint: str
    """Its identity."""
    severity: Severity
    """Its effective severity."""


def _drafts(evaluated: Sequence[Evaluated], overrides: Mapping[str, Severity]) -> list[_Draft]:
    chosen: dict[str, _Draft] = {}
    for item in evaluated:
        default = overrides.get(item.spec.id, item.spec.severity)
        for out in item.outcomes:
            fp = fingerprint(item.spec.id, out.asset, out.subject)
            current = chosen.get(fp)
            if current is None or _WORST[out.status] > _WORST[current.outcome.status]:
                chosen[fp] = _Draft(item.spec, out, fp, out.severity or default)
    return list(chosen.values())


def _change(before: PriorFinding | None, family: str) -> Change:
    if before is None:
        return Change.NEW
    if before.effective_status == family:
        return Change.PERSISTING
    if before.effective_status == Status.FAIL.value and family == Status.PASS.value:
        return Change.RESOLVED
    return Change.NEW


def stamp(
    evaluated: Sequence[Evaluated],
    *,
    prior: PriorState | None,
    history: FindingHistory,
    overrides: Mapping[str, Severity],
    now: datetime,
    gaps: Gaps | None = None,
) -> tuple[Finding, ...]:
    """Findings for this run's outcomes plus resolved entries, in check order."""
    drafts = _drafts(evaluated, overrides)
    previous = prior.findings if prior else {}
    changes = {
        d.fingerprint: _change(previous.get(d.fingerprint), d.outcome.status.value) for d in drafts
    }
    lookup = [
        (d.fingerprint, d.outcome.status.value)
        for d in drafts
        if changes[d.fingerprint] is not Change.PERSISTING
    ]
    seen = history.first_seen(lookup) if lookup else {}
    findings = []
    for d in drafts:
        change = changes[d.fingerprint]
        if change is Change.PERSISTING:
            first = previous[d.fingerprint].first_seen
        else:
            first = seen.get((d.fingerprint, d.outcome.status.value), now)
        findings.append(_finding(d, first, change))
    findings.extend(_resolved(evaluated, prior, set(changes), history, now, gaps=gaps or Gaps()))
    return tuple(findings)


def _finding(draft: _Draft, first_seen: datetime, change: Change) -> Finding:
    out = draft.outcome
    return Finding(
        check_id=draft.spec.id,
        category=draft.spec.category,
        severity=draft.severity,
        status=out.status,
        asset=out.asset,
        subject=out.subject,
        title=draft.spec.title,
        detail=out.detail,
        evidence=out.evidence,
        remediation=draft.spec.remediation,
        fingerprint=draft.fingerprint,
        first_seen=first_seen,
        change=change,
    )


def _resolved(
    evaluated: Sequence[Evaluated],
    prior: PriorState | None,
    current: set[str],
    history: FindingHistory,
    now: datetime,
    *,
    gaps: Gaps,
) -> list[Finding]:
    if prior is None:
        return []
    ran = {e.spec.id for e in evaluated if not e.crashed}
    undecided = {
        (e.spec.id, o.asset.key)
        for e in evaluated
        for o in e.outcomes
        if o.status is Status.NOT_VERIFIED
    }
    gone = [
        fp
        for fp, before in prior.findings.items()
        if fp not in current
        and before.effective_status == Status.FAIL.value
        and before.check_id in ran
        and (before.check_id, before.asset_key) not in undecided
        and not gaps.unsure(before.check_id, before.asset_key)
    ]
    return [
        replace(
            old,
            status=Status.PASS,
            change=Change.RESOLVED,
            detail=f"No longer reported since the previous run. Previously: {old.detail}",
            first_seen=now,
            muted_status=None,
            mute=None,
        )
        for old in history.findings_of(prior.run.run_id, gone)
    ]
