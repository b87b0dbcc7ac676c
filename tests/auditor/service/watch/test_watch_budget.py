"""Budgets: never above the published limit, the interval stretches when the budget is tight,
and the service never spends more than the budget in any 15 minutes; the watch list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from auditor.config.loading import load_config
from auditor.config.schema import PUBLISHED_LIMITS_15MIN
from auditor.core.completeness import SourceStatus
from auditor.core.errors import ConfigError
from auditor.core.estate import AccountSpec
from auditor.core.models import AuditRun, SourceReport
from auditor.service.watch.budget import (
    WINDOW_S,
    RequestLedger,
    default_budget,
    plan_watch,
)
from auditor.service.watch.inbox import Inbox, Pending
from auditor.service.watch.scope import watched_accounts
from auditor.service.watch.service import WatchService
from auditor.store.database import Store

NOW = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


def x_accounts(n: int) -> list[AccountSpec]:
    return [AccountSpec(platform="x", handle=f"brand{i}") for i in range(n)]


def test_the_default_budget_is_half_the_published_limit() -> None:
    for platform, limit in PUBLISHED_LIMITS_15MIN.items():
        assert default_budget(platform) == limit // 2


def test_the_interval_stretches_to_fit_the_budget_and_says_so() -> None:
    plan = plan_watch(x_accounts(20), {}, interval_s=60, safety_poll_s=900)["x"]
    assert (plan.budget, plan.published, plan.per_poll) == (150, 300, 60)
    assert plan.interval_s == pytest.approx(WINDOW_S * 60 / 150)  # 360 s
    assert plan.stretched
    assert "every 360 s (asked 60 s: stretched to fit the budget)" in plan.describe()
    roomy = plan_watch(x_accounts(2), {"x": 300}, interval_s=60, safety_poll_s=900)["x"]
    assert roomy.interval_s == 60 and not roomy.stretched
    measured = roomy.measured(5.0)
    assert measured.per_account == 5 and measured.per_poll == 10


def test_pushed_platforms_get_the_safety_poll() -> None:
    plan = plan_watch([AccountSpec(platform="instagram", handle="brand")], {}, 60, 900)["meta"]
    assert plan.pushed and plan.interval_s == 900


def test_the_ledger_slides_over_15_minutes() -> None:
    ledger = RequestLedger({"x": 10})
    ledger.charge("x", 6, 0.0)
    ledger.charge("x", 4, 100.0)
    assert not ledger.has_room("x", 1, 200.0)
    assert ledger.room_at("x", 5, 200.0) == WINDOW_S  # once the first charge leaves the window
    assert ledger.room_at("x", 1, 5000.0) == 5000.0
    assert ledger.spent("x", 200.0) == 10  # asking about a later moment forgot nothing
    assert ledger.has_room("x", 6, WINDOW_S + 0.1)


def test_the_service_never_spends_more_than_the_budget_in_any_window(tmp_path: Path) -> None:
    """A fake clock and a fake audit that spends 1 or 4 requests per X account read; polls for
    two hours: every 15-minute window stays within the budget."""
    db = tmp_path / "audit.db"
    Store(db).close()
    clock = [0.0]
    spent: list[tuple[float, int]] = []

    def fake_audit(due: frozenset[str]) -> AuditRun:
        # most polls are cheap (304s), every third one is not: the plan must not shrink
        cost = (4 if len(spent) % 3 == 0 else 1) * len(due)
        spent.append((clock[0], cost))
        report = SourceReport(
            name="x", status=SourceStatus.COMPLETE, observed_at=NOW, requests=cost
        )
        return AuditRun(
            id=f"run-{len(spent)}",
            started_at=NOW,
            finished_at=NOW,
            tool_version="t",
            config_digest="d",
            estate_name="e",
            assets=(),
            findings=(),
            sources=(report,),
        )

    accounts = x_accounts(20)
    plans = plan_watch(accounts, {"x": 100}, interval_s=30, safety_poll_s=900)
    with Inbox(db) as inbox:
        service = WatchService(
            watched=accounts, plans=plans, inbox=inbox, audit_fn=fake_audit, clock=lambda: clock[0]
        )
        while clock[0] < 7200:
            service.step()
            service.next_wake(clock[0])  # asks about later moments: must not forget charges
            clock[0] += 5.0
    assert spent, "nothing ran"
    for start, _ in spent:
        window = sum(n for at, n in spent if start <= at < start + WINDOW_S)
        assert window <= 100
    assert service.plans["x"].per_account == 4
    assert len(spent) >= 7200 / WINDOW_S * 100 / (4 * 20)  # and it uses what it may


def write(tmp_path: Path, watch: dict[str, object]) -> Path:
    data = {
        "organization": {"name": "Acme", "email_domains": ["acme.example"]},
        "accounts": [
            {"platform": "x", "handle": "acme", "tags": ["flagship"]},
            {"platform": "github", "handle": "acme-labs"},
            {"platform": "mastodon", "handle": "acme@social.example", "tags": ["flagship"]},
        ],
        "watch": watch,
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_budget_above_the_published_limit_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, {"all": True, "budgets": {"x": 301}}))
    assert "watch.budgets" in str(caught.value) and "300" in str(caught.value)
    with pytest.raises(ConfigError, match="unknown platform"):
        load_config(write(tmp_path, {"all": True, "budgets": {"myspace": 5}}))


def test_the_watch_list_by_accounts_tags_or_all(tmp_path: Path) -> None:
    keys = lambda c: [a.asset.key for a in watched_accounts(c)]  # noqa: E731
    assert keys(load_config(write(tmp_path, {"all": True}))) == [
        "account:x:acme",
        "account:github:acme-labs",
        "account:mastodon:acme@social.example",
    ]
    assert keys(
        load_config(write(tmp_path, {"accounts": ["github:acme-labs"], "tags": ["flagship"]}))
    ) == ["account:github:acme-labs", "account:x:acme", "account:mastodon:acme@social.example"]
    with pytest.raises(ConfigError) as caught:
        watched_accounts(load_config(write(tmp_path, {"accounts": ["x:nobody"]})))
    assert "watch.accounts.0" in str(caught.value)
    with pytest.raises(ConfigError, match="at least one account"):
        watched_accounts(load_config(write(tmp_path, {"tags": ["none"]})))


def test_a_delivery_waiting_for_room_wakes_the_service_when_room_frees(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    Store(db).close()
    org = AccountSpec(platform="github", handle="acme-labs")
    plans = plan_watch([org], {"github": 10}, interval_s=60, safety_poll_s=900)
    with Inbox(db) as inbox:
        service = WatchService(
            watched=[org],
            plans=plans,
            inbox=inbox,
            audit_fn=lambda due: None,  # type: ignore[arg-type,return-value]
            clock=lambda: 1000.0,
        )
        service.last_read[org.asset.key] = 990.0
        service.ledger.charge("github", 10, 200.0)  # the budget is spent until 200 + 900
        pending = [Pending("github", "d1", org.asset.key, "organization.member_added", NOW)]
        assert service.due(1000.0, pending) == frozenset()
        assert service.next_wake(1000.0, pending) == pytest.approx(100.0)  # when room frees
        assert service.next_wake(1000.0) == pytest.approx(890.0)  # safety poll: 990 + 900 - 1000
