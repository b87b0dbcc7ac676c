"""Tests for the text-level content checks: suspicious-link, scam-pattern, embargo-leak and
pii-exposed (fail, pass, not_verified, hostile Unicode and masking)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import content_factories as cf
from factories import NOW, run, with_policy

from auditor.core.evidence import AccountState
from auditor.core.models import Severity, Status
from checks import content

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def fails(outcomes):
    return {o.subject: o for o in outcomes if o.status is Status.FAIL}


# ---------------------------------------------------------------- suspicious-link


def test_suspicious_link_fail_on_lookalike_profile_link_and_post_links():
    posts = (
        cf.post("1", "Sale at https://northw1nd.example/sale"),
        cf.post("2", "Outlet", links=("https://bit.ly/x1",)),
        cf.post("3", "members http://3232235777/login"),
        cf.post("4", "hi", links=("https://xn--nrthwind-ttb.example",)),
    )
    hijacked = cf.profile(link="https://northwind-giveaway.example/claim")
    results = fails(
        run(content.suspicious_link, cf.ctx(cf.account(posts=posts, profile_=hijacked)))
    )
    assert set(results) == {"profile", "1", "2", "3", "4"}
    assert "lookalike of northwind.example" in results["profile"].detail
    assert "link shortener" in results["2"].detail
    assert "raw IP address" in results["3"].detail
    assert "internationalised host" in results["4"].detail


def test_suspicious_link_fail_on_javascript_link_and_userinfo_trick():
    posts = (
        cf.post("1", "click javascript:alert(document.cookie)"),
        cf.post("2", "shop https://northwind-shop.example\\@northwind.example/"),
    )
    results = fails(run(content.suspicious_link, cf.ctx(cf.account(posts=posts))))
    assert "javascript: link" in results["1"].detail
    assert "lookalike" in results["2"].detail


def test_suspicious_link_fail_medium_for_domain_never_linked_before():
    before = cf.account(posts=(cf.post("0", links=("https://news.example/a",)),))
    now = cf.account(posts=(cf.post("1", links=("https://fresh.example/b",)),))
    results = fails(run(content.suspicious_link, cf.ctx(now, previous_=cf.previous(before))))
    assert "never linked by this account before" in results["1"].detail
    assert results["1"].severity is Severity.MEDIUM


def test_suspicious_link_pass_for_allow_listed_and_known_domains():
    before = cf.account(posts=(cf.post("0", links=("https://news.example/a",)),))
    posts = (
        cf.post(
            "1",
            "Shop https://shop.northwindshop.example/x https://t.co/abc",
            links=("https://northwind.example/a",),
        ),
        cf.post("2", "Read https://news.example/b and https://partner.example/c"),
        cf.post("3", "Email support@northwind.example, v2.14.3 out, Node.js rocks"),
    )
    ctx = cf.ctx(
        cf.account(posts=posts),
        previous_=cf.previous(before),
        policy=with_policy(allowed_link_domains=("partner.example",)),
    )
    results = run(content.suspicious_link, ctx)
    assert [(o.subject, o.status) for o in results] == [("", Status.PASS)]


def test_suspicious_link_not_verified_when_posts_unread():
    hijacked = cf.profile(link="https://northw1nd.example")
    results = run(content.suspicious_link, cf.ctx(cf.account(posts=None, profile_=hijacked)))
    assert [(o.subject, o.status) for o in results] == [
        ("profile", Status.FAIL),
        ("", Status.NOT_VERIFIED),
    ]
    unknown = cf.account(posts=None, state=AccountState.UNKNOWN)
    assert [o.status for o in run(content.suspicious_link, cf.ctx(unknown))] == [
        Status.NOT_VERIFIED
    ]


def test_suspicious_link_survives_hostile_urls():
    hostile = (
        "http://[::1",
        "https://",
        "http://%zz%00/",
        "https://exa\u202emple.com",
        "http://" + "a." * 300 + "com",
        "https://northwind.example:99999/",
        "\x00javascript:alert(1)",
        "https://xn--/",
        "https://xn--zz-.example",
    )
    posts = tuple(cf.post(str(i), "x", links=(url,)) for i, url in enumerate(hostile))
    results = run(content.suspicious_link, cf.ctx(cf.account(posts=posts)))
    assert all("\u202e" not in o.detail for o in results)
    assert fails(results)  # javascript: and the unparseable ones are reported


# ---------------------------------------------------------------- scam-pattern


def test_scam_pattern_fail_on_giveaway_with_wallet():
    text = f"🎉 30 years! Send 0.1 BTC to {BTC} and receive 0.2 BTC back!"
    results = fails(run(content.scam_pattern, cf.ctx(cf.account(posts=(cf.post("7", text),)))))
    assert "wallet:btc" in results["7"].detail
    assert {"send-to-receive", "wallet-address"} <= set(results["7"].evidence.facts["rules"])
    assert "send-to-receive" in results["7"].evidence.facts["signals"]
    assert results["7"].evidence.facts["wallets"] == ["bc1qar…5mdq"]


def test_scam_pattern_fail_on_hijacked_bio():
    bio = "Official ETH giveaway: send to 0x742d35Cc6634C0532925a3b844Bc454e4438f44e get 2x back"
    results = fails(run(content.scam_pattern, cf.ctx(cf.account(profile_=cf.profile(bio=bio)))))
    assert set(results) == {"profile"}


def test_scam_pattern_fail_through_homoglyphs_and_zero_width():
    text = "Gіvеаwау! Ѕеnd 0.1 ВТС, rесеіvе 0.2 ВТС bасk. G\u200bI\u200bV\u200bE now"
    right_to_left = "\u202eSend ETH\u202c to 0x742d35Cc6634C0532925a3b844Bc454e4438f44e, get 2x"
    posts = (cf.post("1", text), cf.post("2", right_to_left))
    results = fails(run(content.scam_pattern, cf.ctx(cf.account(posts=posts))))
    assert set(results) == {"1", "2"}
    assert "\u202e" not in results["2"].detail


def test_scam_pattern_pass_on_crypto_news_and_sales():
    posts = (
        cf.post("1", "Bitcoin passed $100,000 today, according to market data."),
        cf.post("2", "Last chance: 30% off jackets ends tonight https://northwind.example/sale"),
        cf.post("3", "Holiday giveaway! Win a fleece, reply with your favourite trail."),
        cf.post("4", "Scam alert: we never run crypto giveaways or ask you to send money."),
        cf.post("5", f"Invalid checksum {BTC[:-1]}p is just text"),
    )
    results = run(content.scam_pattern, cf.ctx(cf.account(posts=posts)))
    assert [(o.subject, o.status) for o in results] == [("", Status.PASS)]
    assert "5 posts" in results[0].detail


def test_scam_pattern_not_verified_when_posts_unread():
    results = run(content.scam_pattern, cf.ctx(cf.account(posts=None)))
    assert [o.status for o in results] == [Status.NOT_VERIFIED]
    assert [o.status for o in run(content.scam_pattern, cf.ctx())] == [Status.NOT_VERIFIED]


# ---------------------------------------------------------------- embargo-leak


def test_embargo_leak_fail_before_embargo_with_obfuscated_terms():
    posts = (
        cf.post("1", "Sneak peek: the A-u-r-o-r-a x2 is coming"),
        cf.post("2", "#ProjectHalcyon soon"),
        cf.post("3", "The АURОRА\u200b X2 lands soon"),
        cf.post("4", "Aurora borealis tonight"),
    )
    results = fails(
        run(content.embargo_leak, cf.ctx(cf.account(posts=posts), launches=[cf.launch()]))
    )
    assert set(results) == {"1", "2", "3"}
    assert results["1"].evidence.facts["launch"] == "Aurora X2 jacket"
    assert "before its embargo ends" in results["1"].detail


def test_embargo_leak_fail_compares_zones():
    pacific = timezone(timedelta(hours=-8))
    embargo = datetime(2026, 12, 1, 9, 0, tzinfo=pacific)  # 17:00 UTC
    leak = cf.post("1", "Aurora X2 today!")
    leak = type(leak)(id="1", created_at=datetime(2026, 12, 1, 16, 59, tzinfo=UTC), text=leak.text)
    ok = type(leak)(id="2", created_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC), text=leak.text)
    ctx = cf.ctx(
        cf.account(posts=(leak, ok)),
        launches=[cf.launch(until=embargo)],
        now=embargo + timedelta(hours=1),
    )
    results = {o.subject: o.status for o in run(content.embargo_leak, ctx)}
    assert results == {"1": Status.FAIL, "2": Status.PASS}


def test_embargo_leak_pass_after_embargo_and_without_launches():
    after = cf.launch(until=NOW - timedelta(days=1))
    ctx = cf.ctx(cf.account(posts=(cf.post("1", "Aurora X2 is here"),)), launches=[after])
    result = run(content.embargo_leak, ctx)
    assert [(o.subject, o.status) for o in result] == [("1", Status.PASS)]
    assert "after the embargo" in result[0].detail
    plain = run(content.embargo_leak, cf.ctx(cf.account(posts=(cf.post("1"),))))
    assert [o.status for o in plain] == [Status.PASS]
    quiet = run(
        content.embargo_leak, cf.ctx(cf.account(posts=(cf.post("1"),)), launches=[cf.launch()])
    )
    assert [(o.subject, o.status) for o in quiet] == [("", Status.PASS)]


def test_embargo_leak_not_verified_when_posts_unread():
    results = run(content.embargo_leak, cf.ctx(cf.account(posts=None), launches=[cf.launch()]))
    assert [o.status for o in results] == [Status.NOT_VERIFIED]
    unknown = cf.account(state=AccountState.UNKNOWN)
    assert [o.status for o in run(content.embargo_leak, cf.ctx(unknown))] == [Status.NOT_VERIFIED]


# ---------------------------------------------------------------- pii-exposed

RAW = {
    "phone": "(415) 555-0142",
    "email": "jane.doe@gmail.com",
    "card": "4242 4242 4242 4242",
    "iban": "DE89 3704 0044 0532 0130 00",
    "ssn": "078-05-1120",
}


def test_pii_exposed_fail_masks_every_kind():
    posts = (
        cf.post("1", f"@maria we called you at {RAW['phone']}", is_reply=True),
        cf.post("2", f"@jane label sent to {RAW['email']}", is_reply=True),
        cf.post("3", f"@paul card {RAW['card']} was declined", is_reply=True),
        cf.post("4", f"@hans refund to {RAW['iban']}", is_reply=True),
        cf.post("5", f"@joe your SSN {RAW['ssn']} is on the form", is_reply=True),
    )
    results = fails(run(content.pii_exposed, cf.ctx(cf.account(posts=posts))))
    assert set(results) == {"1", "2", "3", "4", "5"}
    assert "+1 *** *** 0142" in results["1"].detail
    assert "***-**-1120" in results["5"].detail
    assert "j***@g***.com" in results["2"].detail
    assert "**** **** **** 4242" in results["3"].detail
    assert "DE** **** **** 3000" in results["4"].detail
    assert results["1"].detail.startswith("reply 1 of")
    for outcome in results.values():
        blob = outcome.detail + repr(outcome.evidence.facts)
        for raw in RAW.values():
            assert raw not in blob
            assert raw.replace(" ", "") not in blob.replace(" ", "")


def test_pii_exposed_fail_through_zero_width_and_fullwidth():
    posts = (
        cf.post("1", "call +1 415 555\u200b 0156 now"),
        cf.post("2", "ｊａｍｅｓ．ｒｏｂ＠ｇｍａｉｌ．ｃｏｍ is the email"),
    )
    results = fails(run(content.pii_exposed, cf.ctx(cf.account(posts=posts))))
    assert set(results) == {"1", "2"}


def test_pii_exposed_pass_for_published_contacts_and_lookalike_numbers():
    posts = (
        cf.post("1", "Call +1 415 555 0100 or write to support@northwind.example"),
        cf.post("2", "Order #4155550142 shipped, tracking 1Z999AA10123456784"),
        cf.post("3", "Product code 4242 4242 4242 4241, app v4.12.3, $1,299.99"),
        cf.post("4", "Invoice INV-2026-004417 and batch DE89 3704 0044 0532 0130 01"),
    )
    results = run(content.pii_exposed, cf.ctx(cf.account(posts=posts)))
    assert [(o.subject, o.status) for o in results] == [("", Status.PASS)]


def test_pii_exposed_not_verified_when_posts_unread():
    results = run(content.pii_exposed, cf.ctx(cf.account(posts=None)))
    assert [o.status for o in results] == [Status.NOT_VERIFIED]
    suspended = cf.account(state=AccountState.SUSPENDED)
    assert [o.status for o in run(content.pii_exposed, cf.ctx(suspended))] == [Status.NOT_VERIFIED]


def test_pii_exposed_not_verified_when_profile_unread_but_posts_still_judged():
    ev = replace(cf.account(posts=(cf.post("1", "@x call me at (415) 555-0142"),)), profile=None)
    results = run(content.pii_exposed, cf.ctx(ev))
    assert [(o.subject, o.status) for o in results] == [
        ("1", Status.FAIL),
        ("", Status.NOT_VERIFIED),
    ]
    assert "profile was not read" in results[1].detail


def test_pii_exposed_in_profile_bio():
    bio = "DM Carla at carla.personal@yahoo.com"
    results = fails(run(content.pii_exposed, cf.ctx(cf.account(profile_=cf.profile(bio=bio)))))
    assert set(results) == {"profile"}
    assert "carla.personal" not in results["profile"].detail


def test_suspicious_link_ignores_mail_and_phone_links_and_masks_pii_in_urls():
    posts = (
        cf.post("1", "write us", links=("mailto:support@northwind.example", "tel:+14155550100")),
        cf.post("2", "https://bit.ly/x?phone=%2B12125550123 call +1 212 555 0123"),
    )
    results = run(content.suspicious_link, cf.ctx(cf.account(posts=posts)))
    assert [(o.subject, o.status) for o in results] == [("2", Status.FAIL)]
    assert "212 555 0123" not in results[0].detail


def test_embargo_leak_fail_in_profile_bio_and_with_naive_times():
    naive = NOW.replace(tzinfo=None) - timedelta(hours=1)
    leak = replace(cf.post("1", "Project Halcyon!"), created_at=naive)
    bio = cf.profile(bio="Soon: Aurora X2")
    ctx = cf.ctx(cf.account(posts=(leak,), profile_=bio), launches=[cf.launch()])
    assert set(fails(run(content.embargo_leak, ctx))) == {"1", "profile"}


def test_embargo_leak_facts_and_detail_never_carry_bidi_controls():
    term = "Halc\u202eyon"
    ctx = cf.ctx(
        cf.account(posts=(cf.post("1", "halcyon soon"),)),
        launches=[cf.launch(name="Sec\u202eret", terms=(term,))],
    )
    result = fails(run(content.embargo_leak, ctx))["1"]
    assert "\u202e" not in result.detail
    assert "\u202e" not in str(result.evidence.facts["terms"]) + str(
        result.evidence.facts["launch"]
    )
