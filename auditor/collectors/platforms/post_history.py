"""The previous run's posts of each account, checked to still exist before they are carried over.

Platform collectors fetch posts incrementally (only what is newer than the previous run's cursor)
and carry the previous run's posts forward. A carried post may have been deleted since, and a
deleted post must disappear from the evidence (``content.posts-deleted`` compares the runs), so a
carried post is kept only when this run saw it exist, in one of two ways:

- checked in advance (X, whose timeline is filtered by ``since_id`` server-side):
  :func:`check_histories` asks the platform, in batches shared by all accounts of the collector,
  which carried ids still exist;
- confirmed per account (Meta, LinkedIn, YouTube, whose newest posts are read page by page until
  the cursor): :meth:`CarriedPosts.confirm` takes the posts on the pages read as proof (present: it
  exists; missing although newer than the oldest listed: it is gone) and asks the platform, in
  batches, only about the older carried posts the pages did not reach. An unchanged account
  thus costs no lookup at all.

Posts that left the content window are dropped. When a lookup fails, or its answer does not say
whether a post still exists, the history gets an ``error``: the account's posts are then unknown
(never the stale list as if it had been verified).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from auditor.collectors.base import CollectContext
from auditor.core.errors import AuthFailed, CollectionError, MalformedResponse
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, Post

Verifier = Callable[[Sequence[str]], Mapping[str, bool]]
"""Answers, for a batch of post ids, which still exist (True) and which are gone (False); an
id it leaves out is undecided. Raises CollectionError when the batch cannot be read."""

Answer = tuple[Mapping[str, bool], CollectionError | None]
"""One batch's answers, or the error that stopped it."""

Runner = Callable[[Mapping[str, Callable[[], Answer]]], Mapping[str, Answer]]
"""Runs named batch lookups (side by side) and returns their answers by name."""


@dataclass
class CarriedPosts:
    """The previous run's posts of one account, and what this run decided about them (a
    working record of one account's read, decided once, so not frozen)."""

    previous: AccountEvidence | None = None
    """The previous run's evidence with posts (None: nothing to carry; read the whole window)."""
    carried: tuple[Post, ...] = ()
    """The previous run's posts still inside the content window (not yet known to exist)."""
    kept: tuple[Post, ...] | None = None
    """Carried posts the platform confirmed still exist (None: not decided yet)."""
    error: CollectionError | None = None
    """Why the carried posts could not be checked (the account's posts are then unknown)."""

    @property
    def cursor(self) -> str | None:
        """The incremental fetch position the previous run left."""
        return self.previous.cursor if self.previous is not None else None

    def for_account(self, account_id: str) -> CarriedPosts:
        """This history, or an empty one when the handle now resolves to another account."""
        if self.previous is not None and self.previous.account_id != account_id:
            return CarriedPosts(kept=())
        return self

    def confirm(self, listed: Sequence[Post], verify: Verifier, batch: int) -> None:
        """Decide which carried posts still exist, for a collector that read the account's
        newest posts page by page (``listed``: every post on the pages it read, in the window
        or not). A carried post on those pages exists; one newer than the oldest post listed
        but missing from them is gone; the rest are asked through ``verify`` in batches. A
        failed lookup sets ``error`` (AuthFailed propagates)."""
        if self.kept is not None or self.error is not None:
            return
        present = {p.id for p in listed}
        oldest = min((p.created_at for p in listed), default=None)
        unsure = [
            p
            for p in self.carried
            if p.id not in present and (oldest is None or p.created_at <= oldest)
        ]
        answers, failed = _ask([p.id for p in unsure], verify, batch, _in_turn)
        if failed:
            self.error, self.kept = next(iter(failed.values())), ()
            return
        self.kept = tuple(p for p in self.carried if p.id in present)
        self.decide(unsure, answers, source="")

    def decide(self, asked: Sequence[Post], answers: Mapping[str, bool], source: str) -> None:
        """Keep the ``asked`` posts the ``answers`` say exist; an undecided one is an error."""
        undecided = [p.id for p in asked if p.id not in answers]
        if undecided:
            where = f"{source}: " if source else ""
            self.error = MalformedResponse(
                f"{where}the post lookup did not say whether post {undecided[0][:80]} still exists"
            )
            self.kept = ()
            return
        self.kept = (*(self.kept or ()), *(p for p in asked if answers[p.id]))

    def merge(self, fresh: Iterable[Post], floor: datetime) -> tuple[Post, ...]:
        """Fresh posts plus the confirmed carried ones inside the window, newest first."""
        merged = {p.id: p for p in fresh if p.created_at >= floor}
        for post in self.kept or ():
            if post.created_at >= floor and post.id not in merged:
                merged[post.id] = post
        return tuple(sorted(merged.values(), key=lambda p: p.created_at, reverse=True))


def window_floor(ctx: CollectContext) -> datetime:
    """The oldest post time the content window covers."""
    return ctx.now - timedelta(days=ctx.policy.content_window_days)


def previous_evidence(ctx: CollectContext, spec: AccountSpec) -> AccountEvidence | None:
    """The previous run's evidence for ``spec``, when it was read and has posts whose text is
    whole. A stored snapshot keeps only a digest and a masked excerpt of each post
    (:mod:`auditor.engine.minimise`): such posts are never carried (the checks would judge the
    excerpt), so the account's content window is read again in full."""
    if ctx.previous is None:
        return None
    found = ctx.previous.accounts.get(spec.asset.key)
    if found is None or found.state is not AccountState.ACTIVE or found.posts is None:
        return None
    if any(post.text_digest is not None for post in found.posts):
        return None
    return found


def _attempt(verify: Verifier, ids: Sequence[str]) -> Answer:
    try:
        return verify(ids), None
    except AuthFailed:
        raise
    except CollectionError as exc:
        return {}, exc


def _in_turn(jobs: Mapping[str, Callable[[], Answer]]) -> dict[str, Answer]:
    """Run batch lookups one after another (inside one account's read)."""
    return {name: job() for name, job in jobs.items()}


def _ask(
    ids: Sequence[str],
    verify: Verifier,
    batch: int,
    run: Runner,
) -> tuple[dict[str, bool], dict[str, CollectionError]]:
    """Every id asked in batches of ``batch``: the answers, and the error of each failed id."""
    if not ids:
        return {}, {}
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
    verify: Verifier | None,
    *,
    source: str,
    batch: int,
    run: Runner,
) -> dict[str, CarriedPosts]:
    """The history of every spec, by asset key. With ``verify``, the carried posts of all specs
    are checked now, in batches run by ``run`` (side by side); without, each account confirms
    its own after reading its newest posts. A refused token (AuthFailed) propagates."""
    floor = window_floor(ctx)
    histories = {spec.asset.key: CarriedPosts(kept=()) for spec in specs}
    for spec in specs:
        previous = previous_evidence(ctx, spec)
        if previous is not None:
            posts = tuple(p for p in previous.posts or () if p.created_at >= floor)
            histories[spec.asset.key] = CarriedPosts(previous, posts)
    if verify is None:
        return histories
    ids = list(dict.fromkeys(p.id for h in histories.values() for p in h.carried))
    answers, failed = _ask(ids, verify, batch, run)
    for history in histories.values():
        if history.kept is not None:
            continue
        history.kept = ()
        error = next((failed[p.id] for p in history.carried if p.id in failed), None)
        if error is not None:
            history.error = error
        else:
            history.decide(history.carried, answers, source)
    return histories
