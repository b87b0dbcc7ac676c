"""Modes of everything the tool creates under umask 000 (bench item 7)."""

from __future__ import annotations

import stat
from pathlib import Path

from auditor.store.database import Store
from bench.reliability_files import files, umask


def test_created_files_are_0600_and_folders_0700() -> None:
    tally = files(accounts=4)
    assert tally.tried > 15
    assert tally.failures == []


def test_store_parent_folders_are_0700(tmp_path: Path) -> None:
    """Was 0777 under umask 000 for missing parents (``mkdir(parents=True, mode=0o700)`` gives
    the mode to the last folder only); the report writer and the mailer had the same bug."""
    with umask(0), Store(tmp_path / "state" / "db" / "audit.db"):
        pass
    assert stat.S_IMODE((tmp_path / "state" / "db").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
