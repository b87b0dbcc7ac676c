"""Tests of the sandbox core: server, routing by prefix, ETags, world loading, fault injection."""

from __future__ import annotations

import io
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from auditor.core.errors import InputFileError
from auditor.sandbox import DEMO_WORLD, serve, start_sandbox
from auditor.sandbox.faults import Fault, FaultKind, FaultPlan, parse_faults
from auditor.sandbox.world import load_world, when, world_from_mapping

AUTH = {"Authorization": "Bearer sandbox"}
WORLD = world_from_mapping(
    {
        "x": {
            "me": "1",
            "users": [
                {"id": "1", "username": "acme", "name": "Acme"},
                {"id": "2", "username": "gone", "state": "suspended"},
            ],
        }
    }
)


def test_demo_world_serves_every_mounted_platform() -> None:
    with start_sandbox(DEMO_WORLD, faults=[]) as sandbox:
        assert {"x", "meta", "linkedin", "youtube"} <= set(sandbox.base_urls)
        for url in sandbox.base_urls.values():
            assert url.startswith("http://127.0.0.1:")
        me = requests.get(sandbox.base_urls["x"] + "/2/users/me", headers=AUTH, timeout=5)
        assert me.json()["data"]["username"] == "northwind"
        unknown = requests.get(sandbox.base_urls["x"][:-2] + "/nope/x", timeout=5)
        assert unknown.status_code == 404
        assert sandbox.requests_served == 2


def test_etag_and_if_none_match_answer_304() -> None:
    with start_sandbox(WORLD) as sandbox:
        url = sandbox.base_urls["x"] + "/2/users/by/username/acme"
        first = requests.get(url, headers=AUTH, timeout=5)
        etag = first.headers["ETag"]
        second = requests.get(url, headers={**AUTH, "If-None-Match": etag}, timeout=5)
        assert second.status_code == 304
        assert second.content == b""


def test_x_not_found_and_suspended_are_200_with_errors() -> None:
    with start_sandbox(WORLD) as sandbox:
        for name, title in (("ghost", "Not Found Error"), ("gone", "Forbidden")):
            got = requests.get(
                sandbox.base_urls["x"] + f"/2/users/by/username/{name}", headers=AUTH, timeout=5
            )
            assert got.status_code == 200
            assert "data" not in got.json()
            assert got.json()["errors"][0]["title"] == title
        assert requests.get(sandbox.base_urls["x"] + "/2/users/me", timeout=5).status_code == 401


def _get(sandbox_url: str, timeout: float = 5) -> requests.Response:
    return requests.get(sandbox_url + "/2/users/me", headers=AUTH, timeout=timeout)


def test_rate_limit_fault_uses_the_platform_dialect() -> None:
    faults = [Fault(FaultKind.RATE_LIMIT, platform="x", retry_after_s=9, times=1)]
    with start_sandbox(WORLD, faults=faults) as sandbox:
        limited = _get(sandbox.base_urls["x"])
        assert limited.status_code == 429
        assert int(limited.headers["x-rate-limit-reset"]) >= int(time.time()) + 8
        assert "retry-after" not in {k.lower() for k in limited.headers}
        assert _get(sandbox.base_urls["x"]).status_code == 200


def test_server_error_malformed_and_truncated_faults() -> None:
    faults = {
        "rules": [
            {"kind": "server_error", "status": 502, "path": "^/2/users/me$", "times": 1},
            {"kind": "malformed", "path": "^/2/users/me$", "times": 1},
            {"kind": "truncated", "path": "^/2/users/me$", "times": 1},
        ]
    }
    with start_sandbox(WORLD, faults=faults) as sandbox:
        assert _get(sandbox.base_urls["x"]).status_code == 502
        malformed = _get(sandbox.base_urls["x"])
        with pytest.raises(ValueError):
            malformed.json()
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _get(sandbox.base_urls["x"])
        assert _get(sandbox.base_urls["x"]).json()["data"]["id"] == "1"


def test_unauthorized_and_forbidden_faults() -> None:
    faults = [
        {"kind": "unauthorized", "path": "^/2/users/me$", "times": 1},
        {"kind": "forbidden", "path": "^/2/users/me$", "times": 1},
    ]
    with start_sandbox(WORLD, faults=faults) as sandbox:
        refused = _get(sandbox.base_urls["x"])
        assert refused.status_code == 401 and "error" in refused.json()
        assert _get(sandbox.base_urls["x"]).status_code == 403
        assert _get(sandbox.base_urls["x"]).status_code == 200


def test_timeout_disconnect_and_latency_faults() -> None:
    faults = [
        Fault(FaultKind.TIMEOUT, seconds=0.6, times=1),
        Fault(FaultKind.DISCONNECT, times=1),
        Fault(FaultKind.LATENCY, latency_ms=150, every=1),
    ]
    with start_sandbox(WORLD, faults=faults) as sandbox:
        with pytest.raises(requests.exceptions.ReadTimeout):
            _get(sandbox.base_urls["x"], timeout=0.3)
        with pytest.raises(requests.exceptions.ConnectionError):
            _get(sandbox.base_urls["x"])
        started = time.monotonic()
        assert _get(sandbox.base_urls["x"]).status_code == 200
        assert time.monotonic() - started >= 0.15


def test_probability_is_seeded_and_every_nth_counts() -> None:
    def pattern(seed: int) -> list[bool]:
        plan = FaultPlan((Fault(FaultKind.SERVER_ERROR, probability=0.5),), seed=seed)
        return [plan.decide("x", "/a")[1] is not None for _ in range(40)]

    assert pattern(3) == pattern(3)
    assert 5 < sum(pattern(3)) < 35
    every = FaultPlan((Fault(FaultKind.MALFORMED, platform="meta", every=3),))
    fired = [every.decide("meta", "/v1/1")[1] is not None for _ in range(6)]
    assert fired == [False, False, True, False, False, True]
    assert every.decide("x", "/v1/1") == (0, None)


def test_fault_and_world_validation_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="kind"):
        parse_faults([{"kind": "explode"}])
    with pytest.raises(InputFileError, match="unknown field"):
        parse_faults([{"kind": "latency", "latencyms": 3}])
    with pytest.raises(InputFileError, match="unknown section"):
        world_from_mapping({"twitter": {}})
    bad = tmp_path / "w.yaml"
    bad.write_text("x: [unclosed", encoding="utf-8")
    with pytest.raises(InputFileError, match="YAML"):
        load_world(bad)
    with pytest.raises(InputFileError, match="id and username"):
        start_sandbox(world_from_mapping({"x": {"users": [{"name": "no id"}]}}))


def test_when_reads_relative_and_iso_times() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert when("-2d3h", now) == now - timedelta(days=2, hours=3)
    assert when("-45m", now) == now - timedelta(minutes=45)
    assert when("2026-01-02T03:04:05Z", now) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        when("yesterday", now)


def test_stop_releases_the_port() -> None:
    sandbox = start_sandbox(WORLD)
    url = sandbox.base_urls["x"]
    sandbox.stop()
    sandbox.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        _get(url, timeout=1)


def test_serve_prints_base_urls_and_stops_on_request() -> None:
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=serve, args=(WORLD,), kwargs={"stop": stop, "out": out})
    thread.start()
    deadline = time.monotonic() + 5
    while "Ctrl-C" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = dict(line.split() for line in out.getvalue().splitlines() if line.startswith("x "))
    assert _get(lines["x"]).json()["data"]["username"] == "acme"
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_a_client_hanging_up_is_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from auditor.sandbox.faults import FaultPlan
    from auditor.sandbox.server import SandboxHTTPServer

    server = SandboxHTTPServer(0, {}, FaultPlan())
    try:
        try:
            raise BrokenPipeError(32, "Broken pipe")
        except BrokenPipeError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "Traceback" not in capsys.readouterr().err
        try:
            raise RuntimeError("a real bug")
        except RuntimeError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "RuntimeError" in capsys.readouterr().err  # real errors still show
    finally:
        server.server_close()
