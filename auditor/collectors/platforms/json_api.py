"""Plain-JSON platform collectors (GitHub, Mastodon, Bluesky) and the Google Workspace directory.

``build(config)`` returns one collector per configured source. The four collector modules share
what lives here: the family's HTTP clients and cache, turning a
:class:`~auditor.core.errors.CollectionError` into a per-asset
:class:`~auditor.core.models.SourceProblem` plus ``unknown`` evidence, and
:class:`OutputBuilder`, which states every account's facets against the collector's
capabilities and assembles the :class:`~auditor.collectors.base.CollectorOutput`. Payload
shapes are read with :mod:`auditor.collectors.platforms.json_shapes`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from auditor.collectors.base import (
    CollectorOutput,
    FacetReads,
    report_status,
    stated_account,
)
from auditor.config.loading import PlatformModel
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Completeness
from auditor.core.errors import CollectionError, NotFound
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, EvidenceItem
from auditor.core.models import SourceProblem, SourceReport
from auditor.http.client import ErrorHook, HttpClient, HttpShared

if TYPE_CHECKING:
    from auditor.collectors.base import Collector
    from auditor.config.loading import AppConfig

log = logging.getLogger(__name__)

AccountReader = Callable[[AccountSpec, FacetReads], Sequence[EvidenceItem]]
"""Reads one inventory account, marking in :class:`FacetReads` the facets an endpoint that
failed feeds; raises :class:`CollectionError` when the account cannot be read at all."""


def build(config: AppConfig, shared: HttpShared | None = None) -> list[Collector]:
    """The JSON-API collectors the config asks for (none when nothing is configured).
    ``shared`` is the run's HTTP state (one rate-limit budget, one cache); without it the
    family makes its own."""
    from auditor.collectors.platforms import bluesky, github, mastodon
    from auditor.collectors.platforms.collector import cache_path
    from auditor.collectors.records import google_workspace

    # The conditional-request cache sits beside the audit database (memory-only when there is
    # none yet, as in the demo), shared by the four collectors of this family.
    if shared is None:
        shared = HttpShared.from_network(
            config.model.network, cache_path=cache_path(config, "json-api")
        )
    collectors: list[Collector] = []
    for module in (github, mastodon, bluesky, google_workspace):
        found = module.from_config(config, shared)
        if found is not None:
            collectors.append(found)
    return collectors


PlatformName = Literal["github", "mastodon", "bluesky", "google_workspace"]
"""The ``platforms.<name>`` keys this family reads."""


def make_client(
    config: AppConfig,
    platform: PlatformName,
    *,
    default_base_url: str,
    shared: HttpShared | None,
    headers: Mapping[str, str] | None = None,
    error_hook: ErrorHook | None = None,
) -> HttpClient:
    """The HTTP client of ``platforms.<platform>`` (bearer token when one is configured)."""
    settings = config.model.platforms.get(platform) or PlatformModel()
    merged = dict(headers or {})
    if settings.token is not None:
        merged["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
    return HttpClient(
        platform,
        settings,
        config.model.network,
        default_base_url=default_base_url,
        shared=shared,
        headers=merged,
        error_hook=error_hook,
    )


def save_cache(shared: HttpShared, source: str) -> None:
    """Persist the family's conditional-request cache (a failure only costs the next run)."""
    try:
        shared.cache.save()
    except OSError as exc:
        log.warning("%s: could not save the HTTP cache (%s)", source, type(exc).__name__)


def digest(value: str | None) -> str | None:
    """A short stable digest of a URL (avatar, banner), None for no value."""
    if not value:
        return None
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def problem_for(exc: CollectionError, asset_key: str | None) -> SourceProblem:
    """The report entry for an error (its detail is secret-free by contract)."""
    return SourceProblem(
        kind=exc.kind.value, detail=exc.detail, asset_key=asset_key, scope=exc.scope
    )


def unknown_account(spec: AccountSpec, source: str, now: datetime) -> AccountEvidence:
    """Evidence for an account that could not be read: every fact unknown."""
    return AccountEvidence(
        platform=spec.platform,
        handle=spec.handle,
        source=source,
        observed_at=now,
        state=AccountState.UNKNOWN,
    )


def gone_account(spec: AccountSpec, source: str, now: datetime) -> AccountEvidence:
    """Evidence for an account the platform says does not exist."""
    return AccountEvidence(
        platform=spec.platform,
        handle=spec.handle,
        source=source,
        observed_at=now,
        state=AccountState.NOT_FOUND,
    )


@dataclass
class OutputBuilder:
    """A JSON-API collector's output while it is being gathered (mutable while collecting
    only): the items read, the problems met, and the facets each account's reads left
    incomplete, stated against the collector's capabilities."""

    name: str
    """The collector's source name."""
    capabilities: Capabilities
    """What the collector reads and what its platforms do not expose."""
    started: float = field(default_factory=time.monotonic)
    """Monotonic start time."""
    items: list[EvidenceItem] = field(default_factory=list)
    """Evidence read."""
    problems: list[SourceProblem] = field(default_factory=list)
    """What could not be read."""
    discovery: dict[str, Completeness] = field(default_factory=dict)
    """Completeness of discovery by platform, for the platforms the collector discovers on."""

    def failed(self, exc: CollectionError, asset_key: str | None) -> None:
        """Record an error for one asset (or the whole source when ``asset_key`` is None)."""
        self.problems.append(problem_for(exc, asset_key))

    def account(self, spec: AccountSpec, now: datetime, read: AccountReader) -> None:
        """Read one account through ``read``; every facet of its evidence stated from what the
        reads met (a failure of the whole account: unknown evidence and a problem)."""
        reads = FacetReads(spec.asset.key)
        try:
            found = list(read(spec, reads))
        except NotFound:
            found = [gone_account(spec, self.name, now)]
        except CollectionError as exc:
            reads.problems.append(problem_for(exc, spec.asset.key))
            found = [unknown_account(spec, self.name, now)]
        self.items.extend(
            stated_account(self.capabilities, item, reads)
            if isinstance(item, AccountEvidence)
            else item
            for item in found
        )
        self.problems.extend(p for p in reads.problems if p not in self.problems)

    def output(self, now: datetime, clients: Iterable[HttpClient | None]) -> CollectorOutput:
        """The finished output with its stated status; counts the clients' requests and saves
        their conditional-request cache."""
        used = list({id(c): c for c in clients if c is not None}.values())
        for shared in {id(c.shared): c.shared for c in used}.values():
            save_cache(shared, self.name)
        accounts = [i for i in self.items if isinstance(i, AccountEvidence)]
        whole = [p for p in self.problems if p.asset_key is None]
        read = not (whole and not accounts) and (
            not accounts or any(a.state is not AccountState.UNKNOWN for a in accounts)
        )
        report = SourceReport(
            name=self.name,
            status=report_status(self.items, self.problems, anything_read=read),
            observed_at=now,
            problems=tuple(self.problems),
            requests=sum(c.requests_made for c in used),
            duration_s=round(time.monotonic() - self.started, 3),
        )
        return CollectorOutput(report=report, items=tuple(self.items), discovery=self.discovery)
