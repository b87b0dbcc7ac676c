"""The view model: counts, score, changes, panels, cards, rows, mutes, actions, trend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from auditor.core.estate import (
    AccountSpec,
    Attestation,
    Estate,
    Organization,
    OwnerKind,
    TwoFactorMethod,
)
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    Evidence,
    RoleHolder,
    TwoFactorPolicy,
)
from auditor.core.models import Change, Status
from auditor.core.scoring import risk_band
from reports import RunSummary, build_view, count_run, risk_score, summarize
from reports.reasons import generic_reason
from tests.reports import factories as F


def test_counts_by_status_and_severity() -> None:
    counts = count_run(F.make_run())
    assert counts.by_status == {"fail": 5, "not_verified": 3, "muted": 1, "pass": 5}
    assert counts.open_by_severity == {"critical": 4, "high": 1, "medium": 0, "low": 0}
    assert counts.not_verified_by_severity == {"critical": 1, "high": 0, "medium": 2, "low": 0}
    assert (counts.new, counts.regressed, counts.resolved) == (3, 1, 1)
    assert counts.assets == 5  # 6 assets, one of them the vault source: sources do not count


def test_score_formula() -> None:
    # open: 4 critical (40) + 1 high (5); not verified: 1 critical + 2 medium at half (5 + 2);
    # five audited assets (the vault source is not one)
    load = (40 + 5 + 7) / 5
    expected = round(100 * load / (load + 10), 1)
    assert count_run(F.make_run()).risk_score == expected == 51.0
    assert risk_score([], 3) == 0.0
    one_critical = [F.finding("auth.2fa-missing", F.X_MAIN)]
    assert risk_score(one_critical, 1) == 50.0
    assert risk_band(0) == "low" and risk_band(50) == "high" and risk_band(80) == "severe"


def test_passes_and_muted_do_not_score() -> None:
    passing = [F.finding("auth.2fa-missing", F.X_MAIN, Status.PASS)]
    muted = [F.finding("auth.2fa-missing", F.X_MAIN, mute=F.mute_for("auth.2fa-missing", F.X_MAIN))]
    assert risk_score(passing, 1) == risk_score(muted, 1) == 0.0


def test_new_regressed_resolved_lists() -> None:
    view = build_view(F.make_run())
    assert [r.check_id for r in view.new] == [
        "access.departed-admin",
        "content.scam-pattern",
        "content.profile-changed",
    ]
    assert [r.check_id for r in view.regressed] == ["access.departed-admin"]
    assert [r.check_id for r in view.new_urgent] == [r.check_id for r in view.new]
    assert [r.check_id for r in view.resolved] == ["domain.dnssec-off"]


def test_passes_grouped_per_check_other_results_one_row_each() -> None:
    view = build_view(F.make_run())
    passes = [r for r in view.rows if r.status == "pass"]
    weak = next(r for r in passes if r.check_id == "auth.password-weak")
    assert weak.count == 2 and weak.assets == ("x northwind", "x northwind_deals")
    assert weak.platforms == ("x",) and "p:x" in weak.filter_tokens
    assert len([r for r in view.rows if r.status != "pass"]) == 9
    assert [r.status for r in view.rows][:5] == ["fail"] * 5
    assert view.rows[0].severity == "critical"


def test_unverified_grouped_by_platform_and_reason() -> None:
    view = build_view(F.make_run())
    by_platform = {g.platform: g for g in view.unverified}
    youtube = by_platform["youtube"]
    assert youtube.count == 2
    (reason,) = youtube.reasons
    assert (
        reason.reason == "youtube permission missing (youtube.readonly): managers are not exposed"
    )
    assert reason.checks == ("access.single-admin", "auth.2fa-missing")
    assert by_platform["source"].reasons[0].reason.startswith("vault malformed response")


def test_unverified_without_a_source_problem_groups_by_generic_sentence() -> None:
    items = [
        F.finding(
            check,
            a,
            Status.NOT_VERIFIED,
            detail=f"The role holders of {a.handle} are unknown: X does not expose them.",
            source="x",
        )
        for a in (F.X_MAIN, F.X_DEALS)
        for check in ("access.single-admin", "access.departed-admin")
    ]
    items.append(F.finding("auth.2fa-missing", F.X_MAIN, Status.NOT_VERIFIED, detail="Other."))
    view = build_view(F.make_run(items, sources=()))
    (group,) = view.unverified
    first, second = group.reasons
    # grouped by the generic sentence, shown as a concrete one (no placeholders)
    assert first.reason == "The role holders of northwind are unknown: X does not expose them."
    assert "…" not in first.reason
    assert first.count == 4 and first.assets == ("x northwind", "x northwind_deals")
    assert first.checks == ("access.departed-admin", "access.single-admin")
    assert (second.reason, second.count) == ("Other.", 1)


def test_generic_reason_keeps_words_and_other_names() -> None:
    item = F.finding(
        "access.single-admin",
        F.X_MAIN,
        Status.NOT_VERIFIED,
        subject="roles",
        detail="The roles of northwind (not northwind_deals, see northwind.example) are unknown.",
    )
    assert generic_reason(item) == (
        "The roles of … (not northwind_deals, see northwind.example) are unknown."
    )
    post = F.finding(
        "content.pii-exposed",
        F.X_MAIN,
        Status.NOT_VERIFIED,
        subject="186001",
        detail="Post 186001 of @northwind could not be read.",
    )
    assert generic_reason(post) == "Post … of @… could not be read."


def test_mute_register_and_expiring() -> None:
    extra = replace(F.mute_for("auth.2fa-missing", F.X_MAIN), expires=F.NOW + timedelta(days=40))
    expired = replace(F.mute_for("domain.expiring", F.DOMAIN), expires=F.NOW - timedelta(days=1))
    view = build_view(F.make_run(), mutes=[extra, expired])
    assert [m.days_left for m in view.mutes] == [-1, 5, 40]
    assert [m.expired for m in view.mutes] == [True, False, False]
    assert [m.title for m in view.notable_mutes] == ["access.external-admin: External admin"]
    assert view.notable_mutes[0].owner == "alice.ng@northwind.example"


def test_top_actions_rank_by_severity_then_weight() -> None:
    view = build_view(F.make_run())
    assert [a.check_id for a in view.actions] == [
        "content.scam-pattern",  # an incident: first, before hygiene
        "access.departed-admin",
        "auth.2fa-missing",
        "ownership.registration-email-external",
        "content.profile-changed",
    ]
    assert view.actions[1].remediation == "Fix access.departed-admin."
    assert len(build_view(F.large_run(400)).actions) == 5


def test_trend_includes_history_and_current_run() -> None:
    view = build_view(F.make_run(), F.history(4))
    bars = view.trend.bars
    assert len(bars) == 5 and bars[-1].current and not bars[0].current
    assert [b.total for b in bars] == [3, 4, 5, 6, 5]
    assert bars[0].score == "n/a" and bars[-1].score == "51"
    tallest = max(bars, key=lambda b: b.total)
    assert tallest.top == 0.0
    heights = sum(s.height for s in tallest.segments)
    assert abs(heights - view.trend.height) < 0.01


def test_run_summary_from_store_counts() -> None:
    summary = RunSummary.from_counts(
        "r1",
        F.NOW,
        {
            "status": {"fail": 3, "pass": 2},
            "open_by_severity": {"high": 3},
            "change": {"new": 2, "resolved": 1},
        },
    )
    assert (summary.open_total, summary.new, summary.resolved, summary.risk_score) == (
        3,
        2,
        1,
        None,
    )
    mine = summarize(F.make_run())
    assert mine.open_total == 5 and mine.risk_score == 51.0


def test_cards_use_estate_and_evidence() -> None:
    spec = AccountSpec(
        "meta",
        "northwindoutfitters",
        owner=OwnerKind.AGENCY,
        owner_name="Brightside Media",
        two_factor=Attestation(TwoFactorMethod.SMS, F.NOW.date()),
    )
    estate = Estate(Organization("Northwind", ("northwind.example",)), accounts=(spec,))
    roles = (
        RoleHolder(
            "1",
            "Ben <b>Ortiz</b>",
            "ben.ortiz@northwind.example",
            "ADMIN",
            True,
            3,
            False,
            added_at=F.NOW - timedelta(hours=1),
        ),
        RoleHolder("2", None, "mallory.k@gmail.com", "MANAGE", False, 2, None, pending=True),
    )
    evidence = Evidence(
        collected_at=F.NOW,
        accounts={
            F.META_PAGE.key: AccountEvidence(
                "meta",
                "northwindoutfitters",
                "meta",
                F.NOW,
                AccountState.ACTIVE,
                roles=roles,
                two_factor_policy=TwoFactorPolicy("none", "two_factor_type"),
                owner_name="Brightside Media",
                owned_by_company=False,
            )
        },
    )
    view = build_view(F.make_run(), estate=estate, evidence=evidence)
    card = next(c for c in view.cards if c.label == "meta northwindoutfitters")
    assert (
        card.owner
        == "inventory: agency (Brightside Media); platform: Brightside Media, client access only"
    )
    assert [a.name for a in card.admins] == ["Ben <b>Ortiz</b>", "mallory.k@gmail.com"]
    assert card.admins[0].two_factor == "off" and card.admins[1].pending
    assert card.two_factor_state == "bad" and "not required by the holder" in card.two_factor
    assert "attested sms" in card.two_factor and "check: missing" in card.two_factor
    assert card.last_change.endswith("role granted to Ben <b>Ortiz</b>")
    assert dict(card.open_by_severity) == {"critical": 2}
    youtube = next(c for c in view.cards if c.platform == "youtube")
    assert youtube.admins == () and youtube.admins_note.startswith("no platform evidence")
    assert youtube.two_factor == "check: not verified" and youtube.two_factor_state == "unknown"
    assert [c.label for c in view.cards if c.inventory] == ["meta northwindoutfitters"]
    assert view.cards[0].inventory and not view.cards[-1].inventory


def test_without_estate_every_card_counts_as_inventory() -> None:
    cards = build_view(F.make_run()).cards
    assert all(c.inventory for c in cards) and [c.kind for c in cards][-1] == "domain"


def test_filters_offer_present_values() -> None:
    view = build_view(F.make_run())
    assert view.filters.severities == ("critical", "high", "medium", "low")
    assert view.filters.statuses == ("fail", "not_verified", "muted", "pass")
    assert view.filters.platforms == ("domain", "meta", "source", "x", "youtube")
    assert "content" in view.filters.categories


def test_fact_links_only_for_http() -> None:
    view = build_view(F.make_run())
    scam = next(r for r in view.rows if r.check_id == "content.scam-pattern")
    links = {f.key: f.href for f in scam.facts}
    assert links == {"post_text": None, "link": None, "url": "https://x.example/p/1"}


def test_structural_unknowns_are_left_out_of_the_score() -> None:
    from auditor.core.scoring import is_structural

    platform_limit = F.finding(
        "access.single-admin",
        F.X_MAIN,
        Status.NOT_VERIFIED,
        facts={"completeness": "not exposed by x"},
    )
    read_failed = F.finding(
        "access.single-admin", F.X_MAIN, Status.NOT_VERIFIED, facts={"completeness": "unknown: 503"}
    )
    assert is_structural(platform_limit) and not is_structural(read_failed)
    assert risk_score([platform_limit], 1) == 0.0
    assert risk_score([read_failed], 1) > 0.0


def test_scoped_runs_are_left_out_of_the_trend_and_same_day_bars_carry_the_time() -> None:
    from dataclasses import replace as swap

    history = list(F.history(3))
    history[1] = swap(history[1], scope=("domain",))
    view = build_view(F.make_run(), history)
    assert [b.run_id for b in view.trend.bars] == [
        history[0].run_id,
        history[2].run_id,
        F.make_run().id,
    ]
    assert view.trend.scoped_hidden == 1


def test_last_change_names_a_change_of_the_account_never_an_unrelated_check() -> None:
    weak = F.finding(
        "auth.password-weak", F.X_MAIN, first_seen=F.NOW - timedelta(hours=1), change=Change.NEW
    )
    changed = F.finding(
        "content.profile-changed",
        F.X_MAIN,
        subject="bio",
        detail="bio changed from 'Official' to 'Giveaway'",
        first_seen=F.NOW - timedelta(hours=5),
    )
    card = next(c for c in build_view(F.make_run([weak, changed])).cards if c.platform == "x")
    assert card.last_change.endswith("bio changed from 'Official' to 'Giveaway'")
    alone = next(c for c in build_view(F.make_run([weak])).cards if c.platform == "x")
    assert alone.last_change == ""
