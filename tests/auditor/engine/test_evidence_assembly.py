"""Evidence assembly keeps the weaker completeness: a failed or partial Google Workspace never
hides behind the CSV directory, and discovery is stated per platform."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.collectors import capability_registry
from auditor.collectors.base import CollectorOutput
from auditor.collectors.records.google_workspace import merge_directories
from auditor.core.completeness import Completeness, Coverage, Facet, SourceStatus, facet_status
from auditor.core.evidence import PeopleDirectory, Person, PersonStatus
from auditor.core.models import SourceProblem, SourceReport
from auditor.engine.runner import assemble

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ALICE = Person("alice@northwind.example", "Alice", PersonStatus.ACTIVE)
CSV = PeopleDirectory("directory", NOW, (ALICE,), facets={Facet.DIRECTORY: Completeness.complete()})


def _providers() -> dict[str, frozenset[Facet]]:
    return {c.source: c.facets for c in capability_registry().declared}


def _out(report: SourceReport, *items: object) -> CollectorOutput:
    return CollectorOutput(report=report, items=tuple(items))  # type: ignore[arg-type]


def test_a_failed_workspace_leaves_the_merged_directory_unknown() -> None:
    csv = _out(SourceReport("directory", SourceStatus.COMPLETE, NOW), CSV)
    down = SourceProblem("server", "google_workspace: HTTP 503")
    workspace = _out(SourceReport("google_workspace", SourceStatus.FAILED, NOW, (down,)))
    evidence = assemble([csv, workspace], NOW, _providers())
    assert evidence.people is not None
    # the CSV still lists Alice as active, but the authoritative source was unreadable
    assert evidence.people.find("alice@northwind.example") == ALICE
    assert facet_status(evidence.people, Facet.DIRECTORY).state is Coverage.UNKNOWN
    assert facet_status(evidence.people, Facet.MAILBOX_TWO_FACTOR).state is Coverage.UNKNOWN


def test_without_providers_nothing_is_weakened_and_a_complete_read_stays_complete() -> None:
    csv = _out(SourceReport("directory", SourceStatus.COMPLETE, NOW), CSV)
    evidence = assemble([csv], NOW, _providers())
    assert evidence.people is CSV
    assert facet_status(evidence.people, Facet.DIRECTORY).is_complete


def test_merging_a_partial_workspace_keeps_partial() -> None:
    gap = Completeness.partial("1 mailbox(es) could not be read")
    workspace = PeopleDirectory(
        "google_workspace",
        NOW,
        (ALICE,),
        facets={Facet.DIRECTORY: gap, Facet.MAILBOX_TWO_FACTOR: gap},
    )
    merged = merge_directories([CSV, workspace])
    assert merged is not None
    assert merged.facets[Facet.DIRECTORY] == gap
    assert merged.facets[Facet.MAILBOX_TWO_FACTOR] == gap


def test_discovery_is_assembled_per_platform_keeping_the_weaker() -> None:
    report = SourceReport("meta", SourceStatus.PARTIAL, NOW)
    unread = Completeness.unknown("owned_pages: server: 503")
    first = CollectorOutput(report, (), {"meta": unread, "instagram": Completeness.complete()})
    second = CollectorOutput(
        SourceReport("github", SourceStatus.COMPLETE, NOW), (), {"github": Completeness.complete()}
    )
    evidence = assemble([first, second], NOW)
    assert evidence.discovery == {
        "meta": unread,
        "instagram": Completeness.complete(),
        "github": Completeness.complete(),
    }
