"""The vault item of an inventory account: the one lookup every vault-reading check uses.

An account is linked to its item by ``accounts[].vault_item`` (the item's id, or its title
compared ignoring case; the first match in export order wins). Checks that look up an item per
account build one :class:`VaultLookup` per run and ask :func:`linked_item`, which also says why
there is no item (no export read, no item named, the item not in the export).
"""

from __future__ import annotations

from auditor.core.completeness import Facet
from auditor.core.estate import AccountSpec
from auditor.core.evidence import VaultEvidence, VaultItem
from auditor.core.registry import CheckContext
from checks.facets import facet_gap
from checks.safe_text import shown


class VaultLookup:
    """Vault items by the inventory's reference in constant time: the first item (in export
    order) whose id equals the reference or whose title equals it ignoring case."""

    def __init__(self, vault: VaultEvidence) -> None:
        self._items = vault.items
        self._by_id: dict[str, int] = {}
        self._by_title: dict[str, int] = {}
        for position, item in enumerate(vault.items):
            self._by_id.setdefault(item.item_id, position)
            self._by_title.setdefault(item.name.lower(), position)

    def find(self, ref: str) -> VaultItem | None:
        """The item ``ref`` names, or None."""
        positions = [
            p for p in (self._by_id.get(ref), self._by_title.get(ref.lower())) if p is not None
        ]
        return self._items[min(positions)] if positions else None


def vault_lookup(vault: VaultEvidence | None) -> VaultLookup | None:
    """A lookup over ``vault``, or None without a vault."""
    return VaultLookup(vault) if vault is not None else None


def linked_item(
    ctx: CheckContext, spec: AccountSpec, lookup: VaultLookup | None
) -> tuple[VaultItem | None, str | None]:
    """The account's vault item, or None and why (a sentence fragment). ``lookup`` is
    :func:`vault_lookup` of ``ctx.evidence.vault``, built once per check run."""
    vault = ctx.evidence.vault
    if vault is None or lookup is None:
        return None, "no vault export was read"
    if not spec.vault_item:
        return None, "no vault item is linked to the account (accounts[].vault_item)"
    item = lookup.find(spec.vault_item)
    if item is not None:
        return item, None
    missing = f"vault item '{shown(spec.vault_item)}' is not in the {vault.format} export"
    gap = facet_gap(vault, Facet.VAULT)
    return None, missing if gap is None else f"{missing}, which was not read in full ({gap})"
