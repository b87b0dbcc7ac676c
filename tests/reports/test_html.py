"""The HTML report: self-contained, CSP by hash, hostile text inert, written privately."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.core.estate import AccountSpec, Estate, Organization
from auditor.core.models import Status
from auditor.core.private_files import write_private_text
from reports import build_view, iter_html, render_html
from tests.reports import factories as F


class Collector(HTMLParser):
    """Gathers tags, attributes and text of a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None if tag in ("script", "style") else self._in

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def page() -> tuple[str, Collector]:
    html = render_html(build_view(F.make_run(), F.history()), F.check_infos())
    parsed = Collector()
    parsed.feed(html)
    return html, parsed


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_csp_allows_only_the_inline_script_and_style_by_hash(page: tuple[str, Collector]) -> None:
    _, parsed = page
    (meta,) = [
        a
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    csp = meta["content"] or ""
    assert "default-src 'none'" in csp and "unsafe" not in csp
    assert len(parsed.scripts) == 1 and len(parsed.styles) == 1
    assert f"script-src {sha(parsed.scripts[0])}" in csp
    assert f"style-src {sha(parsed.styles[0])}" in csp


def test_self_contained(page: tuple[str, Collector]) -> None:
    _, parsed = page
    for tag, attrs in parsed.tags:
        assert "src" not in attrs or tag in ("svg",), (tag, attrs)
        assert not (tag == "link" and attrs.get("rel") == "stylesheet")
        assert "style" not in attrs, (tag, attrs)  # inline style attributes would break the CSP


def test_hostile_text_is_inert(page: tuple[str, Collector]) -> None:
    _html, parsed = page
    assert "window.__pwned" not in "".join(parsed.scripts)
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert not [t for t, _ in parsed.tags if t in ("iframe", "img")]
    assert [t for t, _ in parsed.tags].count("svg") == 1  # only the trend chart
    for _, attrs in parsed.tags:
        assert not [k for k in attrs if k.startswith("on")], attrs
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#") or re.match(r"^https?://", href), href
    text = "".join(parsed.text)
    assert "<script>window.__pwned=1;alert(1)</script>" in text  # shown as text
    assert "javascript:window.__pwned=6" in text
    assert "{{ 7*7 }}" in text and "Northwind <Outfitters> & Co" in text


def test_sections_and_formula(page: tuple[str, Collector]) -> None:
    html, parsed = page
    text = " ".join(parsed.text)
    for needle in (
        "Executive summary",
        "score = 100 × L / (L + 10)",
        "Could not be verified (3)",
        "youtube permission missing (youtube.readonly)",
        "Mute register (1)",
        "Risk addressed by access.departed-admin.",
        "Regressed: resolved before, failing again (1)",
        "brand-auditor 0.1.0",
    ):
        assert needle in text, needle
    assert 'id="filters" hidden' in html  # filters appear only when the script runs


def test_assets_outside_the_inventory_are_listed_apart() -> None:
    spec = AccountSpec("meta", "northwindoutfitters")
    estate = Estate(Organization("Northwind", ("northwind.example",)), accounts=(spec,))
    html = render_html(build_view(F.make_run(), estate=estate), F.check_infos())
    inventory = html.index("<h3>meta northwindoutfitters</h3>")
    other = html.index("Other assets named by findings")
    assert inventory < other < html.index("<h3>x northwind</h3>")


def test_missing_check_info_falls_back() -> None:
    html = render_html(build_view(F.make_run()), {})
    assert "Not documented in this build." in html


def test_write_html_is_private_and_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    write_private_text(target, iter_html(build_view(F.make_run()), F.check_infos()))
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_rows_link_to_their_check_reference_and_asset_card(page: tuple[str, Collector]) -> None:
    _, parsed = page
    ids = {a["id"] for _, a in parsed.tags if a.get("id")}
    rows = [a for t, a in parsed.tags if t == "tr"]
    assert not [a for a in rows if any(k.startswith("data-") for k in a)]  # filters read cells
    internal = {
        (a.get("href") or "")[1:] for t, a in parsed.tags if (a.get("href") or "").startswith("#")
    }
    assert internal and internal <= ids
    checks = {i for i in internal if i.startswith("c")}
    assert len(checks) == len(F.make_run().checks_run)  # one reference entry per check


def test_every_row_has_its_evidence_block_and_the_screen_toggle(
    page: tuple[str, Collector],
) -> None:
    html, parsed = page
    body = html[html.index('<table id="findings">') :]
    body = body[: body.index("</table>")]
    assert body.count("<tr") - 1 == body.count("<div>") == 13  # header row excluded
    assert "details" not in body and "source vault · first seen" in body
    assert ("input", {"type": "checkbox", "id": "evidence"}) in parsed.tags


@pytest.mark.parametrize("passing", [True, False], ids=["realistic", "no-passes"])
def test_large_estate_renders_small(passing: bool) -> None:
    run = F.large_run(10_000)
    if not passing:  # the worst case: every pass turned into a fail, nothing grouped
        fails = [
            replace(f, status=Status.FAIL) if f.status is Status.PASS else f for f in run.findings
        ]
        run = F.make_run(fails)
    html = render_html(build_view(run, F.history()), F.check_infos())
    assert len(html.encode()) < 5_500_000  # 5 MB before each row showed its fingerprint
