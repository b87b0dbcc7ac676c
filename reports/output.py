"""Writing report files: atomically (temporary file, fsync, rename) and readable only by the
owner (mode 0600), so a reader never sees half a report and other users never see any."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def private_folder(folder: Path) -> None:
    """Create ``folder`` and every missing parent with mode 0700 (``mkdir(parents=True)``
    would give the parents the umask's mode)."""
    for missing in reversed([p for p in (folder, *folder.parents) if not p.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically with mode 0600; returns ``path``."""
    return write_private_chunks(path, (data,))


def write_private_chunks(path: Path, chunks: Iterable[bytes]) -> Path:
    """Like :func:`write_private`, streaming ``chunks`` (large reports never sit whole in
    memory); returns ``path``."""
    private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(0o600)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    return path
