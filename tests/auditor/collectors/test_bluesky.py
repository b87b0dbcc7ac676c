"""Bluesky collector: pure parsing, then the sandbox (AppView, well-known, PLC, DoH) over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from json_api_fixtures import config_for, context, json_values, parsed_or_malformed, shared

from auditor.collectors.platforms import bluesky
from auditor.collectors.platforms.bluesky import BlueskyProfile, parse_feed, parse_profile
from auditor.collectors.platforms.bluesky_identity import (
    IdentityEndpoints,
    NoResolver,
    did_from_txt,
    did_from_well_known,
    handle_in_did_document,
    parse_doh_txt,
    pds_endpoint,
)
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import MalformedResponse
from auditor.core.evidence import AccountEvidence, AccountState, Post
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

DID = "did:plc:northwindexample00000001"


def test_parse_profile_reads_badges_pinned_post_and_links() -> None:
    found = parse_profile(
        {
            "did": DID,
            "handle": "northwind.example",
            "displayName": "Northwind",
            "description": "Gear. https://northwind.example/shop and more",
            "avatar": "https://cdn.example/a.jpg",
            "pinnedPost": {"uri": f"at://{DID}/app.bsky.feed.post/3k", "cid": "bafy"},
            "verification": {"verifiedStatus": "valid", "trustedVerifierStatus": "none"},
        }
    )
    assert (found.did, found.handle) == (DID, "northwind.example")
    assert found.profile.verified is True and found.profile.verified_type == "verified"
    assert found.profile.pinned_post_id == f"at://{DID}/app.bsky.feed.post/3k"
    assert found.profile.extra_links == ("https://northwind.example/shop",)
    unbadged = parse_profile({"did": DID, "handle": "handle.invalid"})
    assert unbadged.profile.verified is None and unbadged.handle == "handle.invalid"
    with pytest.raises(MalformedResponse):
        parse_profile({"handle": "x.example"})


def test_parse_feed_skips_reposts_and_reads_facet_links() -> None:
    post = {
        "uri": f"at://{DID}/app.bsky.feed.post/3kx",
        "author": {"did": DID},
        "record": {
            "text": "hi",
            "createdAt": "2026-11-20T10:00:00Z",
            "facets": [{"features": [{"uri": "https://bit.ly/x"}]}],
            "reply": {"parent": {}},
        },
        "indexedAt": "2026-11-20T10:00:01Z",
    }
    posts, cursor = parse_feed(
        {"cursor": "abc", "feed": [{"post": post}, {"post": post, "reason": {}}]}
    )
    assert cursor == "abc" and len(posts) == 1
    assert posts[0].links == ("https://bit.ly/x",) and posts[0].is_reply
    assert posts[0].url == f"https://bsky.app/profile/{DID}/post/3kx"
    with pytest.raises(MalformedResponse):
        parse_feed({"feed": [{"post": {**post, "record": {"text": "no time"}, "indexedAt": None}}]})


def test_identity_helpers() -> None:
    assert parse_doh_txt({"Status": 0, "Answer": [{"type": 16, "data": f'"did={DID}"'}]}) == (
        f"did={DID}",
    )
    assert parse_doh_txt({"Status": 3}) == ()
    with pytest.raises(MalformedResponse):
        parse_doh_txt({"Status": 2})
    assert did_from_txt((f"did={DID}", "v=spf1")) == DID
    assert did_from_txt(("did=did:plc:a", "did=did:plc:b")) is None
    assert did_from_well_known(f"{DID}\n") == DID
    assert did_from_well_known("<html>hello</html>") is None
    assert handle_in_did_document({"alsoKnownAs": ["at://Northwind.example"]}, "northwind.example")
    assert not handle_in_did_document(
        {"alsoKnownAs": ["at://other.example", "at://northwind.example"]}, "northwind.example"
    )
    assert NoResolver().txt("_atproto.x") is None


def test_identity_endpoints_derive_from_a_base_url() -> None:
    under = IdentityEndpoints.under("http://127.0.0.1:9/bluesky/")
    assert under.well_known.format(handle="a.example") == (
        "http://127.0.0.1:9/bluesky/handles/a.example/.well-known/atproto-did"
    )
    assert IdentityEndpoints.public().plc_directory == "https://plc.directory"


# -- sandbox ------------------------------------------------------------------------------------

HEALTHY: dict[str, Any] = {
    "did": DID,
    "handle": "northwind.example",
    "display_name": "Northwind Outfitters",
    "description": "Outdoor gear.",
    "dns": True,
    "well_known": True,
    "posts": [
        {
            "rkey": "3k1",
            "text": "Trail season",
            "created_at": "-1d",
            "links": ["https://northwind.example"],
        },
        {"rkey": "3k2", "text": "reposted", "created_at": "-1d", "repost": True},
        {"rkey": "3k0", "text": "old", "created_at": "-40d"},
    ],
}
EVENTS_DID = "did:plc:northwindevents0000000004"
WORLD: dict[str, Any] = {
    "accounts": [
        HEALTHY,
        {
            "did": "did:plc:northwindstore0000000002",
            "handle": "northwindstore.bsky.social",
            "state": "gone",
        },
        {
            "did": "did:plc:northwindold00000000003",
            "handle": "northwind-old.example",
            "state": "takendown",
        },
        # The handle's DNS/well-known name this DID, but its DID document no longer lists it.
        {
            "did": EVENTS_DID,
            "handle": "northwind-events.example",
            "also_known_as": ["at://northwind-events.bsky.social"],
        },
    ]
}
ACCOUNTS = [
    {"platform": "bluesky", "handle": "northwind.example", "id": DID},
    {"platform": "bluesky", "handle": "northwindstore.bsky.social"},
    {"platform": "bluesky", "handle": "northwind-old.example"},
    {"platform": "bluesky", "handle": "northwind-events.example", "id": EVENTS_DID},
]


def _collect(
    world: dict[str, Any],
    faults: list[dict[str, Any]] | None = None,
    accounts: list[dict[str, Any]] | None = None,
) -> Any:
    with start_sandbox(world_from_mapping({"bluesky": world}), faults=faults or []) as box:
        config = config_for(
            accounts or ACCOUNTS, {"bluesky": {"base_url": box.base_urls["bluesky"]}}
        )
        collector = bluesky.from_config(config, shared())
        assert collector is not None
        return collector.collect(context(config))


def _accounts(output: Any) -> dict[str, AccountEvidence]:
    return {i.handle: i for i in output.items if isinstance(i, AccountEvidence)}


def test_healthy_account_gone_and_taken_down() -> None:
    output = _collect(WORLD)
    assert output.report.status is not SourceStatus.FAILED, output.report.problems
    evidence = _accounts(output)
    healthy = evidence["northwind.example"]
    assert healthy.state is AccountState.ACTIVE and healthy.account_id == DID
    assert healthy.handle_verified is True
    assert healthy.profile is not None and healthy.profile.display_name == "Northwind Outfitters"
    assert [p.text for p in healthy.posts or ()] == ["Trail season"]
    assert (healthy.posts or ())[0].links == ("https://northwind.example",)
    assert healthy.roles is None and healthy.roles_note
    assert evidence["northwindstore.bsky.social"].state is AccountState.NOT_FOUND
    assert evidence["northwind-old.example"].state is AccountState.SUSPENDED
    assert evidence["northwindstore.bsky.social"].handle_verified is None


def test_did_document_not_listing_the_handle_is_evidence_not_a_problem() -> None:
    output = _collect(WORLD)
    assert output.report.status is SourceStatus.COMPLETE
    events = _accounts(output)["northwind-events.example"]
    assert events.state is AccountState.ACTIVE and events.account_id == EVENTS_DID
    assert events.handle_verified is False
    assert events.profile is not None and events.posts == ()


@pytest.mark.parametrize(("dns", "well_known"), [(True, False), (False, True)])
def test_either_resolution_path_verifies_the_handle(dns: bool, well_known: bool) -> None:
    world = {"accounts": [{**HEALTHY, "dns": dns, "well_known": well_known}]}
    evidence = _accounts(_collect(world, accounts=ACCOUNTS[:1]))["northwind.example"]
    assert evidence.account_id == DID


@pytest.mark.parametrize(("dns", "well_known"), [(True, False), (False, True)])
def test_handle_whose_record_names_another_did_does_not_verify(dns: bool, well_known: bool) -> None:
    other = "did:plc:impostor000000000000000009"
    account = {**HEALTHY, "dns": dns, "well_known": well_known, "resolves_to": other}
    output = _collect({"accounts": [account]}, accounts=ACCOUNTS[:1])
    assert not output.report.problems
    evidence = _accounts(output)["northwind.example"]
    assert evidence.state is AccountState.ACTIVE and evidence.handle_verified is False
    assert evidence.account_id == other


def test_unverified_handle_gets_no_session_token() -> None:
    world = {
        "accounts": [{**HEALTHY, "also_known_as": ["at://someone-else.example"]}],
        "session": SESSION,
    }
    evidence = _accounts(_collect_with_token(world, ACCOUNTS[:1]))["northwind.example"]
    assert evidence.handle_verified is False
    assert (evidence.token_account_id, evidence.registration_email) == (None, None)


def test_handle_released_by_the_recorded_did_does_not_verify() -> None:
    moved = {**HEALTHY, "handle": "northwind-archive.bsky.social"}
    output = _collect({"accounts": [moved]}, accounts=ACCOUNTS[:1])
    assert not output.report.problems
    evidence = _accounts(output)["northwind.example"]
    assert evidence.state is AccountState.NOT_FOUND and evidence.handle_verified is False
    assert evidence.account_id is None


def test_handle_now_pointing_at_another_did_reports_that_did() -> None:
    other = "did:plc:impostor000000000000000009"
    world = {"accounts": [{**HEALTHY, "did": other}]}
    evidence = _accounts(_collect(world, accounts=ACCOUNTS[:1]))["northwind.example"]
    assert evidence.state is AccountState.ACTIVE and evidence.account_id == other


def test_posts_page_with_the_cursor() -> None:
    posts = [
        {"rkey": f"3p{i:03d}", "text": f"post {i}", "created_at": f"-{i}h"} for i in range(250)
    ]
    world = {"accounts": [{**HEALTHY, "posts": posts}]}
    evidence = _accounts(_collect(world, accounts=ACCOUNTS[:1]))["northwind.example"]
    assert len(evidence.posts or ()) == 250


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
    fault = {**rule, "platform": "bluesky", "path": "^/plc/"}
    output = _collect(WORLD, faults=[fault], accounts=ACCOUNTS[:2])
    evidence = _accounts(output)
    northwind = evidence["northwind.example"]
    # the DID directory failed: the identity is unknown; the profile and posts keep their word
    assert northwind.state is AccountState.ACTIVE and northwind.handle_verified is None
    assert facet_status(northwind, Facet.IDENTITY).state is Coverage.UNKNOWN
    assert facet_status(northwind, Facet.PROFILE, Facet.POSTS).is_complete
    assert evidence["northwindstore.bsky.social"].state is AccountState.NOT_FOUND
    problems = [(p.kind, p.asset_key) for p in output.report.problems]
    assert problems == [(kind, "account:bluesky:northwind.example")]


@settings(max_examples=150, deadline=None)
@given(
    payload=json_values()
    | st.fixed_dictionaries(
        {}, optional={k: json_values() for k in ["did", "handle", "feed", "Status"]}
    )
)
def test_hostile_payloads_raise_only_malformed_response(payload: Any) -> None:
    profile = parsed_or_malformed(parse_profile, payload)
    assert profile is None or isinstance(profile, BlueskyProfile)
    feed = parsed_or_malformed(parse_feed, payload)
    assert feed is None or all(isinstance(p, Post) for p in feed[0])
    records = parsed_or_malformed(parse_doh_txt, payload)
    assert records is None or all(isinstance(r, str) for r in records)


def test_pds_endpoint_comes_from_the_did_document() -> None:
    document = {"service": [{"id": "#atproto_pds", "serviceEndpoint": "https://pds.example/"}]}
    assert pds_endpoint(document) == "https://pds.example"
    assert (
        pds_endpoint({"service": [{"id": "#atproto_pds", "serviceEndpoint": "file:///etc"}]})
        is None
    )
    assert pds_endpoint({}) is None


SESSION = {"did": DID, "email": "Social@northwind.example", "email_auth_factor": True}


def _collect_with_token(world: dict[str, Any], accounts: list[dict[str, Any]]) -> Any:
    with start_sandbox(world_from_mapping({"bluesky": world}), faults=[]) as box:
        settings = {"base_url": box.base_urls["bluesky"], "token": "session-jwt"}
        config = config_for(accounts, {"bluesky": settings})
        collector = bluesky.from_config(config, shared())
        assert collector is not None
        return collector.collect(context(config))


def test_a_session_token_tells_the_accounts_email_and_second_factor() -> None:
    output = _collect_with_token({**WORLD, "session": SESSION}, ACCOUNTS)
    assert output.report.status is not SourceStatus.FAILED, output.report.problems
    evidence = _accounts(output)["northwind.example"]
    assert evidence.token_account_id == DID
    assert evidence.account_two_factor is True
    assert evidence.registration_email == "social@northwind.example"


def test_no_session_facts_without_a_session_or_for_an_unrecorded_identity() -> None:
    without = _accounts(_collect_with_token(WORLD, ACCOUNTS[:1]))["northwind.example"]
    assert (without.token_account_id, without.account_two_factor) == (None, None)
    unrecorded = [{"platform": "bluesky", "handle": "northwind.example"}]
    output = _collect_with_token({**WORLD, "session": SESSION}, unrecorded)
    evidence = _accounts(output)["northwind.example"]
    assert evidence.account_id == DID and evidence.token_account_id is None
