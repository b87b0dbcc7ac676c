"""Each platform's handle syntax before any probe, separators kept, handles per platform, and
the probes that batch (Bluesky getProfiles 25 a request), the YouTube forHandle and LinkedIn
vanity-name probes, and the Mastodon lookup budget."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.collectors.base import CollectContext
from auditor.collectors.impersonation.handle_variants import (
    platform_form,
    ranked,
    valid_atproto_handle,
    valid_handle,
    variants,
)
from auditor.collectors.impersonation.handles import (
    MASTODON_LOOKUPS,
    Found,
    HandleCollector,
    probe_clients,
)
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.estate import AccountSpec, Estate, Organization, Policy
from auditor.core.evidence import HandleProbe
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("platform", "handle", "ok"),
    [
        ("x", "brand_name", True),
        ("x", "a" * 15, True),
        ("x", "a" * 16, False),
        ("x", "brand-name", False),
        ("github", "brand-name", True),
        ("github", "brand--name", False),
        ("github", "-brand", False),
        ("github", "a" * 39, True),
        ("github", "a" * 40, False),
        ("youtube", "@brand.name_1-x", True),
        ("youtube", "ab", False),
        ("youtube", "a" * 31, False),
        ("mastodon", "brand_name", True),
        ("mastodon", "brand_name@social.example", True),
        ("mastodon", "brand-name", False),
        ("linkedin", "brand-name", True),
        ("linkedin", "brand_name", False),
        ("bluesky", "brandname.bsky.social", True),
        ("bluesky", "a" * 18 + ".bsky.social", True),
        ("bluesky", "a" * 19 + ".bsky.social", False),
        ("bluesky", "ab.bsky.social", False),
        ("bluesky", "brand.example", True),
        ("bluesky", "brand.123", False),
        ("bluesky", "brand_name.example", False),
        ("bluesky", "-brand.example", False),
        ("bluesky", "did:plc:z72i7hdynmk6r22z27h6tvur", True),
        ("bluesky", "did:plc:", False),
        ("tiktok", "brand", False),
    ],
)
def test_each_platforms_handle_syntax(platform: str, handle: str, ok: bool) -> None:
    assert valid_handle(platform, handle) is ok


def test_atproto_handles_are_dns_names_of_two_labels_or_more() -> None:
    assert valid_atproto_handle("a.b.c.example")
    assert not valid_atproto_handle("example")
    assert not valid_atproto_handle("a" * 64 + ".example")
    assert not valid_atproto_handle(("a" * 60 + ".") * 5 + "example")  # over 253


def test_a_brands_own_handle_keeps_the_separators_its_platform_allows() -> None:
    assert platform_form("github", "Brand-Name") == "brand-name"
    assert platform_form("x", "Brand-Name") == "brandname"
    assert platform_form("x", "brand_name") == "brand_name"
    assert platform_form("youtube", "@Brand.Name") == "brand.name"
    assert platform_form("bluesky", "brand-name.bsky.social") == "brand-name"
    assert platform_form("linkedin", "Calder Health") == "calderhealth"


def test_the_handle_without_separators_is_a_lookalike_of_the_one_with() -> None:
    found = variants("brand-name", "-")
    assert found["brandname"][0] == "separator"
    assert "brand-name" not in found
    github = [h for h, _ in ranked("brand-name", "github", 50, skip=())]
    assert "brandname" in github and all(valid_handle("github", h) for h in github)


def _ctx(
    *handles: str,
    per_platform: dict[str, tuple[str, ...]] | None = None,
    cap: int = 50,
    claim: tuple[str, ...] = (),
) -> CollectContext:
    estate = Estate(
        organization=Organization("Northwind Outfitters", ("northwind.example",)),
        accounts=(AccountSpec("x", "northwind", "1"),),
        brand_handles=handles,
        platform_handles=per_platform or {},
    )
    return CollectContext(estate, Policy(lookalike_cap=cap, claim_platforms=claim), NOW)


def _never(handle: str) -> Found:
    return Found(False)


def test_impossible_candidates_are_never_probed() -> None:
    resolvers = {p: _never for p in ("x", "github", "bluesky", "youtube", "mastodon", "linkedin")}
    jobs = HandleCollector(resolvers).jobs(
        _ctx("Northwind Outfitters", "northwind", claim=tuple(resolvers))
    )
    assert jobs
    assert all(valid_handle(j.platform, j.handle) for j in jobs)
    claims = {(j.platform, j.handle) for j in jobs if j.purpose == "claim"}
    # 19 characters: too long for X (15) and for a bsky.social label (18)
    assert ("x", "northwindoutfitters") not in claims
    assert ("bluesky", "northwindoutfitters.bsky.social") not in claims
    assert ("github", "northwindoutfitters") in claims


def test_brand_handles_per_platform_are_watched_and_claimed_only_there() -> None:
    per_platform = {"github": ("northwind-labs",), "x": ("northwind",)}
    resolvers = {"x": _never, "github": _never, "mastodon": _never}
    jobs = HandleCollector(resolvers).jobs(_ctx(per_platform=per_platform))
    assert {j.platform for j in jobs} == {"x", "github"}
    assert {(j.platform, j.handle) for j in jobs if j.purpose == "claim"} == {
        ("x", "northwind"),
        ("github", "northwind-labs"),
    }
    assert ("github", "northwindlabs") in {(j.platform, j.handle) for j in jobs}


def test_mastodon_lookups_stay_within_the_run_budget() -> None:
    names = ("northwind", "northwindoutfitters", "northwind_gear", "trailnorth")
    jobs = HandleCollector({"mastodon": _never}).jobs(_ctx(*names, cap=50))
    assert 0 < len(jobs) <= MASTODON_LOOKUPS < 300 // 4


WORLD = {
    "bluesky": {
        "accounts": [
            {
                "did": "did:plc:impostor000000000000001",
                "handle": "n0rthwind.bsky.social",
                "display_name": "Northwind Outfitters",
            },
        ]
    },
    "youtube": {
        "channels": [
            {"id": "UCimpostor00000000000000001", "handle": "@n0rthwind", "title": "Northwind"}
        ]
    },
    "linkedin": {
        "me": "urn:li:person:x",
        "organizations": [
            {
                "id": 77,
                "vanityName": "n0rthwind",
                "localizedName": "Northwind Outfitters",
                "acls": [],
            }
        ],
    },
}


def _config(base_urls: dict[str, str]) -> AppConfig:
    raw = {
        "organization": {"name": "Northwind Outfitters", "email_domains": ["northwind.example"]},
        "platforms": {
            name: {"base_url": base_urls[name], "token": "t", "retries": 0}
            for name in ("bluesky", "youtube", "linkedin")
        },
        "network": {"allow_private": True},
    }
    return AppConfig(ConfigModel.model_validate(raw), Path("brand-audit.yaml"))


def test_bluesky_lookalikes_are_looked_up_25_per_request() -> None:
    with start_sandbox(world_from_mapping(WORLD), faults=[]) as sandbox:
        resolvers = {"bluesky": probe_clients(_config(sandbox.base_urls))["bluesky"]}
        before = sandbox.requests_served
        output = HandleCollector(resolvers).collect(_ctx("northwind", cap=50))
        served = sandbox.requests_served - before
    probes = [p for p in output.items if isinstance(p, HandleProbe)]
    assert len(probes) == 50 and served == 2
    found = [p for p in probes if p.exists]
    assert [(p.handle, p.account_id) for p in found] == [
        ("n0rthwind.bsky.social", "did:plc:impostor000000000000001")
    ]


def test_youtube_for_handle_and_linkedin_vanity_name_probes() -> None:
    with start_sandbox(world_from_mapping(WORLD), faults=[]) as sandbox:
        resolvers = probe_clients(_config(sandbox.base_urls))
        assert resolvers["youtube"]("n0rthwind") == Found(
            True, "UCimpostor00000000000000001", "Northwind"
        )
        assert resolvers["youtube"]("nobody-here").exists is False
        assert resolvers["linkedin"]("n0rthwind") == Found(True, "77", "Northwind Outfitters")
        assert resolvers["linkedin"]("nobody-here").exists is False


def test_mastodon_search_finds_a_display_name_impersonator_with_any_username() -> None:
    world = {
        "mastodon": {
            "domain": "social.example",
            "accounts": [
                {"id": "1", "username": "northwind", "display_name": "Northwind Outfitters"},
                {"id": "2", "username": "deals_hub", "display_name": "Northwind Outfitters"},
                {"id": "3", "username": "northwindfan", "display_name": "Trail photos"},
            ],
        }
    }
    with start_sandbox(world_from_mapping(world), faults=[]) as sandbox:
        raw = {
            "organization": {
                "name": "Northwind Outfitters",
                "email_domains": ["northwind.example"],
            },
            "platforms": {"mastodon": {"base_url": sandbox.base_urls["mastodon"], "retries": 0}},
            "network": {"allow_private": True},
        }
        config = AppConfig(ConfigModel.model_validate(raw), Path("brand-audit.yaml"))
        resolvers = probe_clients(config)
        output = HandleCollector(resolvers).collect(_ctx("northwind", cap=5))
    found = {p.handle: p for p in output.items if isinstance(p, HandleProbe) and p.exists}
    assert set(found) == {"deals_hub", "northwind"}  # the fan's name does not read as the brand
    assert "display name" in (found["deals_hub"].reason or "")
    assert found["deals_hub"].brand_handle == "northwind"
