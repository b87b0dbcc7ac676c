"""GitHub collector: GitHub's own example payloads, then the sandbox over real HTTP."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from json_api_fixtures import (
    TESTDATA,
    config_for,
    context,
    json_values,
    parsed_or_malformed,
    shared,
)

from auditor.collectors.platforms import github
from auditor.collectors.platforms.github import OrgFacts, parse_installations, parse_org
from auditor.collectors.platforms.github_people import (
    Member,
    SecondFactors,
    parse_invitations,
    parse_users,
    role_holders,
)
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import MalformedResponse
from auditor.core.evidence import AccountEvidence, AccountState, DiscoveredAccount
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

EXAMPLES = TESTDATA / "github-examples" / "examples.json"


def _example(name: str) -> Any:
    if not EXAMPLES.exists():
        pytest.skip("../shared/testdata/github-examples is absent")
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))["api.github.com"][name]["value"]


def test_parse_org_example_reads_identity_and_2fa_requirement() -> None:
    org = parse_org(_example("organization-full"))
    assert (org.login, org.id) == ("github", "1")
    assert org.profile.verified is True
    assert org.profile.link == "https://github.com/blog"
    assert org.two_factor_policy is not None
    assert org.two_factor_policy.required_for == "all"
    assert org.two_factor_policy.source_field == "two_factor_requirement_enabled"
    assert org.billing_email == "mona@github.com"


def test_parse_org_without_owner_fields_has_no_policy() -> None:
    payload = dict(_example("organization-full"))
    for owner_only in ("two_factor_requirement_enabled", "billing_email"):
        payload.pop(owner_only)
    org = parse_org(payload)
    assert org.two_factor_policy is None
    assert org.billing_email is None


def test_parse_users_and_installations_examples() -> None:
    users = parse_users(_example("simple-user-items"))
    assert [(u.login, u.id, u.is_bot) for u in users] == [("octocat", "1", False)]
    apps = parse_installations(_example("installation-paginated"))
    assert len(apps) == 1
    app = apps[0]
    assert (app.app_id, app.name) == ("2218", "github-actions")
    assert "deployments:write" in app.permissions
    assert app.can_publish is False and app.can_admin is False


def test_malformed_shapes_raise_typed_errors() -> None:
    with pytest.raises(MalformedResponse):
        parse_org(["not", "an", "object"])
    with pytest.raises(MalformedResponse):
        parse_users([{"id": 1}])
    with pytest.raises(MalformedResponse):
        parse_installations({"installations": "nope"})


def test_second_factors_only_claim_2fa_when_the_filter_was_readable() -> None:
    alice = Member("alice", "1", None, None, False)
    dev = Member("dev", "2", None, None, False)
    sam = Member("sam", "3", None, None, False)
    readable = SecondFactors(frozenset({"dev"}), frozenset({"sam"}))
    holders = role_holders([alice], [alice, dev, sam], [], readable, readable)
    by_id = {h.person_id: h for h in holders}
    assert (by_id["alice"].two_factor, by_id["alice"].full_admin, by_id["alice"].privilege) == (
        True,
        True,
        3,
    )
    assert by_id["dev"].two_factor is False
    assert (by_id["sam"].two_factor, by_id["sam"].two_factor_method) == (True, "sms")
    unreadable = role_holders([alice], [alice, dev], [], SecondFactors(None, None), readable)
    assert all(h.two_factor is None for h in unreadable)


# -- sandbox ------------------------------------------------------------------------------------

ORG: dict[str, Any] = {
    "login": "northwind-labs",
    "id": 9100001,
    "name": "Northwind Labs",
    "blog": "https://northwind.example",
    "is_verified": True,
    "billing_email": "it@northwind.example",
    "two_factor_requirement_enabled": False,
    "members": [
        {"login": "alice-ng", "id": 1, "email": "alice.ng@northwind.example", "role": "admin"},
        {"login": "ben-ortiz", "id": 2, "role": "admin", "email": "ben.ortiz@northwind.example"},
        {
            "login": "dev-patel",
            "id": 3,
            "two_factor": "none",
            "email": "dev.patel@northwind.example",
        },
    ],
    "outside_collaborators": [
        {"login": "mallory-k", "id": 9, "email": "mallory.k@gmail.com", "two_factor": "sms"}
    ],
    "installations": [
        {
            "id": 41,
            "app_id": 310001,
            "app_slug": "quickdeploy-bot",
            "permissions": {"contents": "write", "metadata": "read"},
        },
        {
            "id": 42,
            "app_id": 310002,
            "app_slug": "readonly-stats",
            "permissions": {"metadata": "read"},
        },
    ],
}
OTHER = {
    "login": "northwind-oss",
    "id": 9100002,
    "members": [{"login": "alice-ng", "id": 1, "role": "admin"}],
}
ACCOUNTS = [
    {"platform": "github", "handle": "northwind-labs", "id": "9100001"},
    {"platform": "github", "handle": "northwind-oss"},
]


def _collect(
    world: dict[str, Any],
    faults: list[dict[str, Any]] | None = None,
    accounts: list[dict[str, Any]] | None = None,
) -> Any:
    with start_sandbox(world_from_mapping({"github": world}), faults=faults or []) as box:
        config = config_for(
            accounts or ACCOUNTS,
            {"github": {"base_url": box.base_urls["github"], "token": "t0ken"}},
        )
        collector = github.from_config(config, shared())
        assert collector is not None
        return collector.collect(context(config))


def _accounts(output: Any) -> dict[str, AccountEvidence]:
    return {i.handle: i for i in output.items if isinstance(i, AccountEvidence)}


def test_owner_token_reads_people_2fa_apps_and_policy() -> None:
    output = _collect({"orgs": [ORG, OTHER]})
    assert output.report.status is SourceStatus.COMPLETE
    evidence = _accounts(output)["northwind-labs"]
    assert evidence.state is AccountState.ACTIVE and evidence.account_id == "9100001"
    assert (
        evidence.two_factor_policy is not None and evidence.two_factor_policy.required_for == "none"
    )
    assert evidence.missing_scopes == ()
    assert evidence.registration_email == "it@northwind.example"
    roles = {r.person_id: r for r in evidence.roles or ()}
    assert roles["alice-ng"].full_admin and roles["alice-ng"].two_factor is True
    assert roles["ben-ortiz"].email == "ben.ortiz@northwind.example"
    assert (roles["dev-patel"].role, roles["dev-patel"].two_factor) == ("member", False)
    mallory = roles["mallory-k"]
    assert (mallory.role, mallory.full_admin, mallory.two_factor_method) == (
        "outside_collaborator",
        False,
        "sms",
    )
    apps = {a.name: a for a in evidence.apps or ()}
    assert apps["quickdeploy-bot"].can_publish and not apps["quickdeploy-bot"].can_admin
    assert not apps["readonly-stats"].can_publish
    found = [i for i in output.items if isinstance(i, DiscoveredAccount)]
    assert {(d.handle, d.account_id, d.via) for d in found} == {
        ("northwind-labs", "9100001", "github org"),
        ("northwind-oss", "9100002", "github org"),
    }
    assert output.report.requests > 0


def test_member_token_leaves_owner_facts_unknown_and_names_the_scope() -> None:
    output = _collect({"orgs": [ORG], "viewer": "member"}, accounts=ACCOUNTS[:1])
    evidence = _accounts(output)["northwind-labs"]
    assert evidence.state is AccountState.ACTIVE
    assert evidence.two_factor_policy is None
    assert evidence.apps is None
    assert evidence.missing_scopes == ("admin:org",)
    assert evidence.roles is not None
    assert all(r.two_factor is None for r in evidence.roles)


def test_paginates_members_through_the_link_header() -> None:
    many = [{"login": f"user{i}", "id": 1000 + i} for i in range(230)]
    output = _collect({"orgs": [{**ORG, "members": many}]}, accounts=ACCOUNTS[:1])
    roles = _accounts(output)["northwind-labs"].roles or ()
    assert len({r.person_id for r in roles if r.role == "member"}) == 230


def test_unknown_org_is_not_found_without_a_problem() -> None:
    output = _collect({"orgs": [OTHER]})
    assert _accounts(output)["northwind-labs"].state is AccountState.NOT_FOUND
    assert _accounts(output)["northwind-oss"].state is AccountState.ACTIVE
    assert output.report.problems == ()


def test_bad_credentials_are_an_auth_problem_per_org() -> None:
    output = _collect({"orgs": [ORG, OTHER], "token_valid": False})
    assert {p.kind for p in output.report.problems} == {"auth"}
    assert all(e.state is AccountState.UNKNOWN for e in _accounts(output).values())


def _faults() -> Iterator[tuple[str, dict[str, Any]]]:
    yield "rate_limit", {"kind": "rate_limit", "retry_after_s": 30}
    yield "server", {"kind": "server_error", "status": 502}
    yield "timeout", {"kind": "timeout", "seconds": 1.3}
    yield "malformed", {"kind": "malformed"}
    yield "malformed", {"kind": "truncated"}


@pytest.mark.parametrize(
    ("kind", "rule"), list(_faults()), ids=lambda v: v if isinstance(v, str) else v["kind"]
)
def test_every_fault_is_unknown_plus_a_problem_for_that_org_only(
    kind: str, rule: dict[str, Any]
) -> None:
    fault = {**rule, "platform": "github", "path": "^/orgs/northwind-labs/members"}
    output = _collect({"orgs": [ORG, OTHER]}, faults=[fault])
    evidence = _accounts(output)
    labs = evidence["northwind-labs"]
    # the member listing failed: roles unknown; the org's profile and policy keep their word
    assert labs.state is AccountState.ACTIVE and labs.roles is None
    assert facet_status(labs, Facet.ROLES).state is Coverage.UNKNOWN
    assert facet_status(labs, Facet.PROFILE, Facet.TWO_FACTOR_POLICY).is_complete
    assert evidence["northwind-oss"].state is AccountState.ACTIVE
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [
        (kind, "account:github:northwind-labs")
    ]
    assert output.report.status is SourceStatus.PARTIAL


def test_403_without_rate_limit_headers_is_a_permission_gap_not_a_rate_limit() -> None:
    import requests

    response = requests.Response()
    response.status_code = 403
    assert github.rate_limit_hook(response) is None
    response.headers["x-ratelimit-remaining"] = "0"
    limited = github.rate_limit_hook(response)
    assert limited is not None and limited.kind.value == "rate_limit"


def test_a_rate_limit_within_the_wait_budget_is_waited_out() -> None:
    fault = {
        "kind": "rate_limit",
        "platform": "github",
        "path": "^/orgs/northwind-labs$",
        "times": 1,
        "retry_after_s": 1,
    }
    output = _collect({"orgs": [ORG, OTHER]}, faults=[fault])
    assert output.report.status is SourceStatus.COMPLETE
    assert _accounts(output)["northwind-labs"].state is AccountState.ACTIVE


@settings(max_examples=150, deadline=None)
@given(
    payload=json_values()
    | st.fixed_dictionaries(
        {},
        optional={
            k: json_values() for k in ["login", "id", "app_id", "installations", "permissions"]
        },
    )
)
def test_hostile_payloads_raise_only_malformed_response(payload: Any) -> None:
    for parse, kind in (
        (parse_org, OrgFacts),
        (parse_users, list),
        (parse_installations, list),
        (parse_invitations, list),
    ):
        result = parsed_or_malformed(parse, payload)
        assert result is None or isinstance(result, kind)


def test_the_token_never_reaches_logs_or_problems(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with start_sandbox(
        world_from_mapping({"github": {"orgs": [ORG], "token_valid": False}}), faults=[]
    ) as box:
        settings = {"base_url": box.base_urls["github"], "token": "ghp_s3cr3tT0ken"}
        config = config_for(ACCOUNTS[:1], {"github": settings})
        collector = github.from_config(config, shared())
        assert collector is not None
        output = collector.collect(context(config))
    assert [p.kind for p in output.report.problems] == ["auth"]
    assert "ghp_s3cr3tT0ken" not in repr(output)
    assert "ghp_s3cr3tT0ken" not in caplog.text


def test_the_configured_org_is_discovered_even_outside_the_inventory() -> None:
    with start_sandbox(world_from_mapping({"github": {"orgs": [ORG, OTHER]}}), faults=[]) as box:
        settings = {
            "base_url": box.base_urls["github"],
            "token": "t",
            "organization": "northwind-oss",
        }
        config = config_for(ACCOUNTS[:1], {"github": settings})
        collector = github.from_config(config, shared())
        assert collector is not None
        output = collector.collect(context(config))
    found = {(d.handle, d.account_id) for d in output.items if isinstance(d, DiscoveredAccount)}
    assert found == {("northwind-labs", "9100001"), ("northwind-oss", "9100002")}
    assert set(_accounts(output)) == {"northwind-labs"}
    assert output.report.status is not SourceStatus.FAILED
