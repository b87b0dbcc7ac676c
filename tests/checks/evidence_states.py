"""Every collector state that really occurs, built the way the collectors state it.

The collectors state each facet from their declared capabilities
(:func:`auditor.collectors.capability_registry`), so these factories do too: a "complete" X
account has its roles ``not_exposed("x")`` exactly as the X collector says, never ``complete``.
The states a check must survive (issue 12):

- complete: :func:`account_with` with no overrides;
- partial with a truncated listing: ``account_with(facets={Facet.ROLES: truncated(...)})``;
- one facet unknown: ``account_with(facets={Facet.POSTS: unknown("server: 503")})``;
- the account unread (its source failed for it): :func:`unread_account`;
- not exposed: :func:`not_exposed` (what the registry says for that platform);
- the source's report: :func:`source_report` with ``status=`` complete, partial or failed, and
  :func:`failed_source` / :func:`partial_source` for the common cases.

Example::

    ev = account_with("github", "northwind-labs", roles=(...,),
                      facets={Facet.ROLES: truncated("members", 50)})
    report = partial_source("github", "account:github:northwind-labs")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from auditor.collectors import capability_registry
from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    PeopleDirectory,
    Person,
    VaultEvidence,
    VaultItem,
)
from auditor.core.models import SourceProblem, SourceReport

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
"""The tests' reference time (the same as :mod:`factories`)."""

SOURCE_OF = {"instagram": "meta"}
"""The collector that reads a platform, when it is not named after it."""


def complete() -> Completeness:
    """Read in full."""
    return Completeness.complete()


def truncated(listing: str, pages: int = 50) -> Completeness:
    """A listing the paginator stopped at its page cap, as the collectors state it."""
    return Completeness.partial(f"{listing} truncated at {pages} pages")


def unknown(reason: str = "server: HTTP 503") -> Completeness:
    """A facet whose read failed this run."""
    return Completeness.unknown(reason)


def not_exposed(platform: str, facet: Facet) -> Completeness:
    """What the capability registry says ``platform`` does not expose (an AssertionError when
    the registry says the platform does expose ``facet``: a test must not invent a gap)."""
    found = capability_registry().not_exposed(platform, facet)
    assert found is not None, f"{platform} exposes {facet.value}: it is not a structural gap"
    return found


def full_read(platform: str) -> dict[Facet, Completeness]:
    """Every facet the platform's collector states for an account it read in full."""
    declared = capability_registry().of(SOURCE_OF.get(platform, platform))
    assert declared is not None, f"no collector serves {platform}"
    return declared.stated(platform, {})


def account_with(
    platform: str = "x",
    handle: str = "northwind",
    *,
    facets: Mapping[Facet, Completeness] | None = None,
    state: AccountState = AccountState.ACTIVE,
    **fields: Any,
) -> AccountEvidence:
    """An account read the way its collector states it: every facet complete or not exposed,
    then ``facets`` overriding some (a truncated listing, one facet unknown)."""
    stated = {**full_read(platform), **(facets or {})}
    return AccountEvidence(
        platform=platform,
        handle=handle,
        source=SOURCE_OF.get(platform, platform),
        observed_at=NOW,
        state=state,
        facets=stated,
        **fields,
    )


def unread_account(
    platform: str = "x", handle: str = "northwind", reason: str = "network: connection refused"
) -> AccountEvidence:
    """An account its collector could not read at all (the source failed for it)."""
    declared = capability_registry().of(SOURCE_OF.get(platform, platform))
    assert declared is not None, f"no collector serves {platform}"
    return AccountEvidence(
        platform=platform,
        handle=handle,
        source=declared.source,
        observed_at=NOW,
        state=AccountState.UNKNOWN,
        facets=declared.unread(platform, reason),
    )


def with_facets(evidence: AccountEvidence, **overrides: Completeness) -> AccountEvidence:
    """``evidence`` with some facets restated (``with_facets(ev, roles=unknown())``)."""
    restated = {Facet(name): state for name, state in overrides.items()}
    return replace(evidence, facets={**evidence.facets, **restated})


def directory_with(
    *people: Person,
    source: str = "directory",
    facets: Mapping[Facet, Completeness] | None = None,
) -> PeopleDirectory:
    """A people directory as its collector states it (the CSV: the directory complete;
    Workspace: the directory and mailboxes' 2-step verification complete)."""
    declared = capability_registry().of(source)
    provided = declared.facets if declared is not None else frozenset({Facet.DIRECTORY})
    stated = {facet: complete() for facet in provided}
    return PeopleDirectory(source, NOW, tuple(people), facets={**stated, **(facets or {})})


def vault_with(
    *items: VaultItem, breach: Completeness | None = None, fmt: str = "bitwarden"
) -> VaultEvidence:
    """A vault export as the vault collector states it (``breach`` defaults to complete)."""
    return VaultEvidence(
        source="vault",
        format=fmt,
        observed_at=NOW,
        items=tuple(items),
        breach_checked=breach is None or breach.is_complete,
        facets={Facet.VAULT: complete(), Facet.BREACH: breach or complete()},
    )


def source_report(
    name: str,
    *,
    status: SourceStatus = SourceStatus.COMPLETE,
    problems: Iterable[SourceProblem] = (),
    requests: int = 3,
) -> SourceReport:
    """A collector's report with its stated status."""
    return SourceReport(
        name=name, status=status, observed_at=NOW, problems=tuple(problems), requests=requests
    )


def failed_source(
    name: str, kind: str = "network", detail: str = "connection refused"
) -> SourceReport:
    """A source that read nothing usable."""
    return source_report(name, status=SourceStatus.FAILED, problems=(SourceProblem(kind, detail),))


def partial_source(
    name: str, asset_key: str | None = None, kind: str = "server", detail: str = "HTTP 503"
) -> SourceReport:
    """A source that read something but not everything: one asset's endpoint failed (or, with
    ``asset_key`` None, a source-wide read such as Meta's ``owned_pages``)."""
    problem = SourceProblem(kind, detail, asset_key)
    return source_report(name, status=SourceStatus.PARTIAL, problems=(problem,))


def truncated_source(name: str) -> SourceReport:
    """A source whose only gap is a truncated listing: partial, and no problem recorded."""
    return source_report(name, status=SourceStatus.PARTIAL)
