"""The circuit breaker per host: consecutive connection failures, timeouts and 5xx open it; the
rest of the run's calls to that host fail fast; a half-open probe after the cool-down."""

from __future__ import annotations

import pytest
import requests
import responses

from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.errors import NetworkFailure, NotFound, ServerFailure, TimedOut
from auditor.http.breaker import Admission, Breakers, CircuitOpen
from auditor.http.client import HttpClient, HttpShared
from auditor.http.limits import WaitBudget

BASE = "https://api.example.test"
OTHER = "https://other.example.test"
ORIGIN = ("https", "api.example.test", 443)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def shared(threshold: int = 3, clock: Clock | None = None) -> HttpShared:
    return HttpShared(
        WaitBudget(60),
        resolver=lambda host: ["93.184.216.34"],
        backoff_s=0.0,
        sleep=lambda s: None,
        breakers=Breakers(threshold, cooldown_s=30.0, clock=clock or Clock()),
    )


def client(
    run: HttpShared, platform: str = "github", base: str = BASE, retries: int = 2
) -> HttpClient:
    return HttpClient(
        platform,
        PlatformModel(base_url=base, retries=retries),  # type: ignore[arg-type]
        NetworkModel(),
        default_base_url=base,
        shared=run,
    )


@responses.activate
def test_consecutive_5xx_open_the_circuit_and_later_calls_fail_fast() -> None:
    responses.get(f"{BASE}/a", status=503)
    run = shared(threshold=3)
    github = client(run, retries=5)
    with pytest.raises(ServerFailure):
        github.get_json("/a")
    assert github.requests_made == 3  # retries stop once the circuit opens
    with pytest.raises(CircuitOpen) as raised:
        github.get_json("/b")
    assert isinstance(raised.value, NetworkFailure)
    assert not isinstance(raised.value, NotFound)
    assert "circuit open for api.example.test" in raised.value.detail
    assert github.requests_made == 3
    # shared by every client of the run that calls the same host, not by other hosts
    with pytest.raises(CircuitOpen):
        client(run, platform="hibp").get_json("/c")
    responses.get(f"{OTHER}/d", json={"ok": True})
    assert client(run, base=OTHER).get_json("/d") == {"ok": True}


@responses.activate
def test_connection_failures_and_timeouts_count_answers_below_500_reset() -> None:
    responses.get(f"{BASE}/down", body=requests.ConnectionError("refused"))
    responses.get(f"{BASE}/slow", body=requests.ReadTimeout("slow"))
    responses.get(f"{BASE}/gone", status=404)
    run = shared(threshold=3)
    api = client(run, retries=0)
    with pytest.raises(NetworkFailure):
        api.get_json("/down")
    with pytest.raises(TimedOut):
        api.get_json("/slow")
    with pytest.raises(NotFound):
        api.get_json("/gone")  # alive: the count starts again
    with pytest.raises(NetworkFailure):
        api.get_json("/down")
    with pytest.raises(TimedOut):
        api.get_json("/slow")
    assert not run.breakers.is_open(ORIGIN)
    with pytest.raises(TimedOut):
        api.get_json("/slow")
    assert run.breakers.is_open(ORIGIN)
    with pytest.raises(CircuitOpen):
        api.get_json("/gone")


@responses.activate
def test_half_open_probe_after_the_cool_down_closes_or_reopens() -> None:
    clock = Clock()
    run = shared(threshold=2, clock=clock)
    api = client(run, retries=0)
    responses.get(f"{BASE}/x", status=500)
    for _ in range(2):
        with pytest.raises(ServerFailure):
            api.get_json("/x")
    clock.now += 29
    with pytest.raises(CircuitOpen):
        api.get_json("/x")
    clock.now += 2
    with pytest.raises(ServerFailure):
        api.get_json("/x")  # the probe went out and failed: open again
    assert api.requests_made == 3
    with pytest.raises(CircuitOpen):
        api.get_json("/x")
    clock.now += 31
    responses.replace(responses.GET, f"{BASE}/x", json={"ok": True})
    assert api.get_json("/x") == {"ok": True}  # the probe succeeded: closed
    assert api.get_json("/x") == {"ok": True}
    assert not run.breakers.is_open(ORIGIN)


def test_only_one_probe_at_a_time_and_a_lost_probe_expires() -> None:
    clock = Clock()
    breakers = Breakers(1, cooldown_s=10, clock=clock)
    breakers.failed(ORIGIN)
    assert breakers.admit(ORIGIN) is Admission.REFUSED
    clock.now += 10
    assert breakers.admit(ORIGIN) is Admission.PROBE
    assert breakers.admit(ORIGIN) is Admission.REFUSED  # the probe is in flight
    clock.now += 10  # it never reported back
    assert breakers.admit(ORIGIN) is Admission.PROBE
    breakers.succeeded(ORIGIN)
    assert breakers.admit(ORIGIN) is Admission.CLOSED
    with pytest.raises(ValueError, match="threshold"):
        Breakers(0)


class NoTxt:
    def txt(self, name: str) -> tuple[str, ...] | None:
        return ()


@responses.activate
def test_a_refused_well_known_lookup_is_not_read_as_not_published() -> None:
    from auditor.collectors.platforms.bluesky_identity import HandleVerifier, IdentityEndpoints

    run = shared(threshold=1)
    run.breakers.failed(ORIGIN)
    verifier = HandleVerifier(client(run, "bluesky"), IdentityEndpoints.under(BASE), NoTxt())
    with pytest.raises(CircuitOpen):
        verifier.resolve_handle("acme.example")
    assert not responses.calls
