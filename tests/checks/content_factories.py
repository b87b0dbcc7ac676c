"""Hand-built evidence for the content check tests (profiles, posts, register, baselines).

Builds on :mod:`tests.checks.factories` (the demo organization, ``NOW``, account evidence) and
adds what the content family needs: brand domains, launches, change windows and baselines in the
estate, and a ready context for the flagship X account ``northwind``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from factories import NOW, ORG, account_evidence, account_spec, evidence

from auditor.core.completeness import Completeness, Facet
from auditor.core.estate import ChangeWindow, DomainSpec, Estate, Launch, Policy
from auditor.core.evidence import AccountEvidence, ContentRegister, Post, Profile, RegisterEntry
from auditor.core.registry import Baseline, CheckContext, PreviousRun

KEY = "account:x:northwind"
"""Asset key of the flagship account every helper defaults to."""

BRAND_DOMAINS = ("northwind.example", "northwind-outfitters.example", "northwindshop.example")


def profile(**kw: Any) -> Profile:
    """The flagship's healthy profile; override any field."""
    kw.setdefault("display_name", "Northwind Outfitters")
    kw.setdefault("bio", "Gear for every trail. Help: support@northwind.example")
    kw.setdefault("link", "https://northwind.example")
    kw.setdefault("avatar_hash", "sha256:avatar-1")
    kw.setdefault("banner_hash", "sha256:banner-1")
    kw.setdefault("location", "Oakland, CA")
    kw.setdefault("pinned_post_id", "1860000000000000001")
    kw.setdefault("verified", True)
    kw.setdefault("verified_type", "business")
    return Profile(**kw)


def post(
    post_id: str,
    text: str = "New trail guides are up on our site.",
    *,
    hours_ago: float = 2,
    **kw: Any,
) -> Post:
    """A post published ``hours_ago`` before ``NOW``."""
    return Post(id=post_id, created_at=NOW - timedelta(hours=hours_ago), text=text, **kw)


def account(
    *, posts: tuple[Post, ...] | None = (), profile_: Profile | None = None, **kw: Any
) -> AccountEvidence:
    """Evidence for x/northwind with the given posts and profile (healthy profile default)."""
    return account_evidence(
        "x", "northwind", posts=posts, profile=profile_ if profile_ is not None else profile(), **kw
    )


def entry(post_id: str | None = None, text: str | None = None, **kw: Any) -> RegisterEntry:
    """An approved-content register row for x/northwind."""
    kw.setdefault("platform", "x")
    kw.setdefault("handle", "northwind")
    kw.setdefault("approved_by", "alice.ng@northwind.example")
    return RegisterEntry(post_id=post_id, text=text, **kw)


def register(
    *entries: RegisterEntry, facets: dict[Facet, Completeness] | None = None
) -> ContentRegister:
    """The approved-content register, read in full unless ``facets`` says otherwise."""
    stated = {Facet.REGISTER: Completeness.complete()} if facets is None else facets
    return ContentRegister(
        source="register", observed_at=NOW, entries=tuple(entries), facets=stated
    )


def baseline(accepted: Profile, key: str = KEY) -> Baseline:
    """An accepted baseline for the account."""
    return Baseline(
        account_key=key,
        profile=accepted,
        accepted_by="alice.ng@northwind.example",
        reason="quarterly review",
        accepted_at=NOW - timedelta(days=20),
    )


def previous(*accounts: AccountEvidence, days_ago: float = 7) -> PreviousRun:
    """A previous run holding the given account evidence."""
    return PreviousRun(
        run_id="run-prev",
        finished_at=NOW - timedelta(days=days_ago),
        evidence=evidence(account_evidence=accounts),
    )


def launch(
    name: str = "Aurora X2 jacket",
    terms: Iterable[str] = ("Aurora X2", "Project Halcyon"),
    until: datetime | None = None,
) -> Launch:
    """An embargoed launch (embargo ends three days after ``NOW`` by default)."""
    return Launch(name=name, terms=tuple(terms), embargo_until=until or NOW + timedelta(days=3))


def window(fields: Iterable[str], *, starts_days: float = -1, ends_days: float = 1) -> ChangeWindow:
    """A change window for x/northwind around ``NOW``."""
    return ChangeWindow(
        account_key=KEY,
        starts=NOW + timedelta(days=starts_days),
        ends=NOW + timedelta(days=ends_days),
        fields=tuple(fields),
        reason="winter campaign",
    )


def ctx(
    *accounts: AccountEvidence,
    register_: ContentRegister | None = None,
    previous_: PreviousRun | None = None,
    baselines: Mapping[str, Baseline] | None = None,
    launches: Iterable[Launch] = (),
    windows: Iterable[ChangeWindow] = (),
    policy: Policy | None = None,
    now: datetime = NOW,
) -> CheckContext:
    """A context for x/northwind (inventory) with the given evidence and estate parts."""
    return CheckContext(
        evidence=evidence(account_evidence=accounts, register=register_),
        estate=Estate(
            organization=ORG,
            accounts=(account_spec("x", "northwind"),),
            domains=tuple(DomainSpec(d) for d in BRAND_DOMAINS),
            launches=tuple(launches),
            change_windows=tuple(windows),
        ),
        policy=policy or Policy(),
        now=now,
        previous=previous_,
        baselines=baselines,
    )
