"""Sandbox routes of GitHub, Mastodon, Bluesky and Google Workspace: world validation, shapes,
pagination and each platform's own rate-limit dialect."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
import requests

from auditor.core.errors import InputFileError
from auditor.http.limits import retry_wait
from auditor.sandbox import (
    DEMO_WORLD,
    load_world,
    routes_bluesky,
    routes_github,
    routes_google,
    routes_mastodon,
    start_sandbox,
)
from auditor.sandbox.routing import Request, Response, Route


def _call(
    routes: list[Route], path: str, query: str = "", headers: Mapping[str, str] | None = None
) -> Response:
    for route in routes:
        groups = route.matches("GET", path)
        if groups is not None:
            request = Request(
                "GET",
                path,
                Request.parse_query(query),
                {"host": "127.0.0.1:1", **(headers or {})},
                b"",
                groups,
            )
            return route.handler(request)
    raise AssertionError(f"no route for {path}")


def _json(response: Response) -> Any:
    return json.loads(response.body)


@pytest.mark.parametrize(
    ("module", "section", "field"),
    [
        (routes_github, {"orgs": [{"login": "x"}]}, "github.orgs.0.id"),
        (
            routes_github,
            {
                "orgs": [
                    {
                        "login": "x",
                        "id": 1,
                        "members": [{"login": "a", "id": 2, "two_factor": "sms2"}],
                    }
                ]
            },
            "github.orgs.0.members.0.two_factor",
        ),
        (
            routes_mastodon,
            {"accounts": [{"id": "1", "username": "a", "statuses": [{"id": "x1", "text": "t"}]}]},
            "mastodon.accounts.0.statuses.0.id",
        ),
        (
            routes_mastodon,
            {"accounts": [{"id": "1", "username": "a", "colour": "red"}]},
            "mastodon.accounts.0.colour",
        ),
        (
            routes_bluesky,
            {"accounts": [{"did": "plc:nope", "handle": "a.example"}]},
            "bluesky.accounts.0.did",
        ),
        (
            routes_bluesky,
            {
                "accounts": [
                    {
                        "did": "did:plc:a",
                        "handle": "a.example",
                        "posts": [{"rkey": "1", "text": "t", "created_at": "yesterday"}],
                    }
                ]
            },
            "bluesky.accounts.0.posts.0.created_at",
        ),
        (routes_google, {"users": [{"name": "No Email"}]}, "google.users.0.email"),
    ],
)
def test_bad_world_sections_name_the_field(
    module: ModuleType, section: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputFileError) as failure:
        module.routes(section)
    assert failure.value.field == field


def test_demo_world_sections_validate() -> None:
    world = load_world(DEMO_WORLD)
    for module in (routes_github, routes_mastodon, routes_bluesky, routes_google):
        assert module.routes(world.section(module.PLATFORM))


def test_rate_limits_speak_each_platforms_dialect() -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC).timestamp()
    github = routes_github.rate_limited(30, now)
    assert github.status == 403 and github.headers["x-ratelimit-remaining"] == "0"
    mastodon = routes_mastodon.rate_limited(30, now)
    assert (
        mastodon.status == 429
        and mastodon.headers["X-RateLimit-Reset"] == "2026-11-22T00:00:30.000Z"
    )
    bluesky = routes_bluesky.rate_limited(30, now)
    assert bluesky.status == 429 and _json(bluesky)["error"] == "RateLimitExceeded"
    google = routes_google.rate_limited(30, now)
    assert (
        google.status == 403
        and _json(google)["error"]["errors"][0]["reason"] == "userRateLimitExceeded"
    )
    for platform, response in (("github", github), ("mastodon", mastodon), ("bluesky", bluesky)):
        lowered = {k.lower(): v for k, v in response.headers.items()}
        assert retry_wait(platform, lowered, now) == pytest.approx(30, abs=1)


GITHUB = {
    "orgs": [
        {
            "login": "acme",
            "id": 7,
            "two_factor_requirement_enabled": True,
            "members": [
                {
                    "login": f"u{i}",
                    "id": i,
                    "two_factor": "none" if i % 2 else "sms",
                    "role": "admin" if i == 0 else "member",
                }
                for i in range(5)
            ],
            "installations": [
                {"id": 1, "app_id": 2, "app_slug": "bot", "permissions": {"contents": "write"}}
            ],
        }
    ]
}


def test_github_pages_with_link_and_filters_2fa() -> None:
    served = routes_github.routes(GITHUB)
    first = _call(served, "/orgs/acme/members", "per_page=2")
    assert [u["login"] for u in _json(first)] == ["u0", "u1"]
    assert "page=2" in first.headers["Link"] and 'rel="next"' in first.headers["Link"]
    last = _call(served, "/orgs/acme/members", "per_page=2&page=3")
    assert [u["login"] for u in _json(last)] == ["u4"] and "Link" not in last.headers
    disabled = _call(served, "/orgs/acme/members", "filter=2fa_disabled")
    assert [u["login"] for u in _json(disabled)] == ["u1", "u3"]
    admins = _call(served, "/orgs/acme/members", "role=admin")
    assert [u["login"] for u in _json(admins)] == ["u0"]
    installs = _json(_call(served, "/orgs/acme/installations"))
    assert installs["total_count"] == 1 and installs["installations"][0]["permissions"] == {
        "contents": "write"
    }
    assert _json(_call(served, "/orgs/acme"))["two_factor_requirement_enabled"] is True
    assert _call(served, "/orgs/nobody").status == 404
    assert _json(_call(served, "/users/acme"))["type"] == "Organization"
    assert _json(_call(served, "/users/u3"))["type"] == "User"
    assert _call(served, "/users/nobody").status == 404


def test_github_member_token_sees_no_owner_facts() -> None:
    served = routes_github.routes({**GITHUB, "viewer": "member"})
    assert "two_factor_requirement_enabled" not in _json(_call(served, "/orgs/acme"))
    assert _call(served, "/orgs/acme/members", "filter=2fa_disabled").status == 422
    assert _call(served, "/orgs/acme/installations").status == 403


MASTODON = {
    "accounts": [
        {
            "id": "5",
            "username": "brand",
            "note": "<b>hi</b> https://a.example",
            "statuses": [
                {"id": str(100 + i), "text": f"s{i}", "created_at": f"-{i}h"} for i in range(6)
            ],
        }
    ]
}


def test_mastodon_escapes_world_text_and_pages_by_id() -> None:
    served = routes_mastodon.routes(MASTODON)
    account = _json(_call(served, "/api/v1/accounts/lookup", "acct=brand@social.example"))
    assert account["note"].startswith('<p>&lt;b&gt;hi&lt;/b&gt; <a href="https://a.example"')
    assert _call(served, "/api/v1/accounts/lookup", "acct=brand@elsewhere.example").status == 404
    page = _call(served, "/api/v1/accounts/5/statuses", "limit=2")
    assert [s["id"] for s in _json(page)] == ["105", "104"] and "max_id=104" in page.headers["Link"]
    older = _json(_call(served, "/api/v1/accounts/5/statuses", "limit=2&max_id=104"))
    assert [s["id"] for s in older] == ["103", "102"]
    newer = _json(_call(served, "/api/v1/accounts/5/statuses", "limit=2&min_id=101"))
    assert [s["id"] for s in newer] == ["103", "102"]
    assert (
        _call(
            served, "/api/v1/accounts/verify_credentials", headers={"authorization": "Bearer t"}
        ).status
        == 401
    )


BLUESKY = {
    "accounts": [
        {
            "did": "did:plc:aaa",
            "handle": "a.example",
            "dns": True,
            "posts": [{"rkey": f"r{i}", "text": f"p{i}", "created_at": f"-{i}h"} for i in range(3)],
        },
        {"did": "did:plc:bbb", "handle": "b.example", "also_known_as": ["at://c.example"]},
        {"did": "did:plc:ccc", "handle": "gone.example", "state": "gone"},
    ]
}


def test_bluesky_profile_feed_identity_and_dns() -> None:
    served = routes_bluesky.routes(BLUESKY)
    assert (
        _json(_call(served, "/xrpc/app.bsky.actor.getProfile", "actor=a.example"))["did"]
        == "did:plc:aaa"
    )
    assert (
        _json(_call(served, "/xrpc/app.bsky.actor.getProfile", "actor=did:plc:bbb"))["handle"]
        == "handle.invalid"
    )
    gone = _call(served, "/xrpc/app.bsky.actor.getProfile", "actor=gone.example")
    assert gone.status == 400 and _json(gone)["error"] == "InvalidRequest"
    feed = _json(_call(served, "/xrpc/app.bsky.feed.getAuthorFeed", "actor=did:plc:aaa&limit=2"))
    assert [i["post"]["record"]["text"] for i in feed["feed"]] == ["p0", "p1"] and feed[
        "cursor"
    ] == "2"
    rest = _json(
        _call(served, "/xrpc/app.bsky.feed.getAuthorFeed", "actor=did:plc:aaa&limit=2&cursor=2")
    )
    assert len(rest["feed"]) == 1 and "cursor" not in rest
    assert _call(served, "/handles/a.example/.well-known/atproto-did").body == b"did:plc:aaa\n"
    assert _json(_call(served, "/plc/did:plc:bbb"))["alsoKnownAs"] == ["at://c.example"]
    answer = _json(_call(served, "/dns-query", "name=_atproto.a.example&type=TXT"))
    assert answer["Status"] == 0 and answer["Answer"][0]["data"] == '"did=did:plc:aaa"'
    assert _json(_call(served, "/dns-query", "name=_atproto.b.example&type=TXT"))["Status"] == 3
    linked = routes_bluesky.routes(
        {
            "accounts": [
                {
                    "did": "did:plc:ddd",
                    "handle": "d.example",
                    "posts": [{"rkey": "1", "text": "héllo https://x.example/a"}],
                }
            ]
        }
    )
    (item,) = _json(_call(linked, "/xrpc/app.bsky.feed.getAuthorFeed", "actor=d.example"))["feed"]
    (facet,) = item["post"]["record"]["facets"]
    assert facet["features"][0]["uri"] == "https://x.example/a"
    assert facet["index"] == {"byteStart": 7, "byteEnd": 26}
    session = "/pds/xrpc/com.atproto.server.getSession"
    assert _call(served, session).status == 401
    assert _call(served, session, headers={"authorization": "Bearer jwt"}).status == 401
    with_session = routes_bluesky.routes(
        {**BLUESKY, "session": {"did": "did:plc:aaa", "email_auth_factor": True}}
    )
    own = _json(_call(with_session, session, headers={"authorization": "Bearer jwt"}))
    assert (own["did"], own["handle"], own["emailAuthFactor"]) == ("did:plc:aaa", "a.example", True)


def test_bluesky_handle_record_naming_another_did_shows_handle_invalid() -> None:
    served = routes_bluesky.routes(
        {"accounts": [{"did": "did:plc:aaa", "handle": "a.example", "resolves_to": "did:plc:zzz"}]}
    )
    profile = _json(_call(served, "/xrpc/app.bsky.actor.getProfile", "actor=did:plc:aaa"))
    assert profile["handle"] == "handle.invalid"
    assert _call(served, "/handles/a.example/.well-known/atproto-did").body == b"did:plc:zzz\n"
    assert _json(_call(served, "/plc/did:plc:aaa"))["alsoKnownAs"] == ["at://a.example"]


def test_google_lists_and_gets_users_with_google_errors() -> None:
    users = [
        {"email": f"u{i}@acme.example", "suspended": i == 1, "aliases": [f"alias{i}@acme.example"]}
        for i in range(3)
    ]
    served = routes_google.routes({"users": users, "customer": "C01"})
    auth = {"authorization": "Bearer t"}
    page = _json(_call(served, "/admin/directory/v1/users", "customer=C01&maxResults=2", auth))
    assert [u["primaryEmail"] for u in page["users"]] == ["u0@acme.example", "u1@acme.example"]
    assert page["nextPageToken"] == "2" and page["users"][1]["suspended"] is True
    alias = _json(_call(served, "/admin/directory/v1/users/alias2%40acme.example", "", auth))
    assert alias["primaryEmail"] == "u2@acme.example"
    missing = _call(served, "/admin/directory/v1/users/nobody@acme.example", "", auth)
    assert missing.status == 404 and _json(missing)["error"]["errors"][0]["reason"] == "notFound"
    assert _call(served, "/admin/directory/v1/users", "customer=C01").status == 401


def test_demo_world_is_served_under_the_platform_prefixes() -> None:
    with start_sandbox(DEMO_WORLD, faults=[]) as box:
        urls = box.base_urls
        owners = requests.get(
            urls["github"] + "/orgs/northwind-labs/members?role=admin", timeout=5
        ).json()
        assert {o["login"] for o in owners} == {"alice-ng", "ben-ortiz"}
        store = requests.get(
            urls["bluesky"] + "/xrpc/app.bsky.actor.getProfile",
            params={"actor": "northwindstore.bsky.social"},
            timeout=5,
        )
        assert store.status_code == 400
        erin = requests.get(
            urls["google_workspace"] + "/admin/directory/v1/users/erin.cho@northwind.example",
            headers={"Authorization": "Bearer demo"},
            timeout=5,
        ).json()
        assert erin["suspended"] is True
        mastodon = requests.get(
            urls["mastodon"] + "/api/v1/accounts/lookup",
            params={"acct": "northwind@social.example"},
            timeout=5,
        ).json()
        assert mastodon["id"] == "109000000000000001"
