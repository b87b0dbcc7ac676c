"""The store under SIGKILL and concurrent runs (a small bench items 3 and 4)."""

from __future__ import annotations

from bench.reliability_store import concurrency, crashes


def test_killed_runs_leave_the_store_intact() -> None:
    tally = crashes(2, accounts=8)
    assert tally.tried == 4
    assert tally.failures == []


def test_scheduled_and_manual_run_at_once() -> None:
    tally = concurrency(1, accounts=8)
    assert tally.tried == 1
    assert tally.failures == []
