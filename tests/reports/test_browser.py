"""The HTML report in a real browser (Debian's chromium through Playwright): filters, sorting,
no console errors or CSP violations, and hostile text that runs nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.core.private_files import write_private_text
from reports import build_view, iter_html
from tests.reports import factories as F

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (CI installs it)", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    html = iter_html(build_view(F.make_run(), F.history()), F.check_infos())
    return write_private_text(out / "report.html", html)


@pytest.fixture()
def page(report: Path) -> Iterator[tuple[Page, list[str], list[str]]]:
    errors: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda m: errors.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: errors.append(str(e)))

            def on_dialog(dialog: Any) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation',"
                " e => console.error('CSP violation: ' + e.violatedDirective));"
            )
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            yield page, errors, dialogs
        finally:
            browser.close()


def visible(page: Page, column: int) -> list[str]:
    return page.eval_on_selector_all(
        "#findings tbody tr:not([hidden])",
        f"rows => rows.map(r => r.cells[{column}].textContent.trim())",
    )


def choose(page: Page, name: str, value: str) -> None:
    page.select_option(f"#filters select[name={name}]", value)


def test_filters_sort_and_no_errors(
    page: tuple[Page, list[str], list[str]], tmp_path: Path
) -> None:
    tab, errors, dialogs = page
    assert tab.is_visible("#filters")
    total = len(visible(tab, 0))
    assert total == 14 - 5 + 4  # 9 single rows + 4 grouped pass rows

    choose(tab, "severity", "s:critical")
    assert set(visible(tab, 0)) == {"critical"} and len(visible(tab, 0)) == 7
    choose(tab, "status", "t:fail")
    assert set(visible(tab, 1)) == {"fail", "fail new", "fail regressed"}
    assert tab.inner_text("#shown") == "4 of 13 rows shown"
    choose(tab, "status", "")
    choose(tab, "severity", "")
    choose(tab, "category", "c:content")
    assert set(visible(tab, 2)) == {"content"} and len(visible(tab, 2)) == 2
    choose(tab, "category", "")
    choose(tab, "platform", "p:youtube")
    assert set(visible(tab, 3)) == {"youtube"} and len(visible(tab, 3)) == 2
    choose(tab, "platform", "")
    assert len(visible(tab, 0)) == total

    tab.click("#findings thead th:nth-child(5) button")  # Asset, ascending
    assets = visible(tab, 4)
    assert assets == sorted(assets, key=str.lower)
    tab.click("#findings thead th:nth-child(1) button")  # Severity, ascending by rank
    assert visible(tab, 0)[0] == "low" and visible(tab, 0)[-1] == "critical"
    assert tab.get_attribute("#findings thead th:nth-child(1)", "aria-sort") == "ascending"
    tab.click("#findings thead th:nth-child(1) button")
    assert visible(tab, 0)[0] == "critical"

    tab.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert errors == []
    assert dialogs == []


def test_hostile_text_runs_nothing(page: tuple[Page, list[str], list[str]]) -> None:
    tab, errors, dialogs = page
    tab.check("#evidence")  # show every row's evidence
    tab.wait_for_timeout(200)
    assert tab.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == [] and errors == []
    body = tab.inner_text("body")
    assert "<script>window.__pwned=1;alert(1)</script>" in body
    assert "javascript:window.__pwned=6" in body
    hrefs = tab.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    assert all(h.startswith("#") or h.startswith("https://") for h in hrefs), hrefs
    assert tab.eval_on_selector_all("iframe, img, script[src]", "els => els.length") == 0


def test_works_without_scripts(report: Path) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(java_script_enabled=False)
            tab = context.new_page()
            tab.goto(report.as_uri())
            assert not tab.is_visible("#filters")
            assert len(visible_static(tab)) == 13
            assert tab.is_visible("text=Executive summary")
        finally:
            browser.close()


def evidence_shown(tab: Page) -> list[bool]:
    return [div.is_visible() for div in tab.query_selector_all("#findings tbody td > div")]


def test_row_toggle_shows_one_rows_evidence(page: tuple[Page, list[str], list[str]]) -> None:
    tab, errors, _ = page
    assert not any(evidence_shown(tab))
    first = tab.locator("#findings tbody tr").first.locator("button.ev")
    first.click()
    assert first.get_attribute("aria-expanded") == "true"
    assert evidence_shown(tab)[:2] == [True, False]
    first.click()
    assert not any(evidence_shown(tab))
    tab.check("#evidence")
    assert all(evidence_shown(tab)) and not tab.is_visible("button.ev")
    assert errors == []


def test_the_evidence_toggle_works_without_scripts_and_print_keeps_the_open_rows(
    report: Path,
) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = browser.new_context(java_script_enabled=False).new_page()
            tab.goto(report.as_uri())
            assert not any(evidence_shown(tab))  # collapsed on screen
            tab.check("#evidence")  # the CSS-only toggle works without the script
            assert all(evidence_shown(tab))
            tab.uncheck("#evidence")
            tab.emulate_media(media="print")  # a printed copy: open rows, no evidence, no passes
            assert not any(evidence_shown(tab))
            assert not tab.is_visible("#evidence")
            assert not any(r.is_visible() for r in tab.query_selector_all("#findings tr.pass"))
            assert tab.locator("#findings tbody tr:not(.pass):not(.nv)").first.is_visible()
            assert tab.is_visible("text=passing results are counted in the summary")
        finally:
            browser.close()


def visible_static(tab: Page) -> list[Any]:
    return [row for row in tab.query_selector_all("#findings tbody tr") if row.is_visible()]
