"""The exact results a reader gets, frozen: every check (the domain family aside) over three
worlds (healthy, risky, degraded), compared field by field with ``golden_outcomes.json``.

A detail sentence, a subject, a source or a fact is what a security team reads and what a
finding's fingerprint is made of: a change to any of them must be deliberate. After such a change
regenerate the file and review its diff::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/checks/test_golden_outcomes.py
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from content_factories import launch, post, profile, register, window
from factories import (
    NOW,
    ORG,
    PARTIAL,
    TRUNCATED,
    UNREADABLE,
    account_evidence,
    account_spec,
    app,
    demo_directory,
    discovered,
    failed_source,
    not_exposed,
    partial_source,
    person,
    role,
    source_report,
    vault,
    vault_item,
    with_facets,
)
from test_fail_closed import healthy_account, judged, world

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import Attestation, DomainSpec, Estate, Policy, TwoFactorMethod
from auditor.core.evidence import (
    AccountState,
    Evidence,
    HandleProbe,
    LookalikeDomain,
    LookalikeScan,
    PersonStatus,
    TwoFactorPolicy,
)
from auditor.core.models import Outcome, SourceProblem
from auditor.core.registry import Baseline, CheckContext, PreviousRun

GOLDEN = Path(__file__).with_name("golden_outcomes.json")
COMPLETE = Completeness.complete()

BEN = role("301", email="ben.ortiz@northwind.example", name="Ben Ortiz", two_factor=False)
ALICE = role("302", email="alice.ng@northwind.example", name="Alice Ng", two_factor=True)
MALLORY = role("304", email="mallory.k@gmail.com", name="Mallory K", full_admin=False)
NOMAIL = role("urn:li:person:zz9", role="ADMINISTRATOR", two_factor=None)
BOT = role("900", name="Publishing bot", is_system=True)


def _risky_accounts() -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """Inventory, this run's evidence and the previous run's, with planted failures."""
    page = account_spec(
        "meta",
        "northwindoutfitters",
        "200000000000001",
        expected_admins=("alice.ng@northwind.example", "ben.ortiz@northwind.example"),
        registered_email="mallory.k@gmail.com",
        vault_item="meta-page",
        two_factor=Attestation(TwoFactorMethod.SMS, date(2025, 1, 10), "ben"),
        owner_name="Brightside Media",
    )
    deals = account_spec(
        "x",
        "northwind_deals",
        "1500000000000000002",
        registered_email="erin.cho@northwind.example",
        vault_item="x-deals",
        two_factor=Attestation(TwoFactorMethod.TOTP, date(2027, 1, 5)),
        last_access_review=None,
    )
    labs = account_spec(
        "linkedin",
        "northwind-co",
        "77",
        vault_item="missing-item",
        last_access_review=(NOW + timedelta(days=3)).date(),
        expected_admins=("urn:li:person:zz9=frank.li@northwind.example",),
    )
    bsky = account_spec("bluesky", "northwind.example", "did:plc:recorded", vault_item=None)
    escalated = replace(MALLORY, full_admin=True, privilege=3, role="MANAGE")
    page_now = account_evidence(
        "meta",
        "northwindoutfitters",
        account_id="200000000000001",
        token_account_id="999",
        roles=(BEN, ALICE, escalated, BOT, MALLORY),
        apps=(app("a9", "Growth Hacker", can_admin=True), app("a1", "Reader", can_publish=False)),
        two_factor_policy=TwoFactorPolicy("none", "two_factor_type"),
        owned_by_company=False,
        owner_name="Brightside Media",
        missing_scopes=("business_management",),
        profile=profile(
            bio="Send 1 BTC to bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh get 2 back",
            link="http://192.168.0.10/claim",
            verified=False,
        ),
        posts=(
            post("p1", "Call +1 415 555 0142 or mail jane.doe@example.com", hours_ago=1),
            post("p2", "Aurora X2 arrives soon!", hours_ago=2),
            post("p3", "See https://bit.ly/x1 now", hours_ago=3),
            post("p4", "Giveaway at https://n0rthwind.example", hours_ago=4),
            post("p5", "hello", hours_ago=5),
        ),
    )
    page_before = account_evidence(
        "meta",
        "northwindoutfitters",
        account_id="200000000000001",
        roles=(BEN, ALICE, MALLORY),
        profile=profile(),
        posts=(
            post("old1", "Trail report", hours_ago=60),
            post("old2", "Gear list", hours_ago=90),
            post("old3", "Shop news", hours_ago=120),
            post("old4", "Hike day", hours_ago=150),
        ),
    )
    deals_now = account_evidence(
        "x", "northwind_deals", account_id="1500000000000000009", state=AccountState.SUSPENDED
    )
    labs_now = with_facets(
        account_evidence("linkedin", "northwind-co", account_id="77", roles=(NOMAIL,)),
        roles=TRUNCATED,
        posts=PARTIAL,
    )
    bsky_now = with_facets(
        account_evidence(
            "bluesky", "northwind.example", account_id="did:plc:recorded", handle_verified=False
        ),
        two_factor_policy=not_exposed("bluesky"),
        ownership=not_exposed("bluesky"),
    )
    return (page, deals, labs, bsky), (page_now, deals_now, labs_now, bsky_now), (page_before,)


def risky_world() -> CheckContext:
    specs, now, before = _risky_accounts()
    people = demo_directory()
    people = replace(
        people,
        people=(
            *people.people,
            person("mallory.k@gmail.com", PersonStatus.DEPARTED, departed_on=date(2026, 9, 1)),
            person("erin.cho@northwind.example", two_sv_enrolled=False, two_sv_enforced=True),
        ),
    )
    export = vault(
        vault_item(
            "meta-page",
            username="ben.ortiz@northwind.example",
            strength_score=1,
            password_length=9,
            breach_count=1234,
            reused_with=("x-deals",),
            has_totp=True,
            password_changed_at=NOW - timedelta(days=500),
        ),
        vault_item(
            "x-deals",
            breach_count=None,
            reused_with=("meta-page",),
            password_changed_at=NOW - timedelta(days=10),
            password_changed_exact=False,
        ),
        facets={Facet.VAULT: COMPLETE, Facet.BREACH: Completeness.partial("1 range failed")},
    )
    scan = LookalikeScan(
        "northwind.example",
        NOW,
        (
            LookalikeDomain("n0rthwind.example", "homoglyph", 0.93, True, "Anon Ltd", NOW),
            LookalikeDomain("northwlnd.example", "homoglyph", 0.9, None),
        ),
        generated=300,
        facets={Facet.LOOKALIKES: COMPLETE},
    )
    probes = (
        HandleProbe(
            "x",
            "n0rthwind",
            "northwind",
            "lookalike",
            NOW,
            True,
            "555",
            "N\u03bfrthwind",
            "confusable",
            facets={Facet.HANDLES: COMPLETE},
        ),
        HandleProbe(
            "x", "northwind", "northwind", "claim", NOW, False, facets={Facet.HANDLES: COMPLETE}
        ),
        HandleProbe(
            "mastodon",
            "northwind",
            "northwind",
            "claim",
            NOW,
            True,
            "666",
            facets={Facet.HANDLES: COMPLETE},
        ),
    )
    problem = SourceProblem("permission", "403", asset_key="account:linkedin:acme", scope="r_org")
    reports = (
        partial_source("meta"),
        failed_source("linkedin", kind="auth", detail="401 token expired"),
        source_report("x", problems=(problem,), requests=4),
    )
    evidence = Evidence(
        collected_at=NOW,
        sources={r.name: r for r in reports},
        people=people,
        vault=export,
        register=register(),
        accounts={
            **{s.asset.key: e for s, e in zip(specs, now, strict=True)},
            "account:x:stray": account_evidence(
                "x", "Stray", account_id="4242", missing_scopes=("tweet.read",)
            ),
        },
        discovered=(
            discovered("meta", "Northwind Outlet", "200000000000099"),
            discovered("meta", "northwindoutfitters", "200000000000001"),
        ),
        lookalikes={"northwind.example": scan},
        handles=probes,
        discovery={"meta": COMPLETE, "github": UNREADABLE},
    )
    previous = PreviousRun(
        "run-prev",
        NOW - timedelta(days=7),
        evidence=replace(evidence, accounts={specs[0].asset.key: before[0]}),
    )
    baseline = Baseline(
        specs[0].asset.key, profile(), "alice.ng@northwind.example", "review", NOW - timedelta(30)
    )
    estate = Estate(
        organization=ORG,
        accounts=specs,
        domains=(DomainSpec("northwind.example"), DomainSpec("northwind.shop")),
        launches=(launch(),),
        change_windows=(replace(window(["location"]), account_key=specs[0].asset.key),),
    )
    return CheckContext(
        evidence=evidence,
        estate=estate,
        policy=Policy(claim_platforms=("x", "mastodon", "github")),
        now=NOW + timedelta(minutes=1),  # every result shows when its evidence was read
        previous=previous,
        baselines={specs[0].asset.key: baseline},
    )


def second_risky_world() -> CheckContext:
    """Branches the first risky world does not take: the account's own second factor on and
    off, an attestation with its author, holders' methods and long role names, mailboxes
    enrolled, enforced or silent, no registration email at all, evidence read before the run."""
    earlier = NOW - timedelta(minutes=7)
    on = account_spec(
        "bluesky",
        "on.example",
        "did:plc:on",
        two_factor=Attestation(TwoFactorMethod.NONE, date(2026, 10, 1), "dev"),
        registered_email="dev.patel@northwind.example",
        expected_admins=("dev.patel@northwind.example",),
    )
    off = account_spec("bluesky", "off.example", "did:plc:off", registered_email=None)
    attested = account_spec(
        "x",
        "northwind_help",
        "15",
        two_factor=Attestation(TwoFactorMethod.SECURITY_KEY, date(2026, 11, 1), "alice"),
        registered_email="alice.ng@northwind.example",
        vault_item=None,
    )
    github = account_spec(
        "github", "northwind-labs", "91", registered_email="carla.diaz@northwind.example"
    )
    long_role = "ORGANIZATION_ADMINISTRATOR_WITH_BILLING_AND_SECURITY_MANAGER"
    holders = (
        role(
            "g1",
            email="carla.diaz@northwind.example",
            role=long_role,
            two_factor=True,
            two_factor_method="security_key_" + "k" * 40,
        ),
        role("g2", email="dev.patel@northwind.example", two_factor=True),
        role("g3", email="ghost@elsewhere.example", two_factor=False, pending=True),
    )
    evidence_items = (
        replace(
            account_evidence(
                "bluesky", "on.example", account_id="did:plc:on", account_two_factor=True
            ),
            observed_at=earlier,
        ),
        replace(
            account_evidence(
                "bluesky", "off.example", account_id="did:plc:off", account_two_factor=False
            ),
            observed_at=earlier,
        ),
        replace(
            with_facets(
                account_evidence("x", "northwind_help", account_id="15"),
                two_factor_policy=not_exposed("x"),
            ),
            observed_at=earlier,
        ),
        replace(
            account_evidence(
                "github",
                "northwind-labs",
                account_id="91",
                roles=holders,
                two_factor_policy=TwoFactorPolicy("admins", "two_factor_requirement_enabled"),
            ),
            observed_at=earlier,
        ),
    )
    people = replace(
        demo_directory(),
        observed_at=earlier,
        people=(
            person("alice.ng@northwind.example", two_sv_enrolled=True, two_sv_enforced=True),
            person("dev.patel@northwind.example", two_sv_enrolled=False, two_sv_enforced=False),
            person("carla.diaz@northwind.example", two_sv_enforced=True),
            person("social@northwind.example", two_sv_enrolled=True),
        ),
    )
    brand = account_spec("x", "northwind", "1")
    badge = account_spec("x", "northwind_shop", "2")
    insta = account_spec("instagram", "northwind", None, registered_email="brand@gmail.com")
    forum = account_spec(
        "mastodon", "northwind@social.example", None, registered_email="ghost@northwind.example"
    )
    toot = account_spec("mastodon", "brand@toot.example", None)
    toot_now = account_evidence(
        "mastodon",
        "brand@toot.example",
        account_id=None,
        token_account_id="31337",
        handle_verified=True,
    )
    brand_now = account_evidence(
        "x",
        "northwind",
        account_id="1",
        profile=profile(
            location=None,
            extra_links=("https://b.example", "https://a.example"),
            verified=True,
            verified_type="government",
        ),
        posts=(),
    )
    badge_now = account_evidence(
        "x", "northwind_shop", account_id="2", profile=profile(verified_type=None), posts=()
    )
    specs = (on, off, attested, github, brand, badge, insta, forum, toot)
    evidence = Evidence(
        collected_at=NOW,
        people=people,
        vault=replace(vault(vault_item("x-northwind_help")), observed_at=earlier),
        accounts={
            sp.asset.key: ev
            for sp, ev in zip(specs, (*evidence_items, brand_now, badge_now), strict=False)
        },
        handles=(
            HandleProbe(
                "x", "northwind", "northwind", "claim", NOW, None, facets={Facet.HANDLES: COMPLETE}
            ),
        ),
        lookalikes={
            "northwind.example": LookalikeScan(
                "northwind.example",
                earlier,
                (LookalikeDomain("northwind-help.example", "addition", 0.8, True),),
                generated=12,
                facets={Facet.LOOKALIKES: COMPLETE},
            )
        },
    )
    evidence = replace(evidence, accounts={**evidence.accounts, toot.asset.key: toot_now})
    baselines = {
        brand.asset.key: Baseline(
            brand.asset.key,
            profile(extra_links=("https://a.example",), avatar_hash=None),
            "alice",
            "review",
            NOW - timedelta(days=3),
        ),
        badge.asset.key: Baseline(
            badge.asset.key, profile(verified_type="unverified"), "alice", "r", NOW
        ),
    }
    return CheckContext(
        evidence=evidence,
        estate=Estate(organization=ORG, accounts=specs, domains=(DomainSpec("northwind.example"),)),
        policy=Policy(claim_platforms=("x",)),
        now=NOW,
        baselines=baselines,
    )


def _outcome(check_id: str, result: Outcome) -> dict[str, Any]:
    return {
        "check": check_id,
        "asset": result.asset.key,
        "asset_id": result.asset.id,
        "subject": result.subject,
        "status": result.status.value,
        "detail": result.detail,
        "source": result.evidence.source,
        "observed_at": result.evidence.observed_at.isoformat(),
        "severity": result.severity.value if result.severity else None,
        "facts": json.loads(json.dumps(result.evidence.facts, default=str)),
    }


def snapshot() -> dict[str, list[dict[str, Any]]]:
    worlds = {
        "healthy": world(account=healthy_account(), facets=None),
        "risky": risky_world(),
        "risky-2": second_risky_world(),
        "degraded": world(account=healthy_account(), facets=PARTIAL),
        "failed": world(account=None, facets=None, sources_failed=True),
    }
    return {
        name: [_outcome(spec.id, r) for spec in judged() for r in spec.func(ctx)]
        for name, ctx in worlds.items()
    }


def test_results_match_the_golden_file() -> None:
    found = snapshot()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", "utf-8")
    expected = json.loads(GOLDEN.read_text("utf-8"))
    for name, results in expected.items():
        assert len(found[name]) == len(results), name
        for got, want in zip(found[name], results, strict=True):
            assert got == want
