"""The sandbox's WHOIS server: a TCP server on 127.0.0.1 that answers the whole query chain.

python-whois asks up to three servers in turn, all on port 43: IANA (the query is the TLD, e.g.
``example``), the registry, and the registrar the registry refers to. With the collector's server
override every one of those connections lands here, so one server answers them all: a query
without a dot gets an IANA-style referral (``whois: whois.nic.<tld>``); a domain query gets a
.com-style registry record (``Domain Name:``, ``Registrar WHOIS Server:``, ``Registry Expiry
Date:``, ``Domain Status: clientTransferProhibited https://icann.org/epp#...``, ``DNSSEC:``) for
the world's registered domains and ``No match for "NAME".`` for the rest.

World section ``whois``: the same shape as ``rdap`` (see :mod:`auditor.sandbox.routes_rdap`),
plus ``throttled: [names]``: the first query for each listed name gets CZ.NIC's throttling
reply (``Your connection limit exceeded. ...``), later ones the record, as a registry that
asks a client to slow down. Queries are logged nowhere.
"""

from __future__ import annotations

import socketserver
import threading
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from auditor.core.errors import InputFileError
from auditor.sandbox.routes_rdap import RegistryDomain, parse_domains

MAX_QUERY_BYTES = 1024
QUERY_TIMEOUT_S = 5.0
"""How long a connection may take to send its query line before it is dropped."""
POLL_INTERVAL_S = 0.05
"""How often the serving loop looks for a stop request (``stop`` waits at most this long)."""
"""Longest query line read."""


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _footer() -> str:
    return f">>> Last update of whois database: {_stamp(datetime.now(UTC))} <<<\r\n"


def iana_answer(tld: str) -> str:
    """IANA's answer for a TLD: where its registry's WHOIS server is."""
    return (
        "% IANA WHOIS server\r\n% for more information on IANA, visit http://www.iana.org\r\n\r\n"
        f"refer:        whois.nic.{tld}\r\n\r\ndomain:       {tld.upper()}\r\n\r\n"
        f"whois:        whois.nic.{tld}\r\n\r\nstatus:       ACTIVE\r\n\r\n"
    )


def record_text(domain: RegistryDomain) -> str:
    """A .com-style registry record."""
    lines = [
        f"Domain Name: {domain.name.upper()}",
        f"Registry Domain ID: {zlib.crc32(domain.name.encode())}_DOMAIN_SANDBOX",
        "Registrar WHOIS Server: whois.registrar.sandbox.example",
        "Registrar URL: http://registrar.sandbox.example",
        f"Updated Date: {_stamp(domain.updated)}",
        f"Creation Date: {_stamp(domain.created)}",
        f"Registry Expiry Date: {_stamp(domain.expires)}",
        f"Registrar: {domain.registrar}",
        f"Registrar IANA ID: {domain.registrar_iana_id}",
        "Registrar Abuse Contact Email: abuse@registrar.sandbox.example",
        "Registrar Abuse Contact Phone: +1.5555550199",
    ]
    lines += [f"Domain Status: {s} https://icann.org/epp#{s}" for s in domain.statuses]
    lines.append(f"Registrant Organization: {domain.registrant or 'REDACTED FOR PRIVACY'}")
    lines += [f"Name Server: {n.upper()}" for n in domain.nameservers]
    dnssec = {True: "signedDelegation", False: "unsigned", None: None}[domain.dnssec]
    if dnssec:
        lines.append(f"DNSSEC: {dnssec}")
    lines.append("URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/")
    return "\r\n".join(lines) + "\r\n" + _footer()


THROTTLED_REPLY = "Your connection limit exceeded. Please slow down and try again later.\r\n"
"""What the sandbox answers a throttled query (CZ.NIC's wording)."""


def answer(
    query: str,
    domains: Mapping[str, RegistryDomain],
    throttle: Callable[[str], bool] | None = None,
) -> str:
    """The reply to one query line (``throttle(name)`` True: the throttling reply)."""
    name = query.strip().rstrip(".").lower()
    if name and "." not in name:
        return iana_answer(name)
    if throttle is not None and throttle(name):
        return THROTTLED_REPLY
    found = domains.get(name)
    if found is None:
        return f'No match for "{name.upper()}".\r\n' + _footer()
    return record_text(found)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server
    timeout = QUERY_TIMEOUT_S

    def handle(self) -> None:
        try:
            raw = self.rfile.readline(MAX_QUERY_BYTES)
            query = raw.decode("utf-8", "replace")
            reply = answer(query, self.server.domains, self.server.take_throttle)
            self.wfile.write(reply.encode("utf-8"))
        except OSError:  # a client that stalls or hangs up gets nothing (and costs no thread)
            return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, domains: Mapping[str, RegistryDomain], throttled: set[str]) -> None:
        self.domains = dict(domains)
        self._throttled = set(throttled)
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def take_throttle(self, name: str) -> bool:
        """True once per throttled name (its first query)."""
        with self._lock:
            if name in self._throttled:
                self._throttled.discard(name)
                return True
            return False


class WhoisServer:
    """The WHOIS server of a world's ``whois`` section (start, then stop)."""

    def __init__(self, section: Mapping[str, Any]) -> None:
        self.domains = parse_domains(section, "whois")
        raw = section.get("throttled") or []
        if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
            raise InputFileError("expected a list of domain names", field="whois.throttled")
        self.throttled = {n.strip().lower() for n in raw}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> tuple[str, int]:
        """Listen on 127.0.0.1 and a free port; the address."""
        if self._server is None:
            self._server = _Server(self.domains, self.throttled)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": POLL_INTERVAL_S},
                daemon=True,
            )
            self._thread.start()
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        """Stop listening and release the port (within one poll interval, 50 ms)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
