"""All four platform collectors under random faults: every account is either read (with no
problem recorded for it) or unknown with a problem for it; nothing crashes, nothing passes
silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from platform_fixtures import PLATFORM_WORLD, accounts_of, collect, make_config

from auditor.core.errors import AuthFailed, CollectionError
from auditor.core.evidence import AccountState
from auditor.sandbox import start_sandbox

ACCOUNTS = [
    {"platform": "x", "handle": "northwind"},
    {"platform": "x", "handle": "northwind_deals"},
    {"platform": "x", "handle": "northwind_help"},
    {"platform": "meta", "handle": "northwindoutfitters", "id": "200000000000001"},
    {"platform": "instagram", "handle": "northwind", "id": "17841400000000001"},
    {"platform": "linkedin", "handle": "northwind-outfitters"},
    {"platform": "youtube", "handle": "@northwind"},
]
KINDS = ["rate_limit", "server_error", "malformed", "truncated", "disconnect"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_faults_leave_only_unknown_accounts_with_problems(tmp_path: Path, seed: int) -> None:
    rules = [{"kind": kind, "probability": 0.1} for kind in KINDS]
    settings = {"meta": {"business_id": "300000000000001"}}
    with start_sandbox(PLATFORM_WORLD, faults={"seed": seed, "rules": rules}) as sandbox:
        config = make_config(sandbox, tmp_path, ACCOUNTS, settings=settings, budget=0)
        seen: set[AccountState] = set()
        for name in ("x", "meta", "linkedin", "youtube"):
            try:
                output = collect(config, name)
            except AuthFailed:
                pytest.fail(f"{name}: a fault was taken for a refused token")
            except CollectionError:
                continue  # a source-wide read failed: the whole source is reported failed
            troubled = {p.asset_key for p in output.report.problems}
            seen.update(e.state for e in accounts_of(output).values())
            for key, evidence in accounts_of(output).items():
                gaps = [
                    c for c in evidence.facets.values() if not c.is_complete and not c.structural
                ]
                if evidence.state is AccountState.UNKNOWN:
                    assert key in troubled or None in troubled, f"{key} unknown without a problem"
                elif key in troubled:
                    # a failed endpoint leaves the facets it feeds unknown, never complete
                    assert gaps, f"{key} had a problem but states every facet complete"
        assert sandbox.faults.fired > 0  # the faults did bite
        assert seen  # and evidence came back
