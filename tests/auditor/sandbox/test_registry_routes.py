"""DOMAINS' sandbox pieces: registry records (RDAP and WHOIS), the HIBP range route, 429 shapes."""

from __future__ import annotations

import pytest

from auditor.core.errors import InputFileError
from auditor.sandbox import routes_hibp, routes_rdap
from auditor.sandbox.routing import Request
from auditor.sandbox.whois_server import record_text


def test_registry_records_validate_names_and_times() -> None:
    with pytest.raises(InputFileError, match=r"rdap\.domains\.0\.name"):
        routes_rdap.parse_domains({"domains": [{"name": "not a domain"}]}, "rdap")
    with pytest.raises(InputFileError, match=r"rdap\.domains\.0\.expires"):
        routes_rdap.parse_domains({"domains": [{"name": "a.example", "expires": "soon"}]}, "rdap")
    with pytest.raises(InputFileError, match="expected a list"):
        routes_rdap.parse_domains({"domains": "a.example"}, "rdap")


def test_future_times_count_from_start() -> None:
    (domain,) = routes_rdap.parse_domains(
        {"domains": [{"name": "a.example", "expires": "+10d", "created": "-2d"}]}, "rdap"
    ).values()
    assert (domain.expires - domain.created).days == 12


def test_rdap_object_redacts_a_missing_registrant_and_maps_statuses() -> None:
    (domain,) = routes_rdap.parse_domains(
        {"domains": [{"name": "a.example", "statuses": ["clientTransferProhibited", "ok"]}]}, "rdap"
    ).values()
    body = routes_rdap.domain_object(domain)
    assert body["status"] == ["client transfer prohibited", "active"]
    registrant = body["entities"][1]
    assert (
        registrant["roles"] == ["registrant"]
        and registrant["remarks"][0]["type"] == "object redacted"
    )
    assert "secureDNS" not in body
    assert "Registrant Organization: REDACTED FOR PRIVACY" in record_text(domain)


def test_rdap_route_answers_404_for_unknown_names() -> None:
    route, _bootstrap = routes_rdap.routes({"domains": [{"name": "a.example"}]})
    found = route.handler(Request("GET", "/domain/A.example", {}, {}, match={"name": "A.example"}))
    missing = route.handler(
        Request("GET", "/domain/b.example", {}, {}, match={"name": "b.example"})
    )
    assert found.status == 200 and missing.status == 404
    assert b'"errorCode": 404' in missing.body


def test_rate_limits_carry_retry_after() -> None:
    assert routes_rdap.rate_limited(3, 0.0).headers["Retry-After"] == "3"
    limited = routes_hibp.rate_limited(2, 0.0)
    assert limited.status == 429 and limited.headers["Retry-After"] == "2"


def test_hibp_route_pads_only_when_asked() -> None:
    (route,) = routes_hibp.routes({"words": ["password"], "decoys": 5})
    plain = route.handler(Request("GET", "/range/5baa6", {}, {}, match={"prefix": "5baa6"}))
    padded = route.handler(
        Request("GET", "/range/5BAA6", {}, {"add-padding": "true"}, match={"prefix": "5BAA6"})
    )
    plain_rows = plain.body.decode().split("\r\n")
    assert len(plain_rows) == 6 and "1E4C9B93F3F0682250B6CF8331B7EE68FD8" in plain.body.decode()
    assert 800 <= len(padded.body.decode().split("\r\n")) <= 1000
    with pytest.raises(InputFileError, match=r"hibp\.counts"):
        routes_hibp.routes({"words": ["a"], "counts": ["a"]})
