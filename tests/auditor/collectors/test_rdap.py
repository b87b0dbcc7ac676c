"""RDAP: status normalisation, the parser (hand-built and recorded samples), the bootstrap, and
the client against the sandbox's RDAP routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.collectors.registration.rdap import (
    Bootstrap,
    BootstrapSource,
    RdapClient,
    epp_status,
    parse_date,
    parse_domain,
    refresh_bootstrap,
    visible_registrant,
)
from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.completeness import Facet, facet_status
from auditor.core.errors import MalformedResponse, NetworkFailure, ServerFailure
from auditor.core.evidence import RegistryAnswer
from auditor.http.client import HttpClient
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "testdata" / "rdap-samples"


def _domain(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "objectClassName": "domain",
        "ldhName": "NORTHWIND.EXAMPLE.",
        "status": ["client transfer prohibited", "active"],
        "events": [
            {"eventAction": "expiration", "eventDate": "2027-01-02T03:04:05.000+0000"},
            {"eventAction": "registration", "eventDate": "2011-04-12T00:00:00"},
        ],
        "entities": [
            {
                "roles": ["Registrar"],
                "vcardArray": ["vcard", [["fn", {}, "text", "Example Registrar, Inc."]]],
            },
            {
                "roles": ["registrant"],
                "vcardArray": ["vcard", [["org", {}, "text", "Northwind Outfitters"]]],
            },
        ],
        "nameservers": [{"ldhName": "NS1.NORTHWIND.EXAMPLE."}],
        "secureDNS": {"delegationSigned": True},
    }
    body.update(extra)
    return body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("client transfer prohibited", "clientTransferProhibited"),
        (
            "clientTransferProhibited https://icann.org/epp#clientTransferProhibited",
            "clientTransferProhibited",
        ),
        ("active", "ok"),
        ("ACTIVE", "ok"),
        ("pending delete", "pendingDelete"),
        ("serverHold (https://example.invalid)", "serverHold"),
        ("associated", "linked"),
    ],
)
def test_epp_status_normalises_rdap_and_whois_forms(raw: str, expected: str) -> None:
    assert epp_status(raw) == expected


def test_parse_domain_reads_every_field() -> None:
    ev = parse_domain(_domain(), "northwind.example", NOW)
    assert ev.registered is True and ev.source == "rdap"
    assert ev.expires_at == datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert ev.created_at == datetime(2011, 4, 12, tzinfo=UTC)
    assert ev.registrar == "Example Registrar, Inc."
    assert ev.statuses == ("clientTransferProhibited", "ok")
    assert ev.registrant_org == "Northwind Outfitters"
    assert ev.dnssec is True
    assert ev.name_servers == ("ns1.northwind.example",)


def test_parse_domain_hides_redacted_registrant_and_unstated_dnssec() -> None:
    body = _domain(secureDNS=None)
    body["entities"][1]["vcardArray"] = ["vcard", [["org", {}, "text", "REDACTED FOR PRIVACY"]]]
    ev = parse_domain(body, "northwind.example", NOW)
    assert ev.registrant_org is None
    assert ev.dnssec is None


@pytest.mark.parametrize(
    "payload",
    [[], {"objectClassName": "entity"}, _domain(ldhName="other.example")],
)
def test_parse_domain_rejects_what_is_not_this_domain(payload: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_domain(payload, "northwind.example", NOW)


def test_privacy_proxies_are_not_registrants() -> None:
    assert visible_registrant("WhoisGuard, Inc.") is None
    assert visible_registrant("  ") is None
    assert visible_registrant("Northwind  Outfitters") == "Northwind Outfitters"


def test_parse_date_accepts_registry_variants() -> None:
    assert parse_date("2014-11-17T16:00:29.0Z") == datetime(2014, 11, 17, 16, 0, 29, tzinfo=UTC)
    assert parse_date("not a date") is None


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared RDAP samples absent")
def test_recorded_samples_parse_and_malformed_ones_are_refused_or_tolerated() -> None:
    parsed = 0
    for path in sorted(SAMPLES.glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        name = str(payload.get("ldhName", "")).rstrip(".").lower()
        if path.name.startswith("bad_"):
            ev = parse_domain(payload, name, NOW)  # tolerated: the broken jCards are skipped
            assert ev.registrar is None or isinstance(ev.registrar, str)
            continue
        ev = parse_domain(payload, name, NOW)
        assert ev.expires_at is not None and ev.created_at is not None and ev.statuses
        parsed += 1
    assert parsed == 9
    google = parse_domain(json.loads((SAMPLES / "google.com.json").read_text()), "google.com", NOW)
    assert google.registrar == "MarkMonitor Inc." and google.registrant_org == "Google LLC"
    assert "serverTransferProhibited" in (google.statuses or ())


def test_bundled_bootstrap_is_the_full_iana_file() -> None:
    boot = Bootstrap.bundled()
    assert len(boot) >= 1_100 and boot.published is not None
    assert boot.base_for("shop.northwind.com") == "https://rdap.verisign.com/com/v1/"
    assert boot.base_for("brand.dev") == "https://pubapi.registry.google/rdap/"
    for cc in ("northwind.co.uk", "northwind.fr", "northwind.nl", "northwind.com.br"):
        assert boot.base_for(cc) is not None, cc  # ccTLDs whose registry speaks RDAP
    assert boot.base_for("northwind.example") is None


def test_a_stale_bootstrap_is_refreshed_once_and_a_failed_refresh_keeps_it(tmp_path: Path) -> None:
    live = {
        "publication": "2026-11-19T00:00:00Z",
        "services": [[["example"], ["https://rdap.example/"]]],
    }
    calls: list[Path] = []

    def fetch(path: Path) -> int:
        calls.append(path)
        return refresh_bootstrap(_FakeJson(live), path)

    target = tmp_path / "rdap_dns.json"
    source = BootstrapSource(target, fetch, clock=lambda: NOW)
    assert source.current().base_for("northwind.example") == "https://rdap.example/"
    assert source.current().base_for("northwind.example") == "https://rdap.example/"
    assert calls == [target]  # the bundled copy (July 2026) was stale; refreshed once

    fresh = BootstrapSource(target, fetch, clock=lambda: NOW)
    assert fresh.current().base_for("northwind.example") and calls == [target]  # 0 days old

    def offline(path: Path) -> int:
        raise NetworkFailure("no route to data.iana.org")

    kept = BootstrapSource(tmp_path / "missing.json", offline, clock=lambda: NOW)
    assert kept.current().base_for("northwind.com") == "https://rdap.verisign.com/com/v1/"
    assert kept.refresh_error is not None and "NetworkFailure" in kept.refresh_error
    never = BootstrapSource(tmp_path / "none.json", None, clock=lambda: NOW)
    assert never.current().base_for("northwind.com") and not (tmp_path / "none.json").exists()


def test_the_evidence_says_which_server_answered_and_the_registrars_iana_id() -> None:
    payload = _domain(
        entities=[
            {
                "roles": ["registrar"],
                "publicIds": [{"type": "IANA Registrar ID", "identifier": "292"}],
                "vcardArray": ["vcard", [["fn", {}, "text", "MarkMonitor Inc. (R22-LRCC)"]]],
            }
        ]
    )
    client = RdapClient(_FakeJson(payload), Bootstrap({"example": "https://rdap.example/"}))
    ev = client.lookup("northwind.example", NOW)
    assert ev is not None and ev.server == "https://rdap.example/"
    assert ev.registrar == "MarkMonitor Inc." and ev.registrar_iana_id == "292"
    assert (
        ev.answer is RegistryAnswer.REGISTERED and facet_status(ev, Facet.REGISTRATION).is_complete
    )


class _FakeJson:
    def __init__(self, payload: object) -> None:
        self.payload = payload
        self.urls: list[str] = []

    def get_json(self, path_or_url: str, *, params: Any = None, headers: Any = None) -> Any:
        self.urls.append(path_or_url)
        return self.payload


def test_refresh_bootstrap_validates_and_writes(tmp_path: Path) -> None:
    live = {"services": [[["com", "net"], ["http://x.invalid/", "https://rdap.example/"]]]}
    target = tmp_path / "rdap_dns.json"
    assert refresh_bootstrap(_FakeJson(live), target) == 2
    assert Bootstrap.load(target).base_for("a.net") == "https://rdap.example/"
    with pytest.raises(MalformedResponse):
        refresh_bootstrap(_FakeJson({"services": "nope"}), tmp_path / "other.json")
    assert not (tmp_path / "other.json").exists()


WORLD = {
    "rdap": {
        "domains": [
            {
                "name": "northwind.example",
                "registrar": "Example Registrar, Inc.",
                "expires": "+10d",
                "statuses": ["clientTransferProhibited", "ok"],
                "registrant": "Northwind Outfitters",
                "dnssec": False,
            }
        ]
    }
}


def _client(base_url: str, retries: int = 0) -> HttpClient:
    settings = PlatformModel(base_url=base_url, retries=retries, timeout_s=5)
    return HttpClient("rdap", settings, NetworkModel(allow_private=True), default_base_url=base_url)


def test_client_against_the_sandbox_registered_and_unregistered() -> None:
    with start_sandbox(world_from_mapping(WORLD), faults=[]) as sandbox:
        base = sandbox.base_urls["rdap"]
        client = RdapClient(_client(base), Bootstrap({}), base_url=base)
        now = datetime.now(UTC)
        ev = client.lookup("NorthWind.example", now)
        assert ev is not None and ev.registered is True
        assert ev.expires_at is not None and 9 <= (ev.expires_at - now).days <= 10
        assert ev.statuses == ("clientTransferProhibited", "ok") and ev.dnssec is False
        gone = client.lookup("n0rthwind.example", now)
        assert gone is not None and gone.registered is False
        assert gone.answer is RegistryAnswer.AVAILABLE and gone.server == base
        assert facet_status(gone, Facet.REGISTRATION).is_complete


def test_client_without_a_server_for_the_tld_says_so() -> None:
    client = RdapClient(_FakeJson({}), Bootstrap({}))
    assert client.lookup("northwind.example", NOW) is None


def test_server_failure_raises_typed_error() -> None:
    faults = [{"platform": "rdap", "kind": "server_error", "status": 503}]
    with start_sandbox(world_from_mapping(WORLD), faults=faults) as sandbox:
        base = sandbox.base_urls["rdap"]
        client = RdapClient(_client(base), Bootstrap({}), base_url=base)
        with pytest.raises(ServerFailure):
            client.lookup("northwind.example", NOW)


def test_rate_limit_with_retry_after_is_waited_out() -> None:
    faults = [{"platform": "rdap", "kind": "rate_limit", "times": 1, "retry_after_s": 0}]
    with start_sandbox(world_from_mapping(WORLD), faults=faults) as sandbox:
        base = sandbox.base_urls["rdap"]
        client = RdapClient(_client(base), Bootstrap({}), base_url=base)
        found = client.lookup("northwind.example", NOW)
        assert found is not None and found.registered is True
        assert sandbox.requests_served == 2
