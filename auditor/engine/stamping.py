"""Stamping and the finding lifecycle: turning a run's check outcomes into findings that know
their history.

For each outcome the runner's stamp gives:

- **severity**: the check's default, replaced by ``policy.severity`` for that check id, replaced
  by the result's own severity when the check sets one (e.g. ``domain.expiring`` tiers);
- **fingerprint**: check id + asset key + subject (:func:`auditor.core.models.fingerprint`); when a
  check yields the same fingerprint twice the worst status is kept (fail, then not_verified);
- **change** and **first_seen**: ``persisting`` (first_seen kept) when the previous run had this
  fingerprint in the same status family or it is still open, ``resolved`` when an open fail is
  now observed as ``pass``, ``new`` otherwise (first_seen: the earliest time the store saw the
  fingerprint in this status family, now for a first sighting).

The lifecycle (DESIGN.md "Statuses, identity and lifecycle"). A finding is *open* while it
fails, or while an earlier fail is carried forward (:attr:`Finding.carried`). An open finding:

- is **resolved** only when observed as ``pass`` on complete evidence (the facets its check
  declares are ``complete`` for the asset this run, and no source it needs reported a problem
  with the asset: a pass on anything less keeps it open), or, when
  its check no longer reports it at all, only when this run read in full what the check reads
  about that asset (:func:`auditor.engine.observed.observed_completely`; not when the check
  crashed, said ``not_verified`` on the asset, or a source it needs failed: :class:`Gaps`);
- otherwise **stays open as not_verified** with its first_seen kept (a fail whose evidence became
  unreadable: an API down, a discovered account no longer listed because discovery failed);
- if it is a **change event** (:data:`CHANGE_EVENTS`), it stays open as a ``fail`` until a person
  acts: a later pass that says the condition was accepted (the outcome's fact ``accepted: true``:
  the admin is in ``expected_admins``, the profile equals an accepted baseline), or an
  acknowledgement (``brand-audit ack``) recorded after it opened. A pass that only says "no change
  since the previous run", and the event's absence, do not close it.

Mutes are applied afterwards (:mod:`auditor.engine.mutes`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from auditor.core.evidence import Evidence
from auditor.core.models import Change, Finding, Outcome, Severity, Status, fingerprint
from auditor.core.registry import CheckSpec
from auditor.engine.observed import observed_completely
from auditor.store.schema import Acknowledgement, PriorFinding, PriorState

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


CHANGE_EVENTS = frozenset(
    {
        "access.new-admin",
        "access.role-escalation",
        "content.posts-deleted",
        "content.profile-changed",
        "content.verification-lost",
        "content.posting-burst",
        "content.scam-pattern",
    }
)
"""Checks that report an event (something happened since a reference) rather than a state: their
fails stay open until a person acts on them."""


def _accepted(outcome: Outcome) -> bool:
    """A pass that says the condition was accepted by a person (not merely unchanged)."""
    return outcome.status is Status.PASS and outcome.evidence.facts.get("accepted") is True


def _still_open(
    before: PriorFinding | None, acks: Mapping[str, Acknowledgement]
) -> PriorFinding | None:
    """``before`` when it is open and nobody acknowledged it after it opened."""
    if before is None or not before.open:
        return None
    ack = acks.get(before.fingerprint)
    return None if ack is not None and ack.at >= before.first_seen else before


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
    evidence: Evidence | None = None,
    acks: Mapping[str, Acknowledgement] | None = None,
    gaps: Gaps | None = None,
) -> tuple[Finding, ...]:
    """Findings for this run's outcomes, open findings carried forward and resolved entries, in
    check order (see the module docstring)."""
    acks = acks or {}
    drafts = _drafts(evaluated, overrides)
    previous = prior.findings if prior else {}
    opened = {d.fingerprint: _still_open(previous.get(d.fingerprint), acks) for d in drafts}
    changes = {
        d.fingerprint: _change(previous.get(d.fingerprint), d.outcome.status.value) for d in drafts
    }
    lookup = [
        (d.fingerprint, d.outcome.status.value)
        for d in drafts
        if changes[d.fingerprint] is not Change.PERSISTING and opened[d.fingerprint] is None
    ]
    seen = history.first_seen(lookup) if lookup else {}
    findings: list[Finding] = []
    from_store: dict[str, str] = {}  # fingerprint -> why it is carried from the stored finding
    for d in drafts:
        before = opened[d.fingerprint]
        if before is None:
            change = changes[d.fingerprint]
            if change is Change.PERSISTING:
                first = previous[d.fingerprint].first_seen
            else:
                first = _first_seen(seen, d, acks, now)
            findings.append(_finding(d, first, change))
            continue
        result = _while_open(d, before, evidence, gaps or Gaps())
        if isinstance(result, Finding):
            findings.append(result)
        else:
            from_store[d.fingerprint] = result
    absent = _absent(
        evaluated, previous, current=set(opened), acks=acks, evidence=evidence, gaps=gaps or Gaps()
    )
    resolved = [fp for fp, verdict in absent.items() if verdict == "resolved"]
    from_store.update((fp, verdict) for fp, verdict in absent.items() if verdict != "resolved")
    if prior is not None and (from_store or resolved):
        stored = history.findings_of(prior.run.run_id, [*from_store, *resolved])
        for old in stored:
            why = from_store.get(old.fingerprint)
            if why is None:
                findings.append(_resolved_entry(old, now))
            else:
                findings.append(_carried_from_store(old, why, previous[old.fingerprint]))
    return tuple(findings)


def _while_open(
    draft: _Draft, before: PriorFinding, evidence: Evidence | None, gaps: Gaps
) -> Finding | str:
    """This run's result for a finding that was open: the finding, or why the stored finding
    is carried instead (``event``: a change event nobody acted on; ``unread``: a pass on
    evidence not read in full)."""
    status = draft.outcome.status
    if status is Status.FAIL:
        return _finding(draft, before.first_seen, Change.PERSISTING)
    if draft.spec.id in CHANGE_EVENTS and not _accepted(draft.outcome):
        return "event"
    if status is Status.PASS:
        unsure = gaps.unsure(draft.spec.id, draft.outcome.asset.key)
        complete = _complete(evidence, draft) and not unsure
        return _finding(draft, before.first_seen, Change.RESOLVED) if complete else "unread"
    return _carried_unread(draft, before.first_seen)


def _complete(evidence: Evidence | None, draft: _Draft) -> bool:
    """This run read in full what the draft's check declares it reads about its asset."""
    if evidence is None:
        return not draft.spec.facets
    return observed_completely(evidence, draft.spec.facets, draft.outcome.asset.key)


def _first_seen(
    seen: Mapping[tuple[str, str], datetime],
    draft: _Draft,
    acks: Mapping[str, Acknowledgement],
    now: datetime,
) -> datetime:
    """The earliest sighting in this status family, but never before an acknowledgement of the
    fingerprint (a fail after an acknowledgement is a new occurrence)."""
    first = seen.get((draft.fingerprint, draft.outcome.status.value), now)
    ack = acks.get(draft.fingerprint)
    if draft.outcome.status is Status.FAIL and ack is not None and ack.at > first:
        return now
    return first


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


def _carried_unread(draft: _Draft, first_seen: datetime) -> Finding:
    """An open fail the check could not re-verify this run: not verified, still open."""
    found = _finding(draft, first_seen, Change.PERSISTING)
    since = f"{first_seen:%Y-%m-%d}"
    detail = (
        f"{found.detail} It failed on {since} and stays open until a complete read shows it fixed."
    )
    return replace(found, detail=detail, carried=True)


def _absent(
    evaluated: Sequence[Evaluated],
    previous: Mapping[str, PriorFinding],
    *,
    current: set[str],
    acks: Mapping[str, Acknowledgement],
    evidence: Evidence | None,
    gaps: Gaps,
) -> dict[str, str]:
    """What becomes of each open finding this run did not report: ``resolved`` (its check read
    the asset in full), ``event`` (a change event nobody acted on) or ``unread``."""
    specs = {e.spec.id: e.spec for e in evaluated}
    crashed = {e.spec.id for e in evaluated if e.crashed}
    undecided = {
        (e.spec.id, o.asset.key)
        for e in evaluated
        for o in e.outcomes
        if o.status is Status.NOT_VERIFIED
    }
    verdicts: dict[str, str] = {}
    for fp, before in previous.items():
        spec = specs.get(before.check_id)
        if fp in current or spec is None or _still_open(before, acks) is None:
            continue  # reported this run, check not run this time, or closed
        if spec.id in CHANGE_EVENTS:
            verdicts[fp] = "event"
        elif (
            spec.id not in crashed
            and (spec.id, before.asset_key) not in undecided
            and not gaps.unsure(spec.id, before.asset_key)
            and evidence is not None
            and observed_completely(evidence, spec.facets, before.asset_key)
        ):
            verdicts[fp] = "resolved"
        else:
            verdicts[fp] = "unread"
    return verdicts


def _resolved_entry(old: Finding, now: datetime) -> Finding:
    """An open fail no longer reported, on evidence this run read in full."""
    return replace(
        old,
        status=Status.PASS,
        change=Change.RESOLVED,
        detail=f"No longer reported since the previous run. Previously: {_original(old)}",
        first_seen=now,
        muted_status=None,
        mute=None,
        carried=False,
    )


def _carried_from_store(old: Finding, verdict: str, before: PriorFinding) -> Finding:
    """The stored open finding carried into this run (first_seen kept)."""
    since = f"{before.first_seen:%Y-%m-%d}"
    if verdict == "event":
        status = Status.FAIL
        note = f"Open since {since} until someone acts on it (accept it, or brand-audit ack)."
    else:
        status = Status.NOT_VERIFIED
        note = f"Not re-checked in full this run; open since {since}."
    return replace(
        old,
        status=status,
        change=Change.PERSISTING,
        detail=f"{note} {_original(old)}",
        evidence=replace(
            old.evidence, facts={**old.evidence.facts, "reported_detail": _original(old)}
        ),
        first_seen=before.first_seen,
        muted_status=None,
        mute=None,
        carried=True,
    )


def _original(old: Finding) -> str:
    """The detail as the check wrote it (a carried finding keeps it in its facts)."""
    if old.carried:
        return str(old.evidence.facts.get("reported_detail", old.detail))
    return old.detail
