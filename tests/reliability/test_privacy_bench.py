"""The privacy bench, small: one demo on a planted world, every byte scanned, then forget."""

from __future__ import annotations

from bench.privacy import run


def test_no_marker_in_clear_and_nothing_of_the_customer_after_forget() -> None:
    before, after = run(quick=True)
    assert before.clear == {}
    # findings cite the planted data masked: the reports and the store hold masked forms
    assert any(name.endswith("report.json") for name in before.masked)
    assert any(name.endswith(".db") for name in before.digests)
    assert (after.clear, after.masked, after.digests) == ({}, {}, {})
