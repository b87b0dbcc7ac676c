"""Applying mutes: active mutes mute fail/not_verified results, expired ones reopen them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from auditor.core.errors import UserError
from auditor.core.models import (
    Asset,
    Category,
    Change,
    EvidenceRef,
    Finding,
    Mute,
    Severity,
    Status,
)
from auditor.engine.mutes import apply_mutes, new_mute

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def finding(fp: str, status: Status) -> Finding:
    return Finding(
        check_id="auth.password-weak",
        category=Category.AUTH,
        severity=Severity.HIGH,
        status=status,
        asset=Asset.account("x", "acme"),
        subject=fp,
        title="Weak password",
        detail="Score 1.",
        evidence=EvidenceRef("vault", NOW),
        remediation="Rotate it.",
        fingerprint=fp,
        first_seen=NOW,
        change=Change.NEW,
    )


def mute(fp: str, days: int) -> Mute:
    return Mute(fp, "accepted", "ciso", NOW + timedelta(days=days), NOW - timedelta(days=10))


def test_active_mute_mutes_fail_and_not_verified_keeping_the_original_status():
    results = apply_mutes(
        [finding("a", Status.FAIL), finding("b", Status.NOT_VERIFIED)],
        {"a": mute("a", 5), "b": mute("b", 5)},
        NOW,
    )
    assert [(f.status, f.muted_status) for f in results] == [
        (Status.MUTED, Status.FAIL),
        (Status.MUTED, Status.NOT_VERIFIED),
    ]
    assert results[0].mute == mute("a", 5)
    assert results[0].effective_status is Status.FAIL


def test_expired_mute_reopens_and_carries_the_mute():
    (result,) = apply_mutes([finding("a", Status.FAIL)], {"a": mute("a", -1)}, NOW)
    assert result.status is Status.FAIL
    assert result.muted_status is None
    assert result.mute == mute("a", -1)


def test_pass_results_and_unmuted_fingerprints_are_untouched():
    passing, other = finding("a", Status.PASS), finding("c", Status.FAIL)
    assert apply_mutes([passing, other], {"a": mute("a", 5)}, NOW) == (passing, other)


def test_new_mute_lasts_through_the_expiry_day():
    created = new_mute("a", reason=" ok ", owner="ciso", expires_on=date(2026, 11, 20), now=NOW)
    assert created.expires == datetime(2026, 11, 21, tzinfo=UTC)
    assert created.reason == "ok"
    assert created.active(NOW)
    assert not created.active(datetime(2026, 11, 21, tzinfo=UTC))


@pytest.mark.parametrize(
    ("reason", "owner", "expires", "flag"),
    [
        ("", "ciso", date(2026, 12, 1), "--reason"),
        ("ok", "  ", date(2026, 12, 1), "--owner"),
        ("ok", "ciso", date(2026, 11, 19), "--expires"),
    ],
)
def test_new_mute_rejects_bad_input(reason, owner, expires, flag):
    with pytest.raises(UserError, match=flag):
        new_mute("a", reason=reason, owner=owner, expires_on=expires, now=NOW)
