"""``brand-audit demo`` end to end: the real catalog against the sandbox over HTTP.

One pair of demo runs into the same folder (module fixture, ~7 s) backs every end-to-end test:
the first run audits the estate as of a week ago, accepts its profiles as baselines, then audits
the current estate; the second audits only the current estate.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.demo import DEMO_CONFIG, dates_as_of, resolve_estate, shift_dates
from auditor.cli.main import main
from auditor.config.loading import load_config
from auditor.sandbox.world import DEMO_WORLD

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO.parent / "shared" / "CHECKS.md"


def catalog_ids() -> set[str]:
    """Every check id of the public catalog (CHECKS.md when present, else the registry)."""
    if CATALOG.is_file():
        rows = re.findall(r"^\| ([a-z]+\.[a-z0-9-]+) \|", CATALOG.read_text(), flags=re.M)
        return set(rows)
    import checks
    from auditor.core.registry import build_registry

    return {spec.id for spec in build_registry(checks.ALL_CHECKS).specs}


@dataclass(frozen=True)
class DemoRuns:
    """Two demo runs into one folder."""

    out: Path
    codes: tuple[int, int]
    first_stdout: str
    first: dict[str, Any]
    second: dict[str, Any]


def demo(out: Path, *extra: str) -> tuple[int, str]:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        code = main(["demo", "--out", str(out), "--quiet", *extra])
    return code, stdout.getvalue()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    out = tmp_path_factory.mktemp("demo")
    first_code, first_stdout = demo(out, "--email")
    first = json.loads((out / "report.json").read_text())
    second_code, _ = demo(out)
    second = json.loads((out / "report.json").read_text())
    return DemoRuns(out, (first_code, second_code), first_stdout, first, second)


def failing(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fingerprint"]: f for f in report["findings"] if f["status"] == "fail"}


def test_first_demo_fails_every_catalog_check(runs):
    failed = {f["check"] for f in runs.first["findings"] if f["status"] == "fail"}
    missing = sorted(catalog_ids() - failed)
    assert missing == [], f"the demo plants no failure for {missing}"


def test_demo_exits_1_on_high_findings_like_run(runs):
    assert runs.codes == (1, 1)


def test_first_demo_audits_a_week_ago_first_and_shows_a_trend(runs):
    # 10: the YouTube channel whose uploads answer malformed JSON still has its profile read
    assert "(7 days ago); accepted 10 profile baseline(s)" in runs.first_stdout
    assert runs.first["run"]["previous_run_id"]
    changes = {f["change"] for f in runs.first["findings"] if f["status"] == "fail"}
    assert {"new", "persisting"} <= changes
    assert runs.first["summary"]["resolved"]  # stale-metrics lost its write access since
    deleted = [
        f
        for f in runs.first["findings"]
        if f["check"] == "content.posts-deleted" and f["status"] == "fail"
    ]
    assert [f["subject"] for f in deleted] == ["1800000000000000094"]
    changed = {
        f["subject"]
        for f in runs.first["findings"]
        if f["check"] == "content.profile-changed" and f["status"] == "fail"
    }
    assert {"bio", "link", "avatar_hash"} <= changed
    assert "baseline accepted by brand-audit demo" in json.dumps(runs.first)


def test_second_demo_keeps_record_failures_persisting_with_first_seen(runs):
    before, after = failing(runs.first), failing(runs.second)
    assert runs.second["run"]["previous_run_id"] == runs.first["run"]["id"]
    assert {f["change"] for f in after.values()} == {"persisting"}
    records = [f for f in after.values() if f["check"].startswith(("auth.", "ownership."))]
    assert records
    for fingerprint, finding in after.items():
        if fingerprint in before:
            assert finding["first_seen"] == before[fingerprint]["first_seen"], finding["check"]
    # Failures the first run inherited from the week-ago run keep that run's time.
    oldest = min(f["first_seen"] for f in after.values())
    assert oldest < runs.first["run"]["started_at"]


def test_demo_writes_private_reports_and_an_outbox_and_no_vault_secret(runs):
    for name in ("report.html", "email.html", "report.json", "report.csv"):
        assert stat.S_IMODE((runs.out / name).stat().st_mode) == 0o600, name
    assert list((runs.out / "outbox").glob("*.eml"))
    vault = json.loads((REPO / "config" / "demo" / "vault.json").read_text())
    secrets = set()
    for item in vault["items"]:
        login = item.get("login") or {}
        secrets.update(v for v in (login.get("password"), login.get("totp")) if v)
        secrets.update(
            h["password"] for h in item.get("passwordHistory") or [] if h.get("password")
        )
    assert secrets
    for path in runs.out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert [s for s in secrets if s.encode() in data] == [], path.name


def test_shift_dates_moves_dates_and_timestamps_only():
    text = "on: 2026-11-02, at 2026-02-28T09:00:00Z, id TB-27 1500000000000000001 v2026-99-99"
    moved = shift_dates(text, 1)
    assert moved == (
        "on: 2026-11-03, at 2026-03-01T09:00:00Z, id TB-27 1500000000000000001 v2026-99-99"
    )
    assert shift_dates(text, 0) == text


def test_resolved_estate_keeps_the_planted_facts_a_year_later(tmp_path):
    as_of = dates_as_of(DEMO_WORLD.read_text())
    days = (date(2028, 1, 15) - as_of).days
    original = load_config(DEMO_CONFIG)
    moved = load_config(resolve_estate(DEMO_CONFIG, tmp_path, days))
    for before, after in zip(original.estate.accounts, moved.estate.accounts, strict=True):
        if before.two_factor is not None and before.two_factor.attested_on is not None:
            assert after.two_factor is not None and after.two_factor.attested_on is not None
            assert (after.two_factor.attested_on - before.two_factor.attested_on).days == days
        if before.last_access_review is not None:
            assert after.last_access_review is not None
            assert (after.last_access_review - before.last_access_review).days == days
    people = (tmp_path / "demo" / "people.csv").read_text()
    assert shift_dates("2026-08-31", days) in people
    assert stat.S_IMODE((tmp_path / "demo" / "vault.json").stat().st_mode) == 0o600
    assert not (REPO / "config" / "brand-audit-demo.db").exists()
