"""Item 7, files: what the tool creates is readable by its owner only, whatever the umask.

Under ``umask 000`` an audit runs in-process against the sandbox with every report format,
``--email`` to an outbox and the store in a folder that does not exist yet (so the tool creates
it); a second run adds the HTTP cache beside the store. A :class:`auditor.store.database.Store` is then
held open so the ``-wal`` and ``-shm`` files exist. Every file the tool created (reports, the
``.eml``, the store, its ``-wal``/``-shm``, the cache) must be mode 0600 and every folder it
created 0700.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from auditor.sandbox import start_sandbox
from bench.reliability_tally import Tally
from bench.reliability_world import config_document, make_accounts, world_document, write_yaml


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    """Run with ``mask`` as the process umask."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files(accounts: int = 6) -> Tally:
    """Item 7."""
    from auditor.cli.main import main
    from auditor.store.database import Store

    tally = Tally("7 files")
    generated = make_accounts(accounts)
    with tempfile.TemporaryDirectory(prefix="rel-files-") as tmp:
        root = Path(tmp)
        world = write_yaml(root / "world.yaml", world_document(generated))
        with start_sandbox(world) as running:
            mail = {
                "from": "audit@acme.example",
                "to": ["ciso@acme.example"],
                "outbox": "../mail/outbox",
            }
            doc = config_document(
                generated, running.base_urls, store="../state/db/audit.db", extra={"mail": mail}
            )
            config = write_yaml(root / "cfg" / "config.yaml", doc)
            before = {p for p in root.rglob("*")}
            codes = []
            with (
                umask(0),
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                for out in ("reports/one", "reports/two"):
                    codes.append(
                        main(
                            [
                                "run",
                                "--config",
                                str(config),
                                "--out",
                                str(root / out),
                                "--email",
                                "--quiet",
                            ]
                        )
                    )
                holder = Store(root / "state" / "db" / "audit.db")
            tally.check(all(c in (0, 1, 3) for c in codes), "audit failed", f"exits {codes}")
            created = sorted(p for p in root.rglob("*") if p not in before)
            try:
                _judge(tally, created, root)
            finally:
                holder.close()
    return tally


def _judge(tally: Tally, created: list[Path], root: Path) -> None:
    names = {p.name for p in created}
    for wanted in (
        "report.html",
        "report.json",
        "report.csv",
        "email.html",
        "audit.db",
        "audit.db-wal",
        "audit.db-shm",
    ):
        tally.check(wanted in names, "expected file was not created", wanted)
    tally.check(any(p.suffix == ".eml" for p in created), "no .eml in the outbox", "outbox")
    for path in created:
        where = str(path.relative_to(root))
        if path.is_dir():
            tally.check(_mode(path) == 0o700, "folder is not 0700", f"{where}: {_mode(path):o}")
        else:
            tally.check(_mode(path) == 0o600, "file is not 0600", f"{where}: {_mode(path):o}")
    tally.notes.append(f"{len(created)} paths created under umask 000")
