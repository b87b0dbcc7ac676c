"""Reliability bench: proof under faults, bad input and attack.

Seven items, each a set of attempts that must hold (see each module's docstring):

1. bad input (:mod:`bench.reliability_inputs`): generated malformed configs and record files
   through ``brand-audit validate``/``run``: exit 2 and one clear line, never a traceback.
2. faults (:mod:`bench.reliability_faults`): a generated estate over the sandbox with faults on
   ~30 % of requests: no false pass, gaps reported, unaffected accounts fully audited.
3. crashes and 4. concurrency (:mod:`bench.reliability_store`): SIGKILLed runs and a scheduled
   plus a manual run at once leave the store intact.
5. secrets (:mod:`bench.reliability_secrets`): planted markers reach no output.
6. untrusted content (:mod:`bench.reliability_untrusted`): no fetch into private addresses, no
   hostile markup that runs.
7. files (:mod:`bench.reliability_files`): 0600 files and 0700 folders under umask 000.

Prints ONE table (tried / held / failed per item), then the notes and every distinct failure, and
exits 1 when anything failed to hold. ``--quick`` runs a smaller version (under 10 minutes);
``--only 1,5`` runs some items.

Run: ``.venv/bin/python bench/reliability.py [--quick] [--only N,N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FULL = {"inputs": 4000, "faults": 200, "rounds": 3, "kills": 50, "pairs": 10}
"""Sizes of the full run."""
QUICK = {"inputs": 2000, "faults": 200, "rounds": 1, "kills": 20, "pairs": 5}
"""Sizes of ``--quick``."""


def items(sizes: dict[str, int]) -> dict[str, Callable[[], object]]:
    """Item number -> a function producing its tally."""
    from bench.reliability_faults import faults
    from bench.reliability_files import files
    from bench.reliability_inputs import bad_input
    from bench.reliability_secrets import secrets
    from bench.reliability_store import concurrency, crashes
    from bench.reliability_untrusted import untrusted

    return {
        "1": lambda: bad_input(sizes["inputs"]),
        "2": lambda: faults(sizes["faults"], rounds=sizes["rounds"]),
        "3": lambda: crashes(sizes["kills"]),
        "4": lambda: concurrency(sizes["pairs"]),
        "5": secrets,
        "6": untrusted,
        "7": files,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the items, print the table, return 1 when anything failed."""
    from bench.reliability_tally import Tally, details, table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller version (< 10 minutes)")
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="comma list of item numbers")
    args = parser.parse_args(argv)
    chosen = items(QUICK if args.quick else FULL)
    tallies: list[Tally] = []
    started = time.monotonic()
    for number in [n.strip() for n in args.only.split(",") if n.strip()]:
        t0 = time.monotonic()
        print(f"item {number} ...", file=sys.stderr, flush=True)
        tally = chosen[number]()
        assert isinstance(tally, Tally)
        tally.notes.append(f"{time.monotonic() - t0:.0f} s")
        tallies.append(tally)
    print(table(tallies))
    print(f"\n{'quick' if args.quick else 'full'} run in {time.monotonic() - started:.0f} s")
    print(details(tallies))
    return 1 if any(t.failed for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
