"""Faults over the sandbox (a small bench item 2) and the fail-open defects it found."""

from __future__ import annotations

from pathlib import Path

from auditor.sandbox import start_sandbox
from auditor.sandbox.faults import Fault, FaultKind, FaultPlan
from bench.reliability_faults import RunResult, audit, faults
from bench.reliability_world import config_document, make_accounts, world_document, write_yaml


def _pair(tmp_path: Path, platforms: tuple[str, ...], rule: Fault) -> tuple[RunResult, RunResult]:
    accounts = make_accounts(4, platforms)
    world = write_yaml(tmp_path / "world.yaml", world_document(accounts))
    runs = []
    for name, plan in (("clean", FaultPlan()), ("faulted", FaultPlan(rules=(rule,)))):
        with start_sandbox(world, faults=plan) as running:
            config = write_yaml(
                tmp_path / name / "config.yaml", config_document(accounts, running.base_urls)
            )
            runs.append(audit(config, tmp_path / name / "out"))
    return runs[0], runs[1]


def test_faulted_estate_has_no_false_pass_and_reports_every_gap() -> None:
    tally = faults(16, seed=11)
    assert tally.tried == 17
    assert tally.failures == []


def test_one_broken_timeline_is_not_verified_and_reported(tmp_path: Path) -> None:
    rule = Fault(FaultKind.MALFORMED, platform="x", path=r"^/2/users/424200004242/tweets$")
    clean, faulted = _pair(tmp_path, ("x",), rule)
    key = "account:x:relx0000"
    assert key in faulted.failed_subjects
    assert faulted.results[key][("content.scam-pattern", "")] == "not_verified"
    assert not [
        k
        for k, s in faulted.results[key].items()
        if s == "pass" and clean.results[key].get(k) != "pass"
    ]
    for other in ("account:x:relx0001", "account:x:relx0002", "account:x:relx0003"):
        assert faulted.results[other] == clean.results[other]
    assert faulted.code in (1, 3)


def test_linkedin_discovery_failure_is_not_verified(tmp_path: Path) -> None:
    """Was fail-open (fixed in checks/ownership_platform.py _failed_discovery_sources): when one
    administered organization cannot be read, LinkedInCollector.begin drops every discovered
    organization and records a source-level problem while the source stays ok=True, so
    ownership.unmanaged-account yielded nothing for LinkedIn: no pass, no not_verified."""
    rule = Fault(
        FaultKind.MALFORMED, platform="linkedin", path=r"^/rest/organizations/\d+$", times=1
    )
    clean, faulted = _pair(tmp_path, ("linkedin",), rule)
    for index in range(4):
        key = f"account:linkedin:rell{index:04d}"
        before = {
            k: s for k, s in clean.results[key].items() if k[0] == "ownership.unmanaged-account"
        }
        after = {
            k: s for k, s in faulted.results[key].items() if k[0] == "ownership.unmanaged-account"
        }
        source = faulted.results.get("source:linkedin", {})
        gap = "not_verified" in after.values() or any(
            k[0] == "ownership.unmanaged-account" and s == "not_verified" for k, s in source.items()
        )
        assert before and (after == before or gap), (key, before, after)


def test_token_owner_is_not_verified_when_get_me_fails(tmp_path: Path) -> None:
    """Was fail-open (fixed in checks/ownership_platform.py identity-mismatch): when X's
    /2/users/me could not be read, the token_account_id result vanished instead of being
    not_verified (AccountEvidence.token_account_id None means both "not asked" and "failed")."""
    rule = Fault(FaultKind.MALFORMED, platform="x", path=r"^/2/users/me$")
    clean, faulted = _pair(tmp_path, ("x",), rule)
    key = "account:x:relx0000"
    subject = ("ownership.identity-mismatch", "token_account_id")
    assert clean.results[key][subject] == "pass"
    assert faulted.results[key].get(subject) == "not_verified"
