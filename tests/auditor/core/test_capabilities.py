"""The capability registry: statements from declarations, and the check x platform table."""

from __future__ import annotations

from auditor.core.capabilities import (
    Capabilities,
    CapabilityRegistry,
    PlatformCapability,
    Verdict,
    coverage_table,
)
from auditor.core.completeness import Completeness, Coverage, Facet

X = Capabilities(
    source="x",
    platforms=(
        PlatformCapability(
            "x",
            provides=frozenset({Facet.IDENTITY, Facet.PROFILE}),
            not_exposed={Facet.ROLES: "X exposes no delegates"},
            token_owner=True,
        ),
    ),
)
VAULT = Capabilities(source="vault", facets=frozenset({Facet.VAULT}))
REGISTRY = CapabilityRegistry((X, VAULT))


def test_a_read_account_states_every_declared_facet() -> None:
    stated = X.stated("x", {Facet.PROFILE: Completeness.partial("page 2 failed")})
    assert stated == {
        Facet.IDENTITY: Completeness.complete(),
        Facet.PROFILE: Completeness.partial("page 2 failed"),
        Facet.ROLES: Completeness.not_exposed("x"),
    }


def test_an_unread_account_is_unknown_but_keeps_what_the_platform_never_exposes() -> None:
    unread = X.unread("x", "network: down")
    assert unread[Facet.PROFILE] == Completeness.unknown("network: down")
    assert unread[Facet.ROLES].structural


def test_not_exposed_comes_from_the_registry_with_its_reason() -> None:
    assert REGISTRY.not_exposed("x", Facet.ROLES) == Completeness.not_exposed("x")
    assert REGISTRY.not_exposed_reason("x", Facet.ROLES) == "X exposes no delegates"
    assert REGISTRY.not_exposed("x", Facet.PROFILE) is None


def test_providers_and_cells() -> None:
    assert REGISTRY.providers([Facet.VAULT]) == ("vault",)
    assert REGISTRY.providers([Facet.PROFILE, Facet.VAULT]) == ("x", "vault")
    assert REGISTRY.cell((Facet.PROFILE, Facet.VAULT), "x").verdict is Verdict.VERIFIED
    hidden = REGISTRY.cell((Facet.ROLES,), "x")
    assert (hidden.verdict, hidden.reason) == (Verdict.NOT_EXPOSED, "X exposes no delegates")
    assert REGISTRY.cell((Facet.VAULT,), "x").verdict is Verdict.NOT_APPLICABLE
    assert REGISTRY.cell((Facet.POSTS,), "x").verdict is Verdict.NOT_APPLICABLE
    assert REGISTRY.cell((Facet.PROFILE, Facet.APPS), "x").verdict is Verdict.NO_COLLECTOR
    assert REGISTRY.cell((), "x").verdict is Verdict.UNDECLARED


def test_the_table_has_one_row_per_check_and_one_column_per_platform() -> None:
    table = coverage_table(REGISTRY, [("access.a", (Facet.ROLES,)), ("auth.b", (Facet.VAULT,))])
    assert table.splitlines() == [
        "| check | x |",
        "|---|---|",
        "| access.a | not exposed (X exposes no delegates) |",
        "| auth.b | not applicable |",
    ]


def test_the_weaker_state_wins_when_merging() -> None:
    merged = Completeness.complete().weaker(Completeness.unknown("down"))
    assert merged.state is Coverage.UNKNOWN
