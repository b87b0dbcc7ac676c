"""The per-run lookups written once: vault items by reference, people by email or alias (one
normalisation), inventory accounts by key."""

from __future__ import annotations

from factories import directory, person, vault, vault_item
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.estate import AccountSpec, Estate, Organization
from checks.people import find_person, people_index
from checks.vaults import VaultLookup

NAMES = st.sampled_from(["a", "A", "b", "id-1", "ID-1", "x y", " a ", "B@x.example", "b@x.example"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES), max_size=8), NAMES)
def test_vault_lookup_finds_what_find_finds(items: list[tuple[str, str]], ref: str) -> None:
    export = vault(*(vault_item(item_id, name) for item_id, name in items))
    assert VaultLookup(export).find(ref) is export.find(ref)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(NAMES, st.lists(NAMES, max_size=2)), max_size=8), NAMES)
def test_one_person_lookup_normalises_both_sides(
    people: list[tuple[str, list[str]]], email: str
) -> None:
    """The one lookup finds the first person whose email or alias equals the address after the
    same normalisation on both sides (case and surrounding space ignored)."""
    listed = directory(*(person(e, aliases=tuple(a)) for e, a in people))
    wanted = email.strip().lower()
    expected = next(
        (
            p
            for p in listed.people
            if any(a.strip().lower() == wanted for a in (p.email, *p.aliases))
        ),
        None,
    )
    assert find_person(people_index(listed), email) is expected


def test_an_alias_written_in_capitals_is_still_found() -> None:
    """The two lookups of old normalised differently: an alias kept as the directory wrote it
    was missed by one of them."""
    listed = directory(person("carla@northwind.example", aliases=("Social@Northwind.example",)))
    found = find_person(people_index(listed), "social@northwind.example")
    assert found is not None and found.email == "carla@northwind.example"


def test_estate_account_index_returns_the_first_account_with_the_key() -> None:
    first, second = AccountSpec("x", "Brand"), AccountSpec("x", "brand", id="7")
    estate = Estate(Organization("Co", ("co.example",)), accounts=(first, second))
    assert estate.account(first.asset.key) is first
    assert estate.account("account:x:nobody") is None
