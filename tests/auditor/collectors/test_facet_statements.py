"""Collectors state what they do not know: the faults of issue 12, each against the sandbox.

Every test here failed before collectors stated facets: a source-wide 503 was invisible, a
truncated listing was called complete, a refused Bluesky session was swallowed, a helper's 404
became "account not found".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from json_api_fixtures import config_for, context, shared
from platform_fixtures import PLATFORM_WORLD, accounts_of, collect, make_config

from auditor.collectors.platforms import bluesky, github, linkedin
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.evidence import AccountEvidence, AccountState
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

META_SETTINGS = {"meta": {"business_id": "300000000000001", "version": "v21.0"}}
PAGE = {"platform": "meta", "handle": "northwindoutfitters", "id": "200000000000001"}
PAGE_KEY = "account:meta:northwindoutfitters"


def _meta(tmp_path: Path, accounts: list[dict[str, Any]], path: str) -> Any:
    rule = {"platform": "meta", "path": path, "kind": "server_error", "times": 1}
    with start_sandbox(PLATFORM_WORLD, faults=[rule]) as sandbox:
        config = make_config(sandbox, tmp_path, accounts, settings=META_SETTINGS, budget=5)
        return collect(config, "meta")


def test_owned_pages_503_leaves_ownership_unknown_and_business_roles_partial(
    tmp_path: Path,
) -> None:
    output = _meta(tmp_path, [PAGE], "^/v21.0/300000000000001/owned_pages$")
    page = accounts_of(output)[PAGE_KEY]
    # the page was still read through its own id ...
    assert page.state is AccountState.ACTIVE and page.roles is not None
    # ... but whether the business owns it is unknown, never "not exposed" or False
    ownership = facet_status(page, Facet.OWNERSHIP)
    assert ownership.state is Coverage.UNKNOWN and "owned_pages" in (ownership.reason or "")
    assert page.owned_by_company is None
    # business admins hold owned pages: without ownership, the page's roles are not complete
    roles = facet_status(page, Facet.ROLES)
    assert roles.state is Coverage.PARTIAL and "business-level roles" in (roles.reason or "")
    assert facet_status(page, Facet.TWO_FACTOR_POLICY).state is Coverage.UNKNOWN
    # the source-wide failure shows: a problem and a status short of complete
    assert output.report.status is SourceStatus.PARTIAL
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [("server", None)]
    assert output.discovery["meta"].state is Coverage.UNKNOWN


def test_a_page_without_id_is_unknown_not_unreachable_when_the_holdings_failed(
    tmp_path: Path,
) -> None:
    page = {"platform": "meta", "handle": "northwindoutfitters"}
    output = _meta(tmp_path, [page], "^/v21.0/300000000000001/owned_pages$")
    evidence = accounts_of(output)[PAGE_KEY]
    assert evidence.state is AccountState.UNKNOWN  # Meta never said it does not exist
    assert facet_status(evidence, Facet.IDENTITY).state is Coverage.UNKNOWN
    assert ("server", PAGE_KEY) in {(p.kind, p.asset_key) for p in output.report.problems}


def test_business_node_503_leaves_the_policy_unknown(tmp_path: Path) -> None:
    output = _meta(tmp_path, [PAGE], "^/v21.0/300000000000001$")
    page = accounts_of(output)[PAGE_KEY]
    assert page.two_factor_policy is None
    assert facet_status(page, Facet.TWO_FACTOR_POLICY).state is Coverage.UNKNOWN
    assert facet_status(page, Facet.PROFILE, Facet.POSTS).is_complete
    assert output.report.status is SourceStatus.PARTIAL


def test_what_a_platform_does_not_expose_comes_from_its_capabilities(tmp_path: Path) -> None:
    rule: list[dict[str, Any]] = []
    ig = {"platform": "instagram", "handle": "northwind", "id": "17841400000000001"}
    with start_sandbox(PLATFORM_WORLD, faults=rule) as sandbox:
        config = make_config(sandbox, tmp_path, [PAGE, ig], settings=META_SETTINGS)
        output = collect(config, "meta")
    found = accounts_of(output)
    instagram = found["account:instagram:northwind"]
    assert instagram.facets[Facet.ROLES].structural
    assert instagram.facets[Facet.ROLES].reason == "instagram"
    assert found[PAGE_KEY].facets[Facet.ROLES].is_complete
    assert output.report.status is SourceStatus.COMPLETE


MEMBERS = [{"login": f"member-{n}", "id": 1000 + n} for n in range(120)]
ORG = {
    "login": "northwind-labs",
    "id": 9100001,
    "name": "Northwind Labs",
    "billing_email": "it@northwind.example",
    "two_factor_requirement_enabled": True,
    "members": [{"login": "alice-ng", "id": 1, "role": "admin"}, *MEMBERS],
}


def test_github_members_truncated_at_the_page_cap_are_partial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(github, "MAX_PAGES", 1)
    accounts = [{"platform": "github", "handle": "northwind-labs"}]
    with start_sandbox(world_from_mapping({"github": {"orgs": [ORG]}}), faults=[]) as box:
        config = config_for(
            accounts, {"github": {"base_url": box.base_urls["github"], "token": "t0ken"}}
        )
        collector = github.from_config(config, shared())
        assert collector is not None
        output = collector.collect(context(config))
    (org,) = [i for i in output.items if isinstance(i, AccountEvidence)]
    roles = facet_status(org, Facet.ROLES)
    assert roles.state is Coverage.PARTIAL and "truncated at 1 pages" in (roles.reason or "")
    assert output.report.status is SourceStatus.PARTIAL


def test_linkedin_role_holders_truncated_at_the_page_cap_are_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkedin, "MAX_PAGES", 1)
    monkeypatch.setattr(linkedin, "PAGE_SIZE", 1)
    accounts = [{"platform": "linkedin", "handle": "northwind-outfitters"}]
    with start_sandbox(PLATFORM_WORLD, faults=[]) as sandbox:
        output = collect(make_config(sandbox, tmp_path, accounts), "linkedin")
    page = accounts_of(output)["account:linkedin:northwind-outfitters"]
    roles = facet_status(page, Facet.ROLES)
    assert roles.state is Coverage.PARTIAL and "organizationAcls truncated" in (roles.reason or "")
    assert output.report.status is SourceStatus.PARTIAL


DID = "did:plc:northwindexample00000001"
BLUESKY_WORLD: dict[str, Any] = {
    "accounts": [
        {
            "did": DID,
            "handle": "northwind.example",
            "display_name": "Northwind Outfitters",
            "dns": True,
            "well_known": True,
            "posts": [{"rkey": "3k1", "text": "Trail season", "created_at": "-1d"}],
        }
    ],
    "session": {"did": DID, "email": "social@northwind.example", "email_auth_factor": True},
}
BLUESKY_ACCOUNTS = [{"platform": "bluesky", "handle": "northwind.example", "id": DID}]


def _bluesky(faults: list[dict[str, Any]], token: str | None = None) -> Any:
    with start_sandbox(world_from_mapping({"bluesky": BLUESKY_WORLD}), faults=faults) as box:
        settings: dict[str, Any] = {"base_url": box.base_urls["bluesky"]}
        if token:
            settings["token"] = token
        config = config_for(BLUESKY_ACCOUNTS, {"bluesky": settings})
        collector = bluesky.from_config(config, shared())
        assert collector is not None
        return collector.collect(context(config))


def _one(output: Any) -> AccountEvidence:
    (evidence,) = [i for i in output.items if isinstance(i, AccountEvidence)]
    return evidence


def test_a_refused_bluesky_session_is_a_problem_and_leaves_2fa_unknown() -> None:
    refused = {"platform": "bluesky", "path": "getSession", "kind": "server_error", "status": 401}
    output = _bluesky([refused], token="session-jwt")
    evidence = _one(output)
    assert evidence.account_two_factor is None
    assert facet_status(evidence, Facet.TWO_FACTOR_POLICY).state is Coverage.UNKNOWN
    assert facet_status(evidence, Facet.TOKEN_OWNER).state is Coverage.UNKNOWN
    assert [p.kind for p in output.report.problems] == ["auth"]
    assert output.report.status is SourceStatus.PARTIAL
    # what was read keeps its word
    assert facet_status(evidence, Facet.PROFILE, Facet.POSTS, Facet.IDENTITY).is_complete


@pytest.mark.parametrize("helper", ["^/dns-query", "^/plc/"])
def test_a_404_from_an_identity_helper_is_unknown_never_not_found(helper: str) -> None:
    fault = {"platform": "bluesky", "path": helper, "kind": "server_error", "status": 404}
    output = _bluesky([fault])
    evidence = _one(output)
    assert evidence.state is AccountState.ACTIVE  # the AppView served the account
    assert evidence.handle_verified is None
    identity = facet_status(evidence, Facet.IDENTITY)
    assert identity.state is Coverage.UNKNOWN
    assert [p.asset_key for p in output.report.problems] == ["account:bluesky:northwind.example"]


def test_without_a_session_token_the_session_facets_are_unknown_with_why() -> None:
    evidence = _one(_bluesky([]))
    reason = facet_status(evidence, Facet.TWO_FACTOR_POLICY).reason or ""
    assert "no session token is configured" in reason
