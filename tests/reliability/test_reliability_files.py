"""Modes of everything the tool creates under umask 000 (bench item 7)."""

from __future__ import annotations

from bench.reliability_files import files


def test_created_files_are_0600_and_folders_0700() -> None:
    tally = files(accounts=4)
    assert tally.tried > 15
    assert tally.failures == []
