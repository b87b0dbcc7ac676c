"""DNS pinning for the HTTP layer: connections go to the address the SSRF guard checked.

:class:`~auditor.http.guard.AddressGuard` resolves a host name and refuses it when any address
is not public. If the connection then resolved the name again, a hostile DNS server could answer
a public address to the check and ``127.0.0.1`` (or the cloud metadata address) to the
connection: DNS rebinding. :class:`PinnedAdapter`, mounted by :class:`auditor.http.client.HttpClient`
on its session for ``http://`` and ``https://``, closes that gap:

- :meth:`PinnedAdapter.admit` checks a URL through the guard (every request, as before) and
  pins its host to the first address checked (IPv4 first) the first time. Every connection to
  the host then goes to that checked address for the adapter's life (one client, one run); a
  later answer with a non-public address is still refused by the check.
- When a connection pool is chosen, the pool connects to the remembered address (resolving and
  checking it then if :meth:`~PinnedAdapter.admit` was not called) while the ``Host`` header,
  the TLS SNI name (``server_hostname``) and the certificate check (``assert_hostname``) keep
  the original host name, so HTTPS still verifies the certificate against the name.

Not pinned (behaviour as before): the trusted origin (the configured base URL, which the guard
never checks either); everything when ``network.allow_private`` is on (the sandbox, the demo);
and requests sent through a proxy from the environment (``HTTPS_PROXY`` and friends): the guard
still checks the name first, but the proxy resolves it again on its side. Only one address is
used per host: when it does not answer, the request fails (after the client's retries) instead
of falling back to the host's other addresses.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from requests.exceptions import InvalidURL
from requests.utils import select_proxy
from urllib3.connectionpool import ConnectionPool

from auditor.http.guard import AddressGuard
from auditor.http.urls import origin


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose connections go to addresses the guard checked."""

    def __init__(
        self,
        guard: AddressGuard,
        *,
        trusted: tuple[str, str, int | None],
        pool_connections: int = 4,
        pool_maxsize: int = 10,
    ) -> None:
        super().__init__(pool_connections=pool_connections, pool_maxsize=pool_maxsize)
        self.guard = guard
        self.trusted = trusted
        self._pins: dict[str, str] = {}
        self._lock = threading.Lock()

    def admit(self, url: str) -> None:
        """Raise :class:`~auditor.core.errors.NetworkFailure` unless the guard permits ``url``
        (resolving its host); pin the host to the first address checked, unless it is pinned
        already. The trusted origin is admitted unchecked."""
        if origin(url) == self.trusted:
            return
        addresses = self.guard.check_url(url)
        if addresses:
            with self._lock:
                self._pins.setdefault(_host_key(url), addresses[0])

    def pinned_address(self, url: str) -> str | None:
        """The checked address connections to ``url`` go to; None when not pinned (trusted
        origin, private addresses allowed). Resolves and checks the host if not yet admitted."""
        if self.guard.allow_private or origin(url) == self.trusted:
            return None
        host = _host_key(url)
        with self._lock:
            found = self._pins.get(host)
        if found is None:
            self.admit(url)
            with self._lock:
                found = self._pins.get(host)
        return found

    def get_connection_with_tls_context(
        self,
        request: PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: tuple[str, str] | str | None = None,
    ) -> ConnectionPool:
        """The pool for ``request``: one connecting to the pinned address when there is one."""
        url = request.url or ""
        address = None if select_proxy(url, proxies) else self.pinned_address(url)
        if address is None:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        try:
            checks = True if verify is None else verify
            params, tls = self.build_connection_pool_key_attributes(request, checks, cert)
        except ValueError as exc:
            raise InvalidURL(exc, request=request) from None
        host = params["host"]
        pool_kwargs: dict[str, Any] = dict(tls)
        if params["scheme"] == "https":
            pool_kwargs.update(server_hostname=host, assert_hostname=host)
        request.headers.setdefault("Host", _host_header(url))
        pool: ConnectionPool = self.poolmanager.connection_from_host(
            address, params["port"], params["scheme"], pool_kwargs=pool_kwargs
        )
        return pool


def _host_key(url: str) -> str:
    """The host name of ``url`` as the guard sees it (lower case, no brackets, no final dot)."""
    return (urlsplit(url).hostname or "").strip("[]").rstrip(".").lower()


def _host_header(url: str) -> str:
    """The ``Host`` header for ``url``: its host name (bracketed when IPv6) and explicit port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host
