"""The tally and the table of the reliability bench."""

from __future__ import annotations

from bench.reliability_tally import MAX_EXAMPLES, Tally, details, table


def test_tally_counts_and_groups_failures() -> None:
    tally = Tally("1 bad input")
    tally.ok()
    for n in range(MAX_EXAMPLES + 3):
        tally.fail("traceback", f"case {n}")
    assert (tally.tried, tally.held, tally.failed) == (MAX_EXAMPLES + 4, 1, MAX_EXAMPLES + 3)
    assert len(tally.failures) == MAX_EXAMPLES
    assert tally.reasons() == {"traceback": MAX_EXAMPLES + 3}
    assert tally.check(True, "x") and not tally.check(False, "other", "y")
    text = table([tally])
    assert text.splitlines()[2].split() == ["1", "bad", "input", "18", "2", "16"]
    assert f"FAILED x{MAX_EXAMPLES + 3}: traceback" in details([tally])
