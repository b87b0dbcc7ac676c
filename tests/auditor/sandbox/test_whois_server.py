"""Tests of the sandbox WHOIS server's lifecycle: a fast stop, and only when the world asks."""

from __future__ import annotations

import socket
import time

from auditor.sandbox import start_sandbox
from auditor.sandbox.whois_server import WhoisServer
from auditor.sandbox.world import world_from_mapping

SECTION = {"domains": [{"name": "northwind.example", "registrar": "Example Registrar, Inc."}]}


def _query(host: str, port: int, name: str) -> str:
    with socket.create_connection((host, port), timeout=2) as conn:
        conn.sendall(f"{name}\r\n".encode())
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def test_stop_is_fast_even_with_a_stalled_client() -> None:
    server = WhoisServer(SECTION)
    host, port = server.start()
    assert "Example Registrar, Inc." in _query(host, port, "northwind.example")
    stalled = socket.create_connection((host, port), timeout=2)  # connects, never sends
    try:
        started = time.perf_counter()
        server.stop()
        elapsed = time.perf_counter() - started
    finally:
        stalled.close()
    assert elapsed < 0.25
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        refused = False
    except OSError:
        refused = True
    assert refused  # the port is released


def test_sandbox_starts_whois_only_for_a_world_with_a_whois_section() -> None:
    with start_sandbox(world_from_mapping({"whois": SECTION}), faults=[]) as sandbox:
        assert sandbox.whois_server is not None
        host, port = sandbox.whois_server.rsplit(":", 1)
        assert "Example Registrar, Inc." in _query(host, int(port), "northwind.example")
        started = time.perf_counter()
    assert time.perf_counter() - started < 1.0  # leaving the context stops both servers
    with start_sandbox(world_from_mapping({"x": {"users": []}}), faults=[]) as sandbox:
        assert sandbox.whois_server is None
