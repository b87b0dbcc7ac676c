"""Item 2, faults: a generated estate audited over the sandbox with faults on ~30 % of requests.

The same world is audited twice through ``brand-audit run`` (in-process), each run with a fresh
store: once fault-free (the ground truth), once with the sandbox injecting 429s, 5xx, stalls
past the read timeout, dropped connections, malformed and truncated bodies. A recording fault
plan logs every request (path and query) and the fault it got; a URL whose LAST request got a
fault was never recovered (the HTTP layer's retries did not save it), and the account whose
identifiers appear in it is *affected* (a failed request naming no account affects every account
of its platform). What must hold: no false pass (a ``pass`` on an affected account where the
fault-free run did not pass); every affected account has ``not_verified`` results and a
``coverage.collection-failed`` fail; every unaffected account has exactly the fault-free run's
results; the run exits 3 (or 1 when findings are worse).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from auditor.sandbox import start_sandbox
from auditor.sandbox.faults import Fault, FaultKind, FaultPlan
from bench.reliability_tally import Tally
from bench.reliability_world import (
    PROBE_TOKEN,
    GenAccount,
    config_document,
    make_accounts,
    world_document,
    write_yaml,
)

FAULT_SHARE = 0.30
"""Share of requests that get a terminal fault."""

KINDS = (
    Fault(FaultKind.RATE_LIMIT, retry_after_s=1),
    Fault(FaultKind.SERVER_ERROR, status=503),
    Fault(FaultKind.TIMEOUT, seconds=2.5),
    Fault(FaultKind.DISCONNECT),
    Fault(FaultKind.MALFORMED),
    Fault(FaultKind.TRUNCATED),
)
"""One rule per fault kind; each fires with the same probability."""


@dataclass
class RecordingPlan(FaultPlan):
    """A fault plan that logs every request it decides on (platform, path?query, fault)."""

    log: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(platform, unquoted path and query, fault kind or None) in arrival order."""
    _log_lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, platform: str, path: str) -> tuple[int, Fault | None]:
        """The parent's decision, logged with the request's query string."""
        latency, terminal = super().decide(platform, path)
        caller = sys._getframe(1).f_locals.get("parts")  # the handler's parsed URL
        query = str(getattr(caller, "query", "") or "")
        url = unquote(path + ("?" + query if query else ""))
        with self._log_lock:
            self.log.append((platform, url, terminal.kind.value if terminal else None))
        return latency, terminal


def fault_plan(share: float = FAULT_SHARE, seed: int = 11) -> RecordingPlan:
    """Rules whose combined firing probability is ``share``."""
    each = 1 - (1 - share) ** (1 / len(KINDS))
    rules = tuple(
        Fault(
            k.kind,
            probability=each,
            retry_after_s=k.retry_after_s,
            status=k.status,
            seconds=k.seconds,
        )
        for k in KINDS
    )
    return RecordingPlan(rules=rules, seed=seed)


@dataclass(frozen=True)
class RunResult:
    """One audit's exit code and results."""

    code: int
    """Exit code of ``brand-audit run``."""
    results: dict[str, dict[tuple[str, str], str]]
    """Asset key -> (check, subject) -> status."""
    failed_subjects: set[str]
    """Subjects of ``coverage.collection-failed`` fails (asset keys; source names for
    whole-source failures)."""
    stderr: str
    """What the run printed on stderr."""


def asset_key(asset: dict[str, Any]) -> str:
    """The model's asset key from a report.json asset."""
    kind = asset["kind"]
    if kind == "account":
        return f"account:{asset['platform']}:{(asset['handle'] or '').lower()}"
    if kind == "domain":
        return f"domain:{(asset['domain'] or '').lower()}"
    return f"{kind}:{(asset['handle'] or '').lower()}"


def audit(config: Path, out: Path) -> RunResult:
    """``brand-audit run`` in-process; the results read back from report.json."""
    from auditor.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(
            ["run", "--config", str(config), "--out", str(out), "--format", "json", "--quiet"]
        )
    results: dict[str, dict[tuple[str, str], str]] = {}
    failed: set[str] = set()
    report = out / "report.json"
    findings = json.loads(report.read_text("utf-8"))["findings"] if report.exists() else []
    for f in findings:
        key = asset_key(f["asset"])
        results.setdefault(key, {})[(f["check"], f["subject"])] = f["status"]
        if f["check"] == "coverage.collection-failed" and f["status"] == "fail":
            failed.add(f["subject"] or key)
    return RunResult(code, results, failed, err.getvalue())


PROBE_MARKERS = ("acct=", "/by/username/", "usernames=", "forHandle=", "vanityName=")
"""Lookups by name: those naming no inventory account are the lookalike probes."""

SHARED_URLS = (re.compile(r"^/rest/organizations/\d+$"),)
"""Requests of a source-wide step that happen to name one account (LinkedIn discovery)."""


def affected_accounts(
    log: list[tuple[str, str, str | None]], accounts: list[GenAccount]
) -> tuple[dict[str, str], int, int]:
    """Accounts touched by faults: ``own`` when a request naming only that account failed for
    good (its last attempt got a fault); ``shared`` when a request naming several accounts, or a
    source-wide request of its platform (naming none), got any fault (the collector may recover
    by other requests). Also the faulted and unrecovered request counts."""
    last: dict[tuple[str, str], str | None] = {}
    affected: dict[str, str] = {}
    for platform, url, kind in log:
        last[(platform, url)] = kind
        if kind is None:
            continue
        for owner in _owners(platform, url, accounts, shared_only=True):
            affected.setdefault(owner.key, "shared")
    unrecovered = 0
    for (platform, url), kind in last.items():
        if kind is not None:
            unrecovered += 1
            for owner in _owners(platform, url, accounts, shared_only=False):
                affected[owner.key] = "own"
    faulted = sum(kind is not None for _, _, kind in log)
    return affected, faulted, unrecovered


def _owners(
    platform: str, url: str, accounts: list[GenAccount], *, shared_only: bool
) -> list[GenAccount]:
    """The accounts a faulted request touches: only-named ones (``shared_only`` False) or those
    it touches as part of a shared step (``shared_only`` True)."""
    probe = PROBE_TOKEN in url or (any(m in url for m in PROBE_MARKERS) and "," not in url)
    if probe and not any(
        a.platform == platform and any(t in url for t in a.tokens) for a in accounts
    ):
        return []  # a lookalike probe: the handles source, no inventory account
    mine = [a for a in accounts if a.platform == platform]
    if any(p.search(url.split("?", maxsplit=1)[0]) for p in SHARED_URLS):
        return mine if shared_only else []
    named = [a for a in mine if any(t in url for t in a.tokens)]
    shared = not named or len(named) > 1
    if shared_only:
        return (named or mine) if shared else []
    return [] if shared else named


def _by_check(results: dict[tuple[str, str], str]) -> dict[str, dict[str, str]]:
    grouped: dict[str, dict[str, str]] = {}
    for (check, subject), status in results.items():
        grouped.setdefault(check, {})[subject] = status
    return grouped


def affected_problems(
    account: GenAccount, how: str, clean: RunResult, faulted: RunResult
) -> list[tuple[str, str]]:
    """What breaks the fault contract on one affected account."""
    key = account.key
    got, want = faulted.results.get(key, {}), clean.results.get(key, {})
    source = faulted.results.get(f"source:{account.platform}", {})
    problems: list[tuple[str, str]] = []
    false = sorted(k for k, s in got.items() if s == "pass" and want.get(k) != "pass")
    if false:
        problems.append(("false pass on an affected account", f"{key}: {false[:3]}"))
    got_checks, source_checks = _by_check(got), _by_check(source)
    for check, subjects in _by_check(want).items():
        now = got_checks.get(check, {})
        on_source = source_checks.get(check, {}).values()
        covered = "not_verified" in now.values() or "not_verified" in on_source
        if now != subjects and not covered:
            problems.append(
                (
                    "a check's results changed or vanished without a not_verified result",
                    f"{key} {check}: {subjects} -> {now}",
                )
            )
    named = key in faulted.failed_subjects
    source_failed = f"source:{account.platform}" in faulted.failed_subjects
    new_gaps = [k for k, s in got.items() if s == "not_verified" and want.get(k) != s]
    if how == "own" and not new_gaps:
        problems.append(("affected account has no new not_verified result", key))
    if how == "own" and not named:
        problems.append(
            (
                "a failed request for the account has no coverage.collection-failed "
                "fail naming the account",
                key,
            )
        )
    if new_gaps and not (named or source_failed):
        problems.append(
            (
                "not_verified results without a coverage.collection-failed fail",
                f"{key}: {new_gaps[:3]}",
            )
        )
    return problems


def judge(
    tally: Tally,
    accounts: list[GenAccount],
    affected: dict[str, str],
    clean: RunResult,
    faulted: RunResult,
) -> None:
    """One attempt per account, plus one for the exit code."""
    for account in accounts:
        key = account.key
        if key in affected:
            problems = affected_problems(account, affected[key], clean, faulted)
            if problems:
                tally.fail(*problems[0])
            else:
                tally.ok()
            continue
        got, want = faulted.results.get(key, {}), clean.results.get(key, {})
        diff = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        tally.check(
            not diff,
            "unaffected account's results differ from the fault-free run",
            f"{key}: {[(k, want.get(k), got.get(k)) for k in diff[:3]]}",
        )
    tally.check(
        faulted.code in (1, 3),
        "faulted run did not exit 3 (or 1)",
        f"exit {faulted.code}: {faulted.stderr.strip()[-200:]}",
    )


@contextlib.contextmanager
def _sandbox(world: Path, plan: FaultPlan) -> Iterator[dict[str, str]]:
    with start_sandbox(world, faults=plan) as running:
        yield dict(running.base_urls)


def _audited(root: Path, world: Path, accounts: list[GenAccount], plan: FaultPlan) -> RunResult:
    with _sandbox(world, plan) as urls:
        config = write_yaml(root / "config.yaml", config_document(accounts, urls))
        return audit(config, root / "out")


def faults(count: int, *, seed: int = 11, rounds: int = 1) -> Tally:
    """Item 2 with ``count`` accounts: one fault-free run, then ``rounds`` faulted runs (seeds
    ``seed``, ``seed + 1`` ...), each judged against it."""
    tally = Tally("2 faults")
    started = time.monotonic()
    accounts = make_accounts(count)
    with tempfile.TemporaryDirectory(prefix="rel-faults-") as tmp:
        root = Path(tmp)
        world = write_yaml(root / "world.yaml", world_document(accounts))
        clean = _audited(root / "clean", world, accounts, FaultPlan())
        for n in range(rounds):
            plan = fault_plan(seed=seed + n)
            faulted = _audited(root / f"faulted{n}", world, accounts, plan)
            affected, faulted_n, unrecovered = affected_accounts(plan.log, accounts)
            judge(tally, accounts, affected, clean, faulted)
            own = sum(v == "own" for v in affected.values())
            tally.notes.append(
                f"round {n + 1}: {count} accounts, {len(plan.log)} requests, {faulted_n} faulted "
                f"({faulted_n / max(1, len(plan.log)):.0%}), {unrecovered} URLs unrecovered, "
                f"{len(affected)} accounts affected ({own} by their own requests), exit "
                f"{faulted.code} (fault-free {clean.code})"
            )
    tally.notes.append(f"{time.monotonic() - started:.0f} s")
    return tally
