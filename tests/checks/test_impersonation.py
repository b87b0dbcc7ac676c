"""impersonation checks: a fail, a pass and a not_verified result for each."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import AccountSpec, DomainSpec, Estate, Organization, Policy
from auditor.core.evidence import Evidence, HandleProbe, LookalikeDomain, LookalikeScan
from auditor.core.models import AssetKind, Outcome, Status
from auditor.core.registry import CheckContext
from checks import impersonation

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
COMPLETE = Completeness.complete()
ESTATE = Estate(
    organization=Organization("Northwind Outfitters", ("northwind.example",)),
    accounts=(
        AccountSpec("x", "northwind", "1"),
        AccountSpec("mastodon", "northwind@social.example", "5"),
    ),
    domains=(
        DomainSpec("northwind.example"),
        DomainSpec("northwind-outfitters.example", lookalikes=False),
    ),
)


def ctx(
    *,
    scans: tuple[LookalikeScan, ...] = (),
    probes: tuple[HandleProbe, ...] = (),
    claim: tuple[str, ...] = (),
) -> CheckContext:
    evidence = Evidence(
        collected_at=NOW, lookalikes={s.brand_domain: s for s in scans}, handles=probes
    )
    return CheckContext(
        evidence=evidence, estate=ESTATE, policy=Policy(claim_platforms=claim), now=NOW
    )


def scan(*candidates: LookalikeDomain, state: Completeness = COMPLETE) -> LookalikeScan:
    """A scan of the brand domain, stated complete unless ``state`` says otherwise."""
    return LookalikeScan(
        "northwind.example", NOW, candidates, generated=5827, facets={Facet.LOOKALIKES: state}
    )


def candidate(name: str, registered: bool | None) -> LookalikeDomain:
    return LookalikeDomain(
        name, "homoglyph", 0.967, registered, "Anon Registrar Ltd" if registered else None, NOW
    )


def probe(
    handle: str,
    exists: bool | None,
    *,
    purpose: str = "lookalike",
    account_id: str | None = None,
    platform: str = "x",
    state: Completeness | None = None,
) -> HandleProbe:
    """A handle lookup, complete when it answered (``exists`` not None) unless ``state``."""
    stated = state or (COMPLETE if exists is not None else Completeness.unknown("timeout"))
    return HandleProbe(
        platform,
        handle,
        "northwind",
        purpose,
        NOW,
        exists,
        account_id,
        "N\u03bfrthwind",
        "confusable",
        facets={Facet.HANDLES: stated},
    )


def statuses(results: list[Outcome]) -> list[tuple[str, Status]]:
    return [(r.subject, r.status) for r in results]


def test_lookalike_domain_fail_names_each_registered_permutation() -> None:
    own = candidate("northwind-outfitters.example", True)  # a company domain: never reported
    results = list(
        impersonation.lookalike_domain(
            ctx(
                scans=(
                    scan(
                        candidate("n0rthwind.example", True),
                        candidate("nortwind.example", False),
                        own,
                    ),
                )
            )
        )
    )
    assert statuses(results) == [("n0rthwind.example", Status.FAIL)]
    assert (
        "Anon Registrar Ltd" in results[0].detail
        and results[0].asset.key == "domain:northwind.example"
    )


def test_lookalike_domain_pass_when_none_is_registered() -> None:
    results = list(
        impersonation.lookalike_domain(ctx(scans=(scan(candidate("nortwind.example", False)),)))
    )
    assert statuses(results) == [("", Status.PASS)]
    assert "5827" in results[0].detail


def test_lookalike_domain_not_verified_without_scan_or_with_failed_lookups() -> None:
    assert statuses(list(impersonation.lookalike_domain(ctx()))) == [("", Status.NOT_VERIFIED)]
    results = list(
        impersonation.lookalike_domain(ctx(scans=(scan(candidate("n0rthwind.example", None)),)))
    )
    assert statuses(results) == [("", Status.NOT_VERIFIED)]


def test_lookalike_handle_fail_for_a_stranger() -> None:
    results = list(
        impersonation.lookalike_handle(
            ctx(probes=(probe("n0rthwind", True, account_id="91"), probe("nortwind", False)))
        )
    )
    assert statuses(results) == [("n0rthwind", Status.FAIL)]
    assert results[0].asset.key == "account:x:northwind" and "N\u03bfrthwind" in results[0].detail


def test_lookalike_handle_pass_when_none_exists_or_it_is_ours() -> None:
    renamed = probe("northwind_support", True, account_id="1")  # the inventory account, renamed
    results = list(impersonation.lookalike_handle(ctx(probes=(renamed, probe("nortwind", False)))))
    assert statuses(results) == [("", Status.PASS)]


def test_lookalike_handle_not_verified() -> None:
    results = list(impersonation.lookalike_handle(ctx(probes=(probe("nortwind", None),))))
    assert statuses(results) == [("", Status.NOT_VERIFIED)]
    (nothing,) = impersonation.lookalike_handle(ctx())
    assert nothing.status is Status.NOT_VERIFIED and nothing.asset.kind is AssetKind.ORGANIZATION


def test_handle_unclaimed_fail_when_free_or_held_by_a_stranger() -> None:
    free = probe("northwind.bsky.social", False, purpose="claim", platform="bluesky")
    squatted = probe("northwind", True, purpose="claim", platform="x", account_id="666")
    results = list(
        impersonation.handle_unclaimed(ctx(probes=(free, squatted), claim=("bluesky", "x")))
    )
    assert statuses(results) == [("northwind.bsky.social", Status.FAIL), ("northwind", Status.FAIL)]
    assert "free" in results[0].detail and "666" in results[1].detail


def test_handle_unclaimed_pass_when_the_inventory_holds_it() -> None:
    ours = probe("northwind", True, purpose="claim", platform="mastodon", account_id="5")
    results = list(impersonation.handle_unclaimed(ctx(probes=(ours,), claim=("mastodon",))))
    assert statuses(results) == [("northwind", Status.PASS)]


def test_handle_unclaimed_not_verified() -> None:
    failed = probe("northwind", None, purpose="claim", platform="mastodon")
    results = list(
        impersonation.handle_unclaimed(ctx(probes=(failed,), claim=("mastodon", "instagram")))
    )
    assert statuses(results) == [
        ("northwind", Status.NOT_VERIFIED),
        ("instagram", Status.NOT_VERIFIED),
    ]
    assert list(impersonation.handle_unclaimed(ctx())) == []


def test_lookalike_domain_truncated_scan_is_not_a_pass() -> None:
    partial = scan(candidate("n0rthwind.example", False), state=Completeness.partial("cap hit"))
    (result,) = impersonation.lookalike_domain(ctx(scans=(partial,)))
    assert result.status is Status.NOT_VERIFIED
    assert "cap hit" in result.detail


def test_handle_unclaimed_a_free_answer_from_a_failed_lookup_is_not_a_fail() -> None:
    """A lookup that failed but left ``exists`` False must not call the handle free."""
    failed = probe("northwind", False, purpose="claim", state=Completeness.unknown("503"))
    (result,) = impersonation.handle_unclaimed(ctx(probes=(failed,), claim=("x",)))
    assert result.status is Status.NOT_VERIFIED
    assert "503" in result.detail


def test_lookalike_handle_partial_lookup_is_not_a_pass() -> None:
    shaky = probe("n0rthwind", False, state=Completeness.partial("rate limited"))
    results = list(impersonation.lookalike_handle(ctx(probes=(shaky,))))
    assert statuses(results) == [("", Status.NOT_VERIFIED)]
    assert "rate limited" in results[0].detail
