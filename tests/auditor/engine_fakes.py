"""In-memory collectors, tiny checks and config builders for the engine's tests (store, runner,
mutes, CLI), so they do not depend on the real collectors or catalog."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from auditor.collectors import capability_registry
from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.config.loading import AppConfig, load_config
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import SourceStatus
from auditor.core.evidence import EvidenceItem, PeopleDirectory, Person, PersonStatus
from auditor.core.models import (
    Asset,
    AssetKind,
    Outcome,
    Severity,
    SourceProblem,
    SourceReport,
    Status,
)
from auditor.core.registry import CheckContext, Registry, build_registry, check, outcome

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass
class FakeCollector(Collector):
    """Returns canned items, or raises ``error``."""

    name: str = "directory"
    items: Sequence[EvidenceItem] = ()
    error: BaseException | None = None
    problems: tuple[SourceProblem, ...] = ()
    seen_previous: list[object] = field(default_factory=list)

    @property  # type: ignore[misc]
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        """The real collector's declaration for this name (a fake stands in for it)."""
        return capability_registry().of(self.name) or Capabilities(source=self.name)

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        self.seen_previous.append(ctx.previous)
        if self.error is not None:
            raise self.error
        report = SourceReport(
            self.name,
            SourceStatus.PARTIAL if self.problems else SourceStatus.COMPLETE,
            ctx.now,
            self.problems,
        )
        return CollectorOutput(report, tuple(self.items))


def people(**statuses: str) -> PeopleDirectory:
    """A directory where each keyword is a local part and its value a status."""
    return PeopleDirectory(
        source="directory",
        observed_at=T0,
        people=tuple(
            Person(f"{name}@acme.example", name, PersonStatus(status))
            for name, status in statuses.items()
        ),
    )


@check(
    id="access.fake-departed",
    title="Fake: person not active",
    severity=Severity.HIGH,
    rationale="Test check.",
    remediation="Remove them.",
    needs=["directory"],
)
def fake_departed(ctx: CheckContext) -> Iterable[Outcome]:
    """Fails for every directory person who is not active; not_verified without a directory."""
    org = Asset(kind=AssetKind.ORGANIZATION, handle="acme")
    if ctx.evidence.people is None:
        yield outcome(ctx, org, Status.NOT_VERIFIED, "No directory.", source="directory")
        return
    for person in ctx.evidence.people.people:
        status = Status.PASS if person.status is PersonStatus.ACTIVE else Status.FAIL
        yield outcome(
            ctx,
            org,
            status,
            f"{person.email} is {person.status}.",
            source="directory",
            subject=person.email,
        )


@check(
    id="coverage.fake-collection",
    title="Fake: source failed",
    severity=Severity.MEDIUM,
    rationale="Test check.",
    remediation="Fix the source.",
    needs=["collector"],
)
def fake_collection(ctx: CheckContext) -> Iterable[Outcome]:
    """Fails for each failed source (what coverage.collection-failed does)."""
    for name, report in ctx.evidence.sources.items():
        kinds = ",".join(p.kind for p in report.problems)
        status = Status.FAIL if report.status is SourceStatus.FAILED else Status.PASS
        yield outcome(
            ctx,
            Asset.source(name),
            status,
            f"{name}: {kinds or 'ok'}",
            source="collector",
            kinds=kinds,
        )


@check(
    id="domain.fake-crash",
    title="Fake: crashes",
    severity=Severity.LOW,
    rationale="Test check.",
    remediation="Fix the check.",
    needs=["whois"],
)
def fake_crash(ctx: CheckContext) -> Iterable[Outcome]:
    """Always raises."""
    raise ZeroDivisionError


def registry(*, crash: bool = False) -> Registry:
    """The fake checks (with the crashing one when asked)."""
    funcs = [fake_departed, fake_collection] + ([fake_crash] if crash else [])
    return build_registry(funcs)


def write_config(folder: Path, **extra: object) -> Path:
    """A minimal valid config file in ``folder``; ``extra`` adds top-level sections."""
    data: dict[str, object] = {
        "organization": {"name": "Acme", "email_domains": ["acme.example"]},
        "accounts": [{"platform": "x", "handle": "acme", "id": "1"}],
        "domains": [{"name": "acme.example"}],
        "storage": {"path": "audit.db"},
        **extra,
    }
    path = folder / "brand.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def config(folder: Path, **extra: object) -> AppConfig:
    """A loaded minimal config."""
    return load_config(write_config(folder, **extra))
