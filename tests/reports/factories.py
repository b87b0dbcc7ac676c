"""Synthetic audit runs for the report tests: small and realistic, hostile, or large."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from auditor.core.completeness import SourceStatus
from auditor.core.models import (
    Asset,
    AuditRun,
    Category,
    Change,
    EvidenceRef,
    Facts,
    Finding,
    Mute,
    Severity,
    SourceProblem,
    SourceReport,
    Status,
    fingerprint,
)
from reports import CheckInfo, RunSummary

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
STARTED = NOW - timedelta(minutes=2)

HOSTILE_BIO = (
    "Giveaway! <script>window.__pwned=1;alert(1)</script>"
    '<img src=x onerror="window.__pwned=2">'
    '<a href="javascript:window.__pwned=3">claim</a>'
)
HOSTILE_POST = (
    '</td></tr></table><svg onload="window.__pwned=4"></svg>'
    '<iframe src="javascript:window.__pwned=5"></iframe>{{ 7*7 }} send 1 BTC'
)
HOSTILE_LINK = "javascript:window.__pwned=6"

X_MAIN = Asset.account("x", "northwind", "1500000000000000001")
X_DEALS = Asset.account("x", "northwind_deals", "1500000000000000002")
META_PAGE = Asset.account("meta", "northwindoutfitters", "200000000000001")
YOUTUBE = Asset.account("youtube", "@northwind", "UCnorthwind000000000000001")
DOMAIN = Asset.for_domain("northwind.example")
VAULT = Asset.source("vault")

TITLES = {
    "content.scam-pattern": ("Scam pattern in a post", Category.CONTENT, Severity.CRITICAL),
    "content.profile-changed": ("Profile changed", Category.CONTENT, Severity.HIGH),
    "access.departed-admin": ("Departed admin", Category.ACCESS, Severity.CRITICAL),
    "access.external-admin": ("External admin", Category.ACCESS, Severity.HIGH),
    "auth.2fa-missing": ("No second factor", Category.AUTH, Severity.CRITICAL),
    "auth.password-weak": ("Weak password", Category.AUTH, Severity.HIGH),
    "ownership.registration-email-external": (
        "Registered to an external email",
        Category.OWNERSHIP,
        Severity.HIGH,
    ),
    "access.single-admin": ("Only one full admin", Category.ACCESS, Severity.MEDIUM),
    "domain.expiring": ("Domain expiring", Category.DOMAIN, Severity.CRITICAL),
    "domain.dnssec-off": ("DNSSEC off", Category.DOMAIN, Severity.LOW),
    "coverage.collection-failed": ("Source failed", Category.COVERAGE, Severity.MEDIUM),
}


def finding(
    check_id: str,
    asset: Asset,
    status: Status = Status.FAIL,
    *,
    subject: str = "",
    detail: str | None = None,
    severity: Severity | None = None,
    change: Change = Change.PERSISTING,
    first_seen: datetime | None = None,
    facts: Facts | None = None,
    source: str = "x",
    mute: Mute | None = None,
) -> Finding:
    """One stamped result."""
    title, category, default = TITLES.get(check_id, (check_id, Category.COVERAGE, Severity.LOW))
    fp = fingerprint(check_id, asset, subject)
    muted_status = status if mute is not None else None
    return Finding(
        check_id=check_id,
        category=category,
        severity=severity or default,
        status=Status.MUTED if mute is not None else status,
        asset=asset,
        subject=subject,
        title=title,
        detail=detail or f"{title} on {asset.key} ({status.value}).",
        evidence=EvidenceRef(source=source, observed_at=NOW, facts=facts or {}),
        remediation=f"Fix {check_id}.",
        fingerprint=fp,
        first_seen=first_seen or (NOW if change is Change.NEW else NOW - timedelta(days=3)),
        change=change,
        muted_status=muted_status,
        mute=mute,
    )


def mute_for(check_id: str, asset: Asset, subject: str = "", days: int = 5) -> Mute:
    """A mute expiring in ``days``."""
    return Mute(
        fingerprint=fingerprint(check_id, asset, subject),
        reason="Agency contract ends in December",
        owner="alice.ng@northwind.example",
        expires=NOW + timedelta(days=days),
        created_at=NOW - timedelta(days=20),
    )


def demo_findings() -> list[Finding]:
    """A realistic small mix: every status, new, regressed, resolved, muted, hostile text."""
    mute = mute_for("access.external-admin", META_PAGE, "mallory.k@gmail.com")
    return [
        finding(
            "content.scam-pattern",
            X_MAIN,
            subject="1860000000000000001",
            detail=f"Post 1860000000000000001 says: {HOSTILE_POST}",
            change=Change.NEW,
            first_seen=NOW,
            facts={"post_text": HOSTILE_POST, "link": HOSTILE_LINK, "url": "https://x.example/p/1"},
        ),
        finding(
            "content.profile-changed",
            X_MAIN,
            subject="bio",
            detail=f"The bio changed to: {HOSTILE_BIO}",
            change=Change.NEW,
            first_seen=NOW,
            facts={"bio": HOSTILE_BIO, "link": "javascript:alert(1)"},
        ),
        finding(
            "access.departed-admin",
            META_PAGE,
            subject="ben.ortiz@northwind.example",
            detail="ben.ortiz@northwind.example left on 2026-08-31 and still holds ADMIN.",
            change=Change.NEW,
            first_seen=NOW - timedelta(days=30),  # failed before, was resolved: regressed
            source="meta",
        ),
        finding(
            "access.external-admin",
            META_PAGE,
            subject="mallory.k@gmail.com",
            detail="mallory.k@gmail.com holds MANAGE.",
            source="meta",
            mute=mute,
        ),
        finding("auth.2fa-missing", META_PAGE, detail="Business two_factor_type is none."),
        finding("auth.2fa-missing", X_MAIN, Status.PASS),
        finding(
            "ownership.registration-email-external",
            X_DEALS,
            severity=Severity.CRITICAL,
            subject="northwind.deals@gmail.com",
            detail="Registered to northwind.deals@gmail.com (free mail).",
        ),
        finding(
            "access.single-admin",
            YOUTUBE,
            Status.NOT_VERIFIED,
            detail="YouTube does not expose channel managers.",
            source="youtube",
        ),
        finding(
            "auth.2fa-missing",
            YOUTUBE,
            Status.NOT_VERIFIED,
            detail="No 2FA evidence for the channel.",
            source="youtube",
        ),
        finding("domain.expiring", DOMAIN, Status.PASS, source="whois"),
        finding(
            "domain.dnssec-off",
            DOMAIN,
            Status.PASS,
            change=Change.RESOLVED,
            detail="DNSSEC is signed now.",
            source="whois",
        ),
        finding("auth.password-weak", X_DEALS, Status.PASS, source="vault"),
        finding("auth.password-weak", X_MAIN, Status.PASS, source="vault"),
        finding(
            "coverage.collection-failed",
            VAULT,
            Status.NOT_VERIFIED,
            detail="The vault could not be read.",
            source="vault",
        ),
    ]


def make_run(findings: list[Finding] | None = None, **changes: object) -> AuditRun:
    """An AuditRun around ``findings`` (default: :func:`demo_findings`)."""
    items = demo_findings() if findings is None else findings
    assets = tuple({f.asset.key: f.asset for f in items}.values())
    run = AuditRun(
        id="20261122T120000Z-abcd",
        started_at=STARTED,
        finished_at=NOW,
        tool_version="0.1.0",
        config_digest="f" * 64,
        estate_name="Northwind <Outfitters> & Co",
        assets=assets,
        findings=tuple(items),
        sources=(
            SourceReport("x", SourceStatus.COMPLETE, NOW, requests=12, duration_s=0.4),
            SourceReport(
                "youtube",
                SourceStatus.PARTIAL,
                NOW,
                problems=(
                    SourceProblem(
                        "permission",
                        "managers are not exposed",
                        YOUTUBE.key,
                        "youtube.readonly",
                    ),
                ),
            ),
            SourceReport(
                "vault",
                SourceStatus.FAILED,
                NOW,
                problems=(SourceProblem("malformed", "not a Bitwarden export"),),
            ),
        ),
        checks_run=tuple(sorted({f.check_id for f in items})),
        previous_run_id="20261121T120000Z-0000",
    )
    return replace(run, **changes)  # type: ignore[arg-type]


def history(count: int = 4) -> list[RunSummary]:
    """Earlier runs, one a day."""
    return [
        RunSummary(
            run_id=f"2026111{i}T120000Z-0000",
            finished_at=NOW - timedelta(days=count - i),
            open_by_severity={"critical": i, "high": 2, "medium": 1},
            by_status={"fail": i + 3, "pass": 10},
            new=1,
            resolved=0,
            risk_score=10.0 + i if i else None,
        )
        for i in range(count)
    ]


def check_infos() -> dict[str, CheckInfo]:
    """Check reference entries for the checks above."""
    return {
        cid: CheckInfo(title, f"Risk addressed by {cid}.", f"Fix {cid}.", cat.value)
        for cid, (title, cat, _) in TITLES.items()
    }


def large_run(count: int = 10_000, seed: int = 7) -> AuditRun:
    """``count`` synthetic results over ~count/20 assets, a realistic mix of statuses."""
    rnd = random.Random(seed)
    platforms = ["x", "meta", "instagram", "linkedin", "youtube", "github", "mastodon", "bluesky"]
    assets = [
        Asset.account(platforms[i % len(platforms)], f"brand{i:04d}", str(10_000 + i))
        for i in range(max(1, count // 20))
    ]
    checks = list(TITLES)
    weights = [0.35, 0.45, 0.12, 0.08]  # fail, pass, not_verified, muted
    items: list[Finding] = []
    for i in range(count):
        asset = rnd.choice(assets)
        check_id = rnd.choice(checks)
        status = rnd.choices(
            [Status.FAIL, Status.PASS, Status.NOT_VERIFIED, Status.MUTED], weights
        )[0]
        subject = f"person{i}@example.com"
        mute = (
            mute_for(check_id, asset, subject, days=rnd.randint(1, 60))
            if status is Status.MUTED
            else None
        )
        items.append(
            finding(
                check_id,
                asset,
                Status.FAIL if mute else status,
                subject=subject,
                detail=f"{subject} holds ADMIN on {asset.handle} since 2026-0{1 + i % 9}-1{i % 10}.",
                change=rnd.choice([Change.NEW, Change.PERSISTING, Change.PERSISTING]),
                facts={"role": "ADMIN", "email": subject, "profile": f"https://x.example/{i}"},
                source=asset.platform or "x",
                mute=mute,
            )
        )
    return make_run(items)
