"""The sandbox's Graph ``debug_token`` route: defaults from the world, overrides, errors."""

from __future__ import annotations

import json
from typing import Any

from auditor.sandbox import routes_meta
from auditor.sandbox.routing import Request, Response

SECTION: dict[str, Any] = {
    "businesses": [
        {"id": "300", "name": "B", "system_users": [{"id": "39", "name": "Bot"}]},
    ],
    "pages": [{"id": "201", "username": "p1"}, {"id": "202", "username": "p2"}],
    "instagram": [{"id": "178", "username": "i1"}],
}


def _debug(
    section: dict[str, Any], query: str = "input_token=zq-secret-42", auth: bool = True
) -> tuple[int, Any]:
    for route in routes_meta.routes(section):
        groups = route.matches("GET", "/v21.0/debug_token")
        if groups is not None:
            headers = {"host": "127.0.0.1:1", **({"authorization": "Bearer x"} if auth else {})}
            request = Request(
                "GET", "/v21.0/debug_token", Request.parse_query(query), headers, b"", groups
            )
            response: Response = route.handler(request)
            return response.status, json.loads(response.body)
    raise AssertionError("no debug_token route")


def test_default_token_is_valid_with_every_scope_targeting_the_world() -> None:
    status, body = _debug({**SECTION, "missing_permissions": ["instagram_basic"]})
    data = body["data"]
    assert status == 200 and data["is_valid"] is True and data["user_id"] == "39"
    grants = {g["scope"]: g.get("target_ids") for g in data["granular_scopes"]}
    assert grants["pages_read_engagement"] == ["201", "202"]
    assert grants["business_management"] == ["300"]
    assert "instagram_basic" not in data["scopes"] and "instagram_basic" not in grants
    assert "zq-secret-42" not in json.dumps(body)


def test_world_token_overrides_and_invalid_token() -> None:
    token = {"type": "PAGE", "profile_id": "201", "scopes": ["pages_show_list"], "targets": {}}
    _, body = _debug({**SECTION, "token": token})
    assert body["data"]["type"] == "PAGE" and body["data"]["profile_id"] == "201"
    assert body["data"]["granular_scopes"] == [{"scope": "pages_show_list"}]
    status, body = _debug({**SECTION, "token_valid": False})
    assert status == 200 and body["data"]["is_valid"] is False
    assert body["data"]["error"]["code"] == 190


def test_debug_token_needs_a_caller_token_and_an_input_token() -> None:
    status, body = _debug(SECTION, auth=False)
    assert status == 400 and body["error"]["code"] == 190
    status, body = _debug(SECTION, query="")
    assert status == 400 and body["error"]["code"] == 100
