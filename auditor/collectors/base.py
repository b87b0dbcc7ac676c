"""The collector plug-in axis: one :class:`Collector` per evidence source.

A collector reads one source (a platform API, a registry, a company file) and returns typed
evidence plus a :class:`~auditor.core.models.SourceReport`. It never judges: no thresholds, no pass or
fail. It translates its SDK's or HTTP layer's errors into :mod:`auditor.core.errors` types at its own
boundary; a problem with one asset goes into the report's ``problems`` (with that asset's key)
and the collector carries on with the rest. Raising a :class:`~auditor.core.errors.CollectionError`
means the whole source failed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from auditor.core.estate import Estate, Policy
from auditor.core.evidence import Evidence, EvidenceItem
from auditor.core.models import SourceReport


@dataclass(frozen=True)
class CollectContext:
    """What a collector may know about the run."""

    estate: Estate
    """The declared estate (which accounts, domains and people to look at)."""
    policy: Policy
    """Policy (content window, lookalike cap ...)."""
    now: datetime
    """The run's reference time (aware UTC)."""
    previous: Evidence | None = None
    """The previous run's evidence, for incremental fetches and conditional requests."""


@dataclass(frozen=True)
class CollectorOutput:
    """What one collector returns."""

    report: SourceReport
    """How collection went."""
    items: tuple[EvidenceItem, ...]
    """The evidence read."""


class Collector(ABC):
    """One evidence source."""

    name: str = ""
    """Source name, used in reports and ``SourceReport.name``."""
    scopes: tuple[str, ...] = ()
    """Scopes or permissions the configured credential needs for every check to be decidable."""

    @abstractmethod
    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read the source. Raise :class:`~auditor.core.errors.CollectionError` only when nothing
        could be read; per-asset problems go into the report."""
