"""Engine benchmark: evidence to report for a large estate, and ``brand-audit --help`` start-up.

Generates, in a temporary folder, a Bitwarden-shaped vault export of 5,000 login items, a people
directory of 1,500 people, a content register, and a config with 1,000 accounts and 50 domains.
The records collectors (directory, vault with zxcvbn scoring; breach lookups off: no network)
read the files; a synthetic in-memory collector supplies platform evidence for every account
(profile, 6 role holders, 20 posts) and registration data for every domain. Then the runner
evaluates every check in the catalog, stamps and persists the run (SQLite), and the JSON and CSV
reports are rendered. The process is pinned to one CPU.

Targets: under 10 s wall time on one core and under 300 MB peak memory (max RSS) for the whole
evidence-to-report path; ``brand-audit --help`` under 0.3 s.

Run: ``.venv/bin/python bench/engine.py [--items 5000] [--accounts 1000]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.config.loading import load_config
from auditor.core.completeness import SourceStatus
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    DomainEvidence,
    EvidenceItem,
    Post,
    Profile,
    RoleHolder,
)
from auditor.core.models import SourceReport

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PLATFORMS = ("x", "meta", "instagram", "linkedin", "youtube", "github", "mastodon", "bluesky")
WORDS = ("river", "Falcon", "sun", "north", "Wind", "42", "blue", "!", "trail", "#", "oak", "Z9")


def people_csv(folder: Path, count: int) -> list[str]:
    emails = [f"person{i}@bench.example" for i in range(count)]
    lines = ["email,name,status,departed_on,two_sv_enrolled,aliases"]
    for i, email in enumerate(emails):
        status, departed = ("departed", "2026-06-30") if i % 25 == 0 else ("active", "")
        lines.append(f"{email},Person {i},{status},{departed},{'true' if i % 7 else 'false'},")
    (folder / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return emails


def password(rng: random.Random, i: int) -> str:
    if i % 10 == 0:
        return f"Summer{(i // 10) % 100}!"  # weak, and shared by groups of five items
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))) + str(i)


def vault_json(
    folder: Path, count: int, accounts: Sequence[tuple[str, str]], rng: random.Random
) -> None:
    items = []
    for i in range(count):
        changed = NOW - timedelta(days=rng.randint(1, 900))
        name = f"{accounts[i][0]} - @{accounts[i][1]}" if i < len(accounts) else f"Item {i}"
        items.append(
            {
                "id": f"00000000-0000-4000-8000-{i:012d}",
                "type": 1,
                "name": name,
                "deletedDate": None,
                "revisionDate": changed.isoformat().replace("+00:00", "Z"),
                "creationDate": "2020-01-01T00:00:00.000Z",
                "collectionIds": [],
                "folderId": None,
                "passwordHistory": [],
                "login": {
                    "username": f"person{i % 1500}@bench.example",
                    "password": password(rng, i),
                    "uris": [{"match": None, "uri": f"https://site{i}.example/login"}],
                    "totp": "JBSWY3DPEHPK3PXP" if i % 9 == 0 else None,
                },
            }
        )
    data = {"encrypted": False, "collections": [], "items": items}
    (folder / "vault.json").write_text(json.dumps(data), encoding="utf-8")


def register_csv(folder: Path, accounts: Sequence[tuple[str, str]]) -> None:
    lines = ["platform,handle,post_id,text,approved_by,approved_on"]
    for platform, handle in accounts:
        for n in range(10):
            lines.append(f"{platform},{handle},{handle}-{n},,person1@bench.example,2026-11-01")
    (folder / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_estate(
    folder: Path, items: int, account_count: int
) -> tuple[Path, list[tuple[str, str]]]:
    rng = random.Random(7)
    accounts = [(PLATFORMS[i % len(PLATFORMS)], f"bench{i}") for i in range(account_count)]
    emails = people_csv(folder, 1500)
    vault_json(folder, items, accounts, rng)
    register_csv(folder, accounts)
    config = {
        "organization": {"name": "Bench Co", "email_domains": ["bench.example"]},
        "accounts": [
            {
                "platform": platform,
                "handle": handle,
                "id": str(1000 + i),
                "registered_email": emails[i % len(emails)] if i % 13 else "bench@gmail.com",
                "vault_item": f"{platform} - @{handle}",
                "two_factor": {"method": "totp" if i % 5 else "sms", "attested_on": "2026-06-01"},
                "expected_admins": emails[i % 50 : i % 50 + 3],
                "last_access_review": "2026-09-01",
            }
            for i, (platform, handle) in enumerate(accounts)
        ],
        "domains": [{"name": f"bench{i}.example", "lookalikes": False} for i in range(50)],
        "sources": {
            "directory": {"csv": "people.csv"},
            "vault": {"bitwarden": "vault.json", "check_breaches": False},
            "register": {"csv": "register.csv"},
        },
        "storage": {"path": "bench.db"},
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path, accounts


class SyntheticPlatforms(Collector):
    """Platform and registration evidence for every account and domain, built in memory."""

    name = "synthetic-platforms"

    def __init__(self, accounts: Sequence[tuple[str, str]], domains: Sequence[str]) -> None:
        self.accounts = accounts
        self.domains = domains

    def _account(self, i: int, platform: str, handle: str) -> AccountEvidence:
        roles = tuple(
            RoleHolder(
                person_id=f"{i}-{r}",
                name=f"Person {(i + r) % 1500}",
                email=f"person{(i + r) % 1500}@bench.example" if r != 5 else "x@outside.example",
                role="ADMIN" if r < 2 else "EDITOR",
                full_admin=r < 2,
                privilege=3 if r < 2 else 2,
                two_factor=r % 3 != 0,
            )
            for r in range(6)
        )
        posts = tuple(
            Post(
                id=f"{handle}-{n}",
                created_at=NOW - timedelta(hours=n * 7),
                text=f"Post {n} from {handle}: visit https://bench{n}.example/offer #brand",
                links=(f"https://bench{n}.example/offer",),
            )
            for n in range(20)
        )
        return AccountEvidence(
            platform=platform,
            handle=handle,
            source=platform,
            observed_at=NOW,
            state=AccountState.ACTIVE,
            account_id=str(1000 + i),
            profile=Profile(
                display_name=f"Bench {handle}",
                bio="Official account",
                link="https://bench0.example",
            ),
            posts=posts,
            roles=roles,
            apps=(),
        )

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        items: list[EvidenceItem] = [
            self._account(i, p, h) for i, (p, h) in enumerate(self.accounts)
        ]
        items += [
            DomainEvidence(
                domain=d,
                source="rdap",
                observed_at=NOW,
                registered=True,
                expires_at=NOW + timedelta(days=20 + n),
                registrar="Bench Registrar",
                statuses=("clientTransferProhibited",),
                dnssec=n % 2 == 0,
            )
            for n, d in enumerate(self.domains)
        ]
        return CollectorOutput(SourceReport(self.name, SourceStatus.COMPLETE, NOW), tuple(items))


class Timing:
    """A progress sink that times the phases of the run (collect, checks, the rest)."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.checks: dict[str, float] = {}
        self._last = 0.0

    def collector_started(self, name: str) -> None:
        self.marks.setdefault("collect", time.perf_counter())

    def collector_finished(self, report: SourceReport) -> None:
        self.marks["collected"] = time.perf_counter()

    def checks_started(self, total: int) -> None:
        self._last = self.marks["checks"] = time.perf_counter()

    def check_finished(self, check_id: str, results: int) -> None:
        now = time.perf_counter()
        self.checks[check_id] = now - self._last
        self._last = now

    def done(self) -> None:
        self.marks["checked"] = self._last  # the last check's end


class GcClock:
    """Time spent in the cyclic garbage collector while installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_run(label: str, config_path: Path, accounts: Sequence[tuple[str, str]], out: Path) -> None:
    """Load, collect, evaluate, stamp, persist and write JSON + CSV once; print the phases."""
    from auditor.cli.run import load_registry
    from auditor.collectors.records import sources as records
    from auditor.core.private_files import write_private_text
    from auditor.engine.runner import run_audit
    from auditor.store.database import Store
    from reports.csv_report import iter_csv
    from reports.json_report import iter_json

    clock = GcClock()
    gc.callbacks.append(clock)
    started = time.perf_counter()
    config = load_config(config_path)
    registry = load_registry()
    domains = [d.name for d in config.estate.domains]
    collectors = [*records.build(config), SyntheticPlatforms(accounts, domains)]
    timing = Timing()
    with Store(config.resolve(config.model.storage.path)) as store:
        run = run_audit(
            config, registry=registry, collectors=collectors, store=store, now=NOW, progress=timing
        )
    audited = time.perf_counter()
    json_size = write_private_text(out / "report.json", iter_json(run)).stat().st_size
    csv_size = write_private_text(out / "report.csv", iter_csv(run)).stat().st_size
    finished = time.perf_counter()
    gc.callbacks.remove(clock)
    marks = timing.marks
    slow = sorted(timing.checks.items(), key=lambda kv: -kv[1])[:5]
    print(f"--- {label}: {len(registry.specs)} checks, {len(run.findings)} findings")
    print("  sources: " + ", ".join(f"{s.name} {s.duration_s:.2f}s" for s in run.sources))
    print(f"  setup (config, registry, previous run): {marks['collect'] - started:.2f} s")
    print(f"  collect: {marks['collected'] - marks['collect']:.2f} s")
    print(
        f"  checks: {marks['checked'] - marks['checks']:.2f} s (slowest: "
        + ", ".join(f"{c} {t:.2f}s" for c, t in slow)
        + ")"
    )
    print(f"  engine (stamp, mutes, persist): {audited - marks['checked']:.2f} s")
    print(
        f"  JSON ({json_size // 1024} KiB) + CSV ({csv_size // 1024} KiB): {finished - audited:.2f} s"
    )
    print(f"  of which garbage collection: {clock.seconds:.2f} s ({clock.collections} collections)")
    total = finished - started
    verdict = "OK" if total < 10 else "OVER"
    print(f"  evidence->report wall time: {total:.2f} s (target < 10 s on one core): {verdict}")
    peak = max_rss_mb()
    verdict = "OK" if peak < 300 else "OVER"
    print(f"  peak memory so far (max RSS): {peak:.0f} MB (target < 300 MB): {verdict}")


def bench_audit(items: int, account_count: int) -> None:
    """A first run (empty store) and a second, steady-state run (previous evidence+findings)."""
    with tempfile.TemporaryDirectory(prefix="brand-bench-") as tmp:
        folder = Path(tmp)
        config_path, accounts = write_estate(folder, items, account_count)
        print(f"estate: {items} vault items, {account_count} accounts, 50 domains")
        print(f"memory before the first run (max RSS): {max_rss_mb():.0f} MB")
        one_run("first run (empty store)", config_path, accounts, folder)
        one_run("second run (compared with the first)", config_path, accounts, folder)


def bench_help(repeats: int = 7) -> None:
    script = Path(sys.executable).with_name("brand-audit")
    command = (
        [str(script), "--help"] if script.exists() else [sys.executable, "-m", "auditor", "--help"]
    )
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    verdict = "OK" if median < 0.3 else "OVER"
    print(
        f"brand-audit --help: median {median * 1000:.0f} ms, best {min(times) * 1000:.0f} ms over {repeats} (target < 300 ms): {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--accounts", type=int, default=1000)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    # bench/reports.py must not shadow the reports package when run as "python bench/engine.py"
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    bench_help()
    bench_audit(args.items, args.accounts)


if __name__ == "__main__":
    main()
