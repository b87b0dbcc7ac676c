"""The JSON-API family's build(): one collector per configured source, none otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from json_api_fixtures import config_for, context

from auditor.collectors.platforms import json_api
from auditor.config.loading import AppConfig, load_config
from auditor.core.completeness import SourceStatus
from auditor.core.evidence import AccountEvidence, AccountState, PeopleDirectory, PersonStatus
from auditor.sandbox import DEMO_WORLD, start_sandbox


def test_build_returns_a_collector_per_configured_source() -> None:
    accounts = [
        {"platform": "github", "handle": "northwind-labs"},
        {"platform": "mastodon", "handle": "northwind@social.example"},
        {"platform": "bluesky", "handle": "northwind.example"},
    ]
    config = config_for(
        accounts,
        {"google_workspace": {"token": "t", "customer": "my_customer"}},
        sources={"directory": {"google_workspace": True}},
    )
    collectors = json_api.build(config)
    assert [c.name for c in collectors] == ["github", "mastodon", "bluesky", "google_workspace"]
    assert collectors[0].scopes == ("admin:org", "read:org")
    assert all(c.scopes or c.name == "bluesky" for c in collectors)


def test_build_returns_nothing_when_nothing_is_configured() -> None:
    config = config_for(
        [{"platform": "x", "handle": "northwind"}], {"google_workspace": {"token": "t"}}
    )
    assert json_api.build(config) == []


DEMO_CONFIG = Path(__file__).resolve().parents[3] / "config" / "demo.yaml"


def test_the_demo_world_plants_the_json_api_risks_the_brief_names() -> None:
    if not DEMO_CONFIG.is_file():
        pytest.skip("config/demo.yaml is absent")
    config = load_config(DEMO_CONFIG)
    directory = config.model.sources.directory
    assert directory is not None
    sources = config.model.sources.model_copy(
        update={"directory": directory.model_copy(update={"google_workspace": True})}
    )
    config = AppConfig(config.model.model_copy(update={"sources": sources}), config.path)
    with start_sandbox(DEMO_WORLD) as box:
        configured = config.with_endpoints(box.base_urls, allow_private=True)
        outputs = [c.collect(context(configured)) for c in json_api.build(configured)]
    assert all((o.report.status is not SourceStatus.FAILED) for o in outputs), [
        o.report.problems for o in outputs
    ]
    items = [i for o in outputs for i in o.items]
    accounts = {i.handle: i for i in items if isinstance(i, AccountEvidence)}
    org = accounts["northwind-labs"]
    assert org.two_factor_policy is not None and org.two_factor_policy.required_for == "none"
    roles = {r.email: r for r in org.roles or ()}
    assert roles["ben.ortiz@northwind.example"].full_admin
    assert roles["dev.patel@northwind.example"].two_factor is False
    assert roles["mallory.k@gmail.com"].role == "outside_collaborator"
    assert any(a.can_publish and a.name == "quickdeploy-bot" for a in org.apps or ())
    assert accounts["northwind@social.example"].state is AccountState.ACTIVE
    assert accounts["northwind.example"].account_id == "did:plc:northwindexample00000001"
    assert accounts["northwindstore.bsky.social"].state is AccountState.NOT_FOUND
    (people,) = [i for i in items if isinstance(i, PeopleDirectory)]
    erin, dev, social = (
        people.find(f"{n}@northwind.example") for n in ("erin.cho", "dev.patel", "social")
    )
    assert erin is not None and erin.status is PersonStatus.SUSPENDED
    assert dev is not None and dev.two_sv_enrolled is False
    assert social is not None and social.two_sv_enrolled is True
