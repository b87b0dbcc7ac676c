"""Incidents: which open results are a takeover in progress, and what the banner says."""

from __future__ import annotations

from auditor.core.models import Status
from reports import build_view
from reports.incidents import incidents_of
from tests.reports import factories as F


def test_only_takeover_signals_that_are_open_fails_are_incidents() -> None:
    admin = F.finding("access.new-admin", F.X_MAIN, subject="eve", facts={"full_admin": True})
    editor = F.finding("access.new-admin", F.X_DEALS, subject="ed", facts={"full_admin": False})
    scam = F.finding("content.scam-pattern", F.X_MAIN, subject="1800")
    muted = F.finding(
        "content.embargo-leak",
        F.X_MAIN,
        subject="1801",
        mute=F.mute_for("content.embargo-leak", F.X_MAIN, "1801"),
    )
    unread = F.finding("ownership.identity-mismatch", F.X_DEALS, Status.NOT_VERIFIED)
    found = incidents_of(F.make_run([admin, editor, scam, muted, unread]))
    assert sorted(i.check_id for i in found) == ["access.new-admin", "content.scam-pattern"]
    scam_incident = next(i for i in found if i.check_id == "content.scam-pattern")
    assert scam_incident.account == "x northwind" and scam_incident.since.endswith("UTC")
    assert scam_incident.first_action.startswith("Delete the post")


def test_a_profile_link_change_is_an_incident_only_when_the_new_link_is_risky() -> None:
    link = F.finding("content.profile-changed", F.X_MAIN, subject="link")
    bio = F.finding("content.profile-changed", F.X_MAIN, subject="bio")
    assert incidents_of(F.make_run([link, bio])) == ()
    risky = F.finding("content.suspicious-link", F.X_MAIN, subject="profile")
    found = incidents_of(F.make_run([link, bio, risky]))
    assert [(i.check_id, i.what) for i in found] == [
        ("content.profile-changed", "Profile link rewritten to a risky domain")
    ]


def test_incident_checks_lead_the_top_actions() -> None:
    view = build_view(F.make_run())
    assert view.incidents.total >= 1
    assert view.actions[0].check_id == view.incidents[0].check_id
