"""Lookalike domains: permutations of each brand domain, ranked, capped, checked for registration.

The permutation families are dnstwist's (addition, bitsquatting, cyrillic, homoglyph,
hyphenation, insertion, omission, plural, repetition, replacement, transposition, vowel-swap,
dictionary, tld-swap), generated here from dnstwist's own glyph and keyboard tables (imported
lazily) rather than through ``dnstwist.Fuzzer``: the Fuzzer builds a dict per permutation and
IDNA-encodes all of them (more than 10,000 for ``bankofamerica.com``, mostly homoglyphs), although
only the closest few are ever checked. ``bench/domains.py`` times both in one run.

Ranking: each permutation carries the cost of its edit, weighted by how easily a reader misses it
(an ASCII homoglyph such as ``0`` for ``o`` or a swapped TLD costs 0.3; ``brand-support`` 0.5;
a doubled, dropped or swapped letter 0.6; an inner hyphen 0.7; an accented letter 0.8; a random
key 1.0; two substitutions add a 0.4 penalty). Similarity is ``1 - cost / len(label)`` on the registrable
label; candidates are checked closest first, at most ``policy.lookalike_cap`` per brand domain,
and the company's own domains are skipped. Only the chosen candidates are IDNA-encoded; one that
IDNA refuses is dropped and the next one is taken.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.registration.lookup import problem_kind
from auditor.collectors.registration.public_suffix import PublicSuffixList
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Completeness, Facet, SourceStatus, facet_status
from auditor.core.errors import CollectionError
from auditor.core.evidence import DomainEvidence, LookalikeDomain, LookalikeScan
from auditor.core.models import Asset, SourceProblem, SourceReport

SWAP_TLDS = (
    "com",
    "net",
    "org",
    "co",
    "io",
    "app",
    "info",
    "biz",
    "us",
    "xyz",
    "shop",
    "store",
    "online",
    "site",
    "support",
)
"""TLDs tried by the tld-swap family."""

WORDS = ("support", "help", "login", "official", "shop", "secure")
"""Words of the dictionary family (``brand-word`` 0.5, ``brandword`` 0.7, ``word-brand`` 0.75)."""

COSTS = {
    "homoglyph-ascii": 0.3,
    "cyrillic": 0.3,
    "tld-swap": 0.3,
    "dictionary": 0.5,
    "repetition": 0.6,
    "omission": 0.6,
    "transposition": 0.6,
    "hyphenation": 0.7,
    "plural": 0.7,
    "homoglyph": 0.8,
    "vowel-swap": 0.9,
    "insertion": 1.0,
    "replacement": 1.0,
    "bitsquatting": 1.0,
    "addition": 1.0,
}
"""Edit cost by family (lower: harder to notice)."""

DOUBLE_PENALTY = 0.4
"""Added to the cost of two homoglyph substitutions in one label."""


class Lookup(Protocol):
    """Registration lookup of one domain (RDAP, WHOIS fallback, cached per run)."""

    def lookup(self, domain: str, now: datetime) -> DomainEvidence:
        """Evidence for ``domain``; :class:`~auditor.core.errors.CollectionError` when unreadable."""
        ...


@dataclass(frozen=True)
class Candidate:
    """One ranked permutation."""

    domain: str
    """ASCII (IDNA) form of the permuted registrable domain."""
    fuzzer: str
    """Permutation family."""
    similarity: float
    """0..1, higher is closer to the brand domain."""


@dataclass(frozen=True)
class _Tables:
    glyphs: Mapping[str, tuple[str, ...]]
    ascii_glyphs: Mapping[str, tuple[str, ...]]
    cyrillic: Mapping[str, str]
    keyboards: tuple[Mapping[str, str], ...]


def _tables(tld: str) -> _Tables:
    from dnstwist import Fuzzer  # lazy: only the tables are used

    unicode = Fuzzer.glyphs_idn_by_tld.get(tld, Fuzzer.glyphs_unicode)
    merged: dict[str, tuple[str, ...]] = {}
    for key in set(unicode) | set(Fuzzer.glyphs_ascii):
        merged[key] = tuple(
            dict.fromkeys((*Fuzzer.glyphs_ascii.get(key, ()), *unicode.get(key, ())))
        )
    ascii_glyphs = {k: tuple(v) for k, v in Fuzzer.glyphs_ascii.items()}
    return _Tables(merged, ascii_glyphs, dict(Fuzzer.latin_to_cyrillic), tuple(Fuzzer.keyboards))


def _singles(label: str, tables: _Tables) -> list[tuple[int, int, str, float]]:
    """Homoglyph substitutions as (start, end, replacement, cost)."""
    found: list[tuple[int, int, str, float]] = []
    for size in (1, 2):
        for start in range(len(label) - size + 1):
            chunk = label[start : start + size]
            for glyph in tables.glyphs.get(chunk, ()):
                kind = (
                    "homoglyph-ascii"
                    if glyph in tables.ascii_glyphs.get(chunk, ())
                    else "homoglyph"
                )
                found.append((start, start + size, glyph, COSTS[kind]))
    return found


def _homoglyphs(label: str, tables: _Tables) -> Iterator[tuple[str, str, float]]:
    singles = _singles(label, tables)
    for start, end, glyph, cost in singles:
        kind = "homoglyph" if cost > COSTS["homoglyph-ascii"] else "homoglyph-ascii"
        yield label[:start] + glyph + label[end:], kind, cost
    for i, (s1, e1, g1, c1) in enumerate(singles):
        for s2, e2, g2, c2 in singles[i + 1 :]:
            if s2 >= e1:
                text = label[:s1] + g1 + label[e1:s2] + g2 + label[e2:]
                yield text, "homoglyph", c1 + c2 + DOUBLE_PENALTY


def _keyboard(label: str, tables: _Tables) -> Iterator[tuple[str, str]]:
    """Replacement and insertion of adjacent keys on three keyboard layouts."""
    for i, char in enumerate(label):
        for keyboard in tables.keyboards:
            for key in keyboard.get(char, ""):
                yield label[:i] + key + label[i + 1 :], "replacement"
                if i < len(label) - 1:
                    yield label[:i] + key + label[i:], "insertion"
                    yield label[: i + 1] + key + label[i + 1 :], "insertion"


def _bits(label: str) -> Iterator[tuple[str, str]]:
    """Bit flips and vowel swaps."""
    for i, char in enumerate(label):
        if char in "aeiou":
            for vowel in "aeiou":
                yield label[:i] + vowel + label[i + 1 :], "vowel-swap"
        for mask in (1, 2, 4, 8, 16, 32, 64, 128):
            flipped = chr(ord(char) ^ mask)
            if flipped in "abcdefghijklmnopqrstuvwxyz0123456789-":
                yield label[:i] + flipped + label[i + 1 :], "bitsquatting"


def _typos(label: str) -> Iterator[tuple[str, str]]:
    """Omission, repetition, transposition, hyphenation, plural and addition."""
    n = len(label)
    for i in range(n):
        yield label[:i] + label[i + 1 :], "omission"
        yield label[:i] + label[i] + label[i:], "repetition"
        if i < n - 1:
            yield label[:i] + label[i + 1] + label[i] + label[i + 2 :], "transposition"
        if i > 0:
            yield label[:i] + "-" + label[i:], "hyphenation"
    for i in range(2, n - 2):
        yield label[: i + 1] + ("es" if label[i] in "sxz" else "s") + label[i + 1 :], "plural"
    for code in (*range(48, 58), *range(97, 123)):
        yield label + chr(code), "addition"


def generate(label: str, tld: str) -> dict[str, tuple[str, float]]:
    """Every permutation of ``label`` (Unicode labels, and ``=tld`` for tld swaps) → (family,
    cost); the cheapest family wins when several produce the same label."""
    tables = _tables(tld)
    found: dict[str, tuple[str, float]] = {}

    def add(text: str, family: str, cost: float) -> None:
        if text and text != label and text.strip("-") == text:
            current = found.get(text)
            if current is None or cost < current[1]:
                found[text] = (family, cost)

    for text, family, cost in _homoglyphs(label, tables):
        add(text, family, cost)
    for text, family in (*_typos(label), *_keyboard(label, tables), *_bits(label)):
        add(text, family, COSTS[family])
    if all(c in tables.cyrillic for c in label if c.isalpha()) and any(c.isalpha() for c in label):
        add("".join(tables.cyrillic.get(c, c) for c in label), "cyrillic", COSTS["cyrillic"])
    for word in WORDS:
        add(f"{label}-{word}", "dictionary", COSTS["dictionary"])
        add(f"{label}{word}", "dictionary", COSTS["dictionary"] + 0.2)
        add(f"{word}-{label}", "dictionary", COSTS["dictionary"] + 0.25)
    for other in SWAP_TLDS:
        if other != tld:
            add("=" + other, "tld-swap", COSTS["tld-swap"])
    return found


def _ascii(text: str) -> str | None:
    import idna

    try:
        return idna.encode(text).decode("ascii")
    except idna.IDNAError:
        return None


def rank(
    brand_domain: str, cap: int, skip: Collection[str], psl: PublicSuffixList
) -> tuple[list[Candidate], int]:
    """The ``cap`` closest valid permutations not in ``skip``, and how many were generated."""
    label, tld = psl.split(brand_domain)
    found = generate(label, tld)
    order = sorted(found.items(), key=lambda item: (item[1][1], item[1][0], item[0]))
    chosen: list[Candidate] = []
    seen = {s.lower() for s in skip} | {brand_domain.lower()}
    for text, (family, cost) in order:
        if len(chosen) >= cap:
            break
        name = f"{label}.{text[1:]}" if text.startswith("=") else f"{text}.{tld}"
        encoded = name if name.isascii() else _ascii(name)
        if encoded is None or encoded in seen or len(encoded.split(".")[0]) > 63:
            continue
        seen.add(encoded)
        similarity = max(0.0, round(1.0 - cost / max(len(label), 1), 3))
        chosen.append(
            Candidate(encoded, family.replace("homoglyph-ascii", "homoglyph"), similarity)
        )
    return chosen, len(found)


class LookalikeCollector(Collector):
    """Permutes each brand domain and checks the closest candidates for registration."""

    name = "lookalikes"
    capabilities = Capabilities(source="lookalikes", facets=frozenset({Facet.LOOKALIKES}))

    def __init__(self, lookup: Lookup, psl: PublicSuffixList, *, workers: int = 8) -> None:
        self.lookup = lookup
        self.psl = psl
        self.workers = max(1, workers)

    def _check(self, candidate: Candidate, now: datetime) -> tuple[LookalikeDomain, str | None]:
        base = (candidate.domain, candidate.fuzzer, candidate.similarity)
        try:
            found = self.lookup.lookup(candidate.domain, now)
        except CollectionError as exc:
            return LookalikeDomain(*base, registered=None), exc.kind.value
        if found.registered is None or not facet_status(found, Facet.REGISTRATION).is_complete:
            # throttled, reserved, invalid or unreadable: neither registered nor free
            return LookalikeDomain(*base, registered=None), problem_kind(found).value
        return (
            LookalikeDomain(
                *base, found.registered, found.registrar, found.created_at, found.registrant_org
            ),
            None,
        )

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        started, before = time.monotonic(), int(getattr(self.lookup, "requests", 0))
        own = {d.name for d in ctx.estate.domains} | set(ctx.estate.organization.email_domains)
        scans: list[LookalikeScan] = []
        problems: list[SourceProblem] = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for spec in ctx.estate.domains:
                if not spec.lookalikes:
                    continue
                chosen, generated = rank(spec.name, ctx.policy.lookalike_cap, own, self.psl)
                results = list(pool.map(lambda c: self._check(c, ctx.now), chosen))
                failed = [r for r, problem in results if problem is not None]
                state = Completeness.complete()
                if failed:
                    problems.append(_problem(spec.name, len(failed), len(results), results))
                    state = Completeness.partial(
                        f"{len(failed)} of {len(results)} candidates could not be checked"
                    )
                scans.append(
                    LookalikeScan(
                        spec.name,
                        ctx.now,
                        tuple(r for r, _ in results),
                        generated,
                        facets={Facet.LOOKALIKES: state},
                    )
                )
        report = SourceReport(
            name=self.name,
            status=SourceStatus.PARTIAL if problems else SourceStatus.COMPLETE,
            observed_at=ctx.now,
            problems=tuple(problems),
            requests=int(getattr(self.lookup, "requests", 0)) - before,
            duration_s=time.monotonic() - started,
        )
        return CollectorOutput(report=report, items=tuple(scans))


def _problem(
    brand: str, failed: int, total: int, results: Sequence[tuple[Any, str | None]]
) -> SourceProblem:
    kinds = sorted({p for _, p in results if p is not None})
    return SourceProblem(
        kind=kinds[0],
        detail=f"{failed} of {total} lookalikes of {brand} could not be checked",
        asset_key=Asset.for_domain(brand).key,
    )
