"""WHOIS: normalisation of python-whois results, the recorded samples, and the server override
against the sandbox's WHOIS server (refused and silent servers included)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.collectors.registration.whois import (
    WhoisClient,
    dnssec_flag,
    earliest,
    normalize_entry,
    parse_server,
    parse_text,
)
from auditor.core.errors import MalformedResponse, NetworkFailure, TimedOut
from auditor.sandbox.whois_server import WhoisServer, answer

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "testdata" / "whois-samples"

SECTION = {
    "domains": [
        {
            "name": "northwind.example",
            "registrar": "Example Registrar, Inc.",
            "expires": "+10d",
            "statuses": ["clientTransferProhibited", "clientDeleteProhibited"],
            "registrant": "Northwind Outfitters",
            "dnssec": True,
            "nameservers": ["ns1.northwind.example"],
        },
        {"name": "northwind.com", "registrar": "MarkMonitor Inc.", "statuses": ["ok"]},
    ]
}


def test_earliest_takes_the_minimum_of_a_list() -> None:
    a = datetime(2027, 1, 1, tzinfo=UTC)
    b = datetime(2026, 12, 1)  # naive: UTC
    assert earliest([a, b]) == datetime(2026, 12, 1, tzinfo=UTC)
    assert earliest(None) is None and earliest("2027") is None


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("unsigned", False),
        ("signedDelegation", True),
        ("Unsigned delegation", False),
        (["no", "no"], False),
        ("yes", True),
        ("DS Records", None),
        (None, None),
    ],
)
def test_dnssec_tokens(token: object, expected: bool | None) -> None:
    assert dnssec_flag(token) is expected


def test_normalize_entry_shapes_scalars_lists_and_urls() -> None:
    entry = {
        "domain_name": ["NORTHWIND.EXAMPLE", "northwind.example"],
        "registrar": "Example Registrar, Inc.",
        "creation_date": datetime(2011, 4, 12, tzinfo=UTC),
        "expiration_date": [datetime(2027, 4, 12, tzinfo=UTC), datetime(2027, 4, 11, tzinfo=UTC)],
        "status": [
            "clientTransferProhibited https://icann.org/epp#clientTransferProhibited",
            "client delete prohibited",
        ],
        "name_servers": ["NS1.NORTHWIND.EXAMPLE", "ns1.northwind.example."],
        "dnssec": "unsigned",
        "org": "REDACTED FOR PRIVACY",
    }
    ev = normalize_entry(entry, "Northwind.Example", NOW)
    assert ev.domain == "northwind.example" and ev.source == "whois" and ev.registered
    assert ev.expires_at == datetime(2027, 4, 11, tzinfo=UTC)
    assert ev.statuses == ("clientDeleteProhibited", "clientTransferProhibited")
    assert ev.name_servers == ("ns1.northwind.example",)
    assert ev.dnssec is False and ev.registrant_org is None


def test_all_none_is_malformed_never_unregistered() -> None:
    empty = dict.fromkeys(("domain_name", "registrar", "expiration_date", "status"))
    with pytest.raises(MalformedResponse):
        normalize_entry(empty, "northwind.example", NOW, text="Socket not responding")
    gone = normalize_entry(
        empty, "n0rthwind.example", NOW, text='No match for "N0RTHWIND.EXAMPLE".'
    )
    assert gone.registered is False


def test_com_not_found_comes_from_the_parser_exception() -> None:
    ev = parse_text("nothere.com", 'No match for "NOTHERE.COM".\r\n', NOW)
    assert ev.registered is False


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared WHOIS samples absent")
def test_recorded_samples_agree_with_the_expected_parse() -> None:
    agree = total = 0
    for raw in sorted((SAMPLES / "raw").iterdir()):
        expected_path = SAMPLES / "expected" / raw.name
        if not expected_path.exists():
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        want = expected.get("expiration_date")
        if want is None:
            continue
        try:
            ev = parse_text(raw.name, raw.read_text(encoding="utf-8"), NOW)
        except MalformedResponse:
            total += 1
            continue
        first = min(want) if isinstance(want, list) else want
        total += 1
        agree += ev.expires_at == datetime.fromisoformat(first).astimezone(UTC)
    assert total > 40
    assert agree / total >= 0.9


def test_parse_server() -> None:
    assert parse_server("127.0.0.1:4343") == ("127.0.0.1", 4343)
    for bad in ("127.0.0.1", "host:0", ":43", "host:port"):
        with pytest.raises(ValueError, match="host:port"):
            parse_server(bad)


def test_server_answers_iana_registry_and_not_found() -> None:
    server = WhoisServer(SECTION)
    assert "whois:        whois.nic.example" in answer("example\r\n", server.domains)
    assert answer("nothere.example", server.domains).startswith('No match for "NOTHERE.EXAMPLE"')
    record = answer("northwind.example", server.domains)
    assert "Domain Status: clientTransferProhibited https://icann.org/epp#" in record
    assert "DNSSEC: signedDelegation" in record


@pytest.fixture
def whois_server() -> Iterator[str]:
    server = WhoisServer(SECTION)
    host, port = server.start()
    try:
        yield f"{host}:{port}"
    finally:
        server.stop()


def test_override_runs_the_whole_chain_against_the_local_server(whois_server: str) -> None:
    client = WhoisClient(whois_server, timeout_s=3)
    ev = client.lookup("northwind.example", NOW)
    assert ev.registered is True and ev.registrar == "Example Registrar, Inc."
    assert ev.statuses == ("clientDeleteProhibited", "clientTransferProhibited")
    assert ev.registrant_org == "Northwind Outfitters" and ev.dnssec is True
    assert client.lookup("northwind.com", NOW).statuses == ("ok",)
    assert client.lookup("n0rthwind.example", NOW).registered is False


def test_two_clients_with_different_servers_do_not_interfere(whois_server: str) -> None:
    other = WhoisServer(
        {"domains": [{"name": "northwind.example", "registrar": "Other Registrar"}]}
    )
    host, port = other.start()
    try:
        first, second = WhoisClient(whois_server), WhoisClient(f"{host}:{port}")
        results: dict[str, str | None] = {}

        def look(name: str, client: WhoisClient) -> None:
            results[name] = client.lookup("northwind.example", NOW).registrar

        threads = [
            threading.Thread(target=look, args=(f"{n}-{i}", c))
            for i in range(3)
            for n, c in (("first", first), ("second", second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert {v for k, v in results.items() if k.startswith("first")} == {
            "Example Registrar, Inc."
        }
        assert {v for k, v in results.items() if k.startswith("second")} == {"Other Registrar"}
    finally:
        other.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_refused_connection_is_a_network_failure() -> None:
    client = WhoisClient(f"127.0.0.1:{_free_port()}", timeout_s=1)
    with pytest.raises(NetworkFailure):
        client.lookup("northwind.example", NOW)


def test_silent_server_is_a_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        client = WhoisClient(f"127.0.0.1:{port}", timeout_s=1)
        with pytest.raises(TimedOut):
            client.lookup("northwind.example", NOW)


def test_without_override_hosts_are_checked_before_connecting() -> None:
    refused: list[str] = []

    def guard(host: str) -> None:
        refused.append(host)
        raise NetworkFailure(f"refused a request to a non-public address ({host})")

    client = WhoisClient(None, timeout_s=1, check=guard)
    with pytest.raises(NetworkFailure, match="non-public"):
        client.lookup("northwind.example", NOW)
    assert refused == ["whois.iana.org"]
