"""The per-run indexes answer exactly what the linear scans they replace answer: vault items
by reference, people by email or alias (normalised and exact), inventory accounts by key."""

from __future__ import annotations

from factories import directory, person, vault, vault_item
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.estate import AccountSpec, Estate, Organization
from checks.people import directory_find, directory_index, find_person, people_index
from checks.vaults import VaultLookup

NAMES = st.sampled_from(["a", "A", "b", "id-1", "ID-1", "x y", " a ", "B@x.example", "b@x.example"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES), max_size=8), NAMES)
def test_vault_lookup_finds_what_find_finds(items: list[tuple[str, str]], ref: str) -> None:
    export = vault(*(vault_item(item_id, name) for item_id, name in items))
    assert VaultLookup(export).find(ref) is export.find(ref)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(NAMES, st.lists(NAMES, max_size=2)), max_size=8), NAMES)
def test_people_indexes_find_what_the_scans_find(
    people: list[tuple[str, list[str]]], email: str
) -> None:
    listed = directory(*(person(e, aliases=tuple(a)) for e, a in people))
    assert find_person(listed, email, people_index(listed)) is find_person(listed, email)
    assert directory_find(listed, email, directory_index(listed)) is listed.find(email)


def test_estate_account_index_returns_the_first_account_with_the_key() -> None:
    first, second = AccountSpec("x", "Brand"), AccountSpec("x", "brand", id="7")
    estate = Estate(Organization("Co", ("co.example",)), accounts=(first, second))
    assert estate.account(first.asset.key) is first
    assert estate.account("account:x:nobody") is None


def test_problem_index_gives_the_gaps_of_a_full_scan() -> None:
    from factories import account_evidence, account_spec, make_ctx, source_report

    from auditor.core.models import SourceProblem
    from checks.completeness import account_view, problem_index

    specs = [account_spec("x", f"h{n}", str(n)) for n in range(6)]
    problems = [SourceProblem("server", f"p{n}", asset_key=specs[n].asset.key) for n in (1, 3)]
    problems += [SourceProblem("server", "again", asset_key=specs[1].asset.key)]
    reports = [
        source_report("x", problems=problems),
        source_report("meta", ok=False, problems=(SourceProblem("network", "down"),)),
    ]
    evidence = [account_evidence("x", f"h{n}", account_id=str(n)) for n in range(4)]
    ctx = make_ctx(accounts=specs, account_evidence=evidence, sources=reports)
    index = problem_index(ctx)
    for spec in [*specs, account_spec("meta", "page", "9")]:
        assert account_view(ctx, spec, index) == account_view(ctx, spec)
    assert "p1" in (account_view(ctx, specs[1], index).gap or "")
