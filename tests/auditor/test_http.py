"""Tests of the HTTP layer: typed errors, retries, rate limits, SSRF guard, cache, redaction."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import responses

from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    MalformedResponse,
    NetworkFailure,
    NotFound,
    PermissionMissing,
    RateLimited,
    ServerFailure,
    TimedOut,
)
from auditor.http.cache import ResponseCache
from auditor.http.client import USER_AGENT, HttpClient, HttpShared, redact_url
from auditor.http.guard import AddressGuard
from auditor.http.limits import Pacer, WaitBudget, retry_wait

BASE = "https://api.example.test"


class Sleeps:
    """A fake sleep that records what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def public_resolver(host: str) -> list[str]:
    return {"evil.test": ["10.0.0.5"], "mixed.test": ["93.184.216.34", "127.0.0.1"]}.get(
        host, ["93.184.216.34"]
    )


def make(
    platform: str = "github",
    *,
    retries: int = 2,
    budget: float = 60.0,
    allow_private: bool = False,
    shared: HttpShared | None = None,
    base: str = BASE,
    **settings: object,
) -> tuple[HttpClient, Sleeps]:
    sleeps = Sleeps()
    shared = shared or HttpShared(
        WaitBudget(budget), resolver=public_resolver, backoff_s=0.01, sleep=sleeps
    )
    client = HttpClient(
        platform,
        PlatformModel(base_url=base, retries=retries, **settings),  # type: ignore[arg-type]
        NetworkModel(allow_private=allow_private, rate_limit_budget_s=budget),
        default_base_url="https://unused.test",
        shared=shared,
        headers={"Authorization": "Bearer sekrit-token"},
    )
    return client, sleeps


@responses.activate
def test_get_json_sends_user_agent_and_counts_requests() -> None:
    responses.get(f"{BASE}/orgs/acme", json={"login": "acme"})
    client, _ = make()
    assert client.get_json("/orgs/acme") == {"login": "acme"}
    assert responses.calls[0].request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("brand-auditor/")
    assert client.requests_made == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthFailed),
        (403, PermissionMissing),
        (404, NotFound),
        (410, NotFound),
        (429, RateLimited),
        (500, ServerFailure),
        (503, ServerFailure),
        (400, CollectionError),
    ],
)
@responses.activate
def test_status_codes_map_to_typed_errors(status: int, error: type[CollectionError]) -> None:
    responses.get(f"{BASE}/x", status=status, json={"message": "nope"})
    client, _ = make(retries=0)
    with pytest.raises(error) as raised:
        client.get_json("/x")
    assert raised.value.status == status


@responses.activate
def test_bad_json_is_malformed() -> None:
    responses.get(f"{BASE}/x", body="{not json", content_type="application/json")
    client, _ = make()
    with pytest.raises(MalformedResponse):
        client.get_json("/x")


@responses.activate
def test_5xx_is_retried_with_growing_backoff_then_succeeds() -> None:
    responses.get(f"{BASE}/x", status=502)
    responses.get(f"{BASE}/x", status=503)
    responses.get(f"{BASE}/x", json={"ok": True})
    client, sleeps = make(retries=3)
    assert client.get_json("/x") == {"ok": True}
    assert client.requests_made == 3
    assert len(sleeps.calls) == 2
    assert 0.01 <= sleeps.calls[0] <= 0.015
    assert 0.02 <= sleeps.calls[1] <= 0.03


@responses.activate
def test_5xx_beyond_retries_is_server_failure() -> None:
    responses.get(f"{BASE}/x", status=500)
    client, _ = make(retries=2)
    with pytest.raises(ServerFailure):
        client.get_json("/x")
    assert client.requests_made == 3


@responses.activate
def test_connection_errors_retried_then_network_failure() -> None:
    responses.get(f"{BASE}/x", body=requests.ConnectionError("refused"))
    client, sleeps = make(retries=2)
    with pytest.raises(NetworkFailure):
        client.get_json("/x")
    assert client.requests_made == 3
    assert len(sleeps.calls) == 2


@responses.activate
def test_read_timeout_is_timed_out() -> None:
    responses.get(f"{BASE}/x", body=requests.ReadTimeout("slow"))
    client, _ = make()
    with pytest.raises(TimedOut):
        client.get_json("/x")


@responses.activate
def test_429_waits_within_budget_then_succeeds() -> None:
    reset = int(time.time()) + 3
    responses.get(f"{BASE}/2/users/1", status=429, headers={"x-rate-limit-reset": str(reset)})
    responses.get(f"{BASE}/2/users/1", json={"data": {"id": "1"}})
    client, sleeps = make("x")
    assert client.get_json("/2/users/1") == {"data": {"id": "1"}}
    assert len(sleeps.calls) == 1
    assert 1.0 <= sleeps.calls[0] <= 4.1


@responses.activate
def test_429_beyond_shared_budget_raises_rate_limited_without_waiting() -> None:
    responses.get(f"{BASE}/x", status=429, headers={"Retry-After": "30"})
    sleeps = Sleeps()
    shared = HttpShared(WaitBudget(40), resolver=public_resolver, backoff_s=0.01, sleep=sleeps)
    first, _ = make(shared=shared)
    second, _ = make(shared=shared)
    with pytest.raises(RateLimited):
        first.get_json("/x")
    assert sleeps.calls == [pytest.approx(30.05)]
    with pytest.raises(RateLimited):
        second.get_json("/x")
    assert len(sleeps.calls) == 1
    assert shared.budget.remaining_s == pytest.approx(40 - 30.05)


@responses.activate
def test_linkedin_429_never_waits() -> None:
    responses.get(f"{BASE}/rest/x", status=429, headers={"Retry-After": "1"})
    client, sleeps = make("linkedin")
    with pytest.raises(RateLimited):
        client.get_json("/rest/x")
    assert sleeps.calls == []


def test_retry_wait_dialects() -> None:
    now = 1_700_000_000.0
    assert retry_wait("x", {"x-rate-limit-reset": str(int(now) + 90)}, now) == 90
    assert retry_wait("github", {"retry-after": "7", "x-ratelimit-reset": "0"}, now) == 7
    assert retry_wait("github", {"x-ratelimit-reset": str(int(now) + 12)}, now) == 12
    assert retry_wait("mastodon", {"x-ratelimit-reset": "2023-11-14T22:15:00.000Z"}, now) == 100
    assert retry_wait("bluesky", {"ratelimit-reset": str(int(now) + 5)}, now) == 5
    assert retry_wait("bluesky", {"ratelimit-reset": "20"}, now) == 20
    usage = json.dumps({"123": [{"type": "pages", "estimated_time_to_regain_access": 2}]})
    assert retry_wait("meta", {"x-business-use-case-usage": usage}, now) == 120
    assert retry_wait("meta", {"x-app-usage": '{"call_count": 100}'}, now) is None
    assert retry_wait("linkedin", {"retry-after": "5"}, now) is None
    assert retry_wait("youtube", {"retry-after": "4"}, now) == 4
    assert retry_wait("youtube", {}, now) is None
    assert retry_wait("x", {"x-rate-limit-reset": str(int(now) - 50)}, now) == 0


@responses.activate
def test_error_hook_can_declare_a_rate_limit_by_body() -> None:
    usage = json.dumps({"1": [{"estimated_time_to_regain_access": 1}]})
    responses.get(
        f"{BASE}/v21.0/1",
        status=400,
        json={"error": {"code": 17}},
        headers={"X-Business-Use-Case-Usage": usage},
    )
    client, sleeps = make("meta", budget=10)

    def hook(response: requests.Response) -> CollectionError | None:
        code = response.json()["error"]["code"]
        return RateLimited("meta: rate limited", status=400) if code == 17 else None

    client.error_hook = hook
    with pytest.raises(RateLimited):
        client.get_json("/v21.0/1")
    assert sleeps.calls == []


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "[::1]",
        "169.254.169.254",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "0.0.0.0",
        "2130706433",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "127.1",
        "[::ffff:127.0.0.1]",
        "[fe80::1]",
        "evil.test",
        "mixed.test",
    ],
)
def test_guard_refuses_non_public_destinations(host: str) -> None:
    guard = AddressGuard(allow_private=False, resolver=public_resolver)
    with pytest.raises(NetworkFailure):
        guard.check_url(f"http://{host}/latest/meta-data")


def test_guard_allows_public_and_private_when_configured() -> None:
    AddressGuard(allow_private=False, resolver=public_resolver).check_url("https://good.test/x")
    AddressGuard(allow_private=False).check_url("https://93.184.216.34/")
    AddressGuard(allow_private=True).check_url("http://127.0.0.1:8080/")
    with pytest.raises(NetworkFailure):
        AddressGuard(allow_private=True).check_url("http://2130706433/")
    with pytest.raises(NetworkFailure):
        AddressGuard(allow_private=False).check_url("file:///etc/passwd")


@responses.activate
def test_redirect_into_metadata_address_is_refused() -> None:
    responses.get(
        f"{BASE}/x", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"}
    )
    client, _ = make()
    with pytest.raises(NetworkFailure):
        client.get_json("/x")
    assert client.requests_made == 1


@responses.activate
def test_redirect_to_public_host_is_followed_without_authorization() -> None:
    responses.get(f"{BASE}/x", status=301, headers={"Location": "https://cdn.test/y"})
    responses.get("https://cdn.test/y", json={"moved": True})
    client, _ = make()
    assert client.get_json("/x") == {"moved": True}
    assert "Authorization" not in responses.calls[1].request.headers
    assert client.requests_made == 2


@pytest.mark.parametrize(
    "location", ["http://[::1/x", "http://cdn.test:99999/x", "file:///etc/passwd"]
)
@responses.activate
def test_hostile_redirect_targets_are_network_failures(location: str) -> None:
    responses.get(f"{BASE}/x", status=302, headers={"Location": location})
    client, _ = make()
    with pytest.raises(NetworkFailure):
        client.get_json("/x")


@responses.activate
def test_redirect_loop_is_bounded() -> None:
    responses.get(f"{BASE}/x", status=302, headers={"Location": f"{BASE}/x"})
    client, _ = make()
    with pytest.raises(NetworkFailure):
        client.get_json("/x")
    assert client.requests_made == 6


@responses.activate
def test_secrets_never_reach_messages_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    responses.get(f"{BASE}/me", status=401, json={"error": "bad token sekrit-token"})
    client, _ = make()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthFailed) as raised:
        client.get_json("/me", params={"access_token": "sekrit-query", "fields": "id"})
    assert "sekrit" not in str(raised.value)
    assert "sekrit" not in caplog.text
    assert "***" in caplog.text
    assert redact_url("https://h/p?access_token=abc&x=1") == "https://h/p?access_token=***&x=1"


@responses.activate
def test_conditional_requests_answer_304_from_cache(tmp_path: Path) -> None:
    cache_file = tmp_path / "http-cache.json"
    cache_file.write_text('{"version": 1, "entries": {"k": {"body": "c2VjcmV0"}}}')
    responses.get(f"{BASE}/x", json={"v": 1}, headers={"ETag": '"abc"'})
    shared = HttpShared(WaitBudget(0), cache=ResponseCache(cache_file), resolver=public_resolver)
    client, _ = make(shared=shared)
    assert client.get_json("/x", params={"access_token": "t0k"}) == {"v": 1}

    responses.replace(responses.GET, f"{BASE}/x", status=304)
    second, _ = make(shared=shared)
    assert second.get_json("/x", params={"access_token": "t0k"}) == {"v": 1}
    assert responses.calls[-1].request.headers["If-None-Match"] == '"abc"'
    # bodies stay in memory: saving writes nothing and deletes an earlier version's file
    shared.cache.save()
    assert not cache_file.exists()


@responses.activate
def test_cursor_link_and_offset_pagination() -> None:
    responses.get(f"{BASE}/t", json={"data": [1], "meta": {"next_token": "n2"}})
    client, _ = make()
    responses.get(f"{BASE}/t?pagination_token=n2", json={"data": [2], "meta": {}})
    truncated: list[int] = []
    pages = list(
        client.paginate_cursor(
            "/t",
            cursor_param="pagination_token",
            next_cursor=lambda p: p["meta"].get("next_token"),
            on_truncated=truncated.append,
        )
    )
    assert [p["data"] for p in pages] == [[1], [2]]

    responses.get(f"{BASE}/l", json=[1], headers={"Link": f'<{BASE}/l?page=2>; rel="next"'})
    responses.get(f"{BASE}/l?page=2", json=[2])
    assert list(client.paginate_links("/l", on_truncated=truncated.append)) == [[1], [2]]

    responses.get(f"{BASE}/o?start=0&count=2", json={"elements": [1, 2]})
    responses.get(f"{BASE}/o?start=2&count=2", json={"elements": [3]})
    pages = list(
        client.paginate_offset(
            "/o", count_of=lambda p: len(p["elements"]), count=2, on_truncated=truncated.append
        )
    )
    assert [p["elements"] for p in pages] == [[1, 2], [3]]
    assert truncated == []  # every listing ended on its own


@responses.activate
def test_a_listing_stopped_at_max_pages_tells_its_caller() -> None:
    responses.get(f"{BASE}/l", json=[1], headers={"Link": f'<{BASE}/l?page=2>; rel="next"'})
    responses.get(f"{BASE}/l?page=2", json=[2], headers={"Link": f'<{BASE}/l?page=3>; rel="next"'})
    client, _ = make()
    truncated: list[int] = []
    pages = list(client.paginate_links("/l", max_pages=2, on_truncated=truncated.append))
    assert pages == [[1], [2]] and truncated == [2]


def test_pacer_spaces_requests() -> None:
    clock = [0.0]
    sleeps = Sleeps()
    pacer = Pacer(4.0, clock=lambda: clock[0], sleep=sleeps)
    for _ in range(3):
        pacer.wait_turn()
    assert sleeps.calls == [0.25, 0.5]


class _SlowHandler(BaseHTTPRequestHandler):
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.peak = max(cls.peak, cls.in_flight)
        time.sleep(0.3 if self.path.startswith("/slow") else 0.05)
        with cls.lock:
            cls.in_flight -= 1
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_local_server_concurrency_limit_and_timeout(local_server: str) -> None:
    client, _ = make(base=local_server, concurrency=2, timeout_s=0.15, retries=0)
    threads = [threading.Thread(target=client.get_json, args=("/fast",)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _SlowHandler.peak <= 2
    assert client.requests_made == 6
    with pytest.raises(TimedOut):
        client.get_json("/slow")


def test_local_server_base_url_is_trusted_but_redirect_targets_are_not(local_server: str) -> None:
    client, _ = make(base=local_server)
    assert client.get_json("/fast") == {"ok": True}
    with pytest.raises(NetworkFailure):
        client.get_json("http://127.0.0.1:9/other")
