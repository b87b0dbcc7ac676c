"""WHOIS lookups through python-whois, normalised into :class:`~auditor.core.evidence.DomainEvidence`.

WHOIS is the fallback when RDAP has no server for a TLD or fails. python-whois returns a dict
whose values are a scalar, a list or None depending on how many lines matched; this module turns
that into one shape: the earliest expiry and creation date (``min()`` of a list), the first
registrar, EPP camelCase statuses without the ICANN URL, DNSSEC as a bool (``unsigned`` → False,
``signedDelegation`` → True, anything else → None), name servers lower-cased.

Errors are decided by exception type: python-whois is called with ``ignore_socket_errors=False``
so a refused connection raises :class:`OSError` (→ :class:`~auditor.core.errors.NetworkFailure`) and a
timeout :class:`TimeoutError` (→ :class:`~auditor.core.errors.TimedOut`);
``WhoisDomainNotFoundError`` means the registry has no such domain (``registered=False``). A reply
in which no field parses is :class:`~auditor.core.errors.MalformedResponse` (never "unregistered"),
unless the registry's reply is its own explicit not-found answer.

Server override (``whois.server: host:port`` in the config): python-whois connects to port 43 of
hosts it chooses itself and has no parameter for another server. Instead of patching
``NICClient.get_socket`` on the module (state shared by every thread), each :class:`WhoisClient`
builds its own ``NICClient`` subclass whose ``get_socket`` returns a socket that connects to the
override whatever address it is asked for. The whole query chain (IANA, registry, registrar
referral) then goes to that one server; other clients and threads are untouched. Without an
override, the same socket checks every host against the SSRF guard before connecting (the
registrar referral comes from the registry's text), so a referral into a private network is a
:class:`~auditor.core.errors.NetworkFailure`. (python-whois's ``SOCKS`` environment proxy is not used.)
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from auditor.collectors.registration.rdap import epp_status, visible_registrant
from auditor.core.errors import MalformedResponse, NetworkFailure, TimedOut
from auditor.core.evidence import DomainEvidence

NOT_FOUND_MARKERS = (
    'no match for "',
    "no match for domain",
    "not found:",
    "no data found",
    "domain not found",
    "no entries found",
    "status: free",
    "status: available",
    "the queried object does not exist",
    "no object found",
)
"""Registry not-found answers recognised when python-whois's generic parser has no rule for the
TLD (it raises ``WhoisDomainNotFoundError`` itself only for some TLDs)."""

_DNSSEC_TRUE = {"signeddelegation", "signed", "yes", "y", "true", "active", "signed delegation"}
_DNSSEC_FALSE = {
    "unsigned",
    "unsigned delegation",
    "no",
    "n",
    "false",
    "inactive",
    "unsigneddelegation",
}
_FIELDS = ("domain_name", "registrar", "creation_date", "expiration_date", "status", "name_servers")


def _values(raw: object) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def earliest(raw: object) -> datetime | None:
    """The earliest datetime of a python-whois date field (scalar, list or None), aware UTC."""
    dates = [v for v in _values(raw) if isinstance(v, datetime)]
    if not dates:
        return None
    found = min(d if d.tzinfo else d.replace(tzinfo=UTC) for d in dates)
    return found.astimezone(UTC)


def dnssec_flag(raw: object) -> bool | None:
    """The DNSSEC token as a bool; None when absent or not understood."""
    for value in _values(raw):
        token = " ".join(str(value).strip().lower().replace("-", " ").split())
        if token in _DNSSEC_TRUE or token.replace(" ", "") in _DNSSEC_TRUE:
            return True
        if token in _DNSSEC_FALSE:
            return False
    return None


def _text(raw: object) -> str | None:
    for value in _values(raw):
        text = str(value).strip()
        if text:
            return text
    return None


def _statuses(raw: object) -> tuple[str, ...] | None:
    values = _values(raw)
    if not values:
        return None
    return tuple(sorted({epp_status(str(v)) for v in values} - {""}))


def normalize_entry(
    entry: Mapping[str, Any], domain: str, observed_at: datetime, *, text: str = ""
) -> DomainEvidence:
    """A python-whois result as evidence. All fields empty: not-found marker in ``text`` →
    unregistered, otherwise :class:`MalformedResponse`."""
    name = domain.strip().rstrip(".").lower()
    if all(not _values(entry.get(f)) for f in _FIELDS):
        lowered = text.lower()
        if any(marker in lowered for marker in NOT_FOUND_MARKERS):
            return DomainEvidence(name, "whois", observed_at, registered=False)
        raise MalformedResponse(f"WHOIS answer for {name} has no recognisable fields")
    org = entry.get("org", entry.get("registrant_org"))
    return DomainEvidence(
        domain=name,
        source="whois",
        observed_at=observed_at,
        registered=True,
        expires_at=earliest(entry.get("expiration_date")),
        created_at=earliest(entry.get("creation_date")),
        registrar=_text(entry.get("registrar")),
        statuses=_statuses(entry.get("status")),
        registrant_org=visible_registrant(_text(org)),
        dnssec=dnssec_flag(entry.get("dnssec")),
        name_servers=tuple(
            sorted({str(v).strip().rstrip(".").lower() for v in _values(entry.get("name_servers"))})
        ),
    )


def parse_text(domain: str, text: str, observed_at: datetime) -> DomainEvidence:
    """Parse raw WHOIS text with python-whois's TLD parsers and normalise it."""
    from whois.exceptions import PywhoisError, WhoisDomainNotFoundError
    from whois.parser import WhoisEntry

    name = domain.strip().rstrip(".").lower()
    try:
        entry = WhoisEntry.load(name, text)
    except WhoisDomainNotFoundError:
        return DomainEvidence(name, "whois", observed_at, registered=False)
    except PywhoisError as exc:
        raise MalformedResponse(f"WHOIS answer for {name} could not be parsed") from exc
    return normalize_entry(entry, name, observed_at, text=text)


def parse_server(value: str) -> tuple[str, int]:
    """``host:port`` as a pair; :class:`ValueError` when it is not one."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port, got {value!r}")
    return host.strip("[]"), int(port)


HostCheck = Callable[[str], None]
"""Raises :class:`~auditor.core.errors.NetworkFailure` for a host that must not be contacted."""


class _WhoisSocket(socket.socket):
    """python-whois's TCP socket, made safe: sent to the configured server when there is one,
    otherwise checked against the SSRF guard (a registry's referral is fetched text), and never
    waiting longer than the client's timeout (python-whois hard-codes 10 s for the IANA step)."""

    def __init__(
        self, target: tuple[str, int] | None, limit_s: float, check: HostCheck | None
    ) -> None:
        super().__init__(socket.AF_INET, socket.SOCK_STREAM)
        self._target = target
        self._limit_s = limit_s
        self._check = check

    def settimeout(self, value: float | None) -> None:
        super().settimeout(self._limit_s if value is None else min(value, self._limit_s))

    def connect(self, address: Any) -> None:
        if self._target is not None:
            super().connect(self._target)
            return
        if self._check is not None:
            self._check(str(address[0]))
        super().connect(address)


def _nic_client_class(
    server: tuple[str, int] | None, limit_s: float, check: HostCheck | None
) -> type[Any]:
    from whois.whois import NICClient

    class GuardedNICClient(NICClient):  # type: ignore[misc]
        """python-whois's client with :class:`_WhoisSocket` connections."""

        def get_socket(self) -> socket.socket:
            return _WhoisSocket(server, limit_s, check)

    return GuardedNICClient


class WhoisClient:
    """WHOIS lookups over TCP, optionally through one configured server (``host:port``)."""

    def __init__(
        self, server: str | None = None, *, timeout_s: float = 10.0, check: HostCheck | None = None
    ) -> None:
        self.server = parse_server(server) if server else None
        self.timeout_s = timeout_s
        self._client_class = _nic_client_class(self.server, timeout_s, check)
        self._lock = threading.Lock()
        self._queries = 0

    @property
    def requests(self) -> int:
        """Query chains started so far."""
        with self._lock:
            return self._queries

    def query(self, domain: str) -> str:
        """The raw reply of the query chain for ``domain``; typed errors on socket failure."""
        try:
            ascii_name = domain.strip().rstrip(".").lower().encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise MalformedResponse(f"{domain!r} is not a valid domain name") from exc
        with self._lock:
            self._queries += 1
        try:
            text = self._client_class().whois_lookup(
                None,
                ascii_name,
                0,
                quiet=True,
                ignore_socket_errors=False,
                timeout=max(1, round(self.timeout_s)),
            )
        except TimeoutError as exc:
            raise TimedOut(f"WHOIS query for {ascii_name} timed out") from exc
        except OSError as exc:
            raise NetworkFailure(f"WHOIS query for {ascii_name} failed to connect") from exc
        if not isinstance(text, str) or not text.strip():
            raise MalformedResponse(f"WHOIS answer for {ascii_name} is empty")
        return text

    def lookup(self, domain: str, observed_at: datetime) -> DomainEvidence:
        """Registration evidence for ``domain`` from WHOIS."""
        return parse_text(domain, self.query(domain), observed_at)
