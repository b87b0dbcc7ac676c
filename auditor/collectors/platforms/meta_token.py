"""What Graph's ``debug_token`` says about the configured Meta token (reference section 2.6).

``GET /{version}/debug_token?input_token=T`` answers ``data{app_id, type, is_valid, scopes,
granular_scopes[{scope, target_ids}], user_id, profile_id}``. :func:`read_token` asks once per
run: ``is_valid: false`` raises :class:`~auditor.core.errors.AuthFailed` (by the field, not by any
message); an answer that cannot be read is a source-level problem and leaves the token unknown.
:class:`TokenFacts` then tells which scopes the checks need are missing for an account (not
granted, or granted with ``target_ids`` that leave the account out) and whether the token is
proven to act on a Page (its own Page token, or a Page scope targeting it; a business-wide grant
without targets proves nothing).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from auditor.collectors.platforms.json_shapes import text
from auditor.core.errors import AuthFailed, CollectionError, MalformedResponse
from auditor.core.models import SourceProblem

if TYPE_CHECKING:
    from auditor.http.client import HttpClient

PAGE_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_metadata")
"""Scopes granted per Page: their ``target_ids`` name the pages the token can act on."""
NEEDS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {
        "meta": (("business_management", "pages_show_list", "pages_read_engagement"), PAGE_SCOPES),
        "instagram": (
            ("business_management", "pages_show_list", "instagram_basic"),
            ("instagram_basic",),
        ),
    }
)
"""Per inventory platform: the scopes the checks need, and those whose ``target_ids`` name
accounts of that platform (a Page id, an Instagram account id)."""


@dataclass(frozen=True)
class TokenFacts:
    """What ``debug_token`` says about the configured token (reference section 2.6)."""

    kind: str | None
    """``USER``, ``PAGE`` or ``SYSTEM_USER``."""
    user_id: str | None
    """The user or system user the token belongs to."""
    profile_id: str | None
    """For a Page token, the Page."""
    scopes: frozenset[str]
    """Granted scopes (``scopes`` and ``granular_scopes``)."""
    targets: Mapping[str, frozenset[str]]
    """``granular_scopes`` target ids per scope (a scope absent here is not restricted)."""

    def lacks(self, needed: Collection[str], node_id: str, targeted: Collection[str]) -> list[str]:
        """The scopes of ``needed`` not granted, or (for the ``targeted`` ones, whose target ids
        are accounts like ``node_id``) granted only for other accounts."""
        return [
            scope
            for scope in needed
            if scope not in self.scopes
            or (scope in targeted and node_id not in self.targets.get(scope, (node_id,)))
        ]

    def acts_on(self, page_id: str) -> bool:
        """The token is proven to act on this Page: it is that Page's token, or a Page scope's
        ``target_ids`` name it (a business-wide grant without targets proves nothing)."""
        if self.kind == "PAGE" and self.profile_id == page_id:
            return True
        return any(page_id in self.targets.get(scope, ()) for scope in PAGE_SCOPES)


def parse_debug_token(payload: Any) -> TokenFacts:
    """``debug_token``'s ``data``; :class:`AuthFailed` when ``is_valid`` is false."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("is_valid"), bool):
        raise MalformedResponse("meta: debug_token answer without data.is_valid")
    if not data["is_valid"]:
        raise AuthFailed("meta: debug_token says the configured token is not valid")
    scopes = {s for s in data.get("scopes") or [] if isinstance(s, str)}
    targets: dict[str, frozenset[str]] = {}
    for grant in data.get("granular_scopes") or []:
        scope = text(grant, "scope") if isinstance(grant, dict) else None
        if scope is None:
            continue
        scopes.add(scope)
        ids = grant.get("target_ids")
        if isinstance(ids, list) and ids:
            targets[scope] = frozenset(str(i) for i in ids if isinstance(i, str | int))
    return TokenFacts(
        kind=text(data, "type"),
        user_id=text(data, "user_id"),
        profile_id=text(data, "profile_id"),
        scopes=frozenset(scopes),
        targets=targets,
    )


def read_token(
    client: HttpClient, version: str, token: SecretStr | None
) -> tuple[TokenFacts | None, list[SourceProblem]]:
    """Ask ``debug_token`` about ``token`` (nothing without one); see the module docstring."""
    if token is None:
        return None, []
    params = {"input_token": token.get_secret_value()}
    try:
        return parse_debug_token(client.get_json(f"{version}/debug_token", params=params)), []
    except AuthFailed:
        raise
    except CollectionError as exc:
        detail = f"{exc.detail} (debug_token: the token's scopes and pages are unknown)"
        return None, [SourceProblem(exc.kind.value, detail, None)]


def lacking(token: TokenFacts | None, platform: str, node_id: str) -> list[str]:
    """The scopes the checks need that the token lacks for ``platform`` account ``node_id``
    (none known without facts)."""
    if token is None:
        return []
    needed, targeted = NEEDS[platform]
    return token.lacks(needed, node_id, targeted)
