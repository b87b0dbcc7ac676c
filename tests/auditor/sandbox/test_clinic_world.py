"""The second demo world end to end: ``brand-audit demo --world clinic`` audits Calder Health
against the sandbox over HTTP, and every planted risk fails on the asset it was planted on, and
nothing else fails (a business's admins are checked on the business, never on its pages)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main

PLANTED = {
    # a departed admin of the Meta Business portfolio: on the business, once
    (
        "access.departed-admin",
        "account:meta_business:calder-health-group",
        "leo.martin@calderhealth.example",
    ),
    # ... who, not in the business's expected_admins, still holds full admin on every run
    (
        "access.new-admin",
        "account:meta_business:calder-health-group",
        "leo.martin@calderhealth.example",
    ),
    # the careers page sits in the agency's business
    ("ownership.owner-not-company", "account:meta:calderhealthcareers", ""),
    # the LinkedIn password is readable by someone who left after its last change
    (
        "auth.password-not-rotated-after-departure",
        "account:linkedin:calder-health",
        "LinkedIn - Calder Health",
    ),
    # lookalikes on YouTube and LinkedIn, and a stranger's lookalike domain
    ("impersonation.lookalike-handle", "account:youtube:@calderhealth", "calderhea1th"),
    ("impersonation.lookalike-handle", "account:linkedin:calder-health", "calder-hea1th"),
    ("impersonation.lookalike-domain", "domain:calderhealth.example", "calderhealth-login.example"),
    # a GitHub member on SMS; an org and a channel the tokens control outside the inventory
    ("auth.2fa-weak-method", "account:github:calder-health-eng", "priya.shah@calderhealth.example"),
    ("ownership.unmanaged-account", "account:github:calder-sandbox", "9500009"),
    (
        "ownership.unmanaged-account",
        "account:youtube:@calderclinicsarchive",
        "UCcalderhealth000000000002",
    ),
}


def key(asset: dict[str, Any]) -> str:
    if asset["kind"] == "domain":
        return f"domain:{asset['domain']}"
    return f"{asset['kind']}:{asset['platform']}:{asset['handle'].lower()}"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("clinic")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["demo", "--world", "clinic", "--out", str(out), "--quiet"])
    assert code == 1
    loaded: dict[str, Any] = json.loads((Path(out) / "report.json").read_text())
    return loaded


def results(report: dict[str, Any], status: str) -> set[tuple[str, str, str | None]]:
    return {
        (f["check"], key(f["asset"]), f.get("subject"))
        for f in report["findings"]
        if f["status"] == status
    }


def test_every_planted_risk_fails_on_its_asset_and_nothing_else_fails(report):
    assert results(report, "fail") == PLANTED


def test_the_business_admins_are_not_repeated_on_the_pages_it_holds(report):
    on_pages = {
        (check, asset)
        for check, asset, _ in results(report, "fail") | results(report, "pass")
        if check.startswith("access.") and asset.startswith("account:meta:")
    }
    assert ("access.departed-admin", "account:meta:calderhealth") in on_pages  # judged, passing
    failing_pages = {a for c, a, _ in results(report, "fail") if a.startswith("account:meta:")}
    assert failing_pages == {"account:meta:calderhealthcareers"}


def test_the_business_is_an_asset_with_its_own_checks(report):
    passed = results(report, "pass")
    business = "account:meta_business:calder-health-group"
    assert any(c == "auth.2fa-missing" and a == business for c, a, _ in passed)
    assert any(c == "access.single-admin" and a == business for c, a, _ in passed)


def test_a_domain_registered_to_the_legal_name_is_the_companys(report):
    assert not any(
        "calderhealth.com" in json.dumps(f) for f in report["findings"] if f["status"] == "fail"
    )
    registrant = [
        f
        for f in report["findings"]
        if f["check"] == "domain.registrant-mismatch"
        and key(f["asset"]) == "domain:calderhealth.example"
    ]
    assert [f["status"] for f in registrant] == ["pass"]


def test_each_accounts_own_credential_proves_its_token_owner(report):
    token = {
        key(f["asset"]): f["status"]
        for f in report["findings"]
        if f["check"] == "ownership.identity-mismatch" and f.get("subject") == "token_account_id"
    }
    assert token["account:x:calderhealth"] == "pass"
    assert token["account:youtube:@calderhealth"] == "pass"
    assert token["account:meta:calderhealth"] == "pass"


def test_the_workspace_tenant_is_a_business_with_its_admins(report):
    tenant = "account:google_workspace:calderhealth.example"
    passed = {(c, s) for c, a, s in results(report, "pass") if a == tenant}
    assert ("auth.2fa-missing", None) in {(c, None) for c, _ in passed}
    assert ("access.departed-admin", "tom.reed@calderhealth.example") in passed
    assert any(c == "access.single-admin" for c, _ in passed)


def test_businesses_have_no_content_results(report):
    assert not [
        f
        for f in report["findings"]
        if f["check"].startswith("content.") and "_" in (f["asset"].get("platform") or "")
    ]
