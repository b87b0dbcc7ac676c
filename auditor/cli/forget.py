"""``brand-audit forget --config F --person EMAIL|HANDLE``: erase one person from the store
(``--log`` lists the erasures recorded).

Removes the person's data from every stored run (evidence snapshots and findings), baseline,
mute note and any HTTP cache file an earlier version left beside the store, in one store
transaction (a kill midway leaves the store as it was), and records the erasure: who asked, when
and the counts, never the person. Prints the counts only. Refuses (exit 2) while a run holds
the store.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime
from pathlib import Path

from auditor.cli.run import open_store
from auditor.config.loading import AppConfig, load_config
from auditor.core.errors import UserError
from auditor.http.cache import remove_legacy


def forget_command(args: argparse.Namespace) -> int:
    """Erase ``--person`` from the config's store and print what was removed; with ``--log``,
    list the recorded erasures instead."""
    config = load_config(Path(args.config))
    if args.log:
        return _print_log(config.resolve(config.model.storage.path), config)
    person = args.person.strip()
    if len(person.lstrip("@")) < 2:
        raise UserError("expected an e-mail address or a handle", field="--person")
    own = {a.handle.lstrip("@").casefold() for a in config.estate.accounts}
    if person.lstrip("@").casefold() in own:
        raise UserError("is one of the estate's own accounts, not a person", field="--person")
    path = config.resolve(config.model.storage.path)
    if not path.is_file():
        print("no store yet: nothing to erase")
        return 0
    by = args.by or getpass.getuser()

    def caches() -> dict[str, int]:
        files = sorted(path.parent.glob(f"{path.stem}*.http-cache.json"))
        return {"cache entries": sum(remove_legacy(f) for f in files)}

    with open_store(path, config) as store:
        counts = store.forget(person, requested_by=by, now=datetime.now(UTC), also=caches)
    if not counts:
        print("nothing stored about that person; the erasure is recorded")
        return 0
    print(f"erased: {_counts(counts)}")
    return 0


def _print_log(path: Path, config: AppConfig) -> int:
    """One line per recorded erasure: when, who asked, counts."""
    erasures = []
    if path.is_file():
        with open_store(path, config) as store:
            erasures = store.erasures()
    if not erasures:
        print("no erasure recorded")
    for at, by, counts in erasures:
        print(f"{at[:19]}  asked by {by}: {_counts(counts) or 'nothing found'}")
    return 0


def _counts(counts: dict[str, int]) -> str:
    """``2 posts, 1 snapshots changed``: what an erasure removed, never the data."""
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
