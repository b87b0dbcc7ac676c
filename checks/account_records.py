"""The registration mailboxes of an account: every address it may recover to.

The registration email may be written in three places: the inventory's ``registered_email``, the
username of the account's vault item (when it is an address), and the platform's API (when it
tells). :func:`registrations` gathers the distinct addresses (compared with
:func:`checks.people.norm_email`) with the sources that name each one, so the ownership and auth
checks judge every address the account may recover to, not just the one the inventory believes
in.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.core.registry import CheckContext
from checks.accounts import AccountView
from checks.people import looks_like_email, norm_email
from checks.vaults import VaultLookup, linked_item


@dataclass(frozen=True)
class Registration:
    """One registration address of an account and who says so."""

    email: str
    """The address, normalised."""
    sources: tuple[str, ...]
    """``inventory``, the vault source name, and/or the platform collector name."""


def registrations(
    ctx: CheckContext, view: AccountView, lookup: VaultLookup | None
) -> list[Registration]:
    """Every distinct registration address of the account, in inventory, vault, API order."""
    found: dict[str, list[str]] = {}

    def add(email: str | None, source: str) -> None:
        if email and email.strip():
            sources = found.setdefault(norm_email(email), [])
            if source not in sources:
                sources.append(source)

    add(view.spec.registered_email, "inventory")
    item, _ = linked_item(ctx, view.spec, lookup)
    vault = ctx.evidence.vault
    if item is not None and vault is not None and looks_like_email(item.username):
        add(item.username, vault.source)
    ev = view.evidence
    if ev is not None:
        add(ev.registration_email, ev.source)
    return [Registration(email, tuple(sources)) for email, sources in found.items()]
