"""Tests for the profile and post-history content checks: profile-changed, verification-lost,
unapproved-post, posts-deleted and posting-burst."""

from __future__ import annotations

from dataclasses import replace

import content_factories as cf
from factories import NOW, run, with_policy

from auditor.core.evidence import AccountState
from auditor.core.models import Severity, Status
from auditor.core.registry import build_registry
from checks import content
from checks.content.profile import PROFILE_FIELDS


def by_subject(outcomes):
    return {o.subject: o for o in outcomes}


# ---------------------------------------------------------------- catalog


def test_content_checks_are_registered_in_catalog_order():
    ids = [spec.id for spec in build_registry(content.CHECKS).specs]
    assert ids == [
        "content.profile-changed",
        "content.verification-lost",
        "content.unapproved-post",
        "content.suspicious-link",
        "content.scam-pattern",
        "content.embargo-leak",
        "content.pii-exposed",
        "content.posts-deleted",
        "content.posting-burst",
    ]
    assert build_registry(content.CHECKS).get("content.scam-pattern").severity is Severity.CRITICAL


# ---------------------------------------------------------------- profile-changed


def test_profile_changed_fail_on_hijacked_bio_and_link_against_baseline():
    hijacked = cf.profile(
        bio="🚀 BTC giveaway live now", link="https://northwind-giveaway.example/claim"
    )
    ctx = cf.ctx(cf.account(profile_=hijacked), baselines={cf.KEY: cf.baseline(cf.profile())})
    results = by_subject(run(content.profile_changed, ctx))
    assert results["bio"].status is Status.FAIL
    assert "Gear for every trail" in results["bio"].detail
    assert "BTC giveaway" in results["bio"].detail
    assert "baseline accepted by alice.ng@northwind.example" in results["bio"].detail
    assert results["link"].status is Status.FAIL
    assert results["link"].evidence.facts["new"] == "'https://northwind-giveaway.example/claim'"
    assert results["display_name"].status is Status.PASS
    assert set(results) == set(PROFILE_FIELDS)


def test_profile_changed_fail_against_previous_run_when_no_baseline():
    before = cf.account(profile_=cf.profile(avatar_hash="sha256:old"))
    ctx = cf.ctx(cf.account(), previous_=cf.previous(before))
    result = by_subject(run(content.profile_changed, ctx))["avatar_hash"]
    assert result.status is Status.FAIL
    assert "previous run" in result.detail
    assert result.evidence.facts["reference"] == "previous"


def test_profile_changed_fail_on_extra_links_added():
    now = cf.profile(extra_links=("https://northwind.example", "https://evil.example"))
    ctx = cf.ctx(
        cf.account(profile_=now),
        baselines={cf.KEY: cf.baseline(cf.profile(extra_links=("https://northwind.example",)))},
    )
    assert by_subject(run(content.profile_changed, ctx))["extra_links"].status is Status.FAIL


def test_profile_changed_fail_outside_the_change_window():
    later = cf.window(["bio"], starts_days=1, ends_days=3)
    ctx = cf.ctx(
        cf.account(profile_=cf.profile(bio="Winter campaign!")),
        baselines={cf.KEY: cf.baseline(cf.profile())},
        windows=[later],
    )
    assert by_subject(run(content.profile_changed, ctx))["bio"].status is Status.FAIL


def test_profile_changed_pass_when_unchanged():
    ctx = cf.ctx(cf.account(), baselines={cf.KEY: cf.baseline(cf.profile())})
    results = run(content.profile_changed, ctx)
    assert {o.status for o in results} == {Status.PASS}
    assert len(results) == len(PROFILE_FIELDS)


def test_profile_changed_pass_inside_planned_change_window():
    ctx = cf.ctx(
        cf.account(profile_=cf.profile(bio="Winter campaign!", banner_hash="sha256:winter")),
        baselines={cf.KEY: cf.baseline(cf.profile())},
        windows=[cf.window(["bio"])],
    )
    results = by_subject(run(content.profile_changed, ctx))
    assert results["bio"].status is Status.PASS
    assert "planned change window" in results["bio"].detail
    assert results["banner_hash"].status is Status.FAIL  # not listed in the window


def test_profile_changed_not_verified_without_baseline_or_previous():
    results = run(content.profile_changed, cf.ctx(cf.account()))
    assert [(o.subject, o.status) for o in results] == [("", Status.NOT_VERIFIED)]
    assert "no baseline accepted" in results[0].detail


def test_profile_changed_not_verified_per_field_when_profile_unread_or_account_unknown():
    base = {cf.KEY: cf.baseline(cf.profile())}
    unread = replace(cf.account(), profile=None)
    for ev in (unread, cf.account(state=AccountState.UNKNOWN)):
        results = run(content.profile_changed, cf.ctx(ev, baselines=base))
        assert {o.status for o in results} == {Status.NOT_VERIFIED}
        assert {o.subject for o in results} == set(PROFILE_FIELDS)
    missing = run(content.profile_changed, cf.ctx(baselines=base))
    assert {o.status for o in missing} == {Status.NOT_VERIFIED}
    assert "no x evidence" in missing[0].detail


def test_profile_changed_not_verified_for_a_field_no_longer_exposed():
    ctx = cf.ctx(
        cf.account(profile_=cf.profile(location=None)),
        baselines={cf.KEY: cf.baseline(cf.profile())},
    )
    assert by_subject(run(content.profile_changed, ctx))["location"].status is Status.NOT_VERIFIED


def test_profile_changed_detail_escapes_bidi_and_masks_pii():
    bio = "Call \u202emy cell +1 415 555 0142\u202c now"
    ctx = cf.ctx(
        cf.account(profile_=cf.profile(bio=bio)), baselines={cf.KEY: cf.baseline(cf.profile())}
    )
    result = by_subject(run(content.profile_changed, ctx))["bio"]
    assert "\u202e" not in result.detail and "hidden characters: \\u202e" in result.detail
    assert "415 555 0142" not in result.detail and "0142" in result.detail
    assert "415 555 0142" not in str(result.evidence.facts)


# ---------------------------------------------------------------- verification-lost


def test_verification_lost_fail_when_badge_removed():
    now = cf.profile(verified=False, verified_type=None)
    ctx = cf.ctx(cf.account(profile_=now), baselines={cf.KEY: cf.baseline(cf.profile())})
    result = run(content.verification_lost, ctx)[0]
    assert result.status is Status.FAIL
    assert "business to none" in result.detail


def test_verification_lost_fail_when_type_changed_to_none_against_previous_run():
    now = cf.profile(verified=True, verified_type="none")
    ctx = cf.ctx(cf.account(profile_=now), previous_=cf.previous(cf.account()))
    assert run(content.verification_lost, ctx)[0].status is Status.FAIL


def test_verification_lost_pass_when_still_verified():
    ctx = cf.ctx(cf.account(), baselines={cf.KEY: cf.baseline(cf.profile())})
    result = run(content.verification_lost, ctx)[0]
    assert result.status is Status.PASS
    assert "business" in result.detail


def test_verification_lost_pass_when_never_verified():
    never = cf.profile(verified=False, verified_type=None)
    ctx = cf.ctx(cf.account(profile_=never), baselines={cf.KEY: cf.baseline(never)})
    assert run(content.verification_lost, ctx)[0].status is Status.PASS


def test_verification_lost_not_verified_when_platform_does_not_say():
    ctx = cf.ctx(
        cf.account(profile_=cf.profile(verified=None)),
        baselines={cf.KEY: cf.baseline(cf.profile())},
    )
    assert run(content.verification_lost, ctx)[0].status is Status.NOT_VERIFIED


def test_verification_lost_not_verified_when_unverified_and_no_reference():
    ctx = cf.ctx(cf.account(profile_=cf.profile(verified=False)))
    assert run(content.verification_lost, ctx)[0].status is Status.NOT_VERIFIED


# ---------------------------------------------------------------- unapproved-post


def test_unapproved_post_fail_for_unregistered_post():
    posts = (cf.post("1", "Approved text"), cf.post("2", "Surprise post nobody approved"))
    ctx = cf.ctx(cf.account(posts=posts), register_=cf.register(cf.entry(post_id="1")))
    results = run(content.unapproved_post, ctx)
    assert [(o.subject, o.status) for o in results] == [("2", Status.FAIL)]
    assert "Surprise post" in results[0].detail


def test_unapproved_post_fail_masks_pii_in_the_quoted_text():
    posts = (cf.post("9", "@kim call me at +1 212 555 0123", is_reply=True),)
    ctx = cf.ctx(cf.account(posts=posts), register_=cf.register())
    result = run(content.unapproved_post, ctx)[0]
    assert result.status is Status.FAIL
    assert "212 555 0123" not in result.detail


def test_unapproved_post_pass_by_id_text_or_app():
    posts = (
        cf.post("1", "by id"),
        cf.post("2", "  Winter  SALE is ON\u200b https://t.co/abc"),
        cf.post("3", "scheduled", source_app="Sprout Social"),
    )
    ctx = cf.ctx(
        cf.account(posts=posts),
        register_=cf.register(cf.entry(post_id="1"), cf.entry(text="winter sale is on")),
        policy=with_policy(approved_apps=("Sprout Social",)),
    )
    results = run(content.unapproved_post, ctx)
    assert [(o.subject, o.status) for o in results] == [("", Status.PASS)]


def test_unapproved_post_pass_ignores_other_accounts_entries():
    ctx = cf.ctx(
        cf.account(posts=(cf.post("1"),)),
        register_=cf.register(cf.entry(post_id="1", handle="northwind_deals")),
    )
    assert run(content.unapproved_post, ctx)[0].status is Status.FAIL


def test_unapproved_post_not_verified_without_register_or_posts():
    no_register = run(content.unapproved_post, cf.ctx(cf.account(posts=(cf.post("1"),))))
    assert [o.status for o in no_register] == [Status.NOT_VERIFIED]
    assert "register" in no_register[0].detail
    no_posts = run(content.unapproved_post, cf.ctx(cf.account(posts=None), register_=cf.register()))
    assert [o.status for o in no_posts] == [Status.NOT_VERIFIED]
    gone = cf.account(posts=None, state=AccountState.SUSPENDED)
    assert run(content.unapproved_post, cf.ctx(gone, register_=cf.register()))[0].status is (
        Status.NOT_VERIFIED
    )


# ---------------------------------------------------------------- posts-deleted


def test_posts_deleted_fail_for_post_gone_since_previous_run():
    before = cf.account(posts=(cf.post("1", hours_ago=30), cf.post("2", "oops", hours_ago=50)))
    ctx = cf.ctx(cf.account(posts=(cf.post("1", hours_ago=30),)), previous_=cf.previous(before))
    results = run(content.posts_deleted, ctx)
    assert [(o.subject, o.status) for o in results] == [("2", Status.FAIL)]
    assert "oops" in results[0].detail


def test_posts_deleted_pass_when_gone_post_fell_out_of_the_window():
    old = cf.post("old", hours_ago=24 * 20)
    before = cf.account(posts=(cf.post("1"), old))
    ctx = cf.ctx(cf.account(posts=(cf.post("1"),)), previous_=cf.previous(before))
    results = run(content.posts_deleted, ctx)
    assert [(o.subject, o.status) for o in results] == [("", Status.PASS)]


def test_posts_deleted_not_verified_without_previous_run():
    results = run(content.posts_deleted, cf.ctx(cf.account(posts=(cf.post("1"),))))
    assert [o.status for o in results] == [Status.NOT_VERIFIED]
    unread_before = cf.previous(cf.account(posts=None))
    results = run(content.posts_deleted, cf.ctx(cf.account(), previous_=unread_before))
    assert [o.status for o in results] == [Status.NOT_VERIFIED]


# ---------------------------------------------------------------- posting-burst


def _steady(days: int = 13, per_day: int = 1) -> tuple:
    return tuple(
        cf.post(f"h{d}-{i}", hours_ago=24 * (d + 1) + i)
        for d in range(days)
        for i in range(per_day)
    )


def test_posting_burst_fail_when_window_far_above_usual():
    burst = tuple(cf.post(f"b{i}", "claim now", hours_ago=0.5 + i) for i in range(8))
    ctx = cf.ctx(cf.account(posts=burst + _steady()))
    result = run(content.posting_burst, ctx)[0]
    assert result.status is Status.FAIL
    assert result.evidence.facts["recent"] == 8
    assert "8 posts in the last 24 h" in result.detail


def test_posting_burst_uses_previous_run_history():
    burst = tuple(cf.post(f"b{i}", hours_ago=0.5 + i) for i in range(6))
    ctx = cf.ctx(cf.account(posts=burst), previous_=cf.previous(cf.account(posts=_steady())))
    assert run(content.posting_burst, ctx)[0].status is Status.FAIL


def test_posting_burst_pass_at_usual_rate():
    today = (cf.post("t1"), cf.post("t2", hours_ago=5))
    ctx = cf.ctx(cf.account(posts=today + _steady(per_day=2)))
    assert run(content.posting_burst, ctx)[0].status is Status.PASS


def test_posting_burst_pass_respects_policy_factor():
    burst = tuple(cf.post(f"b{i}", hours_ago=0.5 + i) for i in range(8))
    ctx = cf.ctx(cf.account(posts=burst + _steady()), policy=with_policy(posting_burst_factor=10))
    assert run(content.posting_burst, ctx)[0].status is Status.PASS


def test_posting_burst_not_verified_with_too_little_history():
    ctx = cf.ctx(cf.account(posts=(cf.post("1"), cf.post("2", hours_ago=30))))
    result = run(content.posting_burst, ctx)[0]
    assert result.status is Status.NOT_VERIFIED
    assert "too little history" in result.detail
    assert run(content.posting_burst, cf.ctx(cf.account(posts=None)))[0].status is (
        Status.NOT_VERIFIED
    )


def test_content_checks_use_ctx_now_not_wall_clock():
    later = NOW.replace(year=2030)
    ctx = cf.ctx(cf.account(posts=_steady()), now=later)
    result = run(content.posting_burst, ctx)[0]
    assert result.status is Status.NOT_VERIFIED  # every post is outside the 2030 window


def test_verification_lost_fail_when_business_badge_becomes_blue():
    ctx = cf.ctx(
        cf.account(profile_=cf.profile(verified_type="blue")),
        baselines={cf.KEY: cf.baseline(cf.profile())},
    )
    result = run(content.verification_lost, ctx)[0]
    assert result.status is Status.FAIL
    assert result.evidence.facts == {"badge": "blue", "before": "business", "reference": "baseline"}


def test_unapproved_post_matches_register_handle_with_at_sign_and_case():
    ctx = cf.ctx(
        cf.account(posts=(cf.post("1"),)),
        register_=cf.register(cf.entry(post_id="1", handle="@NorthWind", platform="X")),
    )
    assert run(content.unapproved_post, ctx)[0].status is Status.PASS


def test_posts_deleted_not_verified_when_account_unreadable_now():
    before = cf.account(posts=(cf.post("1"),))
    ctx = cf.ctx(cf.account(state=AccountState.UNKNOWN), previous_=cf.previous(before))
    result = run(content.posts_deleted, ctx)[0]
    assert result.status is Status.NOT_VERIFIED
    assert "the account is unknown" in result.detail
