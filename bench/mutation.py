"""Mutation testing of ``checks/`` with mutmut: how many mutants the check tests kill.

mutmut (configured under ``[tool.mutmut]`` in ``pyproject.toml``: mutate ``checks``, run
``tests/checks``) changes one operator, constant, string or call at a time in the check code and
runs the tests that reach it; a mutant the tests do not notice *survives*. This script runs it
over a set of modules and prints, per module and in total, killed / survived / other (timeouts,
segfaults, skipped) and the percentage killed, then lists every survivor with its diff line.

The machine is two shared cores and mutmut reaches ~0.6 mutants a second here, so a run over all
5,000+ mutants of ``checks/`` takes over two hours. By default it runs the FAIL-CLOSED CORE: the
modules that decide whether a result may pass (the completeness reading, the account view, the
shared lookups, the display rule) and the access, auth and ownership checks built on them:

    checks.facets  checks.accounts  checks.vaults  checks.account_records  checks.safe_text
    checks.access.history

``--modules`` names others (mutmut name globs, e.g. ``checks.coverage*``), ``--all`` runs
everything. Run it from the repository root:

    .venv/bin/python bench/mutation.py                 # the fail-closed core
    .venv/bin/python bench/mutation.py --modules 'checks.coverage*'
    .venv/bin/python bench/mutation.py --all --children 2
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")
CORE = (
    "checks.facets.*",
    "checks.accounts.*",
    "checks.vaults.*",
    "checks.account_records.*",
    "checks.safe_text.*",
    "checks.access.history.*",
)
"""The default subset: what decides whether a result may pass."""

_LINE = re.compile(r"^\s*(?P<name>checks\.[^:]+):\s*(?P<status>.+?)\s*$")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    selection = () if args.all else tuple(args.modules or CORE)
    if not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    started = time.monotonic()
    command = [str(MUTMUT), "run", "--max-children", str(args.children), *selection]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if run.returncode != 0:
        print(run.stdout[-2000:], run.stderr[-2000:], sep="\n")
        print(f"mutmut run failed with exit code {run.returncode}")
        return 2
    results = _results(selection)
    _report(results, elapsed, selection)
    if args.diffs:
        _diffs([name for name, status in results.items() if status == "survived"])
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="*", help="mutmut name globs (default: the core)")
    parser.add_argument("--all", action="store_true", help="every mutant of checks/")
    parser.add_argument("--children", type=int, default=2, help="parallel test processes")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from a former run")
    parser.add_argument("--diffs", action="store_true", help="print each survivor's diff")
    return parser


def _results(selection: tuple[str, ...]) -> dict[str, str]:
    listing = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, str] = {}
    patterns = [re.compile(re.escape(s).replace(r"\*", ".*")) for s in selection]
    for line in listing.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        name = match["name"]
        if patterns and not any(p.fullmatch(name) for p in patterns):
            continue
        found[name] = match["status"]
    return found


def _module(name: str) -> str:
    return name.split(".x_", maxsplit=1)[0].split(".xǁ", maxsplit=1)[0]


def _report(results: dict[str, str], elapsed: float, selection: tuple[str, ...]) -> None:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in results.items():
        by_module[_module(name)][status] += 1
    print(f"mutmut over {', '.join(selection) or 'all of checks/'}: {elapsed:.0f} s")
    print(f"{'module':<32}{'killed':>8}{'survived':>10}{'other':>8}{'killed %':>10}")
    total: Counter[str] = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        print(_row(module, counts))
    print(_row("TOTAL", total))
    survivors = sorted(n for n, s in results.items() if s == "survived")
    print(f"survivors ({len(survivors)}):")
    for name in survivors:
        print(f"  {name}")


def _row(label: str, counts: Counter[str]) -> str:
    killed, survived = counts["killed"], counts["survived"]
    other = sum(counts.values()) - killed - survived
    judged = killed + survived
    share = f"{100 * killed / judged:.1f}" if judged else "-"
    return f"{label:<32}{killed:>8}{survived:>10}{other:>8}{share:>10}"


def _diffs(names: list[str]) -> None:
    for name in names:
        shown = subprocess.run(
            [str(MUTMUT), "show", name], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout
        changed = [line for line in shown.splitlines() if line[:2] in ("- ", "+ ")]
        print(f"{name}:")
        for line in changed:
            print(f"    {line}")


if __name__ == "__main__":
    raise SystemExit(main())
