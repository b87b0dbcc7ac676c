"""The fault sweep: can any fault turn a result of the demo estate into ``pass`` or ``resolved``?

First the demo estate is audited with no fault (the reference, on the demo's history: the estate a
week ago and its accepted baselines). The reference run's requests say which route families of
the sandbox the audit uses: one family per sandbox route (Meta's Graph edges one per edge name,
``owned_pages`` apart from ``roles``). Then one audit per (family x fault kind), each on a fresh
copy of the history, where the sandbox answers every request of that family with the fault:

    5xx, 429 beyond the run's wait budget, timeout, connection reset, malformed body,
    truncated body, 401, 403

Each run is compared with the reference by fingerprint. Two counts must be 0: results that
became ``pass`` (from ``fail`` or ``not_verified`` in the reference) and fails that became
``resolved``. Every offending result is listed (check, asset, subject, reference -> faulted).
``--no-history`` makes every audit a first audit (no earlier run to carry open fails, no
baselines), which shows the checks' own false passes that the lifecycle would otherwise keep
from counting as resolved. ``--quick`` uses one family per platform (every route of it) instead;
``--workers`` audits that
many cases at once (each on its own sandbox). Timeouts are made cheap: in the timeout cases every
platform's timeout is 2 s and the timeout fault stalls 2.5 s.

    .venv/bin/python -m bench.faults [--quick] [--workers N] [--kinds 5xx,401] [--family github]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from auditor.core.models import AuditRun, Change, Finding, Status
from auditor.sandbox.faults import Fault, FaultKind, FaultPlan
from auditor.sandbox.server import mount
from bench.demo_runs import Demo, audit_demo, prepare

TIMEOUT_S = 2.0
"""Every platform's timeout in the timeout cases (the reference and other cases keep the
config's, so that a slow answer on a loaded machine never makes the reference worse)."""

KINDS: Mapping[str, Fault] = {
    "5xx": Fault(FaultKind.SERVER_ERROR, status=503),
    "429": Fault(FaultKind.RATE_LIMIT, retry_after_s=3600),  # beyond any wait budget
    "timeout": Fault(FaultKind.TIMEOUT, seconds=TIMEOUT_S + 0.5),
    "reset": Fault(FaultKind.DISCONNECT),
    "malformed": Fault(FaultKind.MALFORMED),
    "truncated": Fault(FaultKind.TRUNCATED),
    "401": Fault(FaultKind.UNAUTHORIZED),
    "403": Fault(FaultKind.FORBIDDEN),
}
"""The fault kinds of the sweep, by the name printed."""

LITERAL_GROUPS = ("edge",)
"""Route groups whose value makes its own family (Meta's Graph edges)."""


@dataclass(frozen=True)
class Family:
    """Requests of one platform whose path matches ``path`` (None: every path)."""

    platform: str
    """The sandbox prefix."""
    path: str | None
    """A regex over the path after the prefix."""
    label: str
    """How it is printed."""

    def fault(self, kind: Fault) -> Fault:
        """``kind`` restricted to this family, firing on every request."""
        return Fault(
            kind.kind,
            platform=self.platform,
            path=self.path,
            retry_after_s=kind.retry_after_s,
            status=kind.status,
            seconds=kind.seconds,
        )


@dataclass
class RecordingPlan(FaultPlan):
    """A fault plan (no rules) that records which (platform, path) each request had."""

    seen: set[tuple[str, str]] = field(default_factory=set)
    """Every (prefix, path) requested."""
    _seen_lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, platform: str, path: str) -> tuple[int, Fault | None]:
        """Record, then no fault."""
        with self._seen_lock:
            self.seen.add((platform, path))
        return super().decide(platform, path)


def families(demo: Demo, seen: Iterable[tuple[str, str]], *, quick: bool) -> list[Family]:
    """The route families the reference run used (one per platform with ``quick``)."""
    if quick:
        return [Family(p, None, p) for p in sorted({platform for platform, _ in seen})]
    mounted = mount(demo.world)
    found: dict[str, Family] = {}
    for platform, path in sorted(seen):
        for route in mounted[platform].routes:
            match = route.pattern.fullmatch(path)
            if match is None:
                continue
            pattern = route.pattern.pattern
            for group in LITERAL_GROUPS:
                value = match.groupdict().get(group)
                if value is not None:
                    pattern = re.sub(rf"\(\?P<{group}>[^)]*\)", re.escape(value), pattern)
            label = f"{platform} {pattern}"
            found.setdefault(label, Family(platform, f"^(?:{pattern})$", label))
            break
    return list(found.values())


@dataclass(frozen=True)
class Offence:
    """One result a fault made look better than the reference."""

    finding: Finding
    """The faulted run's result."""
    reference: str
    """Its status in the reference run."""


@dataclass(frozen=True)
class Case:
    """One faulted audit compared with the reference."""

    family: Family
    """Where the fault was."""
    kind: str
    """Which fault."""
    became_pass: tuple[Offence, ...]
    """Results that passed although the reference failed or could not verify them."""
    became_resolved: tuple[Offence, ...]
    """Fails of the reference the faulted run called resolved."""
    not_verified: int
    """Results not verified in the faulted run."""
    seconds: float
    """Wall time of the faulted audit."""
    requests: int
    """HTTP requests it sent."""


def compare(reference: AuditRun, faulted: AuditRun, family: Family, kind: str) -> Case:
    """The two counts of one case, by fingerprint."""
    before = {f.fingerprint: f.effective_status for f in reference.findings}
    became_pass: list[Offence] = []
    became_resolved: list[Offence] = []
    for finding in faulted.findings:
        then = before.get(finding.fingerprint)
        if then is None or finding.effective_status is not Status.PASS:
            continue
        if then is Status.FAIL and finding.change is Change.RESOLVED:
            became_resolved.append(Offence(finding, then.value))
        elif then in (Status.FAIL, Status.NOT_VERIFIED):
            became_pass.append(Offence(finding, then.value))
    unverified = sum(1 for f in faulted.findings if f.effective_status is Status.NOT_VERIFIED)
    return Case(family, kind, tuple(became_pass), tuple(became_resolved), unverified, 0.0, 0)


def sweep(
    demo: Demo,
    folder: Path,
    reference: AuditRun,
    cases: Sequence[tuple[Family, str]],
    workers: int,
    *,
    history: bool = True,
) -> list[Case]:
    """Audit every (family, kind) case, ``workers`` at a time."""

    def one(index: int, family: Family, kind: str) -> Case:
        store = folder / f"case-{index}.db"
        timeout_s = TIMEOUT_S if kind == "timeout" else None
        audit = audit_demo(
            demo, store, [family.fault(KINDS[kind])], timeout_s=timeout_s, history=history
        )
        store.unlink()
        compared = compare(reference, audit.run, family, kind)
        return Case(
            family,
            kind,
            compared.became_pass,
            compared.became_resolved,
            compared.not_verified,
            audit.seconds,
            audit.requests,
        )

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(one, i, fam, kind) for i, (fam, kind) in enumerate(cases)]
        return [f.result() for f in futures]


def describe(offence: Offence) -> str:
    """One offending result in a line."""
    f = offence.finding
    subject = f" [{f.subject}]" if f.subject else ""
    return f"      {f.check_id} {f.asset.key}{subject}: {offence.reference} -> pass ({f.change})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep and print the cases and the two counts; 1 when either is not 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one route family per platform")
    parser.add_argument("--workers", type=int, default=4, help="cases audited at once")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated fault kinds")
    parser.add_argument("--family", default="", help="only families whose label contains this")
    parser.add_argument(
        "--no-history", action="store_true", help="first audits (no earlier run, no baselines)"
    )
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    history = not args.no_history
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown fault kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        folder = Path(tmp)
        demo = prepare(folder)
        recorder = RecordingPlan()
        reference = audit_demo(demo, folder / "reference.db", recorder, history=history)
        found = [
            f for f in families(demo, recorder.seen, quick=args.quick) if args.family in f.label
        ]
        cases = [(family, kind) for family in found for kind in kinds]
        print(
            f"reference run: {len(reference.run.findings)} results, {reference.requests}"
            f" requests, {reference.seconds:.1f} s; {len(found)} route families x"
            f" {len(kinds)} fault kinds = {len(cases)} cases"
        )
        results = sweep(demo, folder, reference.run, cases, args.workers, history=history)
    for case in results:
        bad = len(case.became_pass) + len(case.became_resolved)
        print(
            f"{case.family.label:<62} {case.kind:<9} pass+{len(case.became_pass):<3}"
            f" resolved+{len(case.became_resolved):<3} nv {case.not_verified:<4}"
            f" {case.requests:4d} req {case.seconds:5.1f} s{'  <-- FALSE' if bad else ''}"
        )
        for offence in (*case.became_pass, *case.became_resolved):
            print(describe(offence))
    passes = sum(len(c.became_pass) for c in results)
    resolved = sum(len(c.became_resolved) for c in results)
    print(f"cases tried: {len(results)}")
    print(f"results that became pass (from fail or not_verified): {passes}")
    print(f"fails that became resolved: {resolved}")
    print(f"sweep wall time: {time.monotonic() - started:.0f} s")
    return 1 if passes or resolved else 0


if __name__ == "__main__":
    raise SystemExit(main())
