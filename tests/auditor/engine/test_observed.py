"""What the engine reads of the evidence: a not_verified result is marked structural only when every
facet it reads that was not read in full is not exposed; a source is seen in full only when complete."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.core.completeness import Completeness, Facet
from auditor.core.evidence import AccountEvidence, AccountState, Evidence
from auditor.core.models import Asset, EvidenceRef, Outcome, Status
from auditor.engine.observed import with_structural_mark

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ASSET = Asset.account("x", "northwind")


def evidence(**facets: Completeness) -> Evidence:
    stated = {Facet(name): state for name, state in facets.items()}
    account = AccountEvidence("x", "northwind", "x", NOW, AccountState.ACTIVE, facets=stated)
    return Evidence(collected_at=NOW, accounts={ASSET.key: account})


def result(status: Status) -> Outcome:
    return Outcome(ASSET, "", status, "detail", EvidenceRef("x", NOW, {}))


def test_a_platform_limit_is_marked_structural() -> None:
    ev = evidence(identity=Completeness.complete(), roles=Completeness.not_exposed("x"))
    marked = with_structural_mark(result(Status.NOT_VERIFIED), ev, (Facet.IDENTITY, Facet.ROLES))
    assert marked.evidence.facts["completeness"] == "not_exposed"


def test_a_read_that_failed_is_not_structural_even_beside_a_platform_limit() -> None:
    ev = evidence(roles=Completeness.not_exposed("x"), posts=Completeness.unknown("network"))
    marked = with_structural_mark(result(Status.NOT_VERIFIED), ev, (Facet.ROLES, Facet.POSTS))
    assert "completeness" not in marked.evidence.facts


def test_nothing_collected_is_not_structural_and_passes_and_fails_are_untouched() -> None:
    empty = Evidence(collected_at=NOW)
    assert (
        "completeness"
        not in with_structural_mark(
            result(Status.NOT_VERIFIED), empty, (Facet.ROLES,)
        ).evidence.facts
    )
    ev = evidence(roles=Completeness.not_exposed("x"))
    for status in (Status.PASS, Status.FAIL):
        assert with_structural_mark(result(status), ev, (Facet.ROLES,)).evidence.facts == {}


def test_a_source_is_seen_in_full_only_when_its_read_was_complete() -> None:
    """A 401 on the whole X source folds its earlier per-account gaps into one source-wide
    failure: those gaps are not resolved (found by bench/faults.py)."""
    from auditor.core.completeness import SourceStatus
    from auditor.core.models import SourceReport
    from auditor.engine.observed import in_view

    def seen(status: SourceStatus) -> bool:
        report = SourceReport("x", status, NOW)
        return in_view(Evidence(collected_at=NOW, sources={"x": report}), "source:x")

    assert seen(SourceStatus.COMPLETE)
    assert not seen(SourceStatus.PARTIAL)
    assert not seen(SourceStatus.FAILED)
    assert not in_view(Evidence(collected_at=NOW), "source:x")
