"""Tests for auditor.core.private_files: owner-only folders and atomic owner-only files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.core.private_files import private_folder, write_private


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_folders_are_created_owner_only(tmp_path: Path, open_umask: None) -> None:
    private_folder(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == 0o700
    assert mode(tmp_path / "a" / "b") == 0o700


def test_file_is_owner_only_and_replaced_atomically(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "out" / "claims.json"
    write_private(target, b"first")
    write_private(target, b"second")
    assert target.read_bytes() == b"second"
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["claims.json"]  # no temp left


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    with pytest.raises(TypeError):
        write_private(folder / "x.json", "not bytes")  # type: ignore[arg-type]
    assert list(folder.iterdir()) == []
