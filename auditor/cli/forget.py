"""``brand-audit forget --config F --person EMAIL|HANDLE``: erase one person from the store.

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
from auditor.config.loading import load_config
from auditor.core.errors import UserError
from auditor.http.cache import remove_legacy


def forget_command(args: argparse.Namespace) -> int:
    """Erase ``--person`` from the config's store and print what was removed."""
    config = load_config(Path(args.config))
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
    print("erased: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))
    return 0
