"""The SSRF guard of the HTTP layer: which addresses a request or a redirect may reach.

Fetched data is hostile: a redirect, a pagination link or a profile link may point into the
auditor's own network (cloud metadata at 169.254.169.254, an admin port on 127.0.0.1, a router on
192.168.0.1). :class:`AddressGuard` refuses every destination that is not a public (global)
address unless the config sets ``network.allow_private``. Host names are resolved (through an
injectable resolver, so tests need no DNS) and every address they resolve to must be public.
Legacy IPv4 spellings (``2130706433``, ``0177.0.0.1``, ``0x7f.1``) are always refused: no
legitimate API uses them and they exist to slip past naive checks.

:meth:`AddressGuard.checked_addresses` returns the addresses it checked, so the connection can
be made to one of them (``auditor.http.pinning``) instead of resolving the name again, which
would let a hostile DNS server answer a public address to the check and a private one to the
connection (DNS rebinding).

Secrets never appear in what this module raises: only the host name is named.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from auditor.core.errors import NetworkFailure

Resolver = Callable[[str], Sequence[str]]
"""Resolves a host name to its IP address strings (raises ``OSError`` when it cannot)."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
"""An IPv4 or IPv6 address."""

AddressRule = Callable[[IPAddress], bool]
"""Says whether an address may be contacted when private addresses are not allowed."""

_DOTTED_QUAD = re.compile(
    r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$"
)
_NUMERIC_HOST = re.compile(r"^[0-9a-fA-Fx.]+$")


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to, through the operating system."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: IPAddress) -> bool:
    """True for a global unicast address (an IPv4-mapped IPv6 address judged as its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def _legacy_ipv4(host: str) -> bool:
    """True for a numeric host that is not a canonical dotted quad (decimal, octal, hex, short)."""
    if not _NUMERIC_HOST.match(host) or _DOTTED_QUAD.match(host):
        return False
    if not any(ch.isdigit() for ch in host):
        return False
    try:
        socket.inet_aton(host)
    except OSError:
        return host.replace(".", "").isdigit() or host.lower().startswith("0x")
    return True


class AddressGuard:
    """Decides whether a URL's host may be contacted."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver | None = None,
        permits: AddressRule | None = None,
    ) -> None:
        self.allow_private = allow_private
        self._resolver: Resolver = resolver or system_resolver
        self._permits: AddressRule = permits or is_public

    def check_url(self, url: str) -> tuple[str, ...]:
        """Raise :class:`NetworkFailure` unless ``url`` is http(s) to a permitted host; return
        the addresses checked (see :meth:`checked_addresses`)."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").strip()
        except ValueError:
            raise NetworkFailure("refused an unreadable URL") from None
        if parts.scheme not in ("http", "https"):
            raise NetworkFailure(f"refused a request to a {parts.scheme or 'relative'} URL")
        if not host:
            raise NetworkFailure("refused a URL without a host")
        return self.checked_addresses(host)

    def check_host(self, host: str) -> None:
        """Raise :class:`NetworkFailure` when ``host`` is or resolves to a non-public address."""
        self.checked_addresses(host)

    def checked_addresses(self, host: str) -> tuple[str, ...]:
        """The addresses ``host`` is or resolves to (resolved once), IPv4 first, after checking
        every one of them; ``()`` when private addresses are allowed (nothing was resolved).

        Raises :class:`NetworkFailure` when any address is not permitted."""
        host = host.strip("[]").rstrip(".").lower()
        if _legacy_ipv4(host):
            raise NetworkFailure(f"refused a non-canonical IP address spelling: {host}")
        if self.allow_private:
            return ()
        addresses = self._addresses(host)
        for address in addresses:
            if not self._permits(address):
                raise NetworkFailure(f"refused a request to a non-public address ({host})")
        return tuple(str(a) for a in sorted(addresses, key=lambda a: a.version))

    def _addresses(self, host: str) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host.split("%", 1)[0])]
        except ValueError:
            pass
        try:
            resolved = self._resolver(host)
        except (OSError, UnicodeError):  # UnicodeError: a name IDNA cannot encode ("a..b")
            raise NetworkFailure(f"could not resolve {host}") from None
        addresses: list[IPAddress] = []
        for text in resolved:
            try:
                addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                raise NetworkFailure(f"{host} resolved to an unreadable address") from None
        if not addresses:
            raise NetworkFailure(f"could not resolve {host}")
        return addresses
