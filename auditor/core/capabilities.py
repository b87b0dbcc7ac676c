"""The capability registry: what each collector can read, and what each platform does not expose.

Every collector declares its :class:`Capabilities` as plain data (a frozen value on its class):
the platforms it serves and, per platform, the facets it provides and the facets the platform
offers no way to read (with the reason, ``X exposes no delegates``), whether it discovers the
accounts a business or org controls, whether it can tell whose token is configured, and whether
it looks handles up. Sources that serve no platform (the people directory, the vault, the
register, registration data) declare the facets they provide for every asset.

:class:`CapabilityRegistry` is built from those declarations (constructed and passed, never a
module-level table). The collectors state ``not_exposed`` from it (:meth:`CapabilityRegistry.
not_exposed`), the engine computes which collectors a run needs from it
(:mod:`auditor.engine.source_needs`), and ``brand-audit checks --coverage`` prints the check x
platform table from it (:func:`coverage_table`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from auditor.core.completeness import Completeness, Facet


@dataclass(frozen=True)
class PlatformCapability:
    """What one collector reads on one platform."""

    platform: str
    """The inventory platform name (``x``, ``meta``, ``instagram`` ...)."""
    provides: frozenset[Facet]
    """The facets the collector reads for this platform's accounts."""
    not_exposed: Mapping[Facet, str] = field(default_factory=lambda: MappingProxyType({}))
    """Facets the platform offers no way to read, each with the reason (one sentence)."""
    discovery: bool = False
    """It lists the accounts the company's business, org or token controls."""
    token_owner: bool = False
    """It can tell which account the configured token belongs to."""
    handle_lookup: bool = False
    """It looks handles up (lookalike candidates, claimable brand handles)."""

    @property
    def readable(self) -> frozenset[Facet]:
        """Every facet it can read on this platform: ``provides``, plus ``discovery`` when it
        lists the accounts the company controls (stated per platform in
        ``Evidence.discovery``, not per account)."""
        return self.provides | ({Facet.DISCOVERY} if self.discovery else frozenset())


@dataclass(frozen=True)
class Capabilities:
    """One collector's declaration."""

    source: str
    """The collector's source name (``SourceReport.name``)."""
    platforms: tuple[PlatformCapability, ...] = ()
    """Per platform served, what it reads and what the platform does not expose."""
    facets: frozenset[Facet] = frozenset()
    """Facets it provides regardless of platform (records, registration data)."""

    def platform(self, name: str) -> PlatformCapability | None:
        """The declaration for platform ``name``; None when the collector does not serve it."""
        return next((p for p in self.platforms if p.platform == name), None)

    def served(self) -> tuple[str, ...]:
        """The platforms served, in declaration order."""
        return tuple(p.platform for p in self.platforms)

    def stated(
        self, platform: str, read: Mapping[Facet, Completeness]
    ) -> dict[Facet, Completeness]:
        """The full statement for one account of ``platform`` read without a source-wide error:
        every facet the platform does not expose as ``not_exposed``, every facet provided as
        ``read`` says, and ``complete`` for a provided facet the read raised nothing about.
        A facet in ``read`` that is neither provided nor not exposed is kept as stated."""
        declared = self.platform(platform)
        if declared is None:
            return dict(read)
        result = {facet: Completeness.not_exposed(platform) for facet in declared.not_exposed}
        for facet in declared.provides:
            result[facet] = read.get(facet, Completeness.complete())
        for facet, state in read.items():
            result.setdefault(facet, state)
        return result

    def unread(self, platform: str, reason: str) -> dict[Facet, Completeness]:
        """The statement for an account of ``platform`` that could not be read at all: every
        facet provided ``unknown(reason)``, every facet not exposed still ``not_exposed``."""
        declared = self.platform(platform)
        if declared is None:
            return {}
        result = {facet: Completeness.not_exposed(platform) for facet in declared.not_exposed}
        result.update({facet: Completeness.unknown(reason) for facet in declared.provides})
        return result


class Verdict(StrEnum):
    """One cell of the check x platform table."""

    VERIFIED = "can be verified"
    NOT_EXPOSED = "not exposed"
    NOT_APPLICABLE = "not applicable"
    NO_COLLECTOR = "no collector"
    UNDECLARED = "undeclared"


@dataclass(frozen=True)
class Cell:
    """Whether one check can be decided on one platform, and why not."""

    verdict: Verdict
    """The cell's state."""
    reason: str | None = None
    """For ``not exposed`` and ``no collector``: the platform's reason or the missing facets."""

    def describe(self) -> str:
        """``not exposed (X exposes no delegates)`` style text."""
        return (
            self.verdict.value if self.reason is None else f"{self.verdict.value} ({self.reason})"
        )


@dataclass(frozen=True)
class CapabilityRegistry:
    """Every collector's declaration, constructed once and passed."""

    declared: tuple[Capabilities, ...]
    """The declarations, one per collector."""

    def of(self, source: str) -> Capabilities | None:
        """The declaration of collector ``source``."""
        return next((c for c in self.declared if c.source == source), None)

    def platforms(self) -> tuple[str, ...]:
        """Every platform some collector serves, in declaration order."""
        return tuple(dict.fromkeys(p for c in self.declared for p in c.served()))

    def platform_facets(self) -> frozenset[Facet]:
        """Facets that belong to a platform's accounts (provided or not exposed on one)."""
        return frozenset(
            facet
            for c in self.declared
            for p in c.platforms
            for facet in (*p.readable, *p.not_exposed)
        )

    def account_facets(self) -> frozenset[Facet]:
        """Facets read from the accounts themselves: what the collectors that read accounts
        (their identity) provide or declare not exposed on any platform."""
        return frozenset(
            facet
            for c in self.declared
            for p in c.platforms
            if Facet.IDENTITY in p.provides
            for facet in (*p.readable, *p.not_exposed)
        )

    def not_exposed_reason(self, platform: str, facet: Facet) -> str | None:
        """Why ``platform`` does not expose ``facet``; None when some collector reads it there
        or nobody declared it unexposed."""
        reasons = []
        for capabilities in self.declared:
            declared = capabilities.platform(platform)
            if declared is None:
                continue
            if facet in declared.readable:
                return None
            if facet in declared.not_exposed:
                reasons.append(declared.not_exposed[facet])
        return reasons[0] if reasons else None

    def not_exposed(self, platform: str, facet: Facet) -> Completeness | None:
        """``not_exposed(platform)`` when the registry says ``platform`` does not expose
        ``facet``; None otherwise (a collector then states what it read)."""
        if self.not_exposed_reason(platform, facet) is None:
            return None
        return Completeness.not_exposed(platform)

    def providers(self, facets: Iterable[Facet]) -> tuple[str, ...]:
        """The collectors that provide any of ``facets`` (on any platform or for every asset)."""
        wanted = frozenset(facets)
        return tuple(
            c.source
            for c in self.declared
            if wanted & c.facets or any(wanted & p.readable for p in c.platforms)
        )

    def cell(self, facets: Sequence[Facet], platform: str) -> Cell:
        """Whether a check reading ``facets`` can be decided on ``platform``."""
        if not facets:
            return Cell(Verdict.UNDECLARED)
        if not frozenset(facets) & self.platform_facets():
            return Cell(Verdict.NOT_APPLICABLE)
        hidden = [
            reason
            for facet in facets
            if (reason := self.not_exposed_reason(platform, facet)) is not None
        ]
        if hidden:
            return Cell(Verdict.NOT_EXPOSED, "; ".join(dict.fromkeys(hidden)))
        missing = [f.value for f in facets if not self._provided(f, platform)]
        if missing:
            return Cell(Verdict.NO_COLLECTOR, ", ".join(missing))
        return Cell(Verdict.VERIFIED)

    def _provided(self, facet: Facet, platform: str) -> bool:
        for capabilities in self.declared:
            if facet in capabilities.facets:
                return True
            declared = capabilities.platform(platform)
            if declared is not None and facet in declared.readable:
                return True
        return False


def coverage_rows(
    registry: CapabilityRegistry, checks: Iterable[tuple[str, Sequence[Facet]]]
) -> list[tuple[str, list[Cell]]]:
    """The check x platform table: one row per ``(check id, facets it reads)``, one cell per
    platform of :meth:`CapabilityRegistry.platforms`."""
    platforms = registry.platforms()
    return [
        (check_id, [registry.cell(facets, p) for p in platforms]) for check_id, facets in checks
    ]


def coverage_table(
    registry: CapabilityRegistry, checks: Iterable[tuple[str, Sequence[Facet]]]
) -> str:
    """The check x platform table as Markdown (what ``brand-audit checks --coverage`` prints and
    the README shows)."""
    platforms = registry.platforms()
    lines = [
        "| check | " + " | ".join(platforms) + " |",
        "|---|" + "---|" * len(platforms),
    ]
    for check_id, cells in coverage_rows(registry, checks):
        lines.append(f"| {check_id} | " + " | ".join(c.describe() for c in cells) + " |")
    return "\n".join(lines) + "\n"
