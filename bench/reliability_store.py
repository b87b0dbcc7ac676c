"""Items 3 and 4, the store under crashes and concurrency.

Crashes: ``brand-audit run`` (a real child process) against a generated estate on the sandbox
(with latency, so a run lasts long enough to be hit anywhere) is killed with SIGKILL after a
random delay, again and again on one store. After every kill: the store opens through
:class:`auditor.store.database.Store`, ``PRAGMA integrity_check`` says ok, every run seen before the kill
is still there with the same status, findings and evidence, and no half-written run appears (a
new ``ok`` run has its evidence and exactly the findings its counts say). A last run must succeed.

Concurrency: a scheduled run (``brand-audit schedule --run-now``) and a manual run
(``brand-audit run``) start at the same moment on the same store; both must finish (exit 1 or
3), the store stays intact and holds two more runs.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditor.sandbox import start_sandbox
from auditor.sandbox.faults import Fault, FaultKind, FaultPlan
from bench.reliability_tally import Tally
from bench.reliability_world import config_document, make_accounts, world_document, write_yaml

Snapshot = dict[str, tuple[str, int, bool]]
"""Run id -> (status, findings, has evidence)."""


def snapshot(db: Path) -> Snapshot:
    """Every run in the store file, read with plain sqlite3 (read-only)."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute(
            "SELECT r.id, r.status, (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id),"
            " (SELECT COUNT(*) FROM evidence e WHERE e.run_id = r.id) FROM runs r"
        ).fetchall()
    except sqlite3.OperationalError:
        return {}  # killed before the schema was created
    finally:
        conn.close()
    return {r[0]: (r[1], int(r[2]), bool(r[3])) for r in rows}


def store_problems(db: Path, before: Snapshot) -> list[str]:
    """What is wrong with the store after a kill, compared with ``before``."""
    from auditor.core.errors import StoreError
    from auditor.store.database import Store

    problems: list[str] = []
    try:
        with Store(db) as store:
            store.history(None, 1000)
    except StoreError as exc:
        return [f"store does not open: {exc}"]
    conn = sqlite3.connect(db, timeout=30)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        counts = dict(conn.execute("SELECT id, counts FROM runs WHERE status = 'ok'").fetchall())
    finally:
        conn.close()
    if check != "ok":
        problems.append(f"integrity_check: {check}")
    after = snapshot(db)
    for run_id, state in before.items():
        if after.get(run_id) != state:
            problems.append(f"earlier run {run_id} changed: {state} -> {after.get(run_id)}")
    for run_id, (status, findings, evidence) in after.items():
        if run_id in before or status != "ok":
            continue
        stored = json.loads(counts.get(run_id) or "{}").get("status", {})
        if not evidence or sum(stored.values()) != findings:
            problems.append(
                f"half-written run {run_id}: evidence={evidence}, findings "
                f"{findings} vs counts {stored}"
            )
    return problems


@contextlib.contextmanager
def estate(root: Path, accounts: int, latency_ms: int) -> Iterator[Path]:
    """A sandbox with a generated world (latency on every request) and its config file."""
    generated = make_accounts(accounts)
    world = write_yaml(root / "world.yaml", world_document(generated))
    plan = FaultPlan(rules=(Fault(FaultKind.LATENCY, latency_ms=latency_ms),))
    with start_sandbox(world, faults=plan) as running:
        extra = {"schedules": [{"name": "nightly", "cron": "30 2 * * *", "email": False}]}
        doc = config_document(generated, running.base_urls, store="store/audit.db", extra=extra)
        yield write_yaml(root / "config.yaml", doc)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", *args]


def run_cmd(config: Path, out: Path) -> list[str]:
    """The ``brand-audit run`` command line."""
    return _cli("run", "--config", str(config), "--out", str(out), "--quiet", "--format", "json")


def crashes(kills: int, *, seed: int = 5, accounts: int = 24) -> Tally:
    """Item 3: ``kills`` SIGKILLed runs on one store, checked after each; then a clean run."""
    tally = Tally("3 crashes")
    rng = random.Random(seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rel-crash-") as tmp:
        root = Path(tmp)
        with estate(root, accounts, latency_ms=20) as config:
            db = root / "store" / "audit.db"
            t0 = time.monotonic()
            first = subprocess.run(
                run_cmd(config, root / "out"),
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            duration = time.monotonic() - t0
            tally.check(
                first.returncode in (1, 3) and "Traceback" not in first.stderr,
                "first run failed",
                f"exit {first.returncode}: {first.stderr[-200:]}",
            )
            quiet = contextlib.redirect_stderr(io.StringIO())  # the sandbox's broken pipes
            with quiet:
                _kill_loop(tally, config, root, db, kills, rng, duration)
            stored = snapshot(db)
            last = subprocess.run(
                run_cmd(config, root / "last"),
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            finished = [v for k, v in snapshot(db).items() if k not in stored and v[0] == "ok"]
            tally.check(
                last.returncode in (1, 3) and len(finished) == 1,
                "the run after the kills failed",
                f"exit {last.returncode}: {last.stderr[-300:]}",
            )
            runs = snapshot(db)
    tally.notes.append(
        f"a run lasts {duration:.1f} s; {len(runs)} runs stored after {kills} "
        f"kills; {time.monotonic() - started:.0f} s"
    )
    return tally


def _kill_loop(
    tally: Tally,
    config: Path,
    root: Path,
    db: Path,
    kills: int,
    rng: random.Random,
    duration: float,
) -> None:
    for index in range(kills):
        before = snapshot(db)
        child = subprocess.Popen(
            run_cmd(config, root / f"out{index}"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        late = index % 2 == 1  # every other kill aims at the end: the store's write
        time.sleep(duration * rng.uniform(0.8, 1.05) if late else rng.uniform(0.05, duration))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        problems = store_problems(db, before)
        tally.check(not problems, problems[0] if problems else "", f"kill {index}")


def concurrency(pairs: int, *, accounts: int = 16) -> Tally:
    """Item 4: ``pairs`` times a scheduled and a manual run at once on one store."""
    tally = Tally("4 concurrency")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rel-conc-") as tmp:
        root = Path(tmp)
        with estate(root, accounts, latency_ms=10) as config:
            db = root / "store" / "audit.db"
            for index in range(pairs):
                before = snapshot(db)
                procs: list[subprocess.Popen[Any]] = [
                    subprocess.Popen(
                        _cli(
                            "schedule",
                            "--config",
                            str(config),
                            "--run-now",
                            "nightly",
                            "--out",
                            str(root / f"sched{index}"),
                        ),
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    ),
                    subprocess.Popen(
                        run_cmd(config, root / f"manual{index}"),
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    ),
                ]
                outs = [p.communicate(timeout=300) for p in procs]
                codes = [p.returncode for p in procs]
                problems = [
                    f"{name} run exited {code}: {out[1].strip()[-200:]}"
                    for name, code, out in zip(("scheduled", "manual"), codes, outs, strict=True)
                    if code not in (1, 3) or "Traceback" in out[1]
                ]
                problems += store_problems(db, before)
                after = snapshot(db)
                added = {k: v for k, v in after.items() if k not in before}
                if len(added) != 2 or any(v[0] != "ok" for v in added.values()):
                    problems.append(f"expected 2 new finished runs, got {added}")
                tally.check(not problems, problems[0] if problems else "", f"pair {index}")
    tally.notes.append(f"{pairs} pairs in {time.monotonic() - started:.0f} s")
    return tally
