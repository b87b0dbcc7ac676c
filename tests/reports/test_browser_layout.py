"""The demo report in a real browser (Debian's chromium through Playwright): readable on a
phone (420 px, no horizontal scroll), printable (chromium's PDF of the demo report has at most
20 pages), and an incident banner that opens the report and the email."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli.main import main

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = pytest.mark.browser

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (CI installs it)", allow_module_level=True)

from playwright.sync_api import Browser, sync_playwright  # noqa: E402

MAX_PRINTED_PAGES = 20
"""The demo report printed to A4 must fit in this many pages."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--quiet"]) == 1  # planted high risks
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def test_a_phone_width_has_no_horizontal_scroll(demo: Path, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 420, "height": 900})
    page.goto((demo / "report.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    assert page.eval_on_selector("#findings thead", "e => getComputedStyle(e).display") == "none"
    row = page.eval_on_selector("#findings tbody tr", "r => r.getBoundingClientRect().width")
    assert row <= 420  # a card, not a 575 px table row
    page.close()


def test_the_demo_prints_to_at_most_twenty_pages(demo: Path, browser: Browser) -> None:
    page = browser.new_page()
    page.goto((demo / "report.html").as_uri())
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 < pages <= MAX_PRINTED_PAGES
    page.emulate_media(media="print")
    shown = page.eval_on_selector_all(
        "#findings tbody tr", "rows => rows.filter(r => r.offsetParent !== null).length"
    )
    passes = page.eval_on_selector_all("#findings tbody tr.pass", "rows => rows.length")
    assert passes > 0 and shown > 0  # passes collapse into the summary's counts
    assert page.is_visible("text=passing results are counted in the summary")
    page.close()


def test_an_incident_banner_opens_the_report_and_the_email(demo: Path, browser: Browser) -> None:
    page = browser.new_page()
    page.goto((demo / "report.html").as_uri())
    banner = page.locator("#incidents")
    assert banner.is_visible()
    first_section = page.evaluate("document.querySelector('header + *').id")
    assert first_section == "incidents"
    text = banner.inner_text()
    assert "Scam post published on x northwind since" in text
    assert "First action: Delete the post" in text
    assert "Handle now belongs to a different account on x northwind_help" in text
    email = (demo / "email.html").read_text(encoding="utf-8")
    assert email.index("Scam post published") < email.index("New critical and high")
    page.close()
