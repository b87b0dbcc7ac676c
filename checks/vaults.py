"""Constant-time lookups of vault items by the inventory's reference, for the vault checks.

:meth:`auditor.core.evidence.VaultEvidence.find` scans the export; checks that look up an item per
inventory account (or per reused-with id) build one :class:`VaultLookup` per run instead, which
returns exactly what ``find`` returns.
"""

from __future__ import annotations

from auditor.core.evidence import VaultEvidence, VaultItem


class VaultLookup:
    """:meth:`VaultEvidence.find` in constant time: the first item (in export order) whose id
    equals the reference or whose title equals it ignoring case."""

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
