"""Handle probes: lookalike handles of the brand, and brand handles still free to claim.

Candidates come from each brand handle and brand name (``brand_handles`` in the estate; when it
is empty, the inventory handles plus the display names the previous run saw): ASCII confusables
(``0`` for ``o``, ``1`` for ``l``, ``rn`` for ``m``, ``vv`` for ``w``), typos (omission,
repetition, transposition, adjacent keys) and added words (``_official``, ``_support``, ``hq``
...). They are ranked like lookalike domains, capped at ``policy.lookalike_cap`` per brand name
and platform, and looked up on every platform that can resolve a handle: X
``/2/users/by/username/``, Mastodon ``/api/v1/accounts/lookup``, Bluesky
``app.bsky.actor.getProfile`` (``<name>.bsky.social``) and GitHub ``/users/``. A candidate that
exists becomes a :class:`~auditor.core.evidence.HandleProbe` the checks compare with the inventory;
its display name is reduced to a confusable skeleton (NFKC, zero-width characters removed,
Unicode confusables from the confusable-homoglyphs data mapped to ASCII) so ``Nοrthwind`` with a
Greek omicron is recognised. The exact brand handles are probed on ``policy.claim_platforms``
(purpose ``claim``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.impersonation.handle_variants import RULES, Skeletons, handle_form, ranked
from auditor.config.loading import PlatformModel
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.errors import CollectionError, MalformedResponse, NotFound
from auditor.core.evidence import HandleProbe
from auditor.core.models import Asset, SourceProblem, SourceReport

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig
    from auditor.http.client import HttpClient, HttpShared


@dataclass(frozen=True)
class Found:
    """What a platform says about one handle."""

    exists: bool
    """An account holds it."""
    account_id: str | None = None
    """Its immutable id."""
    display_name: str | None = None
    """Its display name."""


Resolver = Callable[[str], Found]
"""Looks one handle up on one platform (raises CollectionError when it cannot)."""


def _obj(payload: object, platform: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise MalformedResponse(f"{platform}: user lookup answer is not an object")
    return payload


_FIELDS = {
    "mastodon": ("id", "display_name"),
    "bluesky": ("did", "displayName"),
    "github": ("id", "name"),
}
"""Where each platform's user object keeps its immutable id and display name."""


LOOKUP_PLATFORMS: tuple[Literal["x", "mastodon", "bluesky", "github"], ...] = (
    "x",
    "mastodon",
    "bluesky",
    "github",
)
"""The platforms a handle can be looked up on (the others offer no public user lookup)."""


class HttpResolver:
    """Looks handles up on one platform through the shared HTTP client."""

    def __init__(self, platform: str, http: HttpClient) -> None:
        self.platform = platform
        self.http = http

    @property
    def requests_made(self) -> int:
        """HTTP requests sent so far."""
        return self.http.requests_made

    @property
    def batch_size(self) -> int:
        """Handles :meth:`batch` looks up per request (X: 100; elsewhere one at a time)."""
        return 100 if self.platform == "x" else 1

    def batch(self, handles: list[str]) -> dict[str, Found]:
        """X only: up to 100 handles in one ``/2/users/by`` request, by lower-cased handle."""
        params = {"usernames": ",".join(handles), "user.fields": "name"}
        body = _obj(self.http.get_json("/2/users/by", params=params), "x")
        found = {h.lower(): Found(False) for h in _x_missing(body)}
        for user in body.get("data") or []:
            if isinstance(user, dict) and isinstance(user.get("username"), str):
                name = user.get("name")
                found[user["username"].lower()] = Found(
                    True, str(user.get("id")), name if isinstance(name, str) else None
                )
        if any(h.lower() not in found for h in handles):
            raise MalformedResponse("x: user lookup answer leaves some usernames unaccounted for")
        return found

    def _fetch(self, handle: str) -> object:
        if self.platform == "x":
            return self.http.get_json(f"/2/users/by/username/{quote(handle)}")
        if self.platform == "mastodon":
            return self.http.get_json("/api/v1/accounts/lookup", params={"acct": handle})
        if self.platform == "bluesky":
            return self.http.get_json("/xrpc/app.bsky.actor.getProfile", params={"actor": handle})
        return self.http.get_json(f"/users/{quote(handle)}")

    def __call__(self, handle: str) -> Found:
        """Whether an account holds ``handle``; CollectionError when the lookup fails."""
        try:
            body = _obj(self._fetch(handle), self.platform)
        except NotFound:
            return Found(False)
        except CollectionError as exc:
            if exc.status == 400 and self.platform == "bluesky":
                return Found(False)  # XRPC: 400 InvalidRequest "Profile not found"
            raise
        if self.platform == "x":
            return _x_user(body)
        id_field, name_field = _FIELDS[self.platform]
        ident, name = body.get(id_field), body.get(name_field)
        if ident is None:
            raise MalformedResponse(f"{self.platform}: user lookup answer has no {id_field}")
        return Found(True, str(ident), name if isinstance(name, str) else None)


def _x_missing(body: dict[str, Any]) -> list[str]:
    """Usernames an X answer reports in ``errors[]`` (not found, suspended)."""
    errors = body.get("errors")
    values = (
        [e.get("value") for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
    )
    return [v for v in values if isinstance(v, str)]


def _x_user(body: dict[str, Any]) -> Found:
    data = body.get("data")
    if isinstance(data, dict):
        name = data.get("name")
        return Found(True, str(data.get("id")), name if isinstance(name, str) else None)
    if isinstance(body.get("errors"), list):
        return Found(False)  # X answers a missing user with 200 and errors[]
    raise MalformedResponse("x: user lookup answer has neither data nor errors")


DEFAULT_BASE_URLS = {
    "x": "https://api.twitter.com",
    "github": "https://api.github.com",
    "bluesky": "https://public.api.bsky.app",
}
"""Public endpoints; Mastodon has none (its instance must be configured)."""


def probe_clients(
    config: AppConfig, shared: HttpShared | None = None, *, include: Iterable[str] = ()
) -> dict[str, Resolver]:
    """A resolver per platform that can look a handle up and is configured, listed in
    ``claim_platforms`` or in ``include`` (X needs a token, Mastodon an instance URL; Bluesky and
    GitHub have public endpoints)."""
    from auditor.http.client import HttpClient

    wanted = set(config.model.platforms) | set(config.policy.claim_platforms) | set(include)
    resolvers: dict[str, Resolver] = {}
    for platform in LOOKUP_PLATFORMS:
        settings = config.model.platforms.get(platform)
        if platform not in wanted or (platform in ("x", "mastodon") and settings is None):
            continue
        settings = settings or PlatformModel()
        if platform == "x" and settings.token is None:
            continue
        headers = (
            {"Authorization": f"Bearer {settings.token.get_secret_value()}"}
            if settings.token
            else {}
        )
        base = settings.base_url or DEFAULT_BASE_URLS.get(platform, "")
        http = HttpClient(
            platform,
            settings,
            config.model.network,
            default_base_url=base,
            shared=shared,
            headers=headers,
        )
        resolvers[platform] = HttpResolver(platform, http)
    return resolvers


def qualified(platform: str, handle: str) -> str:
    """The handle as the platform resolves it (Bluesky names live under ``bsky.social``)."""
    return f"{handle}.bsky.social" if platform == "bluesky" else handle


@dataclass(frozen=True)
class _Job:
    platform: str
    handle: str
    brand: str
    purpose: str
    reason: str


class HandleCollector(Collector):
    """Looks lookalike and brand handles up on every platform that can resolve one."""

    name = "handles"
    capabilities = Capabilities(
        source="handles",
        platforms=tuple(
            PlatformCapability(platform, provides=frozenset({Facet.HANDLES}), handle_lookup=True)
            for platform in LOOKUP_PLATFORMS
        ),
    )

    def __init__(self, resolvers: Mapping[str, Resolver], *, workers: int = 8) -> None:
        self.resolvers = dict(resolvers)
        self.workers = max(1, workers)
        self._skeletons: Skeletons | None = None

    @property
    def requests_made(self) -> int:
        """HTTP requests the resolvers have sent so far."""
        return sum(int(getattr(r, "requests_made", 0)) for r in self.resolvers.values())

    def skeletons(self) -> Skeletons:
        """The confusable table (loaded on first use)."""
        if self._skeletons is None:
            self._skeletons = Skeletons.bundled()
        return self._skeletons

    def jobs(self, ctx: CollectContext) -> list[_Job]:
        """Every lookup of this run: ranked lookalikes per brand name and platform, then claims."""
        forms = brand_forms(ctx)
        jobs: dict[tuple[str, str, str], _Job] = {}
        for platform in sorted(self.resolvers):
            taken = {
                a.handle.lower().split(".bsky.social")[0]
                for a in ctx.estate.accounts
                if a.platform == platform
            }
            for form in forms:
                for handle, family in ranked(
                    form, platform, ctx.policy.lookalike_cap, taken | set(forms)
                ):
                    full = qualified(platform, handle)
                    jobs.setdefault(
                        (platform, full, "lookalike"),
                        _Job(platform, full, form, "lookalike", family),
                    )
            if platform in ctx.policy.claim_platforms:
                for form in forms:
                    if RULES[platform].match(form):
                        full = qualified(platform, form)
                        jobs[(platform, full, "claim")] = _Job(
                            platform, full, form, "claim", "brand handle"
                        )
        return list(jobs.values())

    def _tasks(self, jobs: list[_Job]) -> list[list[_Job]]:
        """Jobs in lookup units: one handle each, or up to ``batch_size`` on platforms whose
        resolver looks many up in one request (X ``/2/users/by``)."""
        tasks: list[list[_Job]] = []
        for platform in sorted({j.platform for j in jobs}):
            mine = [j for j in jobs if j.platform == platform]
            size = max(1, int(getattr(self.resolvers[platform], "batch_size", 1)))
            tasks.extend(mine[i : i + size] for i in range(0, len(mine), size))
        return tasks

    def _resolve(self, task: list[_Job]) -> list[tuple[_Job, Found | CollectionError]]:
        resolver = self.resolvers[task[0].platform]
        batch = getattr(resolver, "batch", None)
        try:
            if len(task) > 1 and batch is not None:
                found: dict[str, Found] = batch([j.handle for j in task])
                return [(j, found[j.handle.lower()]) for j in task]
            return [(j, resolver(j.handle)) for j in task]
        except CollectionError as exc:
            return [(j, exc) for j in task]

    def _probe(
        self, job: _Job, found: Found | CollectionError, now: datetime, brands: set[str]
    ) -> tuple[HandleProbe, CollectionError | None]:
        if isinstance(found, CollectionError):
            return HandleProbe(
                job.platform, job.handle, job.brand, job.purpose, now, None, reason=job.reason
            ), found
        reason = job.reason
        if found.display_name and self.skeletons().of(found.display_name) in brands:
            reason += f"; display name {found.display_name!r} is confusable with the brand"
        probe = HandleProbe(
            job.platform,
            job.handle,
            job.brand,
            job.purpose,
            now,
            found.exists,
            found.account_id,
            found.display_name,
            reason,
        )
        return probe, None

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        started, before = time.monotonic(), self.requests_made
        jobs = self.jobs(ctx)
        skeletons = self.skeletons()
        brands = {skeletons.of(n) for n in brand_names(ctx)} - {""}
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            answers = [a for part in pool.map(self._resolve, self._tasks(jobs)) for a in part]
        results = [
            (replace(probe, facets={Facet.HANDLES: _probe_state(error)}), error)
            for probe, error in (self._probe(job, found, ctx.now, brands) for job, found in answers)
        ]
        errors = [e for _, e in results if e is not None]
        if jobs and len(errors) == len(jobs):
            raise errors[0]
        report = SourceReport(
            name=self.name,
            status=SourceStatus.PARTIAL if errors else SourceStatus.COMPLETE,
            observed_at=ctx.now,
            problems=_problems(results),
            requests=self.requests_made - before,
            duration_s=time.monotonic() - started,
        )
        return CollectorOutput(report=report, items=tuple(p for p, _ in results))


def brand_names(ctx: CollectContext) -> list[str]:
    """The names to protect: ``brand_handles`` when the estate lists them; otherwise the
    inventory handles plus the display names the previous run saw on inventory accounts."""
    if ctx.estate.brand_handles:
        return list(dict.fromkeys(n for n in ctx.estate.brand_handles if n.strip()))
    names = [a.handle for a in ctx.estate.accounts]
    if ctx.previous is not None:
        for account in ctx.previous.accounts.values():
            if account.profile is not None and account.profile.display_name:
                names.append(account.profile.display_name)
    return list(dict.fromkeys(n for n in names if n.strip()))


def brand_forms(ctx: CollectContext) -> list[str]:
    """Brand names in handle form, without duplicates."""
    return list(dict.fromkeys(f for f in (handle_form(n) for n in brand_names(ctx)) if len(f) > 2))


def _problems(
    results: Iterable[tuple[HandleProbe, CollectionError | None]],
) -> tuple[SourceProblem, ...]:
    failed: dict[tuple[str, str], list[CollectionError]] = {}
    for probe, error in results:
        if error is not None:
            failed.setdefault((probe.platform, probe.brand_handle), []).append(error)
    return tuple(
        SourceProblem(
            kind=errors[0].kind.value,
            detail=f"{len(errors)} handle lookup(s) on {platform} failed ({errors[0].detail})",
            asset_key=Asset.account(platform, brand).key,
        )
        for (platform, brand), errors in sorted(failed.items())
    )


def _probe_state(error: CollectionError | None) -> Completeness:
    """A probe's completeness: complete when the lookup answered, else unknown with why."""
    if error is None:
        return Completeness.complete()
    return Completeness.unknown(f"{error.kind.value}: {error.detail}")
