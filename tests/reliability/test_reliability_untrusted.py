"""SSRF refusals and inert hostile markup (bench item 6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.reliability_tally import Tally
from bench.reliability_untrusted import CHROMIUM, hostile_urls, markup, ssrf


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
