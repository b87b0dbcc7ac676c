"""Tests of the X collector: against the running sandbox and against tweepy's recorded cassettes."""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
import yaml
from platform_fixtures import PLATFORM_WORLD, accounts_of, as_previous, collect, make_config

from auditor.collectors.platforms.x import gone_state, parse_tweets, parse_user
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import AuthFailed, MalformedResponse
from auditor.core.evidence import AccountState
from auditor.sandbox import DEMO_WORLD, RunningSandbox, start_sandbox
from auditor.sandbox.world import world_from_mapping

CASSETTES = Path(__file__).resolve().parents[3] / ".." / "shared" / "testdata" / "x-cassettes"
DEMO_ACCOUNTS = [
    {"platform": "x", "handle": "northwind", "id": "1500000000000000001"},
    {"platform": "x", "handle": "northwind_deals", "id": "1500000000000000002"},
    {"platform": "x", "handle": "northwind_help", "id": "1500000000000000003"},
]


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    with start_sandbox(PLATFORM_WORLD, faults=[]) as sandbox:
        yield sandbox


def test_demo_profiles_identity_and_posts(demo: RunningSandbox, tmp_path: Path) -> None:
    output = collect(make_config(demo, tmp_path, DEMO_ACCOUNTS), "x")
    assert output.report.status is not SourceStatus.FAILED
    assert output.report.problems == ()
    found = accounts_of(output)
    flagship = found["account:x:northwind"]
    assert flagship.state is AccountState.ACTIVE
    assert flagship.account_id == "1500000000000000001"
    assert flagship.token_account_id == "1500000000000000001"
    assert flagship.profile is not None
    assert flagship.profile.link == "https://northwind.example"
    assert flagship.profile.verified_type == "business"
    assert flagship.profile.pinned_post_id == "1800000000000000101"
    image = "https://pbs.twimg.com/profile_images/1500000000000000001/northwind_normal.png"
    assert flagship.profile.avatar_hash == hashlib.sha256(image.encode()).hexdigest()
    assert flagship.profile.banner_hash is not None
    assert flagship.posts is not None
    assert flagship.posts[0].id == "1800000000000000103"
    assert flagship.posts[-1].links == ("https://northwind.example/winter",)
    assert flagship.cursor == "1800000000000000103"
    assert flagship.roles is None
    assert flagship.roles_note
    assert found["account:x:northwind_help"].account_id == "1600000000000000077"
    assert output.report.requests == 5  # get_me, one batched lookup, three timelines


def test_demo_world_plants_the_identity_mismatch(tmp_path: Path) -> None:
    with start_sandbox(DEMO_WORLD, faults=[]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, DEMO_ACCOUNTS), "x")
    found = accounts_of(output)
    assert found["account:x:northwind_help"].account_id == "1600000000000000077"
    assert found["account:x:northwind"].token_account_id == "1500000000000000001"
    assert all(e.state is AccountState.ACTIVE for e in found.values())


def test_second_run_is_incremental_and_no_costlier(demo: RunningSandbox, tmp_path: Path) -> None:
    (tmp_path / "audit.db").touch()  # the HTTP cache is kept beside an existing store
    config = make_config(demo, tmp_path, DEMO_ACCOUNTS)
    first = collect(config, "x")
    second = collect(config, "x", previous=as_previous(first))
    again = accounts_of(second)["account:x:northwind"]
    assert again.posts == accounts_of(first)["account:x:northwind"].posts
    assert again.cursor == "1800000000000000103"
    # no timeline for the two accounts whose most_recent_tweet_id is unchanged; the third has
    # never posted (no most_recent_tweet_id), so its timeline is read again; one batched
    # GET /2/tweets?ids= confirms the carried tweets of all three still exist
    assert second.report.requests == first.report.requests - 2 + 1
    # the conditional cache lives in memory only: response bodies hold customers' replies
    assert not (tmp_path / "audit.platforms.http-cache.json").exists()


def test_no_cache_file_without_a_store(demo: RunningSandbox, tmp_path: Path) -> None:
    collect(make_config(demo, tmp_path, DEMO_ACCOUNTS[:1]), "x")
    assert list(tmp_path.iterdir()) == []


def test_gone_and_suspended_accounts_are_evidence_not_failures(tmp_path: Path) -> None:
    world = world_from_mapping(
        {
            "x": {
                "me": "1",
                "users": [
                    {"id": "1", "username": "a"},
                    {"id": "2", "username": "banned", "state": "suspended"},
                ],
            }
        }
    )
    accounts = [{"platform": "x", "handle": "ghost"}, {"platform": "x", "handle": "banned"}]
    with start_sandbox(world) as sandbox:
        output = collect(make_config(sandbox, tmp_path, accounts), "x")
    found = accounts_of(output)
    assert found["account:x:ghost"].state is AccountState.NOT_FOUND
    assert found["account:x:banned"].state is AccountState.SUSPENDED
    assert output.report.problems == ()


def test_access_tier_refusing_the_timeline_is_a_missing_scope(tmp_path: Path) -> None:
    world = world_from_mapping(
        {"x": {"me": "1", "refused": ["timeline"], "users": [{"id": "1", "username": "a"}]}}
    )
    with start_sandbox(world) as sandbox:
        output = collect(make_config(sandbox, tmp_path, [{"platform": "x", "handle": "a"}]), "x")
    evidence = accounts_of(output)["account:x:a"]
    assert evidence.state is AccountState.ACTIVE
    assert evidence.posts is None
    assert evidence.missing_scopes == ("tweet.read",)
    assert output.report.problems == ()


def test_access_tier_refusing_lookups_is_a_permission_problem(tmp_path: Path) -> None:
    world = world_from_mapping(
        {"x": {"me": "1", "refused": ["lookup"], "users": [{"id": "1", "username": "a"}]}}
    )
    with start_sandbox(world) as sandbox:
        output = collect(make_config(sandbox, tmp_path, [{"platform": "x", "handle": "a"}]), "x")
    evidence = accounts_of(output)["account:x:a"]
    assert evidence.state is AccountState.UNKNOWN
    assert evidence.missing_scopes == ("users.read",)
    problems = [(p.kind, p.asset_key, p.scope) for p in output.report.problems]
    assert problems == [("permission", "account:x:a", "users.read")]


def test_app_only_token_cannot_prove_ownership(tmp_path: Path) -> None:
    world = world_from_mapping({"x": {"users": [{"id": "1", "username": "a"}]}})
    with start_sandbox(world) as sandbox:
        output = collect(make_config(sandbox, tmp_path, [{"platform": "x", "handle": "a"}]), "x")
    evidence = accounts_of(output)["account:x:a"]
    assert evidence.state is AccountState.ACTIVE
    assert evidence.token_account_id is None
    assert evidence.missing_scopes == ("users.read (user context)",)


def test_refused_token_fails_the_whole_source(tmp_path: Path) -> None:
    world = world_from_mapping(
        {"x": {"token_valid": False, "users": [{"id": "1", "username": "a"}]}}
    )
    with start_sandbox(world) as sandbox, pytest.raises(AuthFailed):
        collect(make_config(sandbox, tmp_path, [{"platform": "x", "handle": "a"}]), "x")


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "rate_limit", "retry_after_s": 30},
        {"kind": "server_error"},
        {"kind": "timeout", "seconds": 0.8},
        {"kind": "disconnect"},
        {"kind": "malformed"},
        {"kind": "truncated"},
    ],
    ids=lambda f: f["kind"],
)
def test_every_fault_leaves_only_that_account_unverified(
    demo: RunningSandbox, tmp_path: Path, fault: dict[str, Any]
) -> None:
    rule = {"platform": "x", "path": "^/2/users/1500000000000000002/tweets$", **fault}
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, DEMO_ACCOUNTS, budget=5), "x")
    found = accounts_of(output)
    deals = found["account:x:northwind_deals"]
    # the timeline failed: the posts are unknown, the profile read before it keeps its word
    assert deals.state is AccountState.ACTIVE and deals.posts is None
    assert facet_status(deals, Facet.POSTS).state is Coverage.UNKNOWN
    assert deals.profile is not None and facet_status(deals, Facet.PROFILE).is_complete
    # only that account has problems (a slow machine may add a second one for it)
    assert {p.asset_key for p in output.report.problems} == {"account:x:northwind_deals"}
    assert found["account:x:northwind"].state is AccountState.ACTIVE
    assert found["account:x:northwind_help"].state is AccountState.ACTIVE


def test_rate_limit_within_budget_is_waited_out(tmp_path: Path) -> None:
    rule = {
        "platform": "x",
        "path": "^/2/users/by$",
        "kind": "rate_limit",
        "times": 1,
        "retry_after_s": 1,
    }
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, DEMO_ACCOUNTS[:1], budget=5), "x")
    assert accounts_of(output)["account:x:northwind"].state is AccountState.ACTIVE
    assert output.report.problems == ()


def test_failed_batch_lookup_falls_back_to_one_lookup_per_account(tmp_path: Path) -> None:
    rule = {"platform": "x", "path": "^/2/users/by$", "kind": "malformed"}
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, DEMO_ACCOUNTS), "x")
    found = accounts_of(output)
    assert all(e.state is AccountState.ACTIVE for e in found.values())
    assert output.report.problems == ()
    assert output.report.requests == 8  # get_me, failed batch, three lookups, three timelines


def test_token_never_reaches_logs(
    demo: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    collect(make_config(demo, tmp_path, DEMO_ACCOUNTS[:1]), "x")
    assert "Bearer" in caplog.text  # tweepy logs its headers at DEBUG: only the placeholder
    assert "s3cret-token" not in caplog.text


def test_parsers_on_hostile_shapes() -> None:
    with pytest.raises(MalformedResponse):
        parse_user({"name": "no id"})
    with pytest.raises(MalformedResponse):
        parse_tweets({"data": [{"id": "1", "text": "x"}]}, "a")
    assert gone_state([{"title": "Forbidden"}]) is AccountState.SUSPENDED
    assert gone_state(None) is AccountState.NOT_FOUND


def _cassette(name: str) -> list[tuple[str, int, dict[str, str], bytes]]:
    path = CASSETTES / f"{name}.yaml"
    if not path.exists():
        pytest.skip(f"cassette {name} not available")
    recorded = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for interaction in recorded["interactions"]:
        response = interaction["response"]
        body = response["body"]["string"]
        if isinstance(body, bytes):
            body = gzip.decompress(body)
        headers = {
            k: v[0]
            for k, v in response["headers"].items()
            if k.lower() not in ("content-encoding", "content-length", "set-cookie")
        }
        found.append(
            (
                interaction["request"]["uri"],
                response["status"]["code"],
                headers,
                body if isinstance(body, bytes) else body.encode(),
            )
        )
    return found


def test_cassette_users_parse() -> None:
    ((_, _, _, body),) = _cassette("test_client_get_user")
    account_id, profile = parse_user(yaml.safe_load(body)["data"])
    assert (account_id, profile.display_name) == ("783214", "Twitter")
    assert profile.avatar_hash is None  # default fields only: unknown, never guessed


@responses.activate
def test_cassettes_replayed_through_tweepy_and_the_http_layer(tmp_path: Path) -> None:
    for name in ("test_client_get_me", "test_client_get_user", "test_client_get_users_tweets"):
        for uri, status, headers, body in _cassette(name):
            responses.get(uri.split("?")[0], body=body, status=status, headers=headers)
    config_raw = ConfigModel.model_validate(
        {
            "organization": {"name": "T", "email_domains": ["t.example"]},
            "accounts": [{"platform": "x", "handle": "Twitter"}],
            "platforms": {"x": {"token": "s3cret-token", "retries": 0}},
            "storage": {"path": str(tmp_path / "a.db")},
        }
    )
    output = collect(AppConfig(config_raw, tmp_path / "c.yaml"), "x")
    evidence = accounts_of(output)["account:x:twitter"]
    # The recorded timeline holds default fields only (no created_at): the posts are unknown.
    assert evidence.state is AccountState.ACTIVE and evidence.posts is None
    assert facet_status(evidence, Facet.POSTS).state is Coverage.UNKNOWN
    assert [p.kind for p in output.report.problems] == ["malformed"]
    assert output.report.requests == 4  # get_me, the unrecorded batch lookup, user, timeline
    sent = [call.request for call in responses.calls if call.response is not None]
    assert all(r.headers["Authorization"] == "Bearer s3cret-token" for r in sent)
    assert sent[0].headers["User-Agent"].startswith("brand-auditor/")
    assert "since_id" not in sent[-1].url and "start_time" in sent[-1].url
