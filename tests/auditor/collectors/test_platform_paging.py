"""Pagination of every platform collector against the sandbox: nothing is lost past page one."""

from __future__ import annotations

from pathlib import Path

from platform_fixtures import accounts_of, collect, make_config

from auditor.core.evidence import DiscoveredAccount
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping


def test_x_timeline_follows_next_token(tmp_path: Path) -> None:
    tweets = [{"id": str(1000 + i), "text": f"t{i}", "created_at": f"-{i}m"} for i in range(1, 151)]
    world = world_from_mapping(
        {"x": {"me": "1", "users": [{"id": "1", "username": "a", "tweets": tweets}]}}
    )
    with start_sandbox(world) as sandbox:
        output = collect(make_config(sandbox, tmp_path, [{"platform": "x", "handle": "a"}]), "x")
    evidence = accounts_of(output)["account:x:a"]
    assert evidence.posts is not None and len(evidence.posts) == 150
    assert evidence.cursor == "1150"
    assert output.report.requests == 4  # get_me, batched lookup, two timeline pages


def test_meta_business_edges_follow_cursors(tmp_path: Path) -> None:
    pages = [{"id": str(200 + i), "username": f"p{i}", "name": f"P{i}"} for i in range(120)]
    business = {"id": "9", "name": "B", "users": [], "owned_pages": [p["id"] for p in pages]}
    world = world_from_mapping({"meta": {"businesses": [business], "pages": pages}})
    settings = {"meta": {"business_id": "9"}}
    accounts = [{"platform": "meta", "handle": "p119"}]
    with start_sandbox(world) as sandbox:
        output = collect(make_config(sandbox, tmp_path, accounts, settings=settings), "meta")
    discovered = [i for i in output.items if isinstance(i, DiscoveredAccount)]
    assert len(discovered) == 120
    page = accounts_of(output)["account:meta:p119"]
    assert page.account_id == "319" and page.owned_by_company is True


def test_linkedin_acls_follow_start_and_count(tmp_path: Path) -> None:
    acls = [{"person": f"urn:li:person:p{i}", "role": "ANALYST"} for i in range(120)]
    org = {"id": 7, "vanityName": "co", "acls": acls}
    world = world_from_mapping({"linkedin": {"organizations": [org]}})
    with start_sandbox(world) as sandbox:
        output = collect(
            make_config(sandbox, tmp_path, [{"platform": "linkedin", "handle": "co"}]), "linkedin"
        )
    roles = accounts_of(output)["account:linkedin:co"].roles
    assert roles is not None and len(roles) == 120
    assert len({r.person_id for r in roles}) == 120


def test_youtube_uploads_follow_page_tokens_until_the_window_ends(tmp_path: Path) -> None:
    uploads = [{"id": f"v{i:03d}", "title": "t", "published": f"-{i}h"} for i in range(1, 121)]
    uploads += [{"id": "old", "title": "t", "published": "-40d"}]
    channel = {"id": "UCx0000000000000000000001", "handle": "@c", "uploads": uploads}
    world = world_from_mapping({"youtube": {"channels": [channel]}})
    with start_sandbox(world) as sandbox:
        output = collect(
            make_config(sandbox, tmp_path, [{"platform": "youtube", "handle": "@c"}]), "youtube"
        )
    posts = accounts_of(output)["account:youtube:@c"].posts
    assert posts is not None and len(posts) == 120
    assert "old" not in {p.id for p in posts}
    assert output.report.requests == 4  # channel, three playlist pages
