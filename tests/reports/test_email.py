"""The leadership email: subject with counts, change first, inlined CSS, no script, small."""

from __future__ import annotations

from reports import build_view, render_email
from tests.reports import factories as F


def test_subject_carries_the_counts() -> None:
    mail = render_email(build_view(F.make_run()))
    assert mail.subject == (
        "Northwind <Outfitters> & Co: 4 critical, 1 high open; 3 new; 1 regressed; 1 resolved"
        "; score 51"
    )


def test_html_is_inlined_without_script_or_svg() -> None:
    mail = render_email(build_view(F.make_run(), F.history()))
    lower = mail.html.lower()
    assert "<script" not in lower and "<svg" not in lower and "<iframe" not in lower
    assert "<style" not in lower and 'style="' in lower  # css_inline moved the rules inline
    assert "&lt;script&gt;window.__pwned=1" in mail.html  # hostile bio shown as text
    assert "<img" not in lower and "<a " not in lower  # no markup from fetched text
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;" in mail.html
    assert "Northwind &lt;Outfitters&gt; &amp; Co" in mail.html
    assert "was 13.0" not in mail.html and "was 13" in mail.html


def test_leads_with_change_then_actions() -> None:
    mail = render_email(build_view(F.make_run()))
    html = mail.html
    order = [
        html.index("New critical and high (3)"),
        html.index("Regressed"),
        html.index("Resolved (1)"),
        html.index("About to expire or hiding a critical (1)"),
        html.index("Top actions"),
    ]
    assert order == sorted(order)


def test_text_alternative() -> None:
    text = render_email(build_view(F.make_run())).text
    assert text.startswith("Northwind <Outfitters> & Co: 4 critical")
    assert "NEW CRITICAL AND HIGH (3)" in text and "REGRESSED (1)" in text
    assert "ACCEPTED RISKS ABOUT TO EXPIRE OR HIDING A CRITICAL (1)" in text
    assert "TOP ACTIONS" in text
    assert "1. [critical] Scam pattern in a post" in text
    assert "&lt;" not in text and "&amp;" not in text  # plain text is not HTML-escaped
    for line in text.splitlines():  # hostile text cannot start its own line
        assert not line.startswith("<")


def test_large_estate_email_stays_under_100_kb() -> None:
    mail = render_email(build_view(F.large_run(10_000)))
    assert len(mail.html.encode()) + len(mail.text.encode()) < 100_000
    assert "more in the attached report" in mail.html


def test_quiet_first_run() -> None:
    mail = render_email(build_view(F.make_run([], previous_run_id=None)))
    assert "First audit of this estate" in mail.text and "First audit" in mail.html
    assert "None since the last run." in mail.html and "No open fails." in mail.text
    assert mail.subject.endswith("0 critical, 0 high open; 0 new; 0 resolved; score 0")


def test_email_html_names_new_critical_and_high() -> None:
    assert "New critical and high" in render_email(build_view(F.make_run())).html


def test_counts_active_mutes_and_lists_one_hiding_a_critical_far_from_expiry() -> None:
    critical = F.finding(
        "access.departed-admin",
        F.X_MAIN,
        subject="ben@northwind.example",
        mute=F.mute_for("access.departed-admin", F.X_MAIN, "ben@northwind.example", days=90),
    )
    high = F.finding(
        "access.external-admin",
        F.X_MAIN,
        subject="mallory.k@gmail.com",
        mute=F.mute_for("access.external-admin", F.X_MAIN, "mallory.k@gmail.com", days=90),
    )
    view = build_view(F.make_run([critical, high]))
    assert view.active_mutes == 2
    assert [m.hides_critical for m in view.notable_mutes] == [True]  # the high one is quiet
    mail = render_email(view)
    assert "ACCEPTED RISKS: 2 active mute(s)" in mail.text
    assert "hides a CRITICAL" in mail.text and "hides a critical" in mail.html
