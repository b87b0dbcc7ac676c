"""SSRF refusals and inert hostile markup (bench item 6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.reliability_tally import Tally
from bench.reliability_untrusted import (
    CHROMIUM,
    _client,
    _refused,
    hostile_urls,
    markup,
    redirector,
    ssrf,
)


def test_private_destinations_are_never_contacted() -> None:
    tally = Tally("ssrf")
    ssrf(tally, accounts=4)
    assert tally.tried == 2 * len(hostile_urls(1)) + 2
    assert tally.failures == []


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium is not installed"
)
def test_hostile_markup_is_inert_in_report_and_email() -> None:
    tally = Tally("markup")
    markup(tally, accounts=4)
    assert tally.tried >= 5
    assert tally.failures == []


def test_unencodable_host_in_a_redirect_is_a_network_failure() -> None:
    """Was a UnicodeError out of the HTTP layer (fixed in auditor/http_guard.py
    AddressGuard._addresses): getaddrinfo's IDNA step raises UnicodeError, not OSError, for a
    host like ``a..b`` or a 64+ character label, so a hostile Location header crashed a whole
    collector instead of failing one request."""
    with redirector() as base:
        client = _client(base)
        for host in ("a..b.example", "x" * 70 + ".example"):
            assert _refused(client, f"{base}/go?http://{host}/") is None
