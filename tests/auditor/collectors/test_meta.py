"""Tests of the Meta collector against the running sandbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from platform_fixtures import PLATFORM_WORLD, accounts_of, as_previous, collect, make_config

from auditor.collectors.platforms.meta_graph import graph_error
from auditor.collectors.platforms.meta_token import lacking, parse_debug_token
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import (
    AuthFailed,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    RateLimited,
    ServerFailure,
)
from auditor.core.evidence import AccountState, DiscoveredAccount
from auditor.sandbox import RunningSandbox, start_sandbox
from auditor.sandbox.world import load_world, world_from_mapping

ACCOUNTS = [
    {"platform": "meta", "handle": "northwindoutfitters", "id": "200000000000001"},
    {"platform": "instagram", "handle": "northwind", "id": "17841400000000001"},
]
SETTINGS = {"meta": {"business_id": "300000000000001", "version": "v21.0"}}


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    with start_sandbox(PLATFORM_WORLD, faults=[]) as sandbox:
        yield sandbox


def test_page_roles_policy_apps_and_posts(demo: RunningSandbox, tmp_path: Path) -> None:
    output = collect(make_config(demo, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    assert output.report.status is SourceStatus.COMPLETE
    page = accounts_of(output)["account:meta:northwindoutfitters"]
    assert page.state is AccountState.ACTIVE
    assert page.owned_by_company is True
    assert page.owner_name == "Northwind Outfitters"
    assert page.two_factor_policy is not None
    assert page.two_factor_policy.required_for == "none"
    roles = {r.email or r.person_id: r for r in page.roles or ()}
    assert roles["ben.ortiz@northwind.example"].full_admin
    assert roles["ben.ortiz@northwind.example"].privilege == 3
    assert roles["mallory.k@gmail.com"].role == "MANAGE"
    assert roles["mallory.k@gmail.com"].two_factor is False
    assert roles["carla.diaz@northwind.example"].privilege == 2
    assert not roles["carla.diaz@northwind.example"].full_admin
    assert roles["3900001"].is_system
    assert [a.name for a in page.apps or ()] == ["Northwind Publisher"]
    assert (page.apps or ())[0].can_publish and not (page.apps or ())[0].can_admin
    assert page.posts is not None
    assert {p.source_app for p in page.posts} == {"Northwind Publisher", "Carla Diaz"}
    assert page.profile is not None and page.profile.avatar_hash and page.profile.banner_hash


def test_instagram_held_for_a_client_is_not_company_owned(
    demo: RunningSandbox, tmp_path: Path
) -> None:
    output = collect(make_config(demo, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    insta = accounts_of(output)["account:instagram:northwind"]
    assert insta.state is AccountState.ACTIVE
    assert insta.owned_by_company is False
    assert insta.roles is None and insta.roles_note
    assert insta.two_factor_policy is None
    assert insta.posts is not None and insta.posts[0].id == "17900000000000001"
    discovered = {
        (d.platform, d.account_id, d.via) for d in output.items if isinstance(d, DiscoveredAccount)
    }
    assert ("meta", "200000000000001", "meta owned_pages") in discovered
    assert ("instagram", "17841400000000001", "meta client_instagram_assets") in discovered


def test_second_run_reuses_posts_and_costs_no_more(demo: RunningSandbox, tmp_path: Path) -> None:
    config = make_config(demo, tmp_path, ACCOUNTS, settings=SETTINGS)
    first = collect(config, "meta")
    second = collect(config, "meta", previous=as_previous(first))
    page = accounts_of(second)["account:meta:northwindoutfitters"]
    assert page.posts == accounts_of(first)["account:meta:northwindoutfitters"].posts
    assert second.report.requests <= first.report.requests


def _world(**meta: Any) -> Any:
    raw = load_world(PLATFORM_WORLD).sections["meta"]
    return world_from_mapping({"meta": {**raw, **meta}})


def test_missing_page_permission_is_a_missing_scope(tmp_path: Path) -> None:
    with start_sandbox(_world(missing_permissions=["pages_manage_metadata"])) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS[:1], settings=SETTINGS), "meta")
    page = accounts_of(output)["account:meta:northwindoutfitters"]
    assert page.state is AccountState.ACTIVE
    assert page.roles is None
    assert "pages_manage_metadata" in page.missing_scopes
    assert output.report.problems == ()


def test_missing_business_permission_leaves_ownership_unknown(tmp_path: Path) -> None:
    with start_sandbox(_world(missing_permissions=["business_management"])) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS[:1], settings=SETTINGS), "meta")
    page = accounts_of(output)["account:meta:northwindoutfitters"]
    assert page.owned_by_company is None
    assert page.two_factor_policy is None
    assert "business_management" in page.missing_scopes


def test_unreadable_business_users_leave_roles_unknown_not_partial(tmp_path: Path) -> None:
    rule = {"platform": "meta", "path": "/business_users$", "kind": "server_error"}
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    page = accounts_of(output)["account:meta:northwindoutfitters"]
    assert page.state is AccountState.ACTIVE
    assert page.roles is None and page.roles_note
    assert page.owned_by_company is True and page.posts is not None
    assert output.report.status is not SourceStatus.FAILED
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [("server", None)]


def test_invalid_token_code_190_fails_the_source(tmp_path: Path) -> None:
    with start_sandbox(_world(token_valid=False)) as sandbox, pytest.raises(AuthFailed):
        collect(make_config(sandbox, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")


def test_unknown_page_is_not_found(demo: RunningSandbox, tmp_path: Path) -> None:
    accounts = [{"platform": "meta", "handle": "someoneelse", "id": "299999999999999"}]
    output = collect(make_config(demo, tmp_path, accounts, settings=SETTINGS), "meta")
    assert accounts_of(output)["account:meta:someoneelse"].state is AccountState.NOT_FOUND
    assert output.report.problems == ()


@pytest.mark.parametrize(
    "kind", ["rate_limit", "server_error", "malformed", "truncated", "disconnect"]
)
def test_faults_on_one_page_leave_only_it_unverified(tmp_path: Path, kind: str) -> None:
    rule = {"platform": "meta", "path": "^/v21.0/200000000000001/assigned_users$", "kind": kind}
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(
            make_config(sandbox, tmp_path, ACCOUNTS, settings=SETTINGS, budget=5), "meta"
        )
    found = accounts_of(output)
    page = found["account:meta:northwindoutfitters"]
    # the failed endpoint feeds the roles: only they are unknown, the profile and posts stay
    assert page.state is AccountState.ACTIVE and page.roles is None
    roles = facet_status(page, Facet.ROLES, Facet.MEMBER_TWO_FACTOR, Facet.APPS)
    assert roles.state is Coverage.UNKNOWN
    assert page.profile is not None and page.posts is not None
    assert facet_status(page, Facet.PROFILE, Facet.POSTS).is_complete
    assert [p.asset_key for p in output.report.problems] == ["account:meta:northwindoutfitters"]
    assert found["account:instagram:northwind"].state is AccountState.ACTIVE


def _response(status: int, body: dict[str, Any]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


@pytest.mark.parametrize(
    ("code", "subcode", "error"),
    [
        (190, 460, AuthFailed),
        (10, None, PermissionMissing),
        (200, None, PermissionMissing),
        (4, None, RateLimited),
        (17, None, RateLimited),
        (80001, None, RateLimited),
        (100, 33, NotFound),
        (2, None, ServerFailure),
    ],
)
def test_graph_error_codes_map_by_code(
    code: int, subcode: int | None, error: type[Exception]
) -> None:
    body: dict[str, Any] = {"error": {"code": code, "message": "whatever text"}}
    if subcode:
        body["error"]["error_subcode"] = subcode
    assert isinstance(graph_error(_response(400, body)), error)


def test_graph_error_without_code_defers_to_status() -> None:
    assert graph_error(_response(500, {"oops": 1})) is None
    assert graph_error(_response(400, {"error": {"code": 100}})) is None


def test_token_never_reaches_logs(
    demo: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    output = collect(make_config(demo, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    assert output.report.requests > 0
    assert "GET" in caplog.text
    assert "s3cret-token" not in caplog.text


# -- debug_token ----------------------------------------------------------------------------------


def test_debug_token_proves_the_token_acts_on_the_page(
    demo: RunningSandbox, tmp_path: Path
) -> None:
    output = collect(make_config(demo, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    found = accounts_of(output)
    page, insta = found["account:meta:northwindoutfitters"], found["account:instagram:northwind"]
    assert page.token_account_id == "200000000000001" and page.missing_scopes == ()
    assert insta.token_account_id is None and insta.missing_scopes == ()


def _token_world(token: dict[str, Any]) -> Any:
    return _world(token=token)


def test_debug_token_scopes_missing_or_targeting_other_pages(tmp_path: Path) -> None:
    token = {
        "scopes": ["business_management", "pages_show_list", "instagram_basic"],
        "targets": {"pages_show_list": ["200000000000002"]},
    }
    with start_sandbox(_token_world(token)) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    found = accounts_of(output)
    page, insta = found["account:meta:northwindoutfitters"], found["account:instagram:northwind"]
    assert page.token_account_id is None
    assert set(page.missing_scopes) == {"pages_show_list", "pages_read_engagement"}
    assert insta.missing_scopes == ()  # pages_show_list targets pages, not IG accounts
    assert output.report.problems == ()


def test_business_wide_token_without_targets_proves_nothing(tmp_path: Path) -> None:
    token = {"scopes": ["business_management", "pages_show_list", "pages_read_engagement"]}
    token["targets"] = {}
    with start_sandbox(_token_world(token)) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    found = accounts_of(output)
    page, insta = found["account:meta:northwindoutfitters"], found["account:instagram:northwind"]
    assert page.token_account_id is None and page.missing_scopes == ()
    assert insta.missing_scopes == ("instagram_basic",)


def test_page_token_of_the_page_belongs_to_it(tmp_path: Path) -> None:
    token = {"type": "PAGE", "profile_id": "200000000000001", "targets": {}}
    with start_sandbox(_token_world(token)) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS[:1], settings=SETTINGS), "meta")
    page = accounts_of(output)["account:meta:northwindoutfitters"]
    assert page.token_account_id == "200000000000001"


def test_unreadable_debug_token_is_a_source_problem_not_a_failure(tmp_path: Path) -> None:
    rule = {"platform": "meta", "path": "/debug_token$", "kind": "server_error"}
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
    page = accounts_of(output)["account:meta:northwindoutfitters"]
    assert (
        (output.report.status is not SourceStatus.FAILED)
        and page.state is AccountState.ACTIVE
        and page.roles is not None
    )
    assert page.token_account_id is None
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [("server", None)]


def test_invalid_token_is_auth_failed_by_the_is_valid_field() -> None:
    with pytest.raises(AuthFailed):
        parse_debug_token({"data": {"is_valid": False, "error": {"message": "anything"}}})
    with pytest.raises(MalformedResponse):
        parse_debug_token({"data": {"is_valid": "no"}})
    facts = parse_debug_token(
        {
            "data": {
                "is_valid": True,
                "type": "SYSTEM_USER",
                "user_id": 3900001,
                "scopes": ["pages_show_list", 7],
                "granular_scopes": [
                    {"scope": "pages_read_engagement", "target_ids": ["1", 2]},
                    "junk",
                    {"scope": "business_management"},
                ],
            }
        }
    )
    assert facts.user_id == "3900001" and facts.acts_on("2") and not facts.acts_on("3")
    assert facts.scopes == {"pages_show_list", "pages_read_engagement", "business_management"}
    assert lacking(facts, "meta", "1") == []
    assert lacking(facts, "meta", "3") == ["pages_read_engagement"]
    assert lacking(None, "meta", "3") == []


def test_invalid_token_in_the_sandbox_fails_the_source_at_debug_token(tmp_path: Path) -> None:
    with start_sandbox(_world(token_valid=False)) as sandbox:
        with pytest.raises(AuthFailed) as raised:
            collect(make_config(sandbox, tmp_path, ACCOUNTS, settings=SETTINGS), "meta")
        assert "debug_token" in raised.value.detail
        assert sandbox.requests_served == 1


def test_debug_token_query_is_redacted_in_library_logs(
    demo: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    collect(make_config(demo, tmp_path, ACCOUNTS[:1], settings=SETTINGS), "meta")
    assert "debug_token?input_token=***" in caplog.text
    assert "s3cret-token" not in caplog.text
