"""The demo estate's company records plant a failure for every records-based auth and coverage
check, beside healthy accounts that pass (no sandbox needed: records only, fixed time).

The records are stated complete here, as their collectors state them once they declare facets;
each inventory account gets the platform's word that it exposes no 2FA policy (so the
attestation and the vault are the evidence of record), and nothing else."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from auditor.collectors.base import CollectContext
from auditor.collectors.records import sources as records
from auditor.config.loading import load_config
from auditor.core.completeness import Completeness, Facet
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    Evidence,
    PeopleDirectory,
    VaultEvidence,
)
from auditor.core.models import Status
from auditor.core.registry import CheckContext, build_registry
from checks import coverage
from checks.auth import two_factor as auth

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo.yaml"


def _statuses() -> dict[str, dict[str, set[Status]]]:
    config = load_config(DEMO)
    ctx = CollectContext(estate=config.estate, policy=config.policy, now=NOW)
    reports, people, vault = {}, None, None
    for collector in records.build(config):
        if isinstance(collector, records.VaultCollector):
            collector.breaches = None  # offline: no breach lookup
        output = collector.collect(ctx)
        reports[output.report.name] = output.report
        for item in output.items:
            people = item if isinstance(item, PeopleDirectory) else people
            vault = item if isinstance(item, VaultEvidence) else vault
    complete = Completeness.complete()
    if people is not None:
        people = replace(
            people, facets={Facet.DIRECTORY: complete, Facet.MAILBOX_TWO_FACTOR: complete}
        )
    if vault is not None:
        vault = replace(vault, facets={Facet.VAULT: complete})
    accounts = {
        spec.asset.key: AccountEvidence(
            platform=spec.platform,
            handle=spec.handle,
            source=spec.platform,
            observed_at=NOW,
            state=AccountState.ACTIVE,
            facets={
                Facet.IDENTITY: complete,
                Facet.TWO_FACTOR_POLICY: Completeness.not_exposed(spec.platform),
            },
        )
        for spec in config.estate.accounts
    }
    evidence = Evidence(
        collected_at=NOW, sources=reports, people=people, vault=vault, accounts=accounts
    )
    check_ctx = CheckContext(evidence=evidence, estate=config.estate, policy=config.policy, now=NOW)
    found: dict[str, dict[str, set[Status]]] = defaultdict(lambda: defaultdict(set))
    for spec in build_registry((*auth.CHECKS, *coverage.CHECKS)).specs:
        for result in spec.func(check_ctx):
            found[spec.id][result.asset.key].add(result.status)
    return found


def test_demo_records_plant_failures_beside_passes() -> None:
    found = _statuses()
    expected_fail = {
        "auth.2fa-missing": "account:linkedin:northwind-outfitters",
        "auth.2fa-weak-method": "account:x:northwind_deals",
        "auth.member-without-2fa": "account:github:northwind-labs",
        "auth.password-reused": "account:x:northwind_deals",
        "auth.password-weak": "account:x:northwind_deals",
        "auth.password-stale": "account:linkedin:northwind-outfitters",
        "auth.password-not-rotated-after-departure": "account:meta:northwindoutfitters",
        "auth.totp-beside-password": "account:x:northwind_help",
        "coverage.evidence-stale": "account:x:northwind_help",
    }
    for check_id, key in expected_fail.items():
        assert Status.FAIL in found[check_id][key], check_id
        assert Status.PASS in found[check_id]["account:x:northwind"], check_id
    # X lists no role holders, but the inventory says who reads the X password
    # (credential_holders) and the directory knows them and the registration mailbox's owner:
    # that list, not the role list, decides the pass.
    assert found["auth.password-breached"]["account:x:northwind"] == {Status.NOT_VERIFIED}
    assert found["coverage.collection-failed"]["source:vault"] == {Status.PASS}
