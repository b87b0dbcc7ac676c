"""Pwned Passwords: one range request per distinct prefix, padding ignored, CRLF handled, only the
prefix on the wire, and configuration."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from auditor.collectors.records.hibp import PwnedPasswords, from_config, parse_range
from auditor.config.loading import AppConfig, ConfigModel, NetworkModel, PlatformModel
from auditor.core.errors import MalformedResponse, ServerFailure
from auditor.http.client import HttpClient
from auditor.sandbox import RunningSandbox, start_sandbox
from auditor.sandbox.routes_hibp import routes
from auditor.sandbox.routing import Request
from auditor.sandbox.world import world_from_mapping

KNOWN = (
    Path(__file__).resolve().parents[3]
    / ".."
    / "shared"
    / "testdata"
    / "passwords"
    / "hibp-known.txt"
)
WORDS = ["password", "123456", "P@ssw0rd", "Summer2019!"]


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest().upper()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    world = world_from_mapping({"hibp": {"words": WORDS, "counts": {"Summer2019!": 4211}}})
    with start_sandbox(world, faults=[]) as running:
        yield running


def _client(sandbox: RunningSandbox) -> PwnedPasswords:
    base = sandbox.base_urls["hibp"]
    settings = PlatformModel(base_url=base, retries=0, timeout_s=5)
    http = HttpClient("hibp", settings, NetworkModel(allow_private=True), default_base_url=base)
    return PwnedPasswords(http)


def test_one_request_per_distinct_prefix(sandbox: RunningSandbox) -> None:
    hashes = [sha1(w) for w in WORDS] + [sha1("not breached at all 93f1")]
    twin = sha1("password")[:5] + "0" * 35  # same prefix as "password": no extra request
    before = sandbox.requests_served
    counts = _client(sandbox).counts([*hashes, twin, hashes[0].lower()])
    assert sandbox.requests_served - before == len({h[:5] for h in hashes})
    assert counts[sha1("Summer2019!")] == 4211
    assert all(counts[sha1(w)] > 0 for w in WORDS)
    assert counts[sha1("not breached at all 93f1")] == 0 and counts[twin] == 0


def test_padding_rows_are_not_matches(sandbox: RunningSandbox) -> None:
    client = _client(sandbox)
    prefix = sha1("password")[:5]
    body = client.http.get_text(f"/range/{prefix}", headers={"Add-Padding": "true"})
    rows = body.split("\r\n")
    assert 800 <= len(rows) <= 1000
    padded = [r.split(":")[0] for r in rows if r.endswith(":0")]
    assert padded
    found = client.counts([prefix + padded[0]])
    assert found == {prefix + padded[0]: 0}
    assert all(count > 0 for count in client.range(prefix).values())


def test_parse_range_handles_crlf_lowercase_and_last_line() -> None:
    body = (
        "1E4C9B93F3F0682250B6CF8331B7EE68FD8:3\r\nabcdefabcdefabcdefabcdefabcdefabcde:0\r\n"
        + "A" * 35
        + ":2"
    )
    parsed = parse_range(body, "5BAA6")
    assert parsed == {"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8": 3, "5BAA6" + "A" * 35: 2}


def test_parse_range_rejects_a_broken_line() -> None:
    with pytest.raises(MalformedResponse):
        parse_range("<html>oops</html>", "5BAA6")


def test_only_the_prefix_leaves_the_process() -> None:
    seen: list[str] = []

    class Recorder:
        def get_text(
            self, path_or_url: str, *, params: Any = None, headers: Mapping[str, str] | None = None
        ) -> str:
            seen.append(path_or_url)
            assert headers is not None and headers.get("Add-Padding") == "true"
            return ""

    digest = sha1("Summer2019!")
    assert PwnedPasswords(Recorder()).counts([digest]) == {digest: 0}
    assert seen == [f"/range/{digest[:5]}"]


def test_bad_digests_are_refused() -> None:
    with pytest.raises(ValueError, match="SHA-1"):
        PwnedPasswords(None).counts(["password"])  # type: ignore[arg-type]
    assert PwnedPasswords(None).counts([]) == {}  # type: ignore[arg-type]


def test_failures_are_typed() -> None:
    world = world_from_mapping({"hibp": {"words": WORDS}})
    faults = [{"platform": "hibp", "kind": "server_error"}]
    with start_sandbox(world, faults=faults) as running, pytest.raises(ServerFailure):
        _client(running).counts([sha1("password")])


def test_sandbox_refuses_invalid_prefix() -> None:
    (route,) = routes({"words": WORDS})
    request = Request("GET", "/range/XYZ12", {}, {}, match={"prefix": "XYZ12"})
    assert route.handler(request).status == 400


@pytest.mark.skipif(not KNOWN.exists(), reason="shared password corpus absent")
def test_known_digests_match_the_corpus_and_are_found(sandbox: RunningSandbox) -> None:
    rows = [
        line.split("\t")
        for line in KNOWN.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert rows
    for word, digest, prefix, suffix in (r[:4] for r in rows):
        assert sha1(word) == digest and digest == prefix + suffix
    counts = _client(sandbox).counts([r[1] for r in rows])
    assert all(counts[r[1]] > 0 for r in rows)


def _config(**sources: Any) -> AppConfig:
    model = ConfigModel.model_validate(
        {"organization": {"name": "N", "email_domains": ["n.example"]}, "sources": sources}
    )
    return AppConfig(model, Path("brand-audit.yaml"))


def test_from_config_follows_the_vault_settings() -> None:
    assert from_config(_config()) is None
    assert from_config(_config(vault={"bitwarden": "v.json", "check_breaches": False})) is None
    client = from_config(_config(vault={"bitwarden": "v.json"}))
    assert isinstance(client, PwnedPasswords)
    assert (
        isinstance(client.http, HttpClient)
        and client.http.base_url == "https://api.pwnedpasswords.com"
    )
