"""The platforms collector family: X, Meta (Facebook pages and Instagram), LinkedIn, YouTube.

``build(config)`` returns one collector per configured platform that has inventory accounts.
What the four share lives here: :class:`PlatformCollector`, which reads every inventory account
of its platforms concurrently (bounded by ``platforms.<name>.concurrency``) and isolates them
from each other. Every account's facets are stated against the collector's declared
capabilities (:func:`~auditor.collectors.base.stated_account`): a failed endpoint leaves only
the facets it feeds ``unknown`` (with a :class:`~auditor.core.models.SourceProblem` for that
asset) and the facets already read keep their word; an account that cannot be read at all is
``unknown`` evidence with every facet unknown; a ``not found`` answer is evidence (state
``not_found``), not a failure; a 401 fails the whole source. The report's status is stated
from the problems and the facets (:func:`~auditor.collectors.base.report_status`).
Before the accounts, the previous run's posts still inside the content window are checked to
still exist, in batches across the collector's accounts (:mod:`auditor.collectors.platforms.post_history`):
each account then fetches only newer posts (its cursor) and keeps the carried posts that still
exist; when that check failed, the account's posts are unknown and a problem names it. Also
here: URL digests for avatars and banners, and the cache path of the run's shared HTTP state
(one rate-limit budget, one conditional-request cache persisted beside the audit database).
"""

from __future__ import annotations

import contextvars
import hashlib
import importlib
import logging
import re
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from auditor.collectors.base import (
    CollectContext,
    Collector,
    CollectorOutput,
    FacetReads,
    report_status,
    stated_account,
)
from auditor.collectors.platforms.post_history import (
    CarriedPosts,
    check_histories,
    previous_evidence,
    window_floor,
)
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import AuthFailed, CollectionError, ErrorKind, NotFound, PermissionMissing
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, EvidenceItem, Post
from auditor.core.models import Asset, SourceProblem, SourceReport
from auditor.http.client import HttpClient, HttpShared

if TYPE_CHECKING:
    from auditor.config.loading import AccountCredentialsModel, AppConfig

__all__ = [
    "CarriedPosts",
    "PlatformCollector",
    "build",
    "cache_path",
    "previous_evidence",
    "window_floor",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
S = TypeVar("S")
"""What a collector reads once per run before the accounts (business, token owner ...)."""

_LINK = re.compile(r"https?://[^\s<>\"')\]]+")


def url_digest(url: str | None) -> str | None:
    """A stable digest of an image URL (avatar, banner, logo); None when there is no URL."""
    if not url:
        return None
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()


def links_in(text: str | None) -> tuple[str, ...]:
    """The http(s) links written in ``text``, in order, without duplicates."""
    return tuple(dict.fromkeys(m.rstrip(".,;:!?") for m in _LINK.findall(text or "")))


def cache_path(config: AppConfig, family: str | None = None) -> Path | None:
    """Where the conditional-request cache lives: beside the audit database, and only when that
    database exists (a run whose store lives elsewhere, like the demo's, keeps the cache in
    memory rather than leaving a file beside the config). ``family`` names a cache of its own
    (``audit.<family>.http-cache.json``); without it, the run-wide one (``audit.http-cache.json``)."""
    database = config.resolve(config.model.storage.path)
    if not database.is_file():
        return None
    suffix = f".{family}.http-cache.json" if family else ".http-cache.json"
    return database.with_name(database.stem + suffix)


def concurrently(jobs: Mapping[str, Callable[[], T]], workers: int) -> dict[str, T]:
    """Run independent source-wide reads side by side; their results by name. The first job (in
    the mapping's order) that raised re-raises its error once every job has finished. Each job
    runs in a copy of the caller's context, so its log lines keep the run's context."""
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = {
            name: pool.submit(contextvars.copy_context().run, job) for name, job in jobs.items()
        }
    return {name: future.result() for name, future in futures.items()}


class PlatformCollector(Collector, Generic[S]):
    """Reads every inventory account of ``platforms`` through one :class:`HttpClient`."""

    platforms: tuple[str, ...] = ()
    """Inventory platform names this collector answers (``meta`` also reads ``instagram``)."""

    verify_batch: int = 100
    """Post ids per existence lookup (the platform's batch maximum)."""
    verify_in_advance: bool = False
    """Check every account's carried posts before the accounts, in batches across accounts
    (else each account confirms its own from the pages it reads: :meth:`CarriedPosts.confirm`)."""

    def __init__(self, client: HttpClient, *, concurrency: int = 8) -> None:
        self.client = client
        self.concurrency = concurrency
        self.account_credentials: Mapping[str, AccountCredentialsModel] = {}
        """Each inventory account's own credentials (``accounts[].credentials``) by asset key,
        for the questions a platform answers only to the account itself."""

    @abstractmethod
    def begin(self, ctx: CollectContext) -> tuple[S, list[EvidenceItem], list[SourceProblem]]:
        """Source-wide reads before the accounts: state, discovered accounts, problems.
        Raises CollectionError when the source cannot be read at all."""

    @abstractmethod
    def existing_posts(self, ids: Sequence[str], state: S) -> Mapping[str, bool]:
        """Which of ``ids`` (at most ``verify_batch``) still exist (True) or are gone (False);
        ids left out are undecided. Raises CollectionError when the lookup fails."""

    @abstractmethod
    def account(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        state: S,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> AccountEvidence:
        """Read one inventory account, fetching posts newer than ``history``'s cursor and
        keeping its verified posts. A failed endpoint marks the facets it feeds in ``reads``
        (the facets already read keep their word); raises CollectionError only when the
        account itself cannot be read."""

    def discovery(self, state: S) -> Mapping[str, Completeness]:
        """Completeness of discovery by platform, from the source-wide reads (none by
        default: the collector does not discover)."""
        return {}

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read the source-wide state, check the carried posts, then every account
        concurrently."""
        started = time.monotonic()
        before = self.client.requests_made
        specs = [a for a in ctx.estate.accounts if a.platform in self.platforms]
        try:
            state, items, problems = self.begin(ctx)
            histories = check_histories(
                ctx,
                specs,
                partial(self.existing_posts, state=state) if self.verify_in_advance else None,
                source=self.name,
                batch=self.verify_batch,
                run=partial(concurrently, workers=self.concurrency),
            )
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                futures = [  # a copy of the caller's context per task: logs keep the run
                    pool.submit(
                        contextvars.copy_context().run,
                        self._read_isolated,
                        s,
                        ctx,
                        state,
                        histories[s.asset.key],
                    )
                    for s in specs
                ]
                results = [f.result() for f in futures]
        finally:
            self._save_cache()
        accounts: list[AccountEvidence] = []
        for evidence, found in results:
            accounts.append(evidence)
            problems.extend(p for p in found if p not in problems)
        items.extend(accounts)
        refused = any(p.asset_key is None and p.kind == ErrorKind.AUTH.value for p in problems)
        read = not refused and (
            not specs or any(a.state is not AccountState.UNKNOWN for a in accounts)
        )
        report = SourceReport(
            name=self.name,
            status=report_status(items, problems, anything_read=read),
            observed_at=ctx.now,
            problems=tuple(problems),
            requests=self.client.requests_made - before,
            duration_s=round(time.monotonic() - started, 3),
        )
        return CollectorOutput(report=report, items=tuple(items), discovery=self.discovery(state))

    def confirm_carried(self, history: CarriedPosts, listed: Sequence[Post], state: S) -> None:
        """Decide ``history``'s carried posts from the posts ``listed`` on the pages read,
        asking :meth:`existing_posts` about the ones those pages did not reach."""
        history.confirm(listed, partial(self.existing_posts, state=state), self.verify_batch)

    def _read_isolated(
        self, spec: AccountSpec, ctx: CollectContext, state: S, history: CarriedPosts
    ) -> tuple[AccountEvidence, list[SourceProblem]]:
        """One account read, isolated from the others: its evidence with every facet stated,
        and the problems met."""
        reads = FacetReads(spec.asset.key)
        try:
            evidence = self.account(spec, ctx, state, history, reads)
        except NotFound:
            evidence = self.evidence(spec, ctx, AccountState.NOT_FOUND)
        except AuthFailed as exc:
            reads.problems.append(SourceProblem(ErrorKind.AUTH.value, exc.detail, None))
            evidence = self.evidence(spec, ctx, AccountState.UNKNOWN)
        except CollectionError as exc:
            log.info("%s: %s unreadable (%s)", self.name, spec.asset.key, exc.kind.value)
            reads.problems.append(
                SourceProblem(exc.kind.value, exc.detail, spec.asset.key, exc.scope)
            )
            missing = (exc.scope,) if isinstance(exc, PermissionMissing) and exc.scope else ()
            evidence = self.evidence(spec, ctx, AccountState.UNKNOWN, missing_scopes=missing)
        else:
            evidence, unverified = self._unverified(spec, evidence, history)
            if unverified is not None:
                reads.mark((Facet.POSTS,), Completeness.unknown(unverified.detail))
                reads.problems.append(unverified)
        return stated_account(self.capabilities, evidence, reads), reads.problems

    def _unverified(
        self, spec: AccountSpec, evidence: AccountEvidence, history: CarriedPosts
    ) -> tuple[AccountEvidence, SourceProblem | None]:
        """Posts unknown (and a problem for the asset) when the carried posts of the same
        account could not be checked: stale posts are never kept as if verified."""
        error = history.error
        if error is None or evidence.state is not AccountState.ACTIVE:
            return evidence, None
        if evidence.account_id != (history.previous.account_id if history.previous else None):
            return evidence, None  # another account now: nothing was carried over
        detail = f"{error.detail}; the previous run's posts could not be checked, so the posts are unknown"
        problem = SourceProblem(error.kind.value, detail, spec.asset.key, error.scope)
        return replace(evidence, posts=None, cursor=None), problem

    def evidence(
        self, spec: AccountSpec, ctx: CollectContext, state: AccountState, **known: object
    ) -> AccountEvidence:
        """Evidence for ``spec`` holding only what is known (everything else unknown)."""
        return AccountEvidence(
            platform=spec.platform,
            handle=spec.handle,
            source=self.name,
            observed_at=ctx.now,
            state=state,
            **known,  # type: ignore[arg-type]
        )

    def _save_cache(self) -> None:
        try:
            self.client.shared.cache.save()
        except OSError as exc:
            log.warning("%s: could not save the HTTP cache (%s)", self.name, type(exc).__name__)


MEMBERS = ("x", "meta", "linkedin", "youtube")
"""The collector modules of this family (imported when ``build`` runs: tweepy is heavy)."""


def build(config: AppConfig, shared: HttpShared | None = None) -> list[Collector]:
    """The platform collectors the config asks for: a configured platform with accounts.
    ``shared`` (the run's rate-limit budget and cache) defaults to one for this family, with the
    cache persisted beside the audit database."""
    wanted = {a.platform for a in config.estate.accounts}
    if shared is None:
        shared = HttpShared.from_network(
            config.model.network, cache_path=cache_path(config, "platforms")
        )
    collectors: list[Collector] = []
    for family_member in MEMBERS:
        module = importlib.import_module(f"auditor.collectors.platforms.{family_member}")
        served: Sequence[str] = module.PLATFORMS
        settings = config.model.platforms.get(module.CONFIG_NAME)
        if settings is not None and wanted.intersection(served):
            collector = module.from_settings(settings, config.model.network, shared)
            collector.account_credentials = account_credentials(config, served)
            collectors.append(collector)
    return collectors


def account_credentials(
    config: AppConfig, platforms: Sequence[str]
) -> dict[str, AccountCredentialsModel]:
    """The ``accounts[].credentials`` of the inventory accounts on ``platforms``, by asset key."""
    found: dict[str, AccountCredentialsModel] = {}
    for entry in config.model.accounts:
        if entry.platform in platforms and entry.credentials is not None:
            key = Asset.account(entry.platform, entry.handle, entry.id).key
            found[key] = entry.credentials
    return found
