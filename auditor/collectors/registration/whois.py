"""WHOIS over port 43 through python-whois's client, read by :mod:`~auditor.collectors.registration.whois_reply`.

WHOIS is the fallback when RDAP has no server for a TLD or fails. :class:`WhoisClient` fetches
the raw reply (python-whois's ``NICClient`` follows IANA → registry → registrar referrals) and
hands it, with the name of the server that answered, to
:func:`~auditor.collectors.registration.whois_reply.read_reply`, which classifies it before any
field is trusted and parses it with python-whois under a time bound.

Errors are decided by exception type: python-whois is called with ``ignore_socket_errors=False``
so a refused connection raises :class:`OSError` (→ :class:`~auditor.core.errors.NetworkFailure`)
and a timeout :class:`TimeoutError` (→ :class:`~auditor.core.errors.TimedOut`).

Server override (``whois.server: host:port`` in the config): python-whois connects to port 43 of
hosts it chooses itself and has no parameter for another server. Instead of patching
``NICClient.get_socket`` on the module (state shared by every thread), each query builds its own
``NICClient`` subclass instance whose ``get_socket`` returns a socket that connects to the
override whatever address it is asked for. The whole query chain (IANA, registry, registrar
referral) then goes to that one server; other clients and threads are untouched. Without an
override, the same socket checks every host against the SSRF guard before connecting (the
registrar referral comes from the registry's text), so a referral into a private network is a
:class:`~auditor.core.errors.NetworkFailure`. (python-whois's ``SOCKS`` environment proxy is not
used.) The socket records each host it connects to: the last one is the server that answered.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from auditor.collectors.registration.whois_parser import BoundedParser
from auditor.collectors.registration.whois_reply import read_reply
from auditor.core.errors import MalformedResponse, NetworkFailure, TimedOut
from auditor.core.evidence import DomainEvidence


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
        self,
        target: tuple[str, int] | None,
        limit_s: float,
        check: HostCheck | None,
        seen: list[str],
    ) -> None:
        super().__init__(socket.AF_INET, socket.SOCK_STREAM)
        self._target = target
        self._limit_s = limit_s
        self._check = check
        self._seen = seen

    def settimeout(self, value: float | None) -> None:
        super().settimeout(self._limit_s if value is None else min(value, self._limit_s))

    def connect(self, address: Any) -> None:
        self._seen.append(str(address[0]))
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
        """python-whois's client with :class:`_WhoisSocket` connections; ``seen`` lists the
        hosts it connected to, in order."""

        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def get_socket(self) -> socket.socket:
            return _WhoisSocket(server, limit_s, check, self.seen)

    return GuardedNICClient


class WhoisTransport(Protocol):
    """Where raw replies come from: the network (:class:`WhoisClient`) or saved files."""

    def query(self, domain: str) -> tuple[str, str | None]:
        """The raw reply for ``domain`` and the server that answered (None when unknown)."""
        ...


class WhoisClient:
    """WHOIS lookups over TCP, optionally through one configured server (``host:port``)."""

    def __init__(
        self,
        server: str | None = None,
        *,
        timeout_s: float = 10.0,
        check: HostCheck | None = None,
        parser: BoundedParser | None = None,
        transport: WhoisTransport | None = None,
    ) -> None:
        self.server = parse_server(server) if server else None
        self.timeout_s = timeout_s
        self.parser = parser if parser is not None else BoundedParser()
        self.transport: WhoisTransport = transport if transport is not None else self
        self._client_class = _nic_client_class(self.server, timeout_s, check)
        self._lock = threading.Lock()
        self._queries = 0

    @property
    def requests(self) -> int:
        """Query chains started so far."""
        with self._lock:
            return self._queries

    def query(self, domain: str) -> tuple[str, str | None]:
        """The raw reply of the query chain for ``domain`` and the host that answered; typed
        errors on socket failure."""
        try:
            ascii_name = domain.strip().rstrip(".").lower().encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise MalformedResponse(f"{domain!r} is not a valid domain name") from exc
        with self._lock:
            self._queries += 1
        client = self._client_class()
        try:
            text = client.whois_lookup(
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
        if not isinstance(text, str):
            raise MalformedResponse(f"WHOIS answer for {ascii_name} is not text")
        host = client.seen[-1] if client.seen else None
        if self.server is not None:
            host = f"{self.server[0]}:{self.server[1]}"
        return text, host

    def lookup(self, domain: str, observed_at: datetime) -> DomainEvidence:
        """Registration evidence for ``domain`` from WHOIS (classified; see
        :func:`~auditor.collectors.registration.whois_reply.read_reply`)."""
        text, host = self.transport.query(domain)
        return read_reply(domain, text, observed_at, parser=self.parser, server=host)

    def close(self) -> None:
        """Stop the parser's worker processes."""
        self.parser.close()
