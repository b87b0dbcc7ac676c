"""A small watched estate on the sandbox's demo world: a config writer, a receiver on a real
uvicorn server, and payload helpers for the watch tests."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml

from auditor.cli.watch import DEMO_INTRUDER
from auditor.core.estate import AccountSpec
from auditor.sandbox import DEMO_WORLD, RunningSandbox, load_world, start_sandbox
from auditor.sandbox.changes import github_org
from auditor.sandbox.webhooks import Delivery, github_delivery, github_member_event
from auditor.service.watch.inbox import Inbox
from auditor.service.watch.receiver import HookSecrets, Receiver, ServerThread

SECRET = b"watch-test-secret-0123456789"
META_SECRET = b"meta-app-secret-9876543210"
VERIFY_TOKEN = "meta-verify-token-abc"
INTRUDER = DEMO_INTRUDER
GITHUB = AccountSpec(platform="github", handle="northwind-labs", id="9100001")
PAGE = AccountSpec(platform="meta", handle="northwindoutfitters", id="200000000000001")


@contextmanager
def demo_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(load_world(DEMO_WORLD)) as sandbox:
        yield sandbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    folder: Path,
    sandbox: RunningSandbox,
    *,
    alert_url: str | None = None,
    watch: dict[str, Any] | None = None,
    alerts: dict[str, Any] | None = None,
) -> Path:
    """A config watching GitHub northwind-labs and X @northwind_help on the sandbox."""
    platforms = {
        name: {"base_url": sandbox.base_urls[name], "token": "demo-sandbox-token"}
        for name in ("x", "github")
    }
    platforms["github"]["organization"] = "northwind-labs"
    data: dict[str, Any] = {
        "version": 1,
        "organization": {"name": "Northwind Outfitters", "email_domains": ["northwind.example"]},
        "accounts": [
            {
                "platform": "github",
                "handle": "northwind-labs",
                "id": "9100001",
                "expected_admins": ["dev.patel@northwind.example", "alice.ng@northwind.example"],
            },
            {"platform": "x", "handle": "northwind_help", "id": "1600000000000000077"},
        ],
        "platforms": platforms,
        "network": {"allow_private": True, "rate_limit_budget_s": 5},
        "storage": {"path": "watch.db"},
        "watch": {
            "accounts": ["github:northwind-labs", "x:northwind_help"],
            "interval_s": 5,
            "port": 0,
            "github": {"secret": SECRET.decode()},
            **(watch or {}),
        },
    }
    if alert_url is not None:
        data["alerts"] = {"urls": [alert_url], **(alerts or {})}
    path = folder / "watch.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@dataclass
class LiveReceiver:
    """A receiver on a real server and its inbox."""

    receiver: Receiver
    inbox: Inbox
    url: str
    wakes: list[int]


@contextmanager
def live_receiver(
    db: Path, watched: Sequence[AccountSpec] = (GITHUB, PAGE), max_body: int = 4096
) -> Iterator[LiveReceiver]:
    secrets = HookSecrets(
        github=SECRET, meta=META_SECRET, meta_verify_token=VERIFY_TOKEN, max_body_bytes=max_body
    )
    wakes: list[int] = []
    with Inbox(db) as inbox:
        receiver = Receiver(secrets, inbox, watched, lambda: wakes.append(1))
        server = ServerThread(receiver.app(), "127.0.0.1", 0)
        host, port = server.start()
        try:
            yield LiveReceiver(receiver, inbox, f"http://{host}:{port}", wakes)
        finally:
            server.stop()


def member_added(
    world_org: dict[str, Any] | None = None, delivery_id: str | None = None
) -> Delivery:
    org = world_org or {"login": "northwind-labs", "id": 9100001}
    payload = github_member_event("member_added", org, INTRUDER, sender="eve-hijack")
    return github_delivery("organization", payload, SECRET, delivery_id)


def demo_org(sandbox: RunningSandbox) -> dict[str, Any]:
    return dict(github_org(sandbox.world, "northwind-labs"))


def keepalive_sender(url: str) -> Callable[[Delivery], int]:
    """A thread-safe sender that keeps one connection per thread (a burst without the cost
    of a new connection per delivery)."""
    host, port = url.removeprefix("http://").split(":")
    local = threading.local()

    def send(delivery: Delivery) -> int:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/webhooks/github", body=delivery.body, headers=dict(delivery.headers))
        response = conn.getresponse()
        response.read()
        return response.status

    return send


def handshake(url: str, token: str, challenge: str) -> requests.Response:
    """Meta's subscription handshake against the receiver at ``url``."""
    params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge}
    return requests.get(url + "/webhooks/meta", params=params, timeout=5)
