"""Precision and recall of the text-level content checks on the labelled corpus.

Usage: ``.venv/bin/python bench/content_precision.py [tests/corpus/posts.yaml] [-v]``

Every corpus post becomes a post of one X account; content.scam-pattern, content.pii-exposed,
content.suspicious-link and content.embargo-leak run over it through the real check functions
(no previous run, so the "never linked before" signal is off), and each failing post id is
compared with the post's labels. ``-v`` lists every false positive and false negative.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from auditor.core.estate import AccountSpec, DomainSpec, Estate, Launch, Organization, Policy
from auditor.core.evidence import AccountEvidence, AccountState, Evidence, Post, Profile
from auditor.core.models import Status
from auditor.core.registry import CheckContext, PreviousRun
from checks import content

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "posts.yaml"
LABELS = ("scam-pattern", "pii-exposed", "suspicious-link", "embargo-leak")
TARGETS = {"scam-pattern": 0.95, "pii-exposed": 0.95}
"""Minimum precision and recall asserted by the regression test."""

_FUNCS = {
    "scam-pattern": content.scam_pattern,
    "pii-exposed": content.pii_exposed,
    "suspicious-link": content.suspicious_link,
    "embargo-leak": content.embargo_leak,
}


@dataclass(frozen=True)
class Score:
    """Confusion counts for one check."""

    tp: int
    fp: int
    fn: int
    false_positives: tuple[str, ...]
    false_negatives: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load(path: Path = CORPUS) -> tuple[CheckContext, dict[str, set[str]]]:
    """The check context holding every corpus post, and the expected labels by post id."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    org = data["organization"]
    organization = Organization(
        name=org["name"],
        email_domains=tuple(org["email_domains"]),
        public_emails=tuple(org["public_emails"]),
        public_phones=tuple(str(p) for p in org["public_phones"]),
        default_region=org.get("default_region", "US"),
    )
    launches = tuple(
        Launch(x["name"], tuple(x["terms"]), _moment(x["embargo_until"])) for x in data["launches"]
    )
    default_at = _moment(data["default_posted_at"])
    posts = tuple(
        Post(
            id=str(p["id"]),
            created_at=_moment(p.get("posted_at", default_at)),
            text=str(p["text"]),
            links=tuple(p.get("links", ())),
        )
        for p in data["posts"]
    )
    expected = {str(p["id"]): set(p["expect"]) for p in data["posts"]}
    spec = AccountSpec(platform="x", handle="corpus")
    now = max(p.created_at for p in posts)
    evidence = Evidence(
        collected_at=now,
        accounts={
            spec.asset.key: AccountEvidence(
                platform="x",
                handle="corpus",
                source="corpus",
                observed_at=now,
                state=AccountState.ACTIVE,
                profile=Profile(),
                posts=posts,
            )
        },
    )
    estate = Estate(
        organization=organization,
        accounts=(spec,),
        domains=tuple(DomainSpec(d) for d in data["brand_domains"]),
        launches=launches,
    )
    policy = Policy(allowed_link_domains=tuple(data.get("allowed_link_domains", ())))
    return CheckContext(evidence=evidence, estate=estate, policy=policy, now=now), expected


def evaluate(path: Path = CORPUS) -> dict[str, Score]:
    """Score every labelled check on the corpus."""
    ctx, expected = load(path)
    scores: dict[str, Score] = {}
    for label, func in _FUNCS.items():
        flagged = {o.subject for o in func(ctx) if o.status is Status.FAIL}
        wanted = {pid for pid, labels in expected.items() if label in labels}
        scores[label] = Score(
            tp=len(flagged & wanted),
            fp=len(flagged - wanted),
            fn=len(wanted - flagged),
            false_positives=tuple(sorted(flagged - wanted)),
            false_negatives=tuple(sorted(wanted - flagged)),
        )
    return scores


def throughput(path: Path = CORPUS, total: int = 5000) -> tuple[int, float]:
    """Seconds to run all nine content checks over ``total`` posts (corpus texts repeated,
    with a previous run holding the same posts so the history checks do real work)."""
    ctx, _ = load(path)
    account = next(iter(ctx.evidence.accounts.values()))
    base = account.posts or ()
    posts = tuple(
        replace(
            base[i % len(base)],
            id=f"t{i}",
            created_at=ctx.now - timedelta(minutes=4 * i),
        )
        for i in range(total)
    )
    bigger = replace(account, posts=posts)
    evidence = replace(ctx.evidence, accounts={"account:x:corpus": bigger})
    previous = PreviousRun(run_id="bench", finished_at=ctx.now, evidence=evidence)
    heavy = replace(ctx, evidence=evidence, previous=previous)
    started = time.perf_counter()
    results = sum(len(list(check(heavy))) for check in content.CHECKS)
    return results, time.perf_counter() - started


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [a for a in argv if a != "-v"]
    path = Path(paths[0]) if paths else CORPUS
    started = time.perf_counter()
    scores = evaluate(path)
    elapsed = time.perf_counter() - started
    _, expected = load(path)
    print(f"corpus: {path} ({len(expected)} posts, evaluated in {elapsed:.2f} s)")
    print(f"{'check':<26}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for label, score in scores.items():
        print(
            f"content.{label:<18}{score.tp:>5}{score.fp:>5}{score.fn:>5}"
            f"{score.precision:>11.3f}{score.recall:>8.3f}"
        )
        if verbose:
            for pid in score.false_positives:
                print(f"    false positive: {pid}")
            for pid in score.false_negatives:
                print(f"    false negative: {pid}")
    results, seconds = throughput(path)
    print(f"throughput: 9 content checks over 5000 posts: {results} results in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
