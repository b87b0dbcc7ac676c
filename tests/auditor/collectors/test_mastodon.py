"""Mastodon collector: Mastodon.py's recorded cassettes, then the sandbox over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from json_api_fixtures import (
    NOW,
    TESTDATA,
    config_for,
    context,
    json_values,
    parsed_or_malformed,
    shared,
)

from auditor.collectors.platforms import mastodon
from auditor.collectors.platforms.mastodon import (
    MastodonAccount,
    html_to_text,
    instance_of,
    parse_account,
    parse_statuses,
)
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import MalformedResponse
from auditor.core.evidence import AccountEvidence, AccountState, Post
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

CASSETTES = TESTDATA / "mastodon-cassettes"


def _exchanges(name: str) -> list[tuple[str, int, Any]]:
    path = CASSETTES / name
    if not path.exists():
        pytest.skip("../shared/testdata/mastodon-cassettes is absent")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (
            i["request"]["uri"],
            i["response"]["status"]["code"],
            json.loads(i["response"]["body"]["string"]),
        )
        for i in data["interactions"]
    ]


def test_lookup_cassette_parses_profile_and_fields() -> None:
    found = [
        body
        for uri, code, body in _exchanges("test_account_lookup.yaml")
        if "lookup?acct=mastodonpy_test" in uri and code == 200
    ]
    account = parse_account(found[0])
    assert account.id == "117020565966271181"
    assert account.state is AccountState.ACTIVE
    assert account.profile.display_name == "John Lennon"
    assert account.profile.bio == "I walk funny"
    assert account.profile.avatar_hash and account.profile.banner_hash
    assert account.profile.link is None  # no field is rel=me verified


def test_lookup_cassette_404_body_is_an_error_object() -> None:
    missing = [
        (code, body)
        for uri, code, body in _exchanges("test_account_lookup.yaml")
        if "kljadkl" in uri
    ]
    assert missing == [(404, {"error": "Record not found"})]
    with pytest.raises(MalformedResponse):
        parse_account([missing[0][1]])


def test_verify_credentials_and_status_cassettes() -> None:
    (_, _, me), _ = _exchanges("test_verify_credentials.yaml")
    assert parse_account(me).id == "117020457910412882"
    statuses = [body for uri, code, body in _exchanges("test_status.yaml") if code == 200]
    post = parse_statuses([statuses[1]])[0]
    assert (post.id, post.text, post.source_app) == (
        "117020583223442465",
        "Toot!",
        "Mastodon.py test suite",
    )
    assert post.is_reply is False and post.url and post.created_at.tzinfo is not None


def test_html_is_reduced_to_text_and_links_safely() -> None:
    fragment = (
        '<p>Hi <a href="https://social.example/@bob" class="u-url mention">@bob</a> '
        '<a href="https://evil.example/x?a=1&amp;b=2">evil.example/x</a></p>'
        "<script>alert(1)</script><p>line&nbsp;two<br>three &lt;b&gt;</p>"
        '<a href="javascript:alert(1)">js</a>'
    )
    result = html_to_text(fragment)
    assert result.links == ("https://evil.example/x?a=1&b=2",)
    assert "alert(1)" not in result.text
    assert result.text.splitlines() == ["Hi @bob evil.example/x", "line two", "three <b>", "js"]


def test_instance_of_reads_the_acct_domain() -> None:
    assert instance_of("@northwind@Social.Example") == "social.example"
    assert instance_of("northwind") is None


# -- sandbox ------------------------------------------------------------------------------------

ACCOUNT: dict[str, Any] = {
    "id": "109000000000000001",
    "username": "northwind",
    "display_name": "Northwind Outfitters",
    "note": "Outdoor gear since 1998 <3 https://northwind.example",
    "fields": [
        {"name": "Website", "url": "https://northwind.example", "verified": True},
        {"name": "Shop", "url": "https://northwindshop.example"},
    ],
    "statuses": [
        {"id": "109000000000000103", "text": "Pinned hello", "created_at": "-30d", "pinned": True},
        {
            "id": "109000000000000102",
            "text": "Trail boots https://northwindshop.example/boots",
            "created_at": "-1d",
            "application": "Buffer",
        },
        {
            "id": "109000000000000101",
            "text": "@someone thanks!",
            "created_at": "-2d",
            "reply_to": "5",
        },
        {"id": "109000000000000100", "text": "boosted", "created_at": "-2d", "reblog": True},
    ],
}
WORLD: dict[str, Any] = {
    "domain": "social.example",
    "token_account": "109000000000000001",
    "accounts": [ACCOUNT, {"id": "109000000000000009", "username": "oldshop", "suspended": True}],
}
ACCOUNTS = [
    {"platform": "mastodon", "handle": "northwind@social.example", "id": "109000000000000001"},
    {"platform": "mastodon", "handle": "oldshop@social.example"},
    {"platform": "mastodon", "handle": "ghost@social.example"},
]


def _collect(
    world: dict[str, Any], faults: list[dict[str, Any]] | None = None, token: bool = True
) -> Any:
    with start_sandbox(world_from_mapping({"mastodon": world}), faults=faults or []) as box:
        settings: dict[str, Any] = {"base_url": box.base_urls["mastodon"]}
        if token:
            settings["token"] = "t0ken"
        config = config_for(ACCOUNTS, {"mastodon": settings})
        collector = mastodon.from_config(config, shared())
        assert collector is not None
        return collector.collect(context(config))


def _accounts(output: Any) -> dict[str, AccountEvidence]:
    return {i.handle: i for i in output.items if isinstance(i, AccountEvidence)}


def test_healthy_account_profile_posts_and_token_owner() -> None:
    output = _collect(WORLD)
    assert output.report.status is not SourceStatus.FAILED, output.report.problems
    evidence = _accounts(output)["northwind@social.example"]
    assert evidence.state is AccountState.ACTIVE
    assert evidence.account_id == evidence.token_account_id == "109000000000000001"
    profile = evidence.profile
    assert profile is not None
    assert profile.bio == "Outdoor gear since 1998 <3 https://northwind.example"
    assert profile.link == "https://northwind.example"
    assert profile.extra_links == ("https://northwindshop.example",)
    assert profile.pinned_post_id == "109000000000000103"
    posts = {p.id: p for p in evidence.posts or ()}
    assert set(posts) == {"109000000000000102", "109000000000000101"}  # window 14 d, no reblogs
    assert posts["109000000000000102"].links == ("https://northwindshop.example/boots",)
    assert posts["109000000000000102"].source_app == "Buffer"
    assert posts["109000000000000101"].is_reply
    assert evidence.roles is None and evidence.roles_note
    assert evidence.cursor == "109000000000000102"


def test_suspended_and_unknown_accounts() -> None:
    evidence = _accounts(_collect(WORLD))
    assert evidence["oldshop@social.example"].state is AccountState.SUSPENDED
    assert evidence["ghost@social.example"].state is AccountState.NOT_FOUND


def test_without_token_there_is_no_token_owner() -> None:
    evidence = _accounts(_collect(WORLD, token=False))["northwind@social.example"]
    assert evidence.token_account_id is None and evidence.state is AccountState.ACTIVE


def test_invalid_token_is_an_auth_problem_but_the_profile_is_read() -> None:
    output = _collect({**WORLD, "token_account": None})
    assert {p.kind for p in output.report.problems} == {"auth"}
    assert _accounts(output)["northwind@social.example"].state is AccountState.ACTIVE


def test_statuses_page_back_to_the_window_start() -> None:
    many = [
        {"id": str(200000 + i), "text": f"post {i}", "created_at": f"-{i}h"} for i in range(100)
    ]
    world = {**WORLD, "accounts": [{**ACCOUNT, "statuses": many}]}
    evidence = _accounts(_collect(world))["northwind@social.example"]
    assert len(evidence.posts or ()) == 100
    assert min(p.created_at for p in evidence.posts or ()) > NOW.replace(year=NOW.year - 1)


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("rate_limit", {"kind": "rate_limit", "retry_after_s": 30}),
        ("server", {"kind": "server_error"}),
        ("timeout", {"kind": "timeout", "seconds": 1.3}),
        ("malformed", {"kind": "malformed"}),
        ("malformed", {"kind": "truncated"}),
    ],
)
def test_every_fault_is_unknown_plus_a_problem_for_that_account(
    kind: str, rule: dict[str, Any]
) -> None:
    fault = {
        **rule,
        "platform": "mastodon",
        "path": "^/api/v1/accounts/109000000000000001/statuses",
    }
    output = _collect(WORLD, faults=[fault])
    evidence = _accounts(output)
    northwind = evidence["northwind@social.example"]
    # the statuses failed (the pinned one too): posts and the profile's pinned post unknown;
    # who the account is keeps its word
    assert northwind.state is AccountState.ACTIVE and northwind.posts is None
    assert facet_status(northwind, Facet.POSTS).state is Coverage.UNKNOWN
    assert facet_status(northwind, Facet.IDENTITY).is_complete
    assert evidence["oldshop@social.example"].state is AccountState.SUSPENDED
    problems = [(p.kind, p.asset_key) for p in output.report.problems]
    assert problems == [(kind, "account:mastodon:northwind@social.example")]


@settings(max_examples=150, deadline=None)
@given(
    payload=json_values()
    | st.fixed_dictionaries(
        {}, optional={k: json_values() for k in ["id", "created_at", "content", "fields"]}
    )
)
def test_hostile_payloads_raise_only_malformed_response(payload: Any) -> None:
    account = parsed_or_malformed(parse_account, payload)
    assert account is None or isinstance(account, MastodonAccount)
    statuses = parsed_or_malformed(parse_statuses, payload)
    assert statuses is None or all(isinstance(p, Post) and p.created_at.tzinfo for p in statuses)


def test_a_handle_without_instance_and_no_base_url_is_a_config_problem() -> None:
    config = config_for([{"platform": "mastodon", "handle": "northwind"}], {})
    collector = mastodon.from_config(config, shared())
    assert collector is not None
    output = collector.collect(context(config))
    assert _accounts(output)["northwind"].state is AccountState.UNKNOWN
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [
        ("config", "account:mastodon:northwind")
    ]
    assert output.report.requests == 0
