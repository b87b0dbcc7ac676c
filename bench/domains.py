"""Benchmarks of the DOMAINS slice: parse correctness, lookalike generation speed, HIBP requests.

Run from the repository root: ``.venv/bin/python bench/domains.py``. Prints:

1. WHOIS: per-field agreement of our normalised parse with python-whois's recorded expectations on
   ``../shared/testdata/whois-samples`` (expected values normalised the same way: earliest date of
   a list, EPP camelCase statuses, first registrar, lower-cased names).
2. RDAP: parse success on ``../shared/testdata/rdap-samples``.
3. Lookalikes for ``bankofamerica.com``: our generation + ranking + capping, timed side by side
   with ``dnstwist.Fuzzer(...).generate()`` in the same process (best of N), the ratio, and how
   much of dnstwist's permutation set ours covers.
4. Pwned Passwords: 1,000 vault passwords against the sandbox's range API: requests sent versus
   distinct prefixes.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.collectors.impersonation.lookalikes import generate, rank  # noqa: E402
from auditor.collectors.records.hibp import PwnedPasswords  # noqa: E402
from auditor.collectors.registration.public_suffix import PublicSuffixList  # noqa: E402
from auditor.collectors.registration.rdap import epp_status, parse_domain  # noqa: E402
from auditor.collectors.registration.whois import earliest, normalize_entry  # noqa: E402
from auditor.config.loading import NetworkModel, PlatformModel  # noqa: E402
from auditor.core.errors import CollectionError  # noqa: E402
from auditor.http.client import HttpClient  # noqa: E402
from auditor.sandbox import start_sandbox  # noqa: E402
from auditor.sandbox.world import world_from_mapping  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata"
NOW = datetime.now(UTC)
FIELDS = ("domain_name", "expiration_date", "creation_date", "updated_date", "registrar", "status")


def _dates(value: Any) -> datetime | None:
    items = value if isinstance(value, list) else [value]
    parsed = [datetime.fromisoformat(v) for v in items if isinstance(v, str)]
    return earliest(parsed)


def _names(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {str(v).strip().lower() for v in items if v}


def _first(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    return next((str(v).strip() for v in items if v), None)


def _statuses(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {epp_status(str(v)) for v in items if v} - {""}


def _ours(entry: Any, name: str, text: str) -> dict[str, Any]:
    ev = normalize_entry(entry, name, NOW, text=text)
    return {
        "domain_name": _names(entry.get("domain_name")),
        "expiration_date": ev.expires_at,
        "creation_date": ev.created_at,
        "updated_date": earliest(entry.get("updated_date")),
        "registrar": ev.registrar,
        "status": set(ev.statuses or ()),
    }


def _expected(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "domain_name": _names(raw.get("domain_name")),
        "expiration_date": _dates(raw.get("expiration_date")),
        "creation_date": _dates(raw.get("creation_date")),
        "updated_date": _dates(raw.get("updated_date")),
        "registrar": _first(raw.get("registrar")),
        "status": _statuses(raw.get("status")),
    }


def bench_whois() -> None:
    """Per-field agreement on the recorded WHOIS samples."""
    folder = TESTDATA / "whois-samples"
    if not folder.is_dir():
        print("whois: samples absent, skipped")
        return
    from whois.exceptions import PywhoisError
    from whois.parser import WhoisEntry

    agree = dict.fromkeys(FIELDS, 0)
    total = errors = 0
    for raw in sorted((folder / "raw").iterdir()):
        expected_path = folder / "expected" / raw.name
        if not expected_path.exists():
            continue
        total += 1
        text = raw.read_text(encoding="utf-8")
        try:
            ours = _ours(WhoisEntry.load(raw.name, text), raw.name, text)
        except (PywhoisError, CollectionError):
            errors += 1
            continue
        want = _expected(json.loads(expected_path.read_text(encoding="utf-8")))
        for field in FIELDS:
            agree[field] += ours[field] == want[field]
    print(f"whois: {total} samples, {errors} raised (counted as disagreement on every field)")
    for field in FIELDS:
        print(f"  {field:16} {agree[field]:3}/{total}  {100 * agree[field] / total:5.1f}%")


def bench_rdap() -> None:
    """Parse success on the recorded RDAP samples."""
    folder = TESTDATA / "rdap-samples"
    if not folder.is_dir():
        print("rdap: samples absent, skipped")
        return
    ok = complete = 0
    files = sorted(folder.glob("*.json"))
    for path in files:
        payload = json.loads(path.read_text(encoding="utf-8"))
        name = str(payload.get("ldhName", "")).rstrip(".").lower()
        try:
            ev = parse_domain(payload, name, NOW)
        except CollectionError as exc:
            print(f"  {path.name}: {type(exc).__name__}")
            continue
        ok += 1
        fields = (ev.expires_at, ev.created_at, ev.registrar, ev.statuses)
        complete += all(f is not None for f in fields)
    print(
        f"rdap: {ok}/{len(files)} parsed; {complete} with expiry, creation, registrar and statuses "
        "(the 2 malformed samples are tolerated: their broken jCards are skipped)"
    )


def _best(func: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def bench_lookalikes(domain: str = "bankofamerica.com", runs: int = 7) -> None:
    """Our generation + ranking versus dnstwist's generation, in one process."""
    import dnstwist
    import idna

    psl = PublicSuffixList.bundled()
    rank(domain, 50, (), psl)  # warm-up: tables and imports

    def theirs() -> set[Any]:
        fuzzer = dnstwist.Fuzzer(domain)
        fuzzer.generate()
        return set(fuzzer.domains)

    ours_best, ours_median = _best(lambda: rank(domain, 50, (), psl), runs)
    full_best, _ = _best(lambda: rank(domain, 1_000_000, (), psl), 3)
    their_best, their_median = _best(theirs, runs)
    _, generated = rank(domain, 50, (), psl)
    label, tld = psl.split(domain)
    mine = set(generate(label, tld))
    skip = {"*original", "various", "subdomain"}
    their_labels = {
        idna.decode(p["domain"]).rsplit(".", 1)[0] for p in theirs() if p["fuzzer"] not in skip
    }
    covered = len(their_labels & mine) / len(their_labels)
    print(f"lookalikes for {domain} (best / median of {runs}):")
    print(
        f"  ours (generate {generated}, rank, cap 50, IDNA): {ours_best * 1000:7.1f} ms / {ours_median * 1000:7.1f} ms"
    )
    print(
        f"  dnstwist Fuzzer.generate ({len(theirs())}):     {their_best * 1000:7.1f} ms / {their_median * 1000:7.1f} ms"
    )
    print(
        f"  ours, every permutation IDNA-encoded as dnstwist does: {full_best * 1000:7.1f} ms (best of 3)"
    )
    print(
        f"  ratio ours/dnstwist: {ours_best / their_best:.3f} (best), {ours_median / their_median:.3f} (median)"
    )
    print(f"  coverage of dnstwist's permutations (same families): {100 * covered:.1f}%")


def bench_hibp(count: int = 1000) -> None:
    """Range requests versus distinct prefixes for ``count`` vault passwords."""
    # A vault reuses passwords: every third item repeats an earlier one.
    unique = [
        f"vault-password-{i:04d}-{hashlib.sha256(str(i).encode()).hexdigest()[:6]}"
        for i in range(count)
    ]
    passwords = [unique[i // 3] if i % 3 == 2 else unique[i] for i in range(count)]
    digests = [hashlib.sha1(p.encode()).hexdigest().upper() for p in passwords]
    prefixes = {d[:5] for d in digests}
    world = world_from_mapping({"hibp": {"words": passwords[:25]}})
    with start_sandbox(world, faults=[]) as sandbox:
        base = sandbox.base_urls["hibp"]
        settings = PlatformModel(base_url=base, concurrency=8, retries=0)
        http = HttpClient("hibp", settings, NetworkModel(allow_private=True), default_base_url=base)
        before = sandbox.requests_served
        start = time.perf_counter()
        counts = PwnedPasswords(http, workers=8).counts(digests)
        elapsed = time.perf_counter() - start
        served = sandbox.requests_served - before
    breached = sum(1 for c in counts.values() if c > 0)
    print(
        f"hibp: {count} passwords ({len(set(digests))} distinct), {len(prefixes)} distinct prefixes, "
        f"{served} range requests "
        f"({http.requests_made} sent by the client), {breached} breached, {elapsed:.2f} s"
    )


def main() -> None:
    """Run every benchmark."""
    bench_whois()
    bench_rdap()
    bench_lookalikes()
    bench_hibp()


if __name__ == "__main__":
    main()
