"""Tests of the platforms family: which collectors are built, and the shared helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.collectors.platforms import collector as platforms
from auditor.collectors.platforms.collector import CarriedPosts, cache_path, links_in, url_digest
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.evidence import AccountEvidence, AccountState, Post

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _config(tmp_path: Path, accounts: list[dict[str, Any]], names: list[str]) -> AppConfig:
    raw = {
        "organization": {"name": "N", "email_domains": ["n.example"]},
        "accounts": accounts,
        "platforms": {name: {"token": "t"} for name in names},
        "storage": {"path": str(tmp_path / "audit.db")},
    }
    return AppConfig(ConfigModel.model_validate(raw), tmp_path / "config.yaml")


def test_build_only_configured_platforms_with_accounts(tmp_path: Path) -> None:
    accounts = [
        {"platform": "x", "handle": "a"},
        {"platform": "instagram", "handle": "b"},
        {"platform": "youtube", "handle": "@c"},
    ]
    config = _config(tmp_path, accounts, ["x", "meta", "linkedin", "github"])
    built = platforms.build(config)
    assert [c.name for c in built] == ["x", "meta"]
    assert all(c.scopes for c in built)
    assert platforms.build(_config(tmp_path, [], ["x", "meta"])) == []


def test_build_shares_one_http_state(tmp_path: Path) -> None:
    accounts = [{"platform": "x", "handle": "a"}, {"platform": "linkedin", "handle": "b"}]
    built = platforms.build(_config(tmp_path, accounts, ["x", "linkedin"]))
    shared = {id(c.client.shared) for c in built}  # type: ignore[attr-defined]
    assert len(shared) == 1


def test_cache_lives_beside_an_existing_store_only(tmp_path: Path) -> None:
    config = _config(tmp_path, [], [])
    assert cache_path(config, "platforms") is None
    (tmp_path / "audit.db").touch()
    assert cache_path(config, "platforms") == tmp_path / "audit.platforms.http-cache.json"


def _post(post_id: str, age_days: float) -> Post:
    return Post(id=post_id, created_at=NOW - timedelta(days=age_days), text=post_id)


def test_merge_keeps_verified_posts_in_window_drops_duplicates_newest_first() -> None:
    previous = AccountEvidence(
        platform="x",
        handle="a",
        source="x",
        observed_at=NOW,
        state=AccountState.ACTIVE,
        account_id="9",
        posts=(_post("1", 20), _post("2", 3), _post("3", 1), _post("5", 2)),
    )
    # "5" was not confirmed to exist (deleted): it is not carried over.
    history = CarriedPosts(previous, kept=(_post("1", 20), _post("2", 3), _post("3", 1)))
    merged = history.merge([_post("3", 1), _post("4", 0.5)], NOW - timedelta(days=14))
    assert [p.id for p in merged] == ["4", "3", "2"]
    assert CarriedPosts().merge([], NOW) == ()
    assert history.for_account("9") is history
    assert history.for_account("10") == CarriedPosts(kept=())


def test_links_and_digests() -> None:
    assert links_in("see https://a.example/x, and http://b.example/y.") == (
        "https://a.example/x",
        "http://b.example/y",
    )
    assert links_in(None) == ()
    assert url_digest(None) is None
    assert url_digest("https://img.example/a.png") == url_digest(" https://img.example/a.png ")
    assert url_digest("https://img.example/a.png") != url_digest("https://img.example/b.png")
