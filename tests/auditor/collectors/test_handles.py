"""Handle probes: candidates, skeletons, the platform resolvers against the sandbox, and the
collector."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.collectors.base import CollectContext
from auditor.collectors.impersonation.handle_variants import (
    Skeletons,
    handle_form,
    ranked,
    variants,
)
from auditor.collectors.impersonation.handles import (
    Found,
    HandleCollector,
    HttpResolver,
    brand_names,
    probe_clients,
)
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.completeness import SourceStatus
from auditor.core.errors import NetworkFailure
from auditor.core.estate import AccountSpec, Estate, Organization, Policy
from auditor.core.evidence import AccountEvidence, AccountState, Evidence, HandleProbe, Profile
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_handle_form_and_variants() -> None:
    assert handle_form("Northwind Outfitters") == "northwindoutfitters"
    assert handle_form("@northwind@social.example") == "northwind"
    found = variants("northwind")
    assert found["n0rthwind"][0] == "confusable"
    assert found["northwind_official"][0] == "suffix"
    assert found["nortwind"][0] == "omission"
    assert found["nortwhind"][0] in {"transposition", "adjacent-key"}
    assert "northwind" not in found


def test_ranked_respects_platform_rules_and_cap() -> None:
    x = ranked("northwind", "x", 500, skip=("northwind_help",))
    assert all(len(h) <= 15 and "-" not in h for h, _ in x)
    assert "northwind_official" not in {h for h, _ in x}  # 18 characters: not an X handle
    github = ranked("northwind", "github", 10, skip=())
    assert len(github) == 10 and all("_" not in h for h, _ in github)
    assert github[0][1] == "confusable"


def test_skeleton_sees_through_homoglyphs_and_invisible_characters() -> None:
    skeletons = Skeletons.bundled()
    brand = skeletons.of("Northwind")
    assert skeletons.of("N\u03bfrthwind") == brand  # Greek omicron
    assert skeletons.of("Nor\u200bthwind") == brand  # zero-width space
    assert skeletons.of("n0rthw1nd") == brand
    assert skeletons.of("\uff2eorthwind") == brand  # fullwidth N (NFKC)
    assert skeletons.of("Southwind") != brand


def _ctx(claim: tuple[str, ...] = ("x",), cap: int = 30) -> CollectContext:
    estate = Estate(
        organization=Organization("Northwind Outfitters", ("northwind.example",)),
        accounts=(AccountSpec("x", "northwind", "1"),),
        brand_handles=("northwind", "Northwind Outfitters"),
    )
    return CollectContext(estate, Policy(lookalike_cap=cap, claim_platforms=claim), NOW)


def test_collector_probes_lookalikes_and_claims() -> None:
    accounts = {
        "northwind": Found(True, "1", "Northwind"),
        "n0rthwind": Found(True, "9", "N\u03bfrthwind"),
    }
    asked: list[str] = []

    def resolve(handle: str) -> Found:
        asked.append(handle)
        return accounts.get(handle, Found(False))

    output = HandleCollector({"x": resolve}, workers=4).collect(_ctx())
    probes = [p for p in output.items if isinstance(p, HandleProbe)]
    claims = [p for p in probes if p.purpose == "claim"]
    # "northwindoutfitters" has 19 characters: not a possible X handle, so not probed
    assert {(p.handle, p.exists) for p in claims} == {("northwind", True)}
    lookalike = next(p for p in probes if p.handle == "n0rthwind")
    assert (
        lookalike.exists
        and lookalike.account_id == "9"
        and "display name" in (lookalike.reason or "")
    )
    assert (
        len([p for p in probes if p.purpose == "lookalike" and p.brand_handle == "northwind"]) == 30
    )
    assert len(asked) == len(set(asked)) == len(probes)
    assert output.report.status is not SourceStatus.FAILED


def test_collector_failures_are_problems_and_all_failed_raises() -> None:
    def broken(handle: str) -> Found:
        raise NetworkFailure("down")

    def flaky(handle: str) -> Found:
        if handle.startswith("n0"):
            raise NetworkFailure("down")
        return Found(False)

    output = HandleCollector({"x": flaky}).collect(_ctx())
    assert (
        output.report.status is SourceStatus.PARTIAL
        and output.report.problems[0].asset_key == "account:x:northwind"
    )
    assert any(isinstance(p, HandleProbe) and p.exists is None for p in output.items)
    with pytest.raises(NetworkFailure):
        HandleCollector({"x": broken}).collect(_ctx())


WORLD = {
    "x": {
        "me": "1",
        "users": [
            {"id": "1", "username": "northwind", "name": "Northwind"},
            {"id": "91", "username": "n0rthwind", "name": "N\u03bfrthwind Outfitters"},
        ],
    },
    "github": {
        "orgs": [
            {
                "login": "northwind-labs",
                "id": 9100001,
                "members": [{"login": "n0rthwind", "id": 77, "name": "Nothing to see"}],
            }
        ]
    },
}


def _config(base_urls: dict[str, str]) -> AppConfig:
    raw = {
        "organization": {"name": "Northwind Outfitters", "email_domains": ["northwind.example"]},
        "platforms": {
            "x": {"base_url": base_urls["x"], "token": "t", "retries": 0},
            "github": {"base_url": base_urls["github"], "retries": 0},
        },
        "network": {"allow_private": True},
        "policy": {"claim_platforms": ["github"]},
    }
    return AppConfig(ConfigModel.model_validate(raw), Path("brand-audit.yaml"))


def test_resolvers_against_the_sandbox() -> None:
    with start_sandbox(world_from_mapping(WORLD), faults=[]) as sandbox:
        resolvers = probe_clients(_config(sandbox.base_urls))
        assert set(resolvers) == {"x", "github"}
        assert resolvers["x"]("n0rthwind") == Found(True, "91", "N\u03bfrthwind Outfitters")
        assert resolvers["x"]("northwind_hq").exists is False
        assert resolvers["github"]("nobody-here-1").exists is False
        assert resolvers["github"]("n0rthwind") == Found(True, "77", "Nothing to see")


def test_x_lookalikes_are_looked_up_a_hundred_per_request() -> None:
    with start_sandbox(world_from_mapping(WORLD), faults=[]) as sandbox:
        config = _config(sandbox.base_urls)
        resolvers = {"x": probe_clients(config)["x"]}
        before = sandbox.requests_served
        output = HandleCollector(resolvers).collect(_ctx(claim=(), cap=50))
        served = sandbox.requests_served - before
    probes = [p for p in output.items if isinstance(p, HandleProbe)]
    assert len(probes) == 50 and served == output.report.requests == 1
    found = {p.handle: p for p in probes if p.exists}
    assert (
        set(found) == {"n0rthwind"}
        and found["n0rthwind"].display_name == "N\u03bfrthwind Outfitters"
    )


def test_brand_names_default_to_inventory_handles_and_seen_display_names() -> None:
    seen = AccountEvidence(
        "x",
        "northwind",
        "x",
        NOW,
        AccountState.ACTIVE,
        profile=Profile(display_name="Northwind Co"),
    )
    previous = Evidence(collected_at=NOW, accounts={"account:x:northwind": seen})
    declared = _ctx()
    assert brand_names(declared) == ["northwind", "Northwind Outfitters"]
    derived = CollectContext(
        Estate(organization=declared.estate.organization, accounts=declared.estate.accounts),
        declared.policy,
        NOW,
        previous,
    )
    assert brand_names(derived) == ["northwind", "Northwind Co"]


def test_public_platforms_can_be_included_without_configuration() -> None:
    raw = {"organization": {"name": "N", "email_domains": ["n.example"]}}
    config = AppConfig(ConfigModel.model_validate(raw), Path("brand-audit.yaml"))
    assert probe_clients(config) == {}
    resolvers = probe_clients(config, include=("x", "mastodon", "bluesky", "github"))
    assert set(resolvers) == {"bluesky", "github"}  # X needs a token, Mastodon an instance
    github = resolvers["github"]
    assert isinstance(github, HttpResolver) and github.http.base_url == "https://api.github.com"
