"""Planted secret markers reach no report, mail, store byte, log or stream (bench item 5)."""

from __future__ import annotations

from bench.reliability_secrets import forms, markers, secrets


def test_markers_and_derived_forms_are_distinct() -> None:
    planted = markers()
    assert len(set(planted.values())) == len(planted)
    assert len(forms(planted["vault0"])) == 5


def test_no_secret_leaves_the_process() -> None:
    tally = secrets(accounts=4)
    assert tally.tried > 20
    assert tally.failures == []
