"""WHOIS transport: the server override against the sandbox's WHOIS server (refused and silent
servers included), the SSRF guard, and which server answered. Reading replies is tested in
``registration/test_whois_reply.py``."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from auditor.collectors.registration.whois import WhoisClient, parse_server
from auditor.collectors.registration.whois_reply import read_reply
from auditor.core.errors import NetworkFailure, TimedOut
from auditor.core.evidence import RegistryAnswer
from auditor.sandbox.whois_server import WhoisServer, answer

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

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


def test_com_not_found_is_the_registrys_phrasing() -> None:
    ev = read_reply("nothere.com", 'No match for "NOTHERE.COM".\r\n', NOW, parser=None)
    assert ev.registered is False and ev.answer is RegistryAnswer.AVAILABLE


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
    assert ev.server == whois_server and ev.answer is RegistryAnswer.REGISTERED
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


def test_a_throttled_query_is_retried_once_and_then_answered() -> None:
    from auditor.collectors.registration.lookup import DomainLookup

    server = WhoisServer({**SECTION, "throttled": ["northwind.example", "northwind.com"]})
    host, port = server.start()
    waits: list[float] = []
    try:
        client = WhoisClient(f"{host}:{port}", timeout_s=3)
        first = client.lookup("northwind.com", NOW)  # no retry here: the client only reads
        assert first.answer is RegistryAnswer.THROTTLED and first.registered is None
        lookup = DomainLookup(None, client, retry_delay_s=2, sleep=waits.append)
        ev = lookup.lookup("northwind.example", NOW)
        assert ev.registered is True and ev.registrar == "Example Registrar, Inc."
        assert waits == [2] and client.requests == 3
    finally:
        server.stop()
