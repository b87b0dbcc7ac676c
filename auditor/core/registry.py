"""The check registry: the ``@check`` decorator, check metadata, and the context checks read.

A check is a pure function ``(ctx: CheckContext) -> Iterable[Outcome]``. The decorator attaches a
:class:`CheckSpec` (id, title, category, severity, rationale, remediation, the evidence it needs)
to the function; :func:`build_registry` validates every spec when the registry is built (ids
follow ``category.slug``, category matches the prefix, text fields are not empty, ids are unique)
and raises :class:`RegistryError` naming the check otherwise. There is no global registry:
``checks.ALL_CHECKS`` lists the functions and the composition root builds one.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from auditor.core.completeness import Facet
from auditor.core.estate import AccountSpec, Estate, Policy
from auditor.core.evidence import Evidence, Profile
from auditor.core.models import Asset, Category, EvidenceRef, Facts, Outcome, Severity, Status

CHECK_ID = re.compile(r"^(?P<category>[a-z]+)\.[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCES = frozenset(
    {
        "inventory",
        "directory",
        "vault",
        "register",
        "hibp",
        "platform",
        "history",
        "baseline",
        "whois",
        "lookalikes",
        "handles",
        "collector",
    }
)
"""Evidence names a check may declare in ``needs``."""


class RegistryError(Exception):
    """A check's metadata is invalid (raised at load, naming the check)."""


@dataclass(frozen=True)
class Baseline:
    """An accepted profile state for one account."""

    account_key: str
    """Asset key."""
    profile: Profile
    """The accepted profile."""
    accepted_by: str
    """Who accepted it."""
    reason: str
    """Why."""
    accepted_at: datetime
    """When."""


@dataclass(frozen=True)
class PreviousRun:
    """What the last run saw, for change-based checks (new admins, deleted posts, drift)."""

    run_id: str
    """Its id."""
    finished_at: datetime
    """When it finished."""
    evidence: Evidence
    """Its evidence snapshot."""


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read. Checks never fetch."""

    evidence: Evidence
    """This run's evidence."""
    estate: Estate
    """The declared estate."""
    policy: Policy
    """Thresholds and lists."""
    now: datetime
    """The run's reference time (aware UTC); checks never call ``datetime.now``."""
    previous: PreviousRun | None = None
    """The previous run of this estate, if any."""
    baselines: Mapping[str, Baseline] | None = None
    """Accepted profile baselines by account key."""

    def ref(self, source: str, observed_at: datetime | None = None, **facts: object) -> EvidenceRef:
        """An :class:`EvidenceRef` with flat facts (non-scalar values become strings)."""
        clean: Facts = {}
        for key, value in facts.items():
            if value is None or isinstance(value, str | int | float | bool):
                clean[key] = value
            elif isinstance(value, list | tuple):
                clean[key] = [
                    v if isinstance(v, str | int | float | bool) else str(v) for v in value
                ]
            else:
                clean[key] = str(value)
        return EvidenceRef(source=source, observed_at=observed_at or self.now, facts=clean)


CheckFunc = Callable[[CheckContext], Iterable[Outcome]]
"""The shape of a check function."""


@dataclass(frozen=True)
class CheckSpec:
    """A check's metadata and its function."""

    id: str
    """Catalog id (CHECKS.md)."""
    title: str
    """One-line title."""
    category: Category
    """Category (the id's prefix)."""
    severity: Severity
    """Default severity."""
    rationale: str
    """The risk it addresses, for people."""
    remediation: str
    """What to do when it fails."""
    needs: tuple[str, ...]
    """Evidence it reads (names from :data:`SOURCES`)."""
    func: CheckFunc
    """The pure function."""
    facets: tuple[Facet, ...] = ()
    """The evidence facets it reads; a pass needs every one ``complete``. The coverage table
    (check x platform) and source needs are computed from these and the collectors'
    capabilities."""

    @property
    def documentation(self) -> str:
        """The family's module docstring followed by the check's own docstring."""
        module = sys.modules.get(self.func.__module__)
        family = inspect.getdoc(module) if module else ""
        own = inspect.getdoc(self.func) or ""
        return "\n\n".join(part for part in (own, family) if part)


_SPEC_ATTR = "__check_spec__"


def check(
    *,
    id: str,
    title: str,
    severity: Severity,
    rationale: str,
    remediation: str,
    needs: Sequence[str],
    facets: Sequence[Facet] = (),
) -> Callable[[Callable[[CheckContext], Iterable[Outcome]]], CheckFunc]:
    """Declare a check. The function is returned unchanged with its spec attached."""

    def decorate(func: Callable[[CheckContext], Iterable[Outcome]]) -> CheckFunc:
        match = CHECK_ID.match(id)
        category = (
            Category(match.group("category")) if match and _known(match.group("category")) else None
        )
        spec = _PendingSpec(
            id, title, category, severity, rationale, remediation, tuple(needs), tuple(facets)
        )
        setattr(func, _SPEC_ATTR, spec)
        return func

    return decorate


def _known(category: str) -> bool:
    return category in {c.value for c in Category}


@dataclass(frozen=True)
class _PendingSpec:
    id: str
    title: str
    category: Category | None
    severity: Severity
    rationale: str
    remediation: str
    needs: tuple[str, ...]
    facets: tuple[Facet, ...]


def spec_of(func: CheckFunc) -> CheckSpec:
    """Validate and return the spec attached to ``func``; :class:`RegistryError` otherwise."""
    pending = getattr(func, _SPEC_ATTR, None)
    name = getattr(func, "__qualname__", repr(func))
    if not isinstance(pending, _PendingSpec):
        raise RegistryError(f"{name}: not decorated with @check")
    if pending.category is None or not CHECK_ID.match(pending.id):
        raise RegistryError(f"{pending.id}: id must be '<category>.<slug>' with a known category")
    for label in ("title", "rationale", "remediation"):
        if not str(getattr(pending, label)).strip():
            raise RegistryError(f"{pending.id}: {label} is empty")
    if not isinstance(pending.severity, Severity):
        raise RegistryError(f"{pending.id}: severity must be a Severity")
    unknown = [n for n in pending.needs if n not in SOURCES]
    if not pending.needs or unknown:
        raise RegistryError(f"{pending.id}: needs must name evidence from {sorted(SOURCES)}")
    if not all(isinstance(f, Facet) for f in pending.facets):
        raise RegistryError(f"{pending.id}: facets must be Facet values")
    if not (inspect.getdoc(func) or "").strip():
        raise RegistryError(f"{pending.id}: the check function needs a docstring")
    return CheckSpec(
        id=pending.id,
        title=pending.title,
        category=pending.category,
        severity=pending.severity,
        rationale=pending.rationale,
        remediation=pending.remediation,
        needs=pending.needs,
        func=func,
        facets=pending.facets,
    )


@dataclass(frozen=True)
class Registry:
    """The validated checks of one process, in catalog order."""

    specs: tuple[CheckSpec, ...]
    """All checks."""

    def get(self, check_id: str) -> CheckSpec | None:
        """The check with this id."""
        return next((s for s in self.specs if s.id == check_id), None)

    def select(self, only: Sequence[str] | None) -> tuple[CheckSpec, ...]:
        """Checks named by id or category in ``only`` (all when empty); unknown names raise
        :class:`KeyError` with the name."""
        if not only:
            return self.specs
        chosen: list[CheckSpec] = []
        for name in only:
            matched = [s for s in self.specs if name in (s.id, s.category.value)]
            if not matched:
                raise KeyError(name)
            chosen.extend(s for s in matched if s not in chosen)
        return tuple(s for s in self.specs if s in chosen)


def build_registry(funcs: Iterable[CheckFunc]) -> Registry:
    """Validate every check and refuse duplicates."""
    specs = [spec_of(f) for f in funcs]
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise RegistryError(f"{spec.id}: registered twice")
        seen.add(spec.id)
    return Registry(specs=tuple(specs))


def outcome(
    ctx: CheckContext,
    asset: Asset,
    status: Status,
    detail: str,
    *,
    source: str,
    subject: str = "",
    observed_at: datetime | None = None,
    severity: Severity | None = None,
    **facts: object,
) -> Outcome:
    """Shorthand used by checks to build an :class:`Outcome` with its evidence."""
    return Outcome(
        asset=asset,
        subject=subject,
        status=status,
        detail=detail,
        evidence=ctx.ref(source, observed_at, **facts),
        severity=severity,
    )


def account_specs(ctx: CheckContext, platforms: Iterable[str] | None = None) -> list[AccountSpec]:
    """Inventory accounts, optionally limited to ``platforms``."""
    wanted = set(platforms) if platforms is not None else None
    return [a for a in ctx.estate.accounts if wanted is None or a.platform in wanted]
