"""Tests of deletion detection in the platform collectors (X, Meta, LinkedIn, YouTube).

Each test reads the platform world once, removes posts from the world, and reads again with the
first run as the previous evidence: posts fetched incrementally must not hide a deletion, the
carried posts are checked in batches, and a failed check leaves the posts unknown.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from platform_fixtures import NOW, PLATFORM_WORLD, accounts_of, as_previous, collect, make_config

from auditor.collectors.base import CollectorOutput
from auditor.collectors.platforms.post_history import CarriedPosts
from auditor.core.errors import MalformedResponse
from auditor.core.evidence import AccountState, Evidence, Post
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

X_ACCOUNTS = [
    {"platform": "x", "handle": "northwind", "id": "1500000000000000001"},
    {"platform": "x", "handle": "northwind_deals", "id": "1500000000000000002"},
]
META_ACCOUNTS = [
    {"platform": "meta", "handle": "northwindoutfitters", "id": "200000000000001"},
    {"platform": "instagram", "handle": "northwind", "id": "17841400000000001"},
]
META_SETTINGS = {"meta": {"business_id": "300000000000001", "version": "v21.0"}}
LINKEDIN_ACCOUNTS = [{"platform": "linkedin", "handle": "northwind-outfitters", "id": "1001"}]
YOUTUBE_ACCOUNTS = [
    {"platform": "youtube", "handle": "@northwind", "id": "UCnorthwind000000000000001"}
]

Edit = Callable[[dict[str, Any]], None]


def _world() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PLATFORM_WORLD.read_text(encoding="utf-8"))
    return loaded


def _drop(items: list[dict[str, Any]], key: str, *ids: str) -> None:
    for holder in items:
        holder[key] = [p for p in holder.get(key) or [] if str(p["id"]) not in ids]


def _run(
    world: dict[str, Any],
    tmp_path: Path,
    accounts: list[dict[str, Any]],
    name: str,
    *,
    previous: Evidence | None = None,
    faults: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
) -> CollectorOutput:
    with start_sandbox(world_from_mapping(world), faults=faults or []) as sandbox:
        config = make_config(sandbox, tmp_path, accounts, settings=settings)
        return collect(config, name, previous=previous)


def _two_runs(
    tmp_path: Path,
    accounts: list[dict[str, Any]],
    name: str,
    edit: Edit,
    **options: Any,
) -> tuple[CollectorOutput, CollectorOutput]:
    world = _world()
    first = _run(world, tmp_path, accounts, name, settings=options.get("settings"))
    changed = copy.deepcopy(world)
    edit(changed)
    second = _run(changed, tmp_path, accounts, name, previous=as_previous(first), **options)
    return first, second


def _ids(output: CollectorOutput, key: str) -> list[str] | None:
    posts = accounts_of(output)[key].posts
    return None if posts is None else [p.id for p in posts]


def test_x_deleted_tweet_disappears_even_when_nothing_new_was_posted(tmp_path: Path) -> None:
    # 102 is not the newest tweet, so most_recent_tweet_id is unchanged and the timeline is
    # skipped: only the batched lookup can tell that 102 is gone.
    def edit(world: dict[str, Any]) -> None:
        _drop(world["x"]["users"], "tweets", "1800000000000000102")

    first, second = _two_runs(tmp_path, X_ACCOUNTS, "x", edit)
    assert "1800000000000000102" in (_ids(first, "account:x:northwind") or [])
    assert _ids(second, "account:x:northwind") == ["1800000000000000103", "1800000000000000101"]
    assert _ids(second, "account:x:northwind_deals") == _ids(first, "account:x:northwind_deals")
    assert second.report.problems == ()
    # no timelines (nothing new), one lookup of all 5 carried tweets of both accounts
    assert second.report.requests == first.report.requests - 2 + 1


def test_x_new_tweets_are_fetched_incrementally_and_deletions_still_seen(
    tmp_path: Path,
) -> None:
    def edit(world: dict[str, Any]) -> None:
        user = world["x"]["users"][0]
        user["tweets"] = [t for t in user["tweets"] if t["id"] != "1800000000000000101"]
        user["tweets"].append({"id": "1800000000000000104", "text": "new", "created_at": "-1h"})

    _, second = _two_runs(tmp_path, X_ACCOUNTS[:1], "x", edit)
    evidence = accounts_of(second)["account:x:northwind"]
    assert [p.id for p in evidence.posts or ()] == [
        "1800000000000000104",
        "1800000000000000103",
        "1800000000000000102",
    ]
    assert evidence.cursor == "1800000000000000104"


def test_x_failed_lookup_leaves_posts_unknown_with_a_problem(tmp_path: Path) -> None:
    fault = {"platform": "x", "path": "^/2/tweets$", "kind": "server_error", "status": 500}
    _, second = _two_runs(tmp_path, X_ACCOUNTS, "x", lambda world: None, faults=[fault])
    found = accounts_of(second)
    for key in ("account:x:northwind", "account:x:northwind_deals"):
        assert found[key].state is AccountState.ACTIVE
        assert found[key].profile is not None
        assert found[key].posts is None
    assert sorted(p.asset_key or "" for p in second.report.problems) == [
        "account:x:northwind",
        "account:x:northwind_deals",
    ]
    assert all(p.kind == "server" for p in second.report.problems)


def test_posts_that_left_the_window_are_dropped(tmp_path: Path) -> None:
    world = _world()
    first = _run(world, tmp_path, X_ACCOUNTS[:1], "x")
    # the next run is 9 days later: 101 (then 15 days old) has left the 14-day window
    with start_sandbox(world_from_mapping(world), faults=[]) as sandbox:
        config = make_config(sandbox, tmp_path, X_ACCOUNTS[:1])
        second = collect(config, "x", previous=as_previous(first), now=NOW + timedelta(days=9))
    assert _ids(second, "account:x:northwind") == ["1800000000000000103", "1800000000000000102"]
    assert second.report.problems == ()


def test_meta_deleted_page_post_and_media_disappear(tmp_path: Path) -> None:
    first, second = _two_runs(
        tmp_path, META_ACCOUNTS, "meta", _drop_oldest_meta, settings=META_SETTINGS
    )
    assert _ids(first, "account:meta:northwindoutfitters") == [
        "200000000000001_9002",
        "200000000000001_9001",
    ]
    assert _ids(second, "account:meta:northwindoutfitters") == ["200000000000001_9002"]
    assert _ids(second, "account:instagram:northwind") == []
    assert second.report.problems == ()


def test_meta_unchanged_posts_cost_no_lookup(tmp_path: Path) -> None:
    first, second = _two_runs(
        tmp_path, META_ACCOUNTS, "meta", lambda world: None, settings=META_SETTINGS
    )
    assert _ids(second, "account:meta:northwindoutfitters") == _ids(
        first, "account:meta:northwindoutfitters"
    )
    assert _ids(second, "account:instagram:northwind") == ["17900000000000001"]
    assert second.report.requests == first.report.requests  # the pages read prove them


def _drop_oldest_meta(world: dict[str, Any]) -> None:
    """Remove the page's older post and the only media item: the pages read no longer reach
    them, so only the batched lookup can tell."""
    _drop(world["meta"]["pages"], "posts", "200000000000001_9001")
    _drop(world["meta"]["instagram"], "media", "17900000000000001")


def test_meta_failed_batch_leaves_posts_unknown(tmp_path: Path) -> None:
    fault = {"platform": "meta", "path": r"^/v21\.0/?$", "kind": "malformed"}
    _, second = _two_runs(
        tmp_path,
        META_ACCOUNTS,
        "meta",
        _drop_oldest_meta,
        faults=[fault],
        settings=META_SETTINGS,
    )
    page = accounts_of(second)["account:meta:northwindoutfitters"]
    assert page.state is AccountState.ACTIVE
    assert page.posts is None
    assert page.roles is not None  # the rest of the evidence is kept
    keys = {p.asset_key for p in second.report.problems}
    assert keys == {"account:meta:northwindoutfitters", "account:instagram:northwind"}
    assert all(p.kind == "malformed" for p in second.report.problems)


def _drop_linkedin(world: dict[str, Any]) -> None:
    _drop(world["linkedin"]["organizations"], "posts", "urn:li:share:7100000000000000001")


def test_linkedin_deleted_post_disappears(tmp_path: Path) -> None:
    first, second = _two_runs(tmp_path, LINKEDIN_ACCOUNTS, "linkedin", _drop_linkedin)
    key = "account:linkedin:northwind-outfitters"
    assert _ids(first, key) == ["urn:li:share:7100000000000000001"]
    assert _ids(second, key) == []
    assert second.report.problems == ()


def test_linkedin_failed_batch_get_leaves_posts_unknown(tmp_path: Path) -> None:
    # the listing (first /rest/posts request) no longer has the post; the batch get (second)
    # fails
    fault = {"platform": "linkedin", "path": "^/rest/posts$", "kind": "server_error", "every": 2}
    _, second = _two_runs(tmp_path, LINKEDIN_ACCOUNTS, "linkedin", _drop_linkedin, faults=[fault])
    evidence = accounts_of(second)["account:linkedin:northwind-outfitters"]
    assert evidence.state is AccountState.ACTIVE
    assert evidence.profile is not None
    assert evidence.roles is not None
    assert evidence.posts is None
    assert [p.asset_key for p in second.report.problems] == [
        "account:linkedin:northwind-outfitters"
    ]


def _drop_oldest_upload(world: dict[str, Any]) -> None:
    _drop(world["youtube"]["channels"], "uploads", "vidNW000001")


def test_youtube_deleted_upload_disappears(tmp_path: Path) -> None:
    first, second = _two_runs(tmp_path, YOUTUBE_ACCOUNTS, "youtube", _drop_oldest_upload)
    assert _ids(first, "account:youtube:@northwind") == ["vidNW000002", "vidNW000001"]
    assert _ids(second, "account:youtube:@northwind") == ["vidNW000002"]
    assert second.report.problems == ()


@pytest.mark.parametrize("kind", ["server_error", "malformed"])
def test_youtube_failed_lookup_leaves_uploads_unknown(tmp_path: Path, kind: str) -> None:
    fault = {"platform": "youtube", "path": "^/youtube/v3/videos$", "kind": kind}
    _, second = _two_runs(
        tmp_path, YOUTUBE_ACCOUNTS, "youtube", _drop_oldest_upload, faults=[fault]
    )
    evidence = accounts_of(second)["account:youtube:@northwind"]
    assert evidence.posts is None
    assert evidence.profile is not None
    assert [p.asset_key for p in second.report.problems] == ["account:youtube:@northwind"]


def test_youtube_upload_missing_between_listed_ones_is_gone_without_a_lookup(
    tmp_path: Path,
) -> None:
    world = _world()
    channel = world["youtube"]["channels"][0]
    channel["uploads"].append({"id": "vidNW000003", "title": "New", "published": "-1d"})
    first = _run(world, tmp_path, YOUTUBE_ACCOUNTS, "youtube")
    changed = copy.deepcopy(world)
    _drop(changed["youtube"]["channels"], "uploads", "vidNW000002")
    fault = {"platform": "youtube", "path": "^/youtube/v3/videos$", "kind": "server_error"}
    second = _run(
        changed,
        tmp_path,
        YOUTUBE_ACCOUNTS,
        "youtube",
        previous=as_previous(first),
        faults=[fault],  # any lookup would fail the test
    )
    assert _ids(second, "account:youtube:@northwind") == ["vidNW000003", "vidNW000001"]
    assert second.report.problems == ()
    assert second.report.requests == first.report.requests


def test_history_settle_asks_only_what_the_pages_did_not_reach() -> None:
    asked: list[list[str]] = []

    def verify(ids: Sequence[str]) -> dict[str, bool]:
        asked.append(list(ids))
        return {i: i != "old-gone" for i in ids}

    def post(post_id: str, days: float) -> Post:
        return Post(id=post_id, created_at=NOW - timedelta(days=days), text=post_id)

    carried = (post("new", 1), post("mid-gone", 2), post("old", 5), post("old-gone", 6))
    history = CarriedPosts(None, carried)
    history.confirm([post("newer", 0.5), post("new", 1), post("mid", 3)], verify, 1)
    assert asked == [["old"], ["old-gone"]]  # batches of one; "mid-gone" is newer than "mid"
    assert [p.id for p in history.kept or ()] == ["new", "old"]
    assert history.error is None
    undecided = CarriedPosts(None, (post("old", 5),))
    undecided.confirm([], lambda ids: {}, 10)
    assert isinstance(undecided.error, MalformedResponse)
