"""Files only their owner may read: folders created 0700, files written atomically with 0600.

Everything brand-auditor writes about an estate (the store, the email outbox, pre-launch claim
lists, the demo's working copies) says where the company is weak, so it is created readable by
its owner only, whatever the umask. This is the one writer: the renderers in ``reports`` return
text, and the composition root writes it here.
"""

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


def write_private(path: Path, data: bytes, *, suffix: str = ".tmp") -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename) with mode 0600,
    creating missing folders 0700; returns ``path``. Raises OSError."""
    return write_private_chunks(path, (data,), suffix=suffix)


def write_private_text(path: Path, text: str | Iterable[str]) -> Path:
    """Write ``text`` (one string, or chunks streamed so a large report never sits whole in
    memory) as UTF-8 to ``path``, atomically with mode 0600; returns ``path``."""
    chunks = (text,) if isinstance(text, str) else text
    return write_private_chunks(path, (chunk.encode("utf-8") for chunk in chunks))


def write_private_chunks(path: Path, chunks: Iterable[bytes], *, suffix: str = ".tmp") -> Path:
    """Write ``chunks`` to ``path`` atomically (temporary file, fsync, rename) with mode 0600,
    creating missing folders 0700; returns ``path``. Raises OSError; a failure while the chunks
    are produced leaves ``path`` as it was."""
    private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
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
