"""Hand-built evidence for check tests: small functions with demo-estate defaults.

Every function returns a frozen contract value; pass keyword overrides for the fields a test is
about. ``make_ctx`` assembles a :class:`CheckContext` from inventory accounts and evidence parts,
``run`` evaluates one check and returns its outcomes as a list.

Example::

    spec = account_spec("meta", "northwindoutfitters", "200000000000001")
    ev = account_evidence("meta", "northwindoutfitters", roles=(role("1", email="a@x.example"),))
    ctx = make_ctx(accounts=(spec,), account_evidence=(ev,), people=directory(person("a@x.example")))
    outcomes = run(access.departed_admin, ctx)

Completeness: every builder states its facets ``complete`` unless told otherwise (as a healthy
collector does); ``facets={Facet.ROLES: PARTIAL}`` or :func:`with_facets` states the states that
really occur (a truncated listing, one facet unreadable, not exposed), and :func:`source_report`
builds any :class:`SourceStatus`, including a source read with a source-wide problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.estate import AccountSpec, Agency, Estate, Organization, Policy
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    ConnectedApp,
    DiscoveredAccount,
    Evidence,
    PeopleDirectory,
    Person,
    PersonStatus,
    RoleHolder,
    VaultEvidence,
    VaultItem,
)
from auditor.core.models import Outcome, SourceProblem, SourceReport, Status
from auditor.core.registry import CheckContext, CheckFunc, PreviousRun

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
"""The reference time of every test context."""

COMPLETE = Completeness.complete()
"""Read in full."""
TRUNCATED = Completeness.partial("the listing stopped at max_pages (5000 entries)")
"""A listing cut short by pagination limits."""
PARTIAL = Completeness.partial("page 3 answered 503")
"""Read, but one page failed."""
UNREADABLE = Completeness.unknown("server error 503")
"""Could not be read this time."""
SOURCE_DOWN = Completeness.unknown("the source failed: connection refused")
"""The whole source failed."""


def not_exposed(platform: str = "x") -> Completeness:
    """The platform offers no way to read the facet."""
    return Completeness.not_exposed(platform)


ACCOUNT_FACETS = (
    Facet.IDENTITY,
    Facet.PROFILE,
    Facet.POSTS,
    Facet.ROLES,
    Facet.MEMBER_TWO_FACTOR,
    Facet.APPS,
    Facet.TWO_FACTOR_POLICY,
    Facet.OWNERSHIP,
    Facet.REGISTRATION_EMAIL,
)
"""Facets a healthy platform collector states for an account (token owner only when asked)."""


def all_facets(
    facets: Iterable[Facet], state: Completeness = COMPLETE, **overrides: Completeness
) -> dict[Facet, Completeness]:
    """``state`` for every facet in ``facets``, with ``overrides`` by facet value name."""
    stated = dict.fromkeys(facets, state)
    stated.update({Facet(name): value for name, value in overrides.items()})
    return stated


def with_facets(item: Any, **states: Completeness) -> Any:
    """``item`` (any evidence dataclass) with some facets restated (``roles=TRUNCATED``)."""
    merged = dict(item.facets)
    merged.update({Facet(name): value for name, value in states.items()})
    return replace(item, facets=merged)


COMPANY_DOMAIN = "northwind.example"
AGENCY_DOMAIN = "brightside.example"

ORG = Organization(
    name="Northwind Outfitters",
    email_domains=(COMPANY_DOMAIN,),
    agencies=(Agency("Brightside Media", (AGENCY_DOMAIN,)),),
    public_emails=("support@northwind.example",),
    public_phones=("+1 415 555 0100",),
)
"""The demo organization."""


def account_spec(
    platform: str = "x",
    handle: str = "northwind",
    id: str | None = "1500000000000000001",
    **kw: Any,
) -> AccountSpec:
    """An inventory account (company-owned, registered to social@, reviewed recently)."""
    kw.setdefault("registered_email", "social@northwind.example")
    kw.setdefault("vault_item", f"{platform}-{handle}")
    kw.setdefault("last_access_review", (NOW - timedelta(days=30)).date())
    return AccountSpec(platform=platform, handle=handle, id=id, **kw)


def account_evidence(
    platform: str = "x",
    handle: str = "northwind",
    *,
    account_id: str | None = "1500000000000000001",
    state: AccountState = AccountState.ACTIVE,
    source: str | None = None,
    **kw: Any,
) -> AccountEvidence:
    """What a platform says about an account (active, resolving to ``account_id``), every facet
    complete unless ``facets`` says otherwise (the token owner only when ``token_account_id``
    is given)."""
    if "facets" not in kw:
        asked = (Facet.TOKEN_OWNER,) if kw.get("token_account_id") else ()
        kw["facets"] = all_facets((*ACCOUNT_FACETS, *asked))
    return AccountEvidence(
        platform=platform,
        handle=handle,
        source=source or platform,
        observed_at=NOW,
        state=state,
        account_id=account_id,
        **kw,
    )


def role(
    person_id: str,
    *,
    email: str | None = None,
    name: str | None = None,
    role: str = "ADMIN",
    full_admin: bool = True,
    privilege: int | None = None,
    **kw: Any,
) -> RoleHolder:
    """A role holder (full admin unless told otherwise)."""
    level = privilege if privilege is not None else (3 if full_admin else 2)
    return RoleHolder(
        person_id=person_id,
        name=name,
        email=email,
        role=role,
        full_admin=full_admin,
        privilege=level,
        **kw,
    )


def app(
    app_id: str, name: str, *, can_publish: bool = True, can_admin: bool = False
) -> ConnectedApp:
    """A connected app (can publish unless told otherwise)."""
    return ConnectedApp(
        app_id=app_id,
        name=name,
        permissions=("publish",) if can_publish else ("read",),
        can_publish=can_publish,
        can_admin=can_admin,
    )


def person(
    email: str, status: PersonStatus = PersonStatus.ACTIVE, name: str | None = None, **kw: Any
) -> Person:
    """A directory entry (active unless told otherwise)."""
    return Person(email=email, name=name or email.split("@", maxsplit=1)[0], status=status, **kw)


def directory(
    *people: Person,
    source: str = "directory",
    facets: dict[Facet, Completeness] | None = None,
) -> PeopleDirectory:
    """A people directory, read in full unless ``facets`` says otherwise."""
    stated = all_facets((Facet.DIRECTORY, Facet.MAILBOX_TWO_FACTOR)) if facets is None else facets
    return PeopleDirectory(source=source, observed_at=NOW, people=tuple(people), facets=stated)


def demo_directory() -> PeopleDirectory:
    """The demo estate's people directory (mallory.k@gmail.com is not in it)."""
    return directory(
        person("alice.ng@northwind.example", name="Alice Ng"),
        person("carla.diaz@northwind.example", name="Carla Diaz"),
        person("dev.patel@northwind.example", name="Dev Patel"),
        person(
            "ben.ortiz@northwind.example",
            PersonStatus.DEPARTED,
            name="Ben Ortiz",
            departed_on=date(2026, 8, 31),
        ),
        person(
            "frank.li@northwind.example",
            PersonStatus.DEPARTED,
            name="Frank Li",
            departed_on=date(2026, 10, 15),
        ),
        person("erin.cho@northwind.example", PersonStatus.SUSPENDED, name="Erin Cho"),
        person("social@northwind.example", name="Social team"),
        person("jo.reyes@brightside.example", name="Jo Reyes"),
    )


def vault_item(item_id: str, name: str | None = None, **kw: Any) -> VaultItem:
    """A vault login item with a strong, recent password."""
    kw.setdefault("username", "social@northwind.example")
    kw.setdefault("uris", ())
    kw.setdefault("has_password", True)
    kw.setdefault("password_length", 24)
    kw.setdefault("strength_score", 4)
    kw.setdefault("password_changed_at", NOW - timedelta(days=40))
    kw.setdefault("has_totp", False)
    return VaultItem(item_id=item_id, name=name or item_id, **kw)


def vault(*items: VaultItem, facets: dict[Facet, Completeness] | None = None) -> VaultEvidence:
    """A vault export, read in full (breach lookups included) unless ``facets`` says otherwise."""
    stated = all_facets((Facet.VAULT, Facet.BREACH)) if facets is None else facets
    return VaultEvidence(
        source="vault", format="bitwarden", observed_at=NOW, items=tuple(items), facets=stated
    )


def discovered(
    platform: str, handle: str, account_id: str, via: str = "meta owned_pages"
) -> DiscoveredAccount:
    """An account a platform says the company controls."""
    return DiscoveredAccount(
        platform=platform, handle=handle, account_id=account_id, via=via, observed_at=NOW
    )


def source_report(
    name: str,
    *,
    ok: bool = True,
    problems: Iterable[SourceProblem] = (),
    status: SourceStatus | None = None,
    requests: int = 0,
) -> SourceReport:
    """A collector's report; ``status`` states it (e.g. PARTIAL with a source-wide problem,
    which ``ok`` alone cannot say), else it is derived from ``ok`` and the problems."""
    return SourceReport(
        name=name,
        status=status
        or (
            SourceStatus.FAILED
            if not ok
            else SourceStatus.PARTIAL
            if problems
            else SourceStatus.COMPLETE
        ),
        observed_at=NOW,
        problems=tuple(problems),
        requests=requests,
    )


def partial_source(
    name: str, kind: str = "server", detail: str = "the owned_pages listing answered 503"
) -> SourceReport:
    """A source that read something but recorded a source-wide problem (status partial)."""
    problem = SourceProblem(kind, detail)
    return source_report(name, problems=(problem,), status=SourceStatus.PARTIAL)


def failed_source(
    name: str, kind: str = "network", detail: str = "connection refused"
) -> SourceReport:
    """A source that could not be read at all."""
    return source_report(
        name, ok=False, problems=(SourceProblem(kind, detail),), status=SourceStatus.FAILED
    )


def asset_problem(
    name: str, asset_key: str, kind: str = "permission", scope: str | None = None
) -> SourceReport:
    """A source that read everything but one account."""
    problem = SourceProblem(kind, "could not read roles", asset_key=asset_key, scope=scope)
    return source_report(name, ok=True, problems=(problem,))


def evidence(
    *,
    account_evidence: Iterable[AccountEvidence] = (),
    sources: Iterable[SourceReport] = (),
    **kw: Any,
) -> Evidence:
    """An evidence bundle; ``account_evidence`` is keyed by asset key for you."""
    accounts = {f"account:{e.platform}:{e.handle.lower()}": e for e in account_evidence}
    return Evidence(
        collected_at=NOW,
        accounts=accounts,
        sources={s.name: s for s in sources},
        **kw,
    )


def previous_run(*account_evidence: AccountEvidence, run_id: str = "run-prev") -> PreviousRun:
    """A previous run whose snapshot holds ``account_evidence``."""
    return PreviousRun(
        run_id=run_id,
        finished_at=NOW - timedelta(days=7),
        evidence=evidence(account_evidence=account_evidence),
    )


def make_ctx(
    *,
    accounts: Iterable[AccountSpec] = (),
    account_evidence: Iterable[AccountEvidence] = (),
    sources: Iterable[SourceReport] = (),
    policy: Policy | None = None,
    previous: PreviousRun | None = None,
    organization: Organization = ORG,
    now: datetime = NOW,
    **evidence_kw: Any,
) -> CheckContext:
    """A check context; extra keywords go to :class:`Evidence` (people, vault, discovered ...)."""
    return CheckContext(
        evidence=evidence(account_evidence=account_evidence, sources=sources, **evidence_kw),
        estate=Estate(organization=organization, accounts=tuple(accounts)),
        policy=policy or Policy(),
        now=now,
        previous=previous,
    )


def with_policy(**overrides: Any) -> Policy:
    """The default policy with some thresholds changed."""
    return replace(Policy(), **overrides)


def run(check_func: CheckFunc, ctx: CheckContext) -> list[Outcome]:
    """Evaluate one check."""
    return list(check_func(ctx))


def only(outcomes: list[Outcome], subject: str | None = None) -> Outcome:
    """The single outcome (for ``subject`` when given); fails the test otherwise."""
    chosen = [o for o in outcomes if subject is None or o.subject == subject]
    assert len(chosen) == 1, [(o.subject, o.status, o.detail) for o in outcomes]
    return chosen[0]


def statuses(outcomes: list[Outcome]) -> dict[str, Status]:
    """Subject to status, for tests that look at several holders at once."""
    return {o.subject: o.status for o in outcomes}
