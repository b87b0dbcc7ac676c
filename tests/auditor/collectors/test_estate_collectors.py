"""Collectors over the estate of issue 14, against the second demo world (Calder Health) in the
sandbox: the Meta Business as an asset, pages held by it, Instagram matched by its own id, each
account's own credential naming its token owner, GitHub memberships and ownership read from the
billing email, YouTube channels the token manages, and Bitwarden collection readers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.collectors.base import CollectContext, CollectorOutput
from auditor.collectors.platforms import collector as platforms
from auditor.collectors.platforms import github
from auditor.collectors.platforms.github import org_owner, parse_memberships
from auditor.collectors.records.bitwarden_members import parse_members
from auditor.collectors.records.sources import VaultCollector
from auditor.config.loading import AppConfig, load_config
from auditor.core.completeness import Coverage, Facet
from auditor.core.errors import InputFileError
from auditor.core.estate import Agency, Organization
from auditor.core.evidence import AccountEvidence, DiscoveredAccount, VaultEvidence
from auditor.sandbox import RunningSandbox, start_sandbox
from auditor.sandbox.world import load_world

REPO = Path(__file__).resolve().parents[3]
CLINIC = REPO / "config" / "clinic.yaml"
WORLD = REPO / "auditor" / "sandbox" / "worlds" / "clinic.yaml"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(load_world(WORLD), faults=[]) as box:
        yield box


@pytest.fixture(scope="module")
def config(sandbox: RunningSandbox) -> AppConfig:
    return load_config(CLINIC).with_endpoints(
        sandbox.base_urls, sandbox.whois_server, allow_private=True
    )


def ctx(config: AppConfig) -> CollectContext:
    return CollectContext(estate=config.estate, policy=config.policy, now=NOW)


def collect(config: AppConfig, name: str) -> CollectorOutput:
    found = [c for c in platforms.build(config) if c.name == name]
    assert len(found) == 1
    return found[0].collect(ctx(config))


def accounts(output: CollectorOutput) -> dict[str, AccountEvidence]:
    return {
        f"account:{i.platform}:{i.handle.lower()}": i
        for i in output.items
        if isinstance(i, AccountEvidence)
    }


def discovered(output: CollectorOutput) -> dict[str, str]:
    return {i.account_id: i.via for i in output.items if isinstance(i, DiscoveredAccount)}


@pytest.fixture(scope="module")
def meta(config: AppConfig) -> dict[str, AccountEvidence]:
    return accounts(collect(config, "meta"))


def test_the_business_is_an_asset_with_its_people_policy_and_apps(meta) -> None:
    business = meta["account:meta_business:calder-health-group"]
    assert business.account_id == "310000000000001"
    admins = {h.email for h in business.roles or () if h.full_admin}
    assert "leo.martin@calderhealth.example" in admins
    assert business.two_factor_policy is not None
    assert business.two_factor_policy.required_for == "admins"
    assert [a.name for a in business.apps or ()] == ["Calder Scheduler"]
    assert business.facets[Facet.ROLES].is_complete
    assert business.facets[Facet.POSTS].state is Coverage.NOT_EXPOSED


def test_a_page_held_by_a_declared_business_does_not_repeat_its_admins(meta) -> None:
    page = meta["account:meta:calderhealth"]
    emails = {h.email for h in page.roles or ()}
    assert "leo.martin@calderhealth.example" not in emails
    assert {"maya.okafor@calderhealth.example", "tom.reed@calderhealth.example"} <= emails
    assert page.two_factor_policy is None  # the business's, checked on the business
    assert page.owned_by_company is True


def test_instagram_is_matched_by_its_own_id_not_the_pages_username(meta) -> None:
    instagram = meta["account:instagram:calderhealth"]
    assert instagram.account_id == "17841410000000001"
    assert instagram.profile is not None and instagram.profile.bio is not None


def test_the_agency_held_page_is_not_company_owned(meta) -> None:
    careers = meta["account:meta:calderhealthcareers"]
    assert careers.owned_by_company is False


def test_a_pages_own_token_names_the_page(meta) -> None:
    page = meta["account:meta:calderhealth"]
    assert page.token_account_id == "210000000000001"
    assert page.facets[Facet.TOKEN_OWNER].is_complete


def test_an_x_accounts_own_token_outranks_the_shared_token(config: AppConfig) -> None:
    x = accounts(collect(config, "x"))["account:x:calderhealth"]
    assert x.token_account_id == "1600000000000000001"  # the shared token is calder_bot's
    assert x.facets[Facet.TOKEN_OWNER].is_complete


def test_youtube_mine_names_the_channel_and_discovers_the_others(config: AppConfig) -> None:
    output = collect(config, "youtube")
    channel = accounts(output)["account:youtube:@calderhealth"]
    assert channel.token_account_id == "UCcalderhealth000000000001"
    assert discovered(output) == {
        "UCcalderhealth000000000001": "youtube channels?mine=true",
        "UCcalderhealth000000000002": "youtube channels?mine=true",
    }


def test_github_ownership_is_read_and_every_membership_discovered(config: AppConfig) -> None:
    collector = github.from_config(config)
    assert collector is not None
    output = collector.collect(ctx(config))
    org = accounts(output)["account:github:calder-health-eng"]
    assert org.owned_by_company is True
    assert org.facets[Facet.OWNERSHIP].is_complete
    assert discovered(output)["9500009"] == "github membership (admin)"


def test_github_owner_from_the_billing_email() -> None:
    org = Organization("Acme", ("acme.example",), (Agency("Ad Co", ("adco.example",)),))
    assert org_owner("it@acme.example", org).company is True
    agency = org_owner("ops@adco.example", org)
    assert agency.company is False and agency.name == "Ad Co"
    assert org_owner("someone@gmail.com", org).company is False
    unknown = org_owner(None, org)
    assert unknown.company is None and unknown.completeness.state is Coverage.UNKNOWN


def test_github_memberships_parse_the_documented_shape() -> None:
    page = [
        {"state": "active", "role": "admin", "organization": {"login": "a", "id": 1}},
        {"state": "pending", "role": "member", "organization": {"login": "b", "id": 2}},
    ]
    assert parse_memberships(page) == [("a", "1", "admin")]


def test_vault_readers_come_from_the_members_list(config: AppConfig) -> None:
    vault = config.model.sources.vault
    assert vault is not None and vault.bitwarden is not None and vault.bitwarden_members
    collector = VaultCollector(
        [("bitwarden", config.resolve(vault.bitwarden))],
        None,
        config.resolve(vault.bitwarden_members),
    )
    evidence = next(i for i in collector.collect(ctx(config)).items if isinstance(i, VaultEvidence))
    linkedin = evidence.find("LinkedIn - Calder Health")
    assert linkedin is not None
    # the owner reads everything, the revoked leaver read it, the invited never did
    assert linkedin.readers == (
        "hana.kim@calderhealth.example",
        "maya.okafor@calderhealth.example",
        "tom.reed@calderhealth.example",
    )
    admin = evidence.find("Meta Business - Calder Health Group")
    assert admin is not None and admin.readers == ("maya.okafor@calderhealth.example",)


def test_a_personal_item_has_no_readers_the_members_list_could_tell(tmp_path: Path) -> None:
    members = tmp_path / "members.json"
    members.write_text(json.dumps({"data": []}))
    assert parse_members(members).readers(None) is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"data": [{"email": "x", "type": 2, "status": 2}]}, "data[0].email"),
        ({"data": [{"email": "a@b.example", "type": "2", "status": 2}]}, "data[0]"),
        (
            {"data": [{"email": "a@b.example", "type": 2, "status": 2, "collections": [{}]}]},
            "collections[0]",
        ),
        ({"members": []}, None),
    ],
)
def test_a_malformed_members_list_is_one_line(
    tmp_path: Path, payload: Any, field: str | None
) -> None:
    members = tmp_path / "members.json"
    members.write_text(json.dumps(payload))
    with pytest.raises(InputFileError) as caught:
        parse_members(members)
    assert "\n" not in str(caught.value) and str(members) in str(caught.value)
    if field:
        assert field in str(caught.value)


def test_a_page_no_edge_lists_is_judged_by_its_own_owner_business() -> None:
    from auditor.sandbox.world import world_from_mapping

    raw = load_world(WORLD).sections["meta"]
    company = {**raw["businesses"][0], "client_pages": []}  # the edges no longer list it
    world = world_from_mapping({"meta": {**raw, "businesses": [company, raw["businesses"][1]]}})
    with start_sandbox(world, faults=[]) as box:
        wired = load_config(CLINIC).with_endpoints(
            box.base_urls, box.whois_server, allow_private=True
        )
        careers = accounts(collect(wired, "meta"))["account:meta:calderhealthcareers"]
    assert careers.owned_by_company is False
    assert careers.owner_name == "Lumen Social"


def test_account_credentials_never_reach_logs_or_evidence(
    config: AppConfig, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    outputs = [collect(config, name) for name in ("x", "meta", "youtube")]
    shown = caplog.text + repr(outputs) + repr(config.estate)
    for secret in ("x-token-calderhealth", "meta-token-calderhealth", "yt-token-calderhealth"):
        assert secret not in shown
