"""Benchmarks of the DOMAINS slice: parse correctness, lookalike generation speed, HIBP requests.

Run from the repository root: ``.venv/bin/python bench/domains.py``. Prints:

1. WHOIS, on every reply of ``../shared/testdata/whois-samples`` (held out while the registry
   phrasing table was built) and ``whoisdomain-samples``, through the reader a run uses
   (classification, line reader, python-whois in a bounded worker): the registered / available
   / unknown decision per sample (marked where the raw text says otherwise), per-field agreement
   (expiry, creation, registrar) with each upstream parser's recorded output, every
   disagreement, and the slowest parse.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.collectors.impersonation.lookalikes import generate, rank  # noqa: E402
from auditor.collectors.records.hibp import PwnedPasswords  # noqa: E402
from auditor.collectors.registration.public_suffix import PublicSuffixList  # noqa: E402
from auditor.collectors.registration.rdap import parse_domain  # noqa: E402
from auditor.collectors.registration.whois_fields import registrar_name  # noqa: E402
from auditor.collectors.registration.whois_parser import BoundedParser  # noqa: E402
from auditor.collectors.registration.whois_reply import read_reply  # noqa: E402
from auditor.config.loading import NetworkModel, PlatformModel  # noqa: E402
from auditor.core.completeness import Facet, facet_status  # noqa: E402
from auditor.core.errors import CollectionError  # noqa: E402
from auditor.http.client import HttpClient  # noqa: E402
from auditor.sandbox import start_sandbox  # noqa: E402
from auditor.sandbox.world import world_from_mapping  # noqa: E402
from checks.domain import org_key  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata"
NOW = datetime.now(UTC)

DECIDED_FROM_TEXT = {
    "mining.com.ru": "available",  # TCI: "No entries found for the selected source(s)."
    "hkirc.hk": "unknown",  # HKIRC: "Please maintain at least 10-second time ..." (throttled)
    "thnic.co.th": "unknown",  # THNIC: "% Too may requests." (throttled)
    "net.tw": "unknown",  # TWNIC: "reserved name"
    "www.turkiye.gov.tr": "unknown",  # TRABIS: "Invalid input" (and not a registrable name)
    "pik.bzh": "unknown",  # the whois tool could not reach whois-bzh.nic.fr
    "google.com.et": "unknown",  # internic's "No match" for a ccTLD it does not serve
    "net.ye": "unknown",  # same: internic, not the .ye registry
}
"""The decision the raw text supports where it is not "registered" (read by hand)."""


@dataclass
class Sample:
    """One recorded reply and another parser's opinion of it."""

    corpus: str
    name: str
    text: str
    expected: dict[str, Any]


def _day(value: Any) -> list[date]:
    items = value if isinstance(value, list) else [value]
    days = []
    for item in items:
        if isinstance(item, str) and item[:4].isdigit():
            days.append(datetime.fromisoformat(item.strip()).date())
    return days


def _norm(name: str | None) -> str | None:
    cleaned = registrar_name(name) if name else None
    return org_key(cleaned) if cleaned else None


def _whois_samples() -> Iterator[Sample]:
    folder = TESTDATA / "whois-samples"
    for raw in sorted((folder / "raw").iterdir()) if folder.is_dir() else []:
        expected_path = folder / "expected" / raw.name
        want = json.loads(expected_path.read_text("utf-8")) if expected_path.exists() else {}
        reg = want.get("registrar")
        expected = {
            "expires": _day(want.get("expiration_date")),
            "created": _day(want.get("creation_date")),
            "registrar": _norm(reg[0] if isinstance(reg, list) else reg),
        }
        yield Sample("whois-samples (held out)", raw.name, raw.read_text("utf-8"), expected)


def _dump_value(line: str) -> str:
    parts = line.split(None, 2)
    return parts[2].strip() if len(parts) == 3 else "None"


def _whoisdomain_samples() -> Iterator[Sample]:
    folder = TESTDATA / "whoisdomain-samples"
    for entry in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        dump = entry / "output"
        fields: dict[str, str] = {}
        if dump.exists():
            for line in dump.read_text("utf-8").splitlines():
                if line.split(None, 1)[:1] and not line.startswith("test domain"):
                    fields[line.split(None, 1)[0]] = _dump_value(line)
        reg = fields.get("registrar", "None").strip("'")
        expected = {
            "expires": _day(fields.get("expiration_date", "None")),
            "created": _day(fields.get("creation_date", "None")),
            "registrar": _norm(reg if reg not in ("", "None") else None),
        }
        text = (entry / "input").read_text("utf-8")
        yield Sample("whoisdomain-samples (seen)", entry.name, text, expected)


def _ours(ev: Any) -> dict[str, Any]:
    return {
        "expires": ev.expires_at.date() if ev.expires_at else None,
        "created": ev.created_at.date() if ev.created_at else None,
        "registrar": _norm(ev.registrar),
    }


def bench_whois() -> None:
    """Per-field agreement, the decision per sample, and the slowest parse."""
    parser = BoundedParser()
    started = time.perf_counter()
    parser.parse("warm-up.invalid", "")  # worker start-up is not parse time: shown apart
    print(f"whois: python-whois workers started in {time.perf_counter() - started:.2f} s")
    rows: list[tuple[Sample, Any, float]] = []
    try:
        for sample in (*_whois_samples(), *_whoisdomain_samples()):
            started = time.perf_counter()
            ev = read_reply(sample.name, sample.text, NOW, parser=parser)
            rows.append((sample, ev, time.perf_counter() - started))
    finally:
        parser.close()
    print("whois: registered / available / unknown per sample (reason when unknown)")
    for sample, ev, _ in rows:
        state = facet_status(ev, Facet.REGISTRATION)
        decision = (
            "unknown"
            if not state.is_complete or ev.registered is None
            else ("registered" if ev.registered else "available")
        )
        want = DECIDED_FROM_TEXT.get(sample.name, "registered")
        mark = "" if decision == want else f"   <-- the text says {want}"
        why = f" ({state.reason})" if decision == "unknown" else ""
        print(f"  {sample.name:24} {decision}{why}{mark}")
    for corpus in sorted({s.corpus for s, _, _ in rows}):
        print(f"whois field agreement with the upstream parser's recorded output, {corpus}:")
        for field in ("expires", "created", "registrar"):
            agree = total = 0
            misses = []
            for sample, ev, _ in rows:
                if sample.corpus != corpus or ev.registered is not True:
                    continue
                want, got = sample.expected[field], _ours(ev)[field]
                if want in ([], None) and got is None:
                    continue
                total += 1
                same = got in want if isinstance(want, list) else got == want
                agree += same
                if not same:
                    misses.append(f"{sample.name}: ours {got}, theirs {want}")
            print(f"  {field:10} {agree:3}/{total:<3} {100 * agree / max(total, 1):5.1f}%")
            for miss in misses:
                print(f"      {miss}")
    slowest = sorted(rows, key=lambda r: r[2], reverse=True)[:3]
    print(
        "whois: slowest parses (python-whois in a worker, bounded at "
        f"{BoundedParser().limit_s:g} s, plus the line reader): "
        + ", ".join(f"{s.name} {t * 1000:.0f} ms" for s, _, t in slowest)
    )


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
            f"  {path.name:22} registered  expires {ev.expires_at and ev.expires_at.date()}  "
            f"registrar {ev.registrar!r} (IANA {ev.registrar_iana_id})"
        )
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
    """Run every benchmark (``whois`` / ``rdap`` / ``lookalikes`` / ``hibp`` as arguments run
    only those)."""
    wanted = set(sys.argv[1:]) or {"whois", "rdap", "lookalikes", "hibp"}
    for name, bench in (
        ("whois", bench_whois),
        ("rdap", bench_rdap),
        ("lookalikes", bench_lookalikes),
        ("hibp", bench_hibp),
    ):
        if name in wanted:
            bench()


if __name__ == "__main__":
    main()
