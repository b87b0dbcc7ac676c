"""The sandbox's Graph ``debug_token`` answer: what Meta says about the configured token.

Optional key of the world's ``meta`` section (defaults shown)::

    meta:
      token:
        type: SYSTEM_USER           # USER | PAGE | SYSTEM_USER
        user_id: "3900001"          # default: the first business's first system user, if any
        profile_id: null            # a PAGE token's page id
        scopes: [...]               # default: DEFAULT_SCOPES minus the section's missing_permissions
        targets:                    # granular_scopes target_ids per scope (a scope left out lists
          pages_show_list: [...]    # none: not restricted). Default: every page for the page
                                    # scopes, every Instagram account for instagram_basic, every
                                    # business for business_management.

``GET /{version}/debug_token?input_token=T`` (reference section 2.6) answers
``{"data": {app_id, type, application, is_valid, expires_at, data_access_expires_at, scopes,
granular_scopes: [{scope, target_ids}], user_id, profile_id}}``; with ``token_valid: false`` it
answers ``is_valid: false`` with the token's ``error`` (code 190), as Graph does for a token that
expired or was revoked. The caller's own token must be present (Bearer or ``access_token``);
``input_token`` is required (error 100 otherwise). The token is never echoed or logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.core.errors import InputFileError
from auditor.sandbox.routing import Request, Response

PAGE_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_metadata")
"""Scopes granted per Page."""
DEFAULT_SCOPES = ("business_management", *PAGE_SCOPES, "instagram_basic")
"""What the sandbox's token holds unless the world says otherwise."""
APP_ID = "880000000000001"
"""The sandbox app."""


def _error(code: int, message: str) -> Response:
    body = {"error": {"message": message, "type": "OAuthException", "code": code}}
    return Response.json(body, 400)


class TokenInfo:
    """The ``debug_token`` data of the world's token."""

    def __init__(
        self,
        section: Mapping[str, Any],
        nodes: Mapping[str, Mapping[str, Mapping[str, Any]]],
        missing: set[str],
        valid: bool,
    ) -> None:
        """``nodes``: the world's ``businesses``, ``pages`` and ``instagram`` by id."""
        ids = {name: list(table) for name, table in nodes.items()}
        system_users = [
            str(u["id"])
            for business in nodes["businesses"].values()
            for u in business.get("system_users") or []
            if isinstance(u, Mapping) and "id" in u
        ]
        raw = section.get("token") or {}
        if not isinstance(raw, Mapping):
            raise InputFileError("expected a mapping", field="meta.token")
        self.valid = valid
        scopes = raw.get("scopes")
        if isinstance(scopes, list):
            self.scopes = [str(s) for s in scopes]
        else:
            self.scopes = [s for s in DEFAULT_SCOPES if s not in missing]
        defaults = {
            "business_management": ids["businesses"],
            "instagram_basic": ids["instagram"],
            **{scope: ids["pages"] for scope in PAGE_SCOPES},
        }
        targets = raw.get("targets")
        if targets is not None and not isinstance(targets, Mapping):
            raise InputFileError("expected a mapping of scope to ids", field="meta.token.targets")
        chosen = targets if targets is not None else defaults
        self.targets = {str(k): [str(i) for i in v or []] for k, v in chosen.items()}
        self.type = str(raw.get("type") or "SYSTEM_USER")
        self.user_id = raw.get("user_id") or (system_users[0] if system_users else None)
        self.profile_id = raw.get("profile_id")

    def handle(self, request: Request) -> Response:
        """``GET /{version}/debug_token``."""
        if not (request.headers.get("authorization") or request.param("access_token")):
            return _error(190, "An access token is required to request this resource.")
        if not request.param("input_token"):
            return _error(100, "(#100) The parameter input_token is required")
        data: dict[str, Any] = {
            "app_id": APP_ID,
            "type": self.type,
            "application": "Brand Auditor Sandbox",
            "is_valid": self.valid,
            "expires_at": 0,
            "data_access_expires_at": 0,
        }
        if not self.valid:
            data["error"] = {
                "code": 190,
                "subcode": 463,
                "message": "Error validating access token: Session has expired.",
            }
            data["scopes"] = []
            return Response.json({"data": data})
        data["scopes"] = self.scopes
        data["granular_scopes"] = [
            {"scope": s, **({"target_ids": self.targets[s]} if self.targets.get(s) else {})}
            for s in self.scopes
        ]
        if self.user_id:
            data["user_id"] = str(self.user_id)
        if self.profile_id:
            data["profile_id"] = str(self.profile_id)
        return Response.json({"data": data})
