"""Tests of DNS pinning: connections go to the address the SSRF guard checked, never to a
second answer of the resolver (DNS rebinding), and HTTPS still verifies the original name.

Offline: every listener is on the loopback network. 127.0.0.2 stands for the public address a
hostile name answers first (the tests' address rule permits it, and only it); 127.0.0.1 is the
private address it answers afterwards, with a listener that must never be reached.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import trustme

from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.errors import NetworkFailure
from auditor.http.client import HttpClient, HttpShared
from auditor.http.guard import AddressGuard, IPAddress
from auditor.http.limits import WaitBudget
from auditor.http.pinning import PinnedAdapter

CHECKED = "127.0.0.2"
PRIVATE = "127.0.0.1"


class Listener(ThreadingHTTPServer):
    """A local HTTP(S) server that counts the requests it answers and the Host headers."""

    daemon_threads = True

    def __init__(self, address: str, port: int) -> None:
        super().__init__((address, port), _Handler)
        self.hits = 0
        self.hosts: list[str] = []
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    server: Listener

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits += 1
            self.server.hosts.append(self.headers.get("Host", ""))
        body = json.dumps({"at": self.server.server_address[0]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def _serve(server: Listener) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


@pytest.fixture
def listeners() -> Iterator[tuple[Listener, Listener]]:
    """A listener on the checked address and a decoy on 127.0.0.1, on the same port."""
    for _ in range(20):
        checked = Listener(CHECKED, 0)
        try:
            decoy = Listener(PRIVATE, checked.port)
        except OSError:
            checked.server_close()
            continue
        break
    else:
        pytest.skip("no port free on both loopback addresses")
    for server in (checked, decoy):
        _serve(server)
    yield checked, decoy
    for server in (checked, decoy):
        server.shutdown()
        server.server_close()


class Rebinder:
    """A resolver answering ``first`` to the first lookup and ``127.0.0.1`` to every later one."""

    def __init__(self, first: str) -> None:
        self.first = first
        self.lookups: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.lookups.append(host)
        return [self.first] if len(self.lookups) == 1 else [PRIVATE]


def only(address: str) -> Callable[[IPAddress], bool]:
    """An address rule permitting ``address`` alone (allow-list semantics for the tests)."""
    return lambda candidate: candidate == ipaddress.ip_address(address)


def client_for(shared: HttpShared, *, retries: int = 0) -> HttpClient:
    return HttpClient(
        "github",
        PlatformModel(base_url="https://base.unused.test", retries=retries, timeout_s=2.0),
        NetworkModel(allow_private=False),
        default_base_url="https://unused.test",
        shared=shared,
    )


def test_rebinding_name_connects_to_the_checked_address_only(
    listeners: tuple[Listener, Listener],
) -> None:
    checked, decoy = listeners
    resolver = Rebinder(CHECKED)
    client = client_for(HttpShared(WaitBudget(0), resolver=resolver, permits=only(CHECKED)))
    url = f"http://rebind.test:{checked.port}/x"
    assert client.get_json(url) == {"at": CHECKED}
    assert resolver.lookups == ["rebind.test"]  # the guard's lookup was the only one
    assert (checked.hits, decoy.hits) == (1, 0)
    assert checked.hosts == [f"rebind.test:{checked.port}"]
    with pytest.raises(NetworkFailure):  # a later answer is still checked, and refused
        client.get_json(url)
    assert (checked.hits, decoy.hits) == (1, 0)


def test_adapter_alone_resolves_once_and_pins(listeners: tuple[Listener, Listener]) -> None:
    checked, decoy = listeners
    resolver = Rebinder(CHECKED)
    guard = AddressGuard(allow_private=False, resolver=resolver, permits=only(CHECKED))
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", PinnedAdapter(guard, trusted=("https", "unused.test", 443)))
    for _ in range(3):
        assert session.get(f"http://rebind.test:{checked.port}/", timeout=2).json() == {
            "at": CHECKED
        }
    assert resolver.lookups == ["rebind.test"]
    assert (checked.hits, decoy.hits) == (3, 0)


def test_literal_ip_url_is_checked_and_contacted_directly(
    listeners: tuple[Listener, Listener],
) -> None:
    checked, decoy = listeners
    resolver = Rebinder(CHECKED)
    client = client_for(HttpShared(WaitBudget(0), resolver=resolver, permits=only(CHECKED)))
    assert client.get_json(f"http://{CHECKED}:{checked.port}/x") == {"at": CHECKED}
    with pytest.raises(NetworkFailure):
        client.get_json(f"http://{PRIVATE}:{decoy.port}/x")
    assert resolver.lookups == []
    assert (checked.hits, decoy.hits) == (1, 0)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _https_listener(ca: trustme.CA, name: str, sni: list[str]) -> Listener:
    server = Listener(PRIVATE, 0)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    context.sni_callback = lambda _sock, server_name, _ctx: sni.append(server_name or "")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _serve(server)
    return server


@pytest.fixture
def https_client(
    ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[HttpClient]:
    """A client trusting the test CA, with api.example.test resolving to 127.0.0.1 and
    127.0.0.1 permitted for this test only (private addresses stay refused otherwise)."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    shared = HttpShared(
        WaitBudget(0), resolver=lambda host: [PRIVATE], permits=only(PRIVATE), backoff_s=0.01
    )
    client = client_for(shared)
    yield client
    client.close()


def test_https_verifies_the_certificate_against_the_original_name(
    ca: trustme.CA, https_client: HttpClient
) -> None:
    sni: list[str] = []
    server = _https_listener(ca, "api.example.test", sni)
    try:
        url = f"https://api.example.test:{server.port}/x"
        assert https_client.get_json(url) == {"at": PRIVATE}
    finally:
        server.shutdown()
        server.server_close()
    assert sni == ["api.example.test"]
    assert server.hosts == [f"api.example.test:{server.port}"]


def test_https_certificate_for_another_name_is_a_network_failure(
    ca: trustme.CA, https_client: HttpClient
) -> None:
    sni: list[str] = []
    server = _https_listener(ca, "other.example.test", sni)
    try:
        with pytest.raises(NetworkFailure):
            https_client.get_json(f"https://api.example.test:{server.port}/x")
    finally:
        server.shutdown()
        server.server_close()
    assert sni == ["api.example.test"]
    assert server.hits == 0


def test_environment_proxy_is_used_unpinned_after_the_check(
    listeners: tuple[Listener, Listener], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documented limit: through a proxy the guard checks the name, the proxy resolves it."""
    checked, proxy = listeners
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://{PRIVATE}:{proxy.port}")
    resolver = Rebinder(CHECKED)
    client = client_for(HttpShared(WaitBudget(0), resolver=resolver, permits=only(CHECKED)))
    assert client.get_json(f"http://rebind.test:{checked.port}/x") == {"at": PRIVATE}
    assert resolver.lookups == ["rebind.test"]
    assert (checked.hits, proxy.hits) == (0, 1)
