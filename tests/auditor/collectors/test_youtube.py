"""Tests of the YouTube collector against the running sandbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from platform_fixtures import PLATFORM_WORLD, accounts_of, as_previous, collect, make_config

from auditor.collectors.platforms.youtube import google_error
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import AuthFailed, PermissionMissing, RateLimited
from auditor.core.evidence import AccountState
from auditor.sandbox import RunningSandbox, start_sandbox
from auditor.sandbox.world import load_world, world_from_mapping

ACCOUNTS = [{"platform": "youtube", "handle": "@northwind", "id": "UCnorthwind000000000000001"}]
KEY = "account:youtube:@northwind"


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    with start_sandbox(PLATFORM_WORLD, faults=[]) as sandbox:
        yield sandbox


def test_channel_profile_uploads_and_unexposed_managers(
    demo: RunningSandbox, tmp_path: Path
) -> None:
    output = collect(make_config(demo, tmp_path, ACCOUNTS), "youtube")
    assert output.report.status is SourceStatus.COMPLETE
    channel = accounts_of(output)[KEY]
    assert channel.state is AccountState.ACTIVE
    assert channel.account_id == "UCnorthwind000000000000001"
    assert channel.roles is None
    assert channel.roles_note == "YouTube does not expose channel managers"
    assert channel.profile is not None
    assert channel.profile.avatar_hash and channel.profile.banner_hash
    assert channel.posts is not None
    assert [p.id for p in channel.posts] == ["vidNW000002", "vidNW000001"]
    assert channel.cursor == "vidNW000002"


def test_second_run_reuses_uploads(demo: RunningSandbox, tmp_path: Path) -> None:
    config = make_config(demo, tmp_path, ACCOUNTS)
    first = collect(config, "youtube")
    second = collect(config, "youtube", previous=as_previous(first))
    assert accounts_of(second)[KEY].posts == accounts_of(first)[KEY].posts
    assert second.report.requests <= first.report.requests


def test_unknown_handle_answers_200_without_items_and_is_not_found(
    demo: RunningSandbox, tmp_path: Path
) -> None:
    accounts = [{"platform": "youtube", "handle": "@nobody"}]
    output = collect(make_config(demo, tmp_path, accounts), "youtube")
    assert accounts_of(output)["account:youtube:@nobody"].state is AccountState.NOT_FOUND
    assert output.report.problems == ()


def _world(**section: Any) -> Any:
    raw = dict(load_world(PLATFORM_WORLD).sections["youtube"])
    return world_from_mapping({"youtube": {**raw, **section}})


def test_quota_exceeded_in_the_body_is_a_rate_limit(tmp_path: Path) -> None:
    with start_sandbox(_world(quota_exceeded=True)) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS, budget=60), "youtube")
    assert accounts_of(output)[KEY].state is AccountState.UNKNOWN
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [("rate_limit", KEY)]


def test_invalid_key_fails_the_source(tmp_path: Path) -> None:
    with start_sandbox(_world(key_valid=False)) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS), "youtube")
    assert output.report.status is SourceStatus.FAILED
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [("auth", None)]


@pytest.mark.parametrize(
    "kind", ["rate_limit", "server_error", "malformed", "truncated", "disconnect"]
)
def test_faults_leave_the_channel_unverified(tmp_path: Path, kind: str) -> None:
    rule = {"platform": "youtube", "path": "^/youtube/v3/playlistItems$", "kind": kind}
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS, budget=5), "youtube")
    channel = accounts_of(output)[KEY]
    # the uploads failed: posts unknown; the channel's profile keeps its word
    assert channel.state is AccountState.ACTIVE and channel.posts is None
    assert facet_status(channel, Facet.POSTS).state is Coverage.UNKNOWN
    assert facet_status(channel, Facet.PROFILE, Facet.IDENTITY).is_complete
    assert [p.asset_key for p in output.report.problems] == [KEY]


def _response(status: int, reason: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    body = {"error": {"code": status, "message": "text", "errors": [{"reason": reason}]}}
    response._content = json.dumps(body).encode()
    return response


def test_google_error_reasons_map_by_reason() -> None:
    assert isinstance(google_error(_response(403, "quotaExceeded")), RateLimited)
    assert isinstance(google_error(_response(403, "rateLimitExceeded")), RateLimited)
    assert isinstance(google_error(_response(400, "keyInvalid")), AuthFailed)
    assert isinstance(google_error(_response(403, "forbidden")), PermissionMissing)
    assert google_error(_response(404, "channelNotFound")) is None


def test_token_never_reaches_logs(
    demo: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    output = collect(make_config(demo, tmp_path, ACCOUNTS), "youtube")
    assert output.report.requests > 0
    assert "GET" in caplog.text
    assert "s3cret-token" not in caplog.text
