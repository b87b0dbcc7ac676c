"""Item 6, untrusted content: no fetch into private addresses, no markup that runs.

SSRF: a listener on 127.0.0.1 (and ::1 when available) counts every connection. Through the real
:class:`auditor.http.client.HttpClient` (``allow_private`` False) every spelling of a private address is
requested directly and as a redirect target from a local "API" (loopback, IPv6 loopback and
IPv4-mapped forms, 169.254.169.254, 10/8, 172.16/12, 192.168/16, decimal, octal, hex and short
IPv4, userinfo tricks, ``localhost``, and names an injected resolver maps to private addresses):
each must raise the guard's refusal and the listener must see nothing. Then a whole audit runs
with those links in every profile and post of a generated world: the listener still sees nothing.

Markup: a world with hostile markup in every fetched text (bio, display name, post text, link,
app name, role holder) is audited; ``report.html`` and ``email.html`` are opened in Debian's
chromium (Playwright): no script runs, no dialog opens, no console error; the email's HTML holds
none of the payload's tags.
"""

from __future__ import annotations

import contextlib
import io
import socket
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.errors import CollectionError
from auditor.http.client import HttpClient, HttpShared, WaitBudget
from auditor.http.guard import system_resolver
from auditor.sandbox import start_sandbox
from bench.reliability_tally import Tally
from bench.reliability_world import config_document, make_accounts, world_document, write_yaml

PAYLOAD = (
    '<script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2;alert(2)">'
    '<svg onload=alert(3)></svg><a href="javascript:window.__pwned=4">x</a>"\'><iframe '
    'src="javascript:alert(5)"></iframe><style>body{display:none}</style>{{7*7}}'
)
"""Hostile markup planted in every fetched text."""

PAYLOAD_TAGS = ("<script>window.__pwned", "<img src=x", "<svg onload", "<iframe", "<style>body")
"""Raw pieces of :data:`PAYLOAD` that must never appear unescaped in HTML output."""

FAKE_DNS = {
    "metadata.rel.test": ["169.254.169.254"],
    "intranet.rel.test": ["10.1.2.3"],
    "router.rel.test": ["192.168.0.1"],
    "rebind.rel.test": ["93.184.216.34", "127.0.0.1"],
    "v6.rel.test": ["::1"],
    "mapped.rel.test": ["::ffff:172.16.0.9"],
}
"""Names the injected resolver maps to private addresses."""


def hostile_urls(port: int) -> list[str]:
    """Every spelling of a private destination, aimed at the listener where it can be."""
    p = port
    return [
        f"http://127.0.0.1:{p}/",
        f"http://[::1]:{p}/",
        f"http://[::ffff:127.0.0.1]:{p}/",
        f"http://[0:0:0:0:0:ffff:7f00:1]:{p}/",
        f"http://2130706433:{p}/",
        f"http://0177.0.0.1:{p}/",
        f"http://0x7f.0.0.1:{p}/",
        f"http://0x7f000001:{p}/",
        f"http://127.1:{p}/",
        f"http://017700000001:{p}/",
        f"http://0:{p}/",
        f"http://0.0.0.0:{p}/",
        f"http://localhost:{p}/",
        f"http://LOCALHOST.:{p}/",
        f"http://user@127.0.0.1:{p}/",
        f"http://127.0.0.1.:{p}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.168.1.1/",
        f"http://evil.example\\@127.0.0.1:{p}/",
        f"http://[::ffff:7f00:1]:{p}/",
        f"http://１２７.０.０.１:{p}/",
        f"http://127.0.0.1:{p}#@evil.example/",
        f"http://127.000.000.001:{p}/",
        f"http://[::]:{p}/",
        f"http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ:{p}/",
        f"http://a..b.{p}.example/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://100.64.0.1/",
        *(f"http://{name}:{p}/" for name in FAKE_DNS),
        "file:///etc/passwd",
        f"gopher://127.0.0.1:{p}/",
        f"ftp://127.0.0.1:{p}/",
    ]


class Listener:
    """Counts TCP connections on 127.0.0.1 (and ::1 on the same port when possible)."""

    def __init__(self) -> None:
        self.hits = 0
        self._lock = threading.Lock()
        self._sockets = [socket.create_server(("127.0.0.1", 0))]
        self.port = int(self._sockets[0].getsockname()[1])
        with contextlib.suppress(OSError):
            six = socket.create_server(("::1", self.port), family=socket.AF_INET6)
            self._sockets.append(six)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._serve, args=(s,), daemon=True) for s in self._sockets
        ]
        for thread in self._threads:
            thread.start()

    def _serve(self, server: socket.socket) -> None:
        server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.hits += 1
            conn.close()

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for server in self._sockets:
            server.close()


class _Redirector(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.path.removeprefix("/go?") if "?" in self.path else "/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextlib.contextmanager
def redirector() -> Iterator[str]:
    """A local "API" answering ``/go?URL`` with a redirect to URL; yields its base URL."""
    server = HTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _client(base: str) -> HttpClient:
    def resolve(host: str) -> list[str]:
        return FAKE_DNS[host] if host in FAKE_DNS else system_resolver(host)

    shared = HttpShared(WaitBudget(0), resolver=resolve, backoff_s=0.0)
    settings = PlatformModel(base_url=base, retries=0, timeout_s=2)
    return HttpClient(
        "x", settings, NetworkModel(allow_private=False), default_base_url=base, shared=shared
    )


def _refused(client: HttpClient, url: str) -> str | None:
    """None when the request was refused by the guard; else what happened."""
    try:
        client.get_text(url)
    except CollectionError as exc:
        if "refused" in exc.detail or "could not resolve" in exc.detail:
            return None  # the guard said no before any connection
        return f"failed otherwise: {exc.detail[:80]}"
    except ValueError as exc:  # requests' own refusal of a malformed URL
        return f"raised {type(exc).__name__} instead of a CollectionError"
    return "fetched"


def ssrf(tally: Tally, accounts: int = 8) -> None:
    """The guard through the HTTP client, then a whole audit with hostile links."""
    listener = Listener()
    try:
        urls = hostile_urls(listener.port)
        with redirector() as base:
            client = _client(base)
            for url in urls:
                what = _refused(client, url)
                tally.check(what is None, "a private destination was not refused", f"{url}: {what}")
                what = _refused(client, f"{base}/go?{url}")
                tally.check(
                    what is None,
                    "a redirect into a private destination was not refused",
                    f"{url}: {what}",
                )
        generated = make_accounts(accounts, ("x", "mastodon"))
        with tempfile.TemporaryDirectory(prefix="rel-ssrf-") as tmp:
            root = Path(tmp)
            links = [u for u in urls if u.startswith("http")]
            world = write_yaml(root / "world.yaml", world_document(generated, links=links))
            with start_sandbox(world) as running:
                doc = config_document(generated, running.base_urls, allow_private=False)
                config = write_yaml(root / "config.yaml", doc)
                code, err = _run(config, root / "out", "json")
            tally.check(code in (0, 1, 3), "audit with hostile links failed", f"exit {code}: {err}")
        tally.notes.append(
            f"{len(urls)} private-address spellings refused directly and as redirect targets; "
            f"a {accounts}-account audit with them in every profile and post; listener hits: "
            f"{listener.hits}"
        )
        tally.check(
            listener.hits == 0,
            "the listener on 127.0.0.1 was contacted",
            f"{listener.hits} connections",
        )
    finally:
        listener.close()


def _run(config: Path, out: Path, formats: str) -> tuple[int, str]:
    from auditor.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(
            ["run", "--config", str(config), "--out", str(out), "--format", formats, "--quiet"]
        )
    return code, err.getvalue()[-300:]


def markup(tally: Tally, accounts: int = 8) -> None:
    """Hostile markup in every fetched field: inert in the HTML report and the email."""
    generated = make_accounts(accounts)
    links = ["javascript:window.__pwned=7", 'https://acme.example/"><script>alert(8)</script>']
    with tempfile.TemporaryDirectory(prefix="rel-markup-") as tmp:
        root = Path(tmp)
        doc = world_document(generated, hostile=PAYLOAD, links=links)
        for org in doc.get("linkedin", {}).get("organizations", []):
            org["acls"].append(
                {"person": f"urn:li:person:{PAYLOAD}", "role": "ADMINISTRATOR", "state": "APPROVED"}
            )
        world = write_yaml(root / "world.yaml", doc)
        with start_sandbox(world) as running:
            config = write_yaml(root / "config.yaml", config_document(generated, running.base_urls))
            code, err = _run(config, root / "out", "html,json")
        tally.check(code in (0, 1, 3), "audit with hostile markup failed", f"exit {code}: {err}")
        html = root / "out" / "report.html"
        mail = root / "out" / "email.html"
        for page in (html, mail):
            if not page.exists():
                tally.fail("report not written", page.name)
                continue
            text = page.read_text("utf-8")
            if page == html:
                tally.check(
                    "&lt;script&gt;window.__pwned" in text,
                    "the hostile text never reached the report (the check is blind)",
                )
            raw = [tag for tag in PAYLOAD_TAGS if tag in text]
            tally.check(not raw, "hostile markup is not escaped", f"{page.name}: {raw}")
            ran = browse(page)
            tally.notes.append(f"{page.name} opened in chromium: {len(ran)} events")
            tally.check(not ran, "hostile markup ran in the browser", f"{page.name}: {ran[:3]}")


CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browse(page: Path) -> list[str]:
    """Open ``page`` in chromium: what ran (dialogs, errors, the payload's global)."""
    from playwright.sync_api import sync_playwright

    events: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = browser.new_page()
            tab.on(
                "console",
                lambda m: (
                    events.append(f"console {m.type}: {m.text[:100]}")
                    if m.type == "error"
                    else None
                ),
            )
            tab.on("pageerror", lambda e: events.append(f"page error: {str(e)[:100]}"))

            def on_dialog(dialog: Any) -> None:
                events.append(f"dialog: {dialog.message[:60]}")
                dialog.dismiss()

            tab.on("dialog", on_dialog)
            tab.goto(page.as_uri())
            tab.wait_for_load_state("load")
            for details in tab.query_selector_all("details"):
                details.evaluate("d => d.open = true")
            for link in tab.query_selector_all("a[href^='javascript:']"):
                events.append(f"javascript: link {link.get_attribute('href')}")
            tab.wait_for_timeout(200)
            if tab.evaluate("typeof window.__pwned") != "undefined":
                events.append("window.__pwned was set")
        finally:
            browser.close()
    return events


def untrusted(accounts: int = 8, *, browser: bool = True) -> Tally:
    """Item 6."""
    tally = Tally("6 untrusted content")
    ssrf(tally, accounts)
    if browser and Path(CHROMIUM).exists():
        markup(tally, accounts)
    else:
        tally.notes.append("chromium missing: markup not checked in a browser")
    return tally
