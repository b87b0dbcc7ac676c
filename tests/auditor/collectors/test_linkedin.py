"""Tests of the LinkedIn collector against the running sandbox."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from platform_fixtures import PLATFORM_WORLD, accounts_of, as_previous, collect, make_config

from auditor.collectors.platforms.linkedin import parse_acl, parse_post
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import AuthFailed, MalformedResponse
from auditor.core.evidence import AccountState, DiscoveredAccount
from auditor.sandbox import RunningSandbox, start_sandbox
from auditor.sandbox.world import load_world, world_from_mapping

ACCOUNTS = [{"platform": "linkedin", "handle": "northwind-outfitters", "id": "1001"}]


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    with start_sandbox(PLATFORM_WORLD, faults=[]) as sandbox:
        yield sandbox


def test_roles_profile_and_posts(demo: RunningSandbox, tmp_path: Path) -> None:
    output = collect(make_config(demo, tmp_path, ACCOUNTS), "linkedin")
    assert output.report.status is SourceStatus.COMPLETE
    page = accounts_of(output)["account:linkedin:northwind-outfitters"]
    assert page.state is AccountState.ACTIVE
    assert page.account_id == "1001"
    roles = {r.person_id: r for r in page.roles or ()}
    admins = [r for r in roles.values() if r.full_admin]
    assert [a.person_id for a in admins] == ["urn:li:person:gina07"]
    assert roles["urn:li:person:carla02"].privilege == 2
    assert roles["urn:li:person:dev03"].pending
    assert page.profile is not None and page.profile.display_name == "Northwind Outfitters"
    assert page.posts is not None and page.posts[0].id == "urn:li:share:7100000000000000001"
    assert page.cursor == "urn:li:share:7100000000000000001"
    assert page.two_factor_policy is None and page.owned_by_company is None


def test_administered_organizations_are_discovered(demo: RunningSandbox, tmp_path: Path) -> None:
    output = collect(make_config(demo, tmp_path, ACCOUNTS), "linkedin")
    found = [i for i in output.items if isinstance(i, DiscoveredAccount)]
    assert [(d.handle, d.account_id, d.via) for d in found] == [
        ("northwind-outfitters", "1001", "linkedin organizationAcls roleAssignee")
    ]


def test_second_run_reuses_posts(demo: RunningSandbox, tmp_path: Path) -> None:
    config = make_config(demo, tmp_path, ACCOUNTS)
    first = collect(config, "linkedin")
    second = collect(config, "linkedin", previous=as_previous(first))
    key = "account:linkedin:northwind-outfitters"
    assert accounts_of(second)[key].posts == accounts_of(first)[key].posts
    assert second.report.requests <= first.report.requests


def _world(**org: Any) -> Any:
    raw = dict(load_world(PLATFORM_WORLD).sections["linkedin"])
    return world_from_mapping({"linkedin": {**raw, **org}})


def test_missing_admin_permission_is_a_missing_scope(tmp_path: Path) -> None:
    with start_sandbox(_world(missing_permissions=["rw_organization_admin"])) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS), "linkedin")
    page = accounts_of(output)["account:linkedin:northwind-outfitters"]
    assert page.roles is None
    assert page.missing_scopes == ("rw_organization_admin",)
    assert page.posts is not None
    assert output.report.problems == ()


def test_unknown_vanity_name_is_not_found(demo: RunningSandbox, tmp_path: Path) -> None:
    output = collect(
        make_config(demo, tmp_path, [{"platform": "linkedin", "handle": "gone-co"}]), "linkedin"
    )
    assert accounts_of(output)["account:linkedin:gone-co"].state is AccountState.NOT_FOUND


def test_invalid_token_fails_the_source(tmp_path: Path) -> None:
    with start_sandbox(_world(token_valid=False)) as sandbox, pytest.raises(AuthFailed):
        collect(make_config(sandbox, tmp_path, ACCOUNTS), "linkedin")


@pytest.mark.parametrize("kind", ["rate_limit", "server_error", "malformed", "timeout"])
def test_faults_leave_the_page_unverified_and_429_is_never_waited(
    tmp_path: Path, kind: str
) -> None:
    rule = {
        "platform": "linkedin",
        "path": "^/rest/posts$",
        "kind": kind,
        "seconds": 0.8,
    }
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS, budget=60), "linkedin")
    page = accounts_of(output)["account:linkedin:northwind-outfitters"]
    # the posts endpoint failed: posts unknown; the profile and roles read before it stay
    assert page.state is AccountState.ACTIVE and page.posts is None
    assert facet_status(page, Facet.POSTS).state is Coverage.UNKNOWN
    assert facet_status(page, Facet.PROFILE, Facet.ROLES).is_complete
    assert [p.asset_key for p in output.report.problems] == [
        "account:linkedin:northwind-outfitters"
    ]
    assert output.report.duration_s < 5


def test_parsers_reject_broken_elements() -> None:
    assert parse_acl({"state": "REVOKED", "role": "ADMINISTRATOR", "roleAssignee": "x"}) is None
    with pytest.raises(MalformedResponse):
        parse_acl({"state": "APPROVED", "role": "ADMINISTRATOR"})
    with pytest.raises(MalformedResponse):
        parse_post({"commentary": "no id"})


def test_token_never_reaches_logs(
    demo: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    output = collect(make_config(demo, tmp_path, ACCOUNTS), "linkedin")
    assert output.report.requests > 0
    assert "GET" in caplog.text
    assert "s3cret-token" not in caplog.text


def test_one_unreadable_organization_keeps_the_others_and_fails_closed(tmp_path: Path) -> None:
    raw = dict(load_world(PLATFORM_WORLD).sections["linkedin"])
    second = {
        "id": 1002,
        "vanityName": "northwind-outlet",
        "localizedName": "Northwind Outlet",
        "acls": [{"person": "urn:li:person:gina07", "role": "ADMINISTRATOR", "state": "APPROVED"}],
    }
    world = world_from_mapping(
        {"linkedin": {**raw, "organizations": [*raw["organizations"], second]}}
    )
    broken = [
        {"platform": "linkedin", "path": "^/rest/organizations/1002$", "kind": "server_error"}
    ]
    with start_sandbox(world, faults=broken) as sandbox:
        output = collect(make_config(sandbox, tmp_path, ACCOUNTS), "linkedin")
    found = [i for i in output.items if isinstance(i, DiscoveredAccount)]
    assert [(d.handle, d.account_id) for d in found] == [("northwind-outfitters", "1001")]
    source_wide = [p for p in output.report.problems if p.asset_key is None]
    assert len(source_wide) == 1 and "1002" in source_wide[0].detail
    page = accounts_of(output)["account:linkedin:northwind-outfitters"]
    assert page.state is AccountState.ACTIVE  # the inventory page itself was still read
