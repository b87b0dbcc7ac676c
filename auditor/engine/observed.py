"""What a run observed completely about one asset, for the finding lifecycle.

A finding that failed before and is no longer reported is resolved only when this run read in
full what its check reads about that asset (:func:`observed_completely`): the asset is in view
(collected, discovered, probed or scanned this run), and every facet the check declares is
``complete`` on the evidence item that carries it. An asset nobody read this run (a discovered
account while discovery was down, an account of a platform whose API failed) is never in view,
so a fail there stays open. Completeness is read through
:func:`auditor.core.completeness.facet_status` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType

from auditor.core.completeness import (
    NOT_COLLECTED,
    Completeness,
    Coverage,
    Facet,
    HasFacets,
    SourceStatus,
    facet_status,
    weakest,
)
from auditor.core.evidence import Evidence
from auditor.core.models import Asset, Outcome, Status
from auditor.core.scoring import COMPLETENESS_FACT

ACCOUNT_FACETS = frozenset(
    {
        Facet.IDENTITY,
        Facet.TOKEN_OWNER,
        Facet.PROFILE,
        Facet.POSTS,
        Facet.ROLES,
        Facet.MEMBER_TWO_FACTOR,
        Facet.APPS,
        Facet.TWO_FACTOR_POLICY,
        Facet.OWNERSHIP,
        Facet.REGISTRATION_EMAIL,
    }
)
"""Facets an account's own :class:`~auditor.core.evidence.AccountEvidence` carries."""


def observed_completely(evidence: Evidence, facets: Iterable[Facet], asset_key: str) -> bool:
    """True when ``asset_key`` is in view this run and every facet in ``facets`` was read in
    full for it."""
    if not in_view(evidence, asset_key):
        return False
    return weakest(facet_state(evidence, f, asset_key) for f in facets).is_complete


def in_view(evidence: Evidence, asset_key: str) -> bool:
    """True when this run collected, discovered, probed or scanned the asset; a source asset
    only when the source's read was complete (a per-asset gap it reported earlier is otherwise
    still open, merely folded into a wider failure); the organization is always in view."""
    kind, _, rest = asset_key.partition(":")
    if kind == "account":
        return asset_key in evidence.accounts or asset_key in _probed_accounts(evidence)
    if kind == "domain":
        return rest in evidence.domains or rest in evidence.lookalikes
    if kind == "source":  # a source is seen in full only when it read everything it serves
        report = evidence.sources.get(rest)
        return report is not None and report.status is SourceStatus.COMPLETE
    return True


def _probed_accounts(evidence: Evidence) -> set[str]:
    """Account keys seen through discovery listings and handle probes."""
    keys = {Asset.account(d.platform, d.handle).key for d in evidence.discovered}
    keys.update(Asset.account(p.platform, p.brand_handle).key for p in evidence.handles)
    return keys


_CARRIERS: Mapping[Facet, Callable[[Evidence, str], HasFacets | None]] = MappingProxyType(
    {
        Facet.DIRECTORY: lambda ev, _name: ev.people,
        Facet.MAILBOX_TWO_FACTOR: lambda ev, _name: ev.people,
        Facet.VAULT: lambda ev, _name: ev.vault,
        Facet.BREACH: lambda ev, _name: ev.vault,
        Facet.REGISTER: lambda ev, _name: ev.register,
        Facet.REGISTRATION: lambda ev, name: ev.domains.get(name),
        Facet.LOOKALIKES: lambda ev, name: ev.lookalikes.get(name),
    }
)
"""The item that carries each organization- or domain-level facet (by the asset key's name)."""


def facet_state(evidence: Evidence, facet: Facet, asset_key: str) -> Completeness:
    """The completeness of ``facet`` for ``asset_key``, read from the item that carries it."""
    kind, _, rest = asset_key.partition(":")
    if facet in ACCOUNT_FACETS:
        return facet_status(evidence.accounts.get(asset_key), facet)
    if facet is Facet.DISCOVERY:
        platform = rest.partition(":")[0] if kind == "account" else ""
        return evidence.discovery.get(platform, NOT_COLLECTED)
    carrier = _CARRIERS.get(facet)
    if carrier is not None:
        return facet_status(carrier(evidence, rest), facet)
    probes = [
        p for p in evidence.handles if Asset.account(p.platform, p.brand_handle).key == asset_key
    ]
    return weakest(facet_status(p, facet) for p in probes) if probes else NOT_COLLECTED


def structural_gap(evidence: Evidence, facets: Iterable[Facet], asset_key: str) -> bool:
    """True when every facet of ``asset_key`` that was not read in full is ``not_exposed``: a
    result resting on it is a platform limit, not a failure to read this time."""
    missing = [s for f in facets if not (s := facet_state(evidence, f, asset_key)).is_complete]
    return bool(missing) and all(state.structural for state in missing)


def with_structural_mark(outcome: Outcome, evidence: Evidence, facets: Iterable[Facet]) -> Outcome:
    """``outcome`` with the ``completeness: not_exposed`` fact when it is ``not_verified`` only
    because the platform does not expose what the check reads (the score leaves those out and
    the coverage matrix shows them once)."""
    if outcome.status is not Status.NOT_VERIFIED or COMPLETENESS_FACT in outcome.evidence.facts:
        return outcome
    if not structural_gap(evidence, facets, outcome.asset.key):
        return outcome
    facts = {**outcome.evidence.facts, COMPLETENESS_FACT: Coverage.NOT_EXPOSED.value}
    return replace(outcome, evidence=replace(outcome.evidence, facts=facts))
