"""Where an account's registration email is recorded, and the vault item of an account.

The registration email may be written in three places: the inventory's ``registered_email``, the
username of the account's vault item (when it is an address), and the platform's API (when it
tells). :func:`registrations` gathers the distinct addresses (compared lower-cased) with the
sources that name each one, so the ownership checks judge every address the account may recover
to, not just the one the inventory believes in.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.core.estate import AccountSpec
from auditor.core.evidence import VaultItem
from auditor.core.registry import CheckContext
from checks.completeness import AccountView
from checks.people import looks_like_email, norm_email
from checks.safe_text import shown
from checks.vaults import VaultLookup


@dataclass(frozen=True)
class Registration:
    """One registration address of an account and who says so."""

    email: str
    """The address, lower-cased."""
    sources: tuple[str, ...]
    """``inventory``, the vault source name, and/or the platform collector name."""


def vault_item(
    ctx: CheckContext, spec: AccountSpec, lookup: VaultLookup | None = None
) -> VaultItem | None:
    """The vault item the inventory names for ``spec``, when the vault was read and holds it.
    Pass a :class:`VaultLookup` of the vault when calling this per account."""
    vault = ctx.evidence.vault
    if vault is None or not spec.vault_item:
        return None
    return (lookup or VaultLookup(vault)).find(spec.vault_item)


def vault_gap(ctx: CheckContext, spec: AccountSpec) -> str:
    """Why the vault says nothing about ``spec`` (for not_verified details)."""
    vault = ctx.evidence.vault
    if vault is None:
        if ctx.evidence.source_failed("vault"):
            return "the vault export could not be read"
        return "no vault export was read"
    if not spec.vault_item:
        return "the inventory names no vault item"
    item = vault.find(spec.vault_item)
    if item is None:
        return f"vault item {shown(spec.vault_item)} is not in the export"
    return f"vault item {shown(item.name)} has no email as its username"


def registrations(
    ctx: CheckContext, view: AccountView, lookup: VaultLookup | None = None
) -> list[Registration]:
    """Every distinct registration address of the account, in inventory, vault, API order."""
    found: dict[str, list[str]] = {}

    def add(email: str | None, source: str) -> None:
        if email and email.strip():
            sources = found.setdefault(norm_email(email), [])
            if source not in sources:
                sources.append(source)

    add(view.spec.registered_email, "inventory")
    item = vault_item(ctx, view.spec, lookup)
    if item is not None and ctx.evidence.vault is not None and looks_like_email(item.username):
        add(item.username, ctx.evidence.vault.source)
    ev = view.evidence
    if ev is not None:
        add(ev.registration_email, ev.source)
    return [Registration(email, tuple(sources)) for email, sources in found.items()]
