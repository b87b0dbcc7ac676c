"""The findings table: grouping of passes and of not-verified results, evidence lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from auditor.core.models import Asset, Change, Finding, Status
from reports import build_view
from reports.panels import REASONS_LISTED
from tests.reports import factories as F


def _unknown_roles(asset: Asset, **facts: str) -> Finding:
    return F.finding(
        "access.single-admin",
        asset,
        Status.NOT_VERIFIED,
        detail=f"The role holders of {asset.handle} are unknown: the platform hides them.",
        source="x",
        facts=dict(facts) or None,
    )


def test_unverified_results_with_one_reason_share_a_row_naming_the_assets() -> None:
    items = [_unknown_roles(F.X_MAIN), _unknown_roles(F.X_DEALS), _unknown_roles(F.YOUTUBE)]
    rows = build_view(F.make_run(items, sources=())).rows
    (row,) = rows
    assert (row.status, row.count, row.asset_short, row.asset_anchor) == (
        "not_verified",
        3,
        "3 assets",
        "",
    )
    assert row.assets == ("x northwind", "x northwind_deals", "youtube @northwind")
    assert row.detail == (
        "3 results on 3 asset(s), such as: The role holders of northwind are unknown: the"
        " platform hides them."
    )
    assert row.platforms == ("x", "youtube") and "p:youtube" in row.filter_tokens


def test_unverified_results_with_different_facts_or_checks_keep_their_rows() -> None:
    items = [
        _unknown_roles(F.X_MAIN, scope="pages_read"),
        _unknown_roles(F.X_DEALS, scope="pages_manage"),
        F.finding("auth.2fa-missing", F.X_MAIN, Status.NOT_VERIFIED, detail="Unknown."),
    ]
    rows = build_view(F.make_run(items, sources=())).rows
    assert [(r.count, r.asset_short) for r in rows] == [
        (1, "northwind"),
        (1, "northwind"),
        (1, "northwind_deals"),
    ]
    assert rows[0].detail == "Unknown."  # critical first
    assert rows[1].detail == "The role holders of northwind are unknown: the platform hides them."


def test_grouped_unverified_row_lists_subjects_and_keeps_fails_apart() -> None:
    base = _unknown_roles(F.X_MAIN)
    items = [
        replace(base, subject="roles"),
        replace(_unknown_roles(F.X_DEALS), subject="roles"),
        F.finding("access.single-admin", F.X_MAIN, detail="One admin."),
        F.finding("access.single-admin", F.X_DEALS, detail="One admin."),
    ]
    rows = build_view(F.make_run(items, sources=())).rows
    assert [r.status for r in rows] == ["fail", "fail", "not_verified"]
    assert rows[2].assets == ("x northwind (roles)", "x northwind_deals (roles)")


def test_evidence_line_leaves_out_what_the_row_already_says() -> None:
    rows = {r.check_id: r for r in build_view(F.make_run()).rows if r.status != "pass"}
    # source is the platform, persisting: only the first sighting
    departed = rows["access.departed-admin"]
    assert departed.evidence_line == f"first seen {departed.first_seen}"
    # new, source is the platform, seen during the run: nothing to add
    assert rows["content.scam-pattern"].evidence_line == ""
    assert rows["content.scam-pattern"].seen_in_run
    # the source differs from the row's platform
    assert rows["coverage.collection-failed"].evidence_line.startswith("source vault · first seen")


def test_evidence_seen_before_the_run_says_when() -> None:
    item = F.finding("auth.2fa-missing", F.X_MAIN, change=Change.NEW)
    stale = replace(item, evidence=replace(item.evidence, observed_at=F.NOW - timedelta(days=2)))
    (row,) = build_view(F.make_run([stale])).rows
    assert not row.seen_in_run
    assert row.evidence_line == "evidence seen 2026-11-20 12:00"


def test_unverified_panel_lists_the_first_reasons_and_counts_the_rest() -> None:
    items = [
        F.finding(
            "auth.2fa-missing",
            F.X_MAIN,
            Status.NOT_VERIFIED,
            subject=f"s{i}",
            detail=f"Reason number {i} " + "x" * i,
        )
        for i in range(REASONS_LISTED + 3)
    ]
    (group,) = build_view(F.make_run(items, sources=())).unverified
    assert len(group.reasons) == REASONS_LISTED
    assert (group.count, group.more_reasons, group.more_results) == (REASONS_LISTED + 3, 3, 3)
