"""Fail closed, for every check at once: a world in which every check passes somewhere, then the
same world under each collector state that really occurs (partial, truncated listing, unknown,
not exposed, source failed). No check may keep a pass that rests on a facet it declared.

The allowed passes are listed with the reason they do not rest on a degraded facet.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from content_factories import BRAND_DOMAINS, entry, post, profile, register
from factories import (
    COMPLETE,
    NOW,
    ORG,
    PARTIAL,
    SOURCE_DOWN,
    TRUNCATED,
    UNREADABLE,
    account_evidence,
    account_spec,
    app,
    demo_directory,
    discovered,
    failed_source,
    not_exposed,
    role,
    source_report,
    vault,
    vault_item,
)

import checks
from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import (
    Attestation,
    DomainSpec,
    Estate,
    Policy,
    TwoFactorMethod,
)
from auditor.core.evidence import (
    AccountEvidence,
    Evidence,
    HandleProbe,
    LookalikeDomain,
    LookalikeScan,
    TwoFactorPolicy,
)
from auditor.core.models import Outcome, Status
from auditor.core.registry import CheckContext, CheckSpec, PreviousRun, build_registry

REGISTRY = build_registry(checks.ALL_CHECKS)
PAGE_ID = "200000000000001"
ALICE = role("302", email="alice.ng@northwind.example", name="Alice Ng", two_factor=True)
CARLA = role("303", email="carla.diaz@northwind.example", name="Carla Diaz", two_factor=True)

SPEC = account_spec(
    "meta",
    "northwindoutfitters",
    PAGE_ID,
    expected_admins=("alice.ng@northwind.example", "carla.diaz@northwind.example"),
    two_factor=Attestation(TwoFactorMethod.TOTP, (NOW - timedelta(days=20)).date(), "alice"),
    vault_item="meta-page",
    approved_apps=("Scheduler",),
    credential_holders=("alice.ng@northwind.example", "carla.diaz@northwind.example"),
)
POSTS = (
    post("p1", hours_ago=2),
    post("p2", hours_ago=40),
    post("p3", hours_ago=70),
    post("p4", hours_ago=100),
    post("p5", hours_ago=130),
)


def healthy_account() -> AccountEvidence:
    return account_evidence(
        "meta",
        "northwindoutfitters",
        account_id=PAGE_ID,
        token_account_id=PAGE_ID,
        roles=(ALICE, CARLA),
        apps=(app("a1", "Scheduler"),),
        two_factor_policy=TwoFactorPolicy("all", "two_factor_type"),
        owned_by_company=True,
        owner_name="Northwind Business",
        profile=profile(link="https://northwind.example", location="Oakland, CA"),
        posts=POSTS,
    )


def world(
    *,
    account: AccountEvidence | None,
    facets: Completeness | None,
    sources_failed: bool = False,
) -> CheckContext:
    """The healthy world; ``facets`` restates every facet of every item (None: as built)."""

    def restate(item: object) -> object:
        if item is None or facets is None:
            return item
        return replace(item, facets=dict.fromkeys(item.facets, facets))  # type: ignore[type-var]

    people = None if sources_failed else restate(demo_directory())
    export = None if sources_failed else restate(vault(vault_item("meta-page", breach_count=0)))
    approved = None if sources_failed else restate(register(*(entry(p.id) for p in POSTS)))
    approved = (
        replace(
            approved,
            entries=tuple(
                replace(e, platform="meta", handle="northwindoutfitters") for e in approved.entries
            ),
        )
        if approved is not None
        else None
    )
    scan = LookalikeScan(
        "northwind.example",
        NOW,
        (LookalikeDomain("n0rthwind.example", "homoglyph", 0.9, False),),
        generated=40,
        facets={Facet.LOOKALIKES: COMPLETE},
    )
    probes = (
        HandleProbe(
            "x", "n0rthwind", "northwind", "lookalike", NOW, False, facets={Facet.HANDLES: COMPLETE}
        ),
        HandleProbe(
            "meta",
            "northwindoutfitters",
            "northwindoutfitters",
            "claim",
            NOW,
            True,
            account_id=PAGE_ID,
            facets={Facet.HANDLES: COMPLETE},
        ),
    )
    accounts = {SPEC.asset.key: restate(account)} if account is not None else {}
    discovery = {"meta": facets or COMPLETE}
    names = ("meta", "directory", "vault", "register", "lookalikes", "handles")
    reports = [failed_source(n) if sources_failed else source_report(n) for n in names]
    evidence = Evidence(
        collected_at=NOW,
        sources={r.name: r for r in reports},
        people=people,  # type: ignore[arg-type]
        vault=export,  # type: ignore[arg-type]
        register=approved,  # type: ignore[arg-type]
        accounts=accounts,  # type: ignore[arg-type]
        discovered=() if sources_failed else (discovered("meta", "northwindoutfitters", PAGE_ID),),
        lookalikes={} if sources_failed else {"northwind.example": restate(scan)},  # type: ignore[dict-item]
        handles=() if sources_failed else tuple(restate(p) for p in probes),  # type: ignore[misc]
        discovery={} if sources_failed else discovery,
    )
    previous = PreviousRun(
        "run-prev",
        NOW - timedelta(days=1),
        evidence=replace(evidence, accounts={SPEC.asset.key: healthy_account()}),
    )
    return CheckContext(
        evidence=evidence,
        estate=Estate(
            organization=ORG,
            accounts=(SPEC,),
            domains=tuple(
                DomainSpec(d, lookalikes=d == "northwind.example") for d in BRAND_DOMAINS
            ),
        ),
        policy=Policy(claim_platforms=("meta",)),
        now=NOW,
        previous=previous,
    )


def judged() -> list[CheckSpec]:
    """Every check but the domain family (its owner states its own fail-closed tests)."""
    return [s for s in REGISTRY.specs if s.category.value != "domain"]


def passes(spec: CheckSpec, ctx: CheckContext) -> list[Outcome]:
    return [o for o in spec.func(ctx) if o.status is Status.PASS]


ALWAYS_ALLOWED = {
    "access.review-overdue": "reads the inventory only (no facet)",
    "coverage.collection-failed": "reads the sources' status, which is complete here",
    "coverage.evidence-stale": "the attestation is the inventory's own record",
    "auth.2fa-weak-method": "the attested method is the inventory's own record",
}
"""Checks whose passes rest on no platform facet in this world."""


def allowed(spec: CheckSpec, result: Outcome, state: str) -> bool:
    if spec.id in ALWAYS_ALLOWED:
        return True
    if spec.id == "ownership.unmanaged-account" and result.subject == PAGE_ID:
        return True  # a listed account that is in the inventory is a fact of what was read
    # where the platform exposes no policy, the attestation is the evidence
    return spec.id == "auth.2fa-missing" and state == "not_exposed"


def test_every_judged_check_passes_somewhere_in_the_healthy_world() -> None:
    ctx = world(account=healthy_account(), facets=None)
    silent = [s.id for s in judged() if not passes(s, ctx)]
    assert silent == []


STATES = {
    "partial": PARTIAL,
    "truncated": TRUNCATED,
    "unknown": UNREADABLE,
    "not_exposed": not_exposed("meta"),
}


@pytest.mark.parametrize("state", sorted(STATES))
@pytest.mark.parametrize("spec", judged(), ids=lambda s: s.id)
def test_no_pass_survives_a_degraded_facet(spec: CheckSpec, state: str) -> None:
    ctx = world(account=healthy_account(), facets=STATES[state])
    kept = [(o.subject, o.detail) for o in passes(spec, ctx) if not allowed(spec, o, state)]
    assert kept == []


@pytest.mark.parametrize("spec", judged(), ids=lambda s: s.id)
def test_no_pass_survives_every_source_failing(spec: CheckSpec) -> None:
    ctx = world(account=None, facets=SOURCE_DOWN, sources_failed=True)
    kept = [(o.subject, o.detail) for o in passes(spec, ctx) if not allowed(spec, o, "failed")]
    assert kept == []


def test_every_check_that_reads_evidence_declares_its_facets() -> None:
    bare = {s.id for s in REGISTRY.specs if not s.facets and s.category.value != "domain"}
    assert bare == {"access.review-overdue", "coverage.collection-failed"}
