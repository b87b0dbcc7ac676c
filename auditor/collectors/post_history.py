"""The previous run's posts of each account, checked to still exist before they are carried over.

Platform collectors fetch posts incrementally (only what is newer than the previous run's cursor)
and carry the previous run's posts forward. A carried post may have been deleted since, and a
deleted post must disappear from the evidence (``content.posts-deleted`` compares the runs), so
before the accounts are read :func:`check_histories` asks the platform, in batches shared by all
accounts of the collector, which carried ids still exist. Posts that no longer exist or have left
the content window are dropped. When a batch cannot be read, or the answer does not say whether a
post still exists, the accounts whose posts were in it get an ``error``: their posts are then
unknown (never the stale list as if it had been verified).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from auditor.collectors.base import CollectContext
from auditor.errors import AuthFailed, CollectionError, MalformedResponse
from auditor.estate import AccountSpec
from auditor.evidence import AccountEvidence, AccountState, Post

Verifier = Callable[[Sequence[str]], Mapping[str, bool]]
"""Answers, for a batch of post ids, which still exist (True) and which are gone (False); an
id it leaves out is undecided. Raises CollectionError when the batch cannot be read."""

Answer = tuple[Mapping[str, bool], CollectionError | None]
"""One batch's answers, or the error that stopped it."""

Runner = Callable[[Mapping[str, Callable[[], Answer]]], Mapping[str, Answer]]
"""Runs named batch lookups (side by side) and returns their answers by name."""


@dataclass(frozen=True)
class History:
    """The previous run's posts of one account, as checked this run."""

    previous: AccountEvidence | None = None
    """The previous run's evidence with posts (None: nothing to carry; read the whole window)."""
    kept: tuple[Post, ...] = ()
    """Carried posts inside the window that the platform confirmed still exist."""
    error: CollectionError | None = None
    """Why the carried posts could not be checked (the account's posts are then unknown)."""

    @property
    def cursor(self) -> str | None:
        """The incremental fetch position the previous run left."""
        return self.previous.cursor if self.previous is not None else None

    def for_account(self, account_id: str) -> History:
        """This history, or an empty one when the handle now resolves to another account."""
        if self.previous is not None and self.previous.account_id != account_id:
            return History()
        return self

    def merge(self, fresh: Iterable[Post], floor: datetime) -> tuple[Post, ...]:
        """Fresh posts plus the verified carried ones inside the window, newest first."""
        merged = {p.id: p for p in fresh if p.created_at >= floor}
        for post in self.kept:
            if post.created_at >= floor and post.id not in merged:
                merged[post.id] = post
        return tuple(sorted(merged.values(), key=lambda p: p.created_at, reverse=True))


def window_floor(ctx: CollectContext) -> datetime:
    """The oldest post time the content window covers."""
    return ctx.now - timedelta(days=ctx.policy.content_window_days)


def previous_evidence(ctx: CollectContext, spec: AccountSpec) -> AccountEvidence | None:
    """The previous run's evidence for ``spec``, when it was read and has posts."""
    if ctx.previous is None:
        return None
    found = ctx.previous.accounts.get(spec.asset.key)
    if found is None or found.state is not AccountState.ACTIVE or found.posts is None:
        return None
    return found


def _attempt(verify: Verifier, ids: Sequence[str]) -> Answer:
    try:
        return verify(ids), None
    except AuthFailed:
        raise
    except CollectionError as exc:
        return {}, exc


def _ask(
    ids: Sequence[str],
    verify: Verifier,
    batch: int,
    run: Runner,
) -> tuple[dict[str, bool], dict[str, CollectionError]]:
    """Every id asked in batches of ``batch``: the answers, and the error of each failed id."""
    chunks = [list(ids[i : i + batch]) for i in range(0, len(ids), batch)]
    jobs = {str(n): partial(_attempt, verify, chunk) for n, chunk in enumerate(chunks)}
    answers: dict[str, bool] = {}
    failed: dict[str, CollectionError] = {}
    found = run(jobs)
    for n, chunk in enumerate(chunks):
        answer, error = found[str(n)]
        if error is not None:
            failed.update(dict.fromkeys(chunk, error))
        else:
            answers.update({k: v for k, v in answer.items() if k in chunk})
    return answers, failed


def check_histories(
    ctx: CollectContext,
    specs: Sequence[AccountSpec],
    verify: Verifier,
    *,
    source: str,
    batch: int,
    run: Runner,
) -> dict[str, History]:
    """The checked history of every spec, by asset key. ``run`` runs the batch lookups (side
    by side); a refused token (AuthFailed) propagates."""
    floor = window_floor(ctx)
    carried: dict[str, tuple[AccountEvidence, tuple[Post, ...]]] = {}
    for spec in specs:
        previous = previous_evidence(ctx, spec)
        if previous is not None:
            posts = tuple(p for p in previous.posts or () if p.created_at >= floor)
            carried[spec.asset.key] = (previous, posts)
    ids = list(dict.fromkeys(p.id for _, posts in carried.values() for p in posts))
    answers, failed = _ask(ids, verify, batch, run) if ids else ({}, {})
    histories = {spec.asset.key: History() for spec in specs}
    for key, (previous, posts) in carried.items():
        error = next((failed[p.id] for p in posts if p.id in failed), None)
        undecided = [p.id for p in posts if p.id not in answers and p.id not in failed]
        if error is None and undecided:
            error = MalformedResponse(
                f"{source}: the post lookup did not say whether post {undecided[0][:80]} "
                "still exists"
            )
        kept = tuple(p for p in posts if answers.get(p.id) is True)
        histories[key] = History(previous, () if error else kept, error)
    return histories
