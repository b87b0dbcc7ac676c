"""Handle probes: lookalike handles of the brand, and brand handles still free to claim.

Candidates come from each brand handle and brand name (``brand_handles`` in the estate, per
platform when the config writes them as a mapping; when it is empty, the inventory handles plus
the display names the previous run saw), in each platform's own handle alphabet with the
separators it allows kept (``brand-name`` and ``brandname`` are different handles, and the second
is a lookalike of the first): ASCII confusables (``0`` for ``o``, ``1`` for ``l``, ``rn`` for
``m``, ``vv`` for ``w``), typos (omission, repetition, transposition, adjacent keys), separators
and added words (``_official``, ``_support``, ``hq`` ...). They are ranked like lookalike
domains, capped at ``policy.lookalike_cap`` per brand name and platform, checked against the
platform's handle syntax (:func:`~auditor.collectors.impersonation.handle_variants.valid_handle`:
impossible candidates are never probed), and looked up on every platform that can resolve a
handle: X ``/2/users/by?usernames=`` (100 a request), Bluesky ``app.bsky.actor.getProfiles``
(25 a request, ``<name>.bsky.social``), Mastodon ``/api/v1/accounts/lookup`` (one a request, at
most :data:`MASTODON_LOOKUPS` a run: far below its 300 requests per 5 minutes), GitHub
``/users/``, YouTube ``channels?forHandle=@`` and LinkedIn ``organizations?q=vanityName``. A
candidate that exists becomes a :class:`~auditor.core.evidence.HandleProbe` the checks compare
with the inventory; its display name is reduced to a confusable skeleton (NFKC, zero-width
characters removed, Unicode confusables from the confusable-homoglyphs data mapped to ASCII) so
``Nοrthwind`` with a Greek omicron is recognised (against the brand handles, the company name
and ``organization.brand_names``). The exact brand handles are probed on
``policy.claim_platforms``, and on every platform that ``brand_handles`` lists handles for
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
from auditor.collectors.impersonation.handle_variants import (
    BSKY_SOCIAL,
    Skeletons,
    platform_form,
    ranked,
    valid_handle,
)
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

BATCH_SIZES = {"x": 100, "bluesky": 25}
"""Handles one request looks up where the platform batches (X ``/2/users/by``, Bluesky
``app.bsky.actor.getProfiles``); one a request elsewhere."""

SEARCH_LIMIT = 40
"""Accounts one Mastodon search answers at most."""

MASTODON_LOOKUPS = 60
"""At most this many Mastodon lookups a run (the cheapest candidates first): Mastodon allows
300 requests per 5 minutes per account and IP, and the audit's own reads share that budget."""


LOOKUP_PLATFORMS: tuple[
    Literal["x", "mastodon", "bluesky", "github", "youtube", "linkedin"], ...
] = ("x", "mastodon", "bluesky", "github", "youtube", "linkedin")
"""The platforms a handle can be looked up on (Meta offers no public user lookup)."""


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
        """Handles :meth:`batch` looks up per request (X: 100, Bluesky: 25; elsewhere one)."""
        return BATCH_SIZES.get(self.platform, 1)

    def batch(self, handles: list[str]) -> dict[str, Found]:
        """Up to :attr:`batch_size` handles in one request, by lower-cased handle."""
        if self.platform == "bluesky":
            return self._bluesky_batch(handles)
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

    def search(self, term: str) -> list[tuple[str, Found]]:
        """Mastodon only: ``/api/v2/search?type=accounts&resolve=false`` (one request, at most
        40 accounts): (acct, account) of each local or known account whose username starts
        with ``term`` or whose display name contains it."""
        params = {"q": term, "type": "accounts", "resolve": "false", "limit": SEARCH_LIMIT}
        body = _obj(self.http.get_json("/api/v2/search", params=params), "mastodon")
        accounts = body.get("accounts")
        if not isinstance(accounts, list):
            raise MalformedResponse("mastodon: search answer has no accounts list")
        found: list[tuple[str, Found]] = []
        for account in accounts:
            if not isinstance(account, dict) or not isinstance(account.get("acct"), str):
                raise MalformedResponse("mastodon: search account without an acct")
            name = account.get("display_name")
            shown = name if isinstance(name, str) else None
            found.append((account["acct"], Found(True, str(account.get("id")), shown)))
        return found

    def _bluesky_batch(self, handles: list[str]) -> dict[str, Found]:
        """``app.bsky.actor.getProfiles?actors=..`` (25 at most): the profiles that exist; an
        actor it leaves out has no account."""
        body = _obj(
            self.http.get_json("/xrpc/app.bsky.actor.getProfiles", params={"actors": handles}),
            "bluesky",
        )
        profiles = body.get("profiles")
        if not isinstance(profiles, list):
            raise MalformedResponse("bluesky: getProfiles answer has no profiles list")
        found = {h.lower(): Found(False) for h in handles}
        for profile in profiles:
            if not isinstance(profile, dict) or not isinstance(profile.get("did"), str):
                raise MalformedResponse("bluesky: getProfiles profile without a did")
            name = profile.get("displayName")
            shown = name if isinstance(name, str) else None
            for key in (str(profile.get("handle", "")).lower(), profile["did"].lower()):
                if key in found:
                    found[key] = Found(True, profile["did"], shown)
        return found

    def _fetch(self, handle: str) -> object:
        if self.platform == "youtube":
            params = {"part": "snippet", "forHandle": "@" + handle.removeprefix("@")}
            return self.http.get_json("/youtube/v3/channels", params=params)
        if self.platform == "linkedin":
            params = {"q": "vanityName", "vanityName": handle}
            return self.http.get_json("/rest/organizations", params=params)
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
        if self.platform in ("youtube", "linkedin"):
            return _listed(self.platform, body)
        id_field, name_field = _FIELDS[self.platform]
        ident, name = body.get(id_field), body.get(name_field)
        if ident is None:
            raise MalformedResponse(f"{self.platform}: user lookup answer has no {id_field}")
        return Found(True, str(ident), name if isinstance(name, str) else None)


_LISTED = {
    "youtube": ("items", "snippet", "title"),
    "linkedin": ("elements", None, "localizedName"),
}
"""Where a YouTube channel list and a LinkedIn finder answer keep their items and names."""


def _listed(platform: str, body: dict[str, Any]) -> Found:
    """The first item of a YouTube ``channels`` or LinkedIn ``organizations`` finder answer
    (no item: nobody holds the handle; YouTube answers an unknown handle with 200 and no
    ``items``)."""
    key, part, name_key = _LISTED[platform]
    items = body.get(key)
    if items is None or items == []:
        return Found(False)
    if not isinstance(items, list) or not isinstance(items[0], dict) or "id" not in items[0]:
        raise MalformedResponse(f"{platform}: handle lookup answer has no {key}[0].id")
    first = items[0]
    holder = first.get(part) if part else first
    name = holder.get(name_key) if isinstance(holder, dict) else None
    return Found(True, str(first["id"]), name if isinstance(name, str) else None)


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
    "youtube": "https://www.googleapis.com",
    "linkedin": "https://api.linkedin.com",
}
"""Public endpoints; Mastodon has none (its instance must be configured)."""

NEEDS_SETTINGS = frozenset({"x", "mastodon", "youtube", "linkedin"})
"""Platforms looked up only when configured (a token, an API key or an instance URL)."""

LINKEDIN_VERSION = "202411"
"""The ``LinkedIn-Version`` header of vanity-name lookups when ``platforms.linkedin.version``
is not set."""


def _lookup_headers(platform: str, settings: PlatformModel) -> dict[str, str]:
    """How each platform takes its credential (YouTube: an API key header) and version."""
    headers: dict[str, str] = {}
    secret = settings.token.get_secret_value() if settings.token else None
    if platform == "youtube":
        return {"X-Goog-Api-Key": secret} if secret else {}
    if platform == "linkedin":
        headers["LinkedIn-Version"] = settings.version or LINKEDIN_VERSION
        headers["X-Restli-Protocol-Version"] = "2.0.0"
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return headers


def probe_clients(
    config: AppConfig, shared: HttpShared | None = None, *, include: Iterable[str] = ()
) -> dict[str, Resolver]:
    """A resolver per platform that can look a handle up and is configured, listed in
    ``claim_platforms`` or in ``include`` (X needs a token, Mastodon an instance URL; Bluesky and
    GitHub have public endpoints)."""
    from auditor.http.client import HttpClient

    wanted = (
        set(config.model.platforms)
        | set(config.policy.claim_platforms)
        | set(config.estate.platform_handles)
        | set(include)
    )
    resolvers: dict[str, Resolver] = {}
    for platform in LOOKUP_PLATFORMS:
        settings = config.model.platforms.get(platform)
        if platform not in wanted or (platform in NEEDS_SETTINGS and settings is None):
            continue
        settings = settings or PlatformModel()
        if platform in ("x", "youtube", "linkedin") and settings.token is None:
            continue
        headers = _lookup_headers(platform, settings)
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
    return f"{handle}{BSKY_SOCIAL}" if platform == "bluesky" else handle


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
        """Every lookup of this run: ranked lookalikes per brand name and platform, then claims.
        Only handles the platform's syntax allows are ever looked up."""
        jobs: dict[tuple[str, str, str], _Job] = {}
        for platform in sorted(self.resolvers):
            forms = brand_forms(ctx, platform)
            inventory = {
                platform_form(platform, a.handle): a.handle
                for a in ctx.estate.accounts
                if a.platform == platform
            }
            taken = set(inventory)
            lookalikes: list[tuple[float, _Job]] = []
            for form in forms:
                for rank, (handle, family) in enumerate(
                    ranked(form, platform, ctx.policy.lookalike_cap, taken | set(forms))
                ):
                    full = qualified(platform, handle)
                    if valid_handle(platform, full):
                        brand = inventory.get(form, form)  # the inventory's own spelling
                        job = _Job(platform, full, brand, "lookalike", family)
                        lookalikes.append((rank, job))
            lookalikes.sort(key=lambda pair: pair[0])  # the closest of every brand name first
            if platform == "mastodon":
                lookalikes = lookalikes[:MASTODON_LOOKUPS]
            for _, job in lookalikes:
                jobs.setdefault((platform, job.handle, "lookalike"), job)
            if claims_on(ctx, platform):
                for form in forms:
                    full = qualified(platform, form)
                    if valid_handle(platform, full):
                        brand = inventory.get(form, form)
                        jobs[(platform, full, "claim")] = _Job(
                            platform, full, brand, "claim", "brand handle"
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
        brands = {skeletons.of(n) for n in display_brands(ctx)} - {""}
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            answers = [a for part in pool.map(self._resolve, self._tasks(jobs)) for a in part]
        looked_up = [self._probe(job, found, ctx.now, brands) for job, found in answers]
        looked_up += self._searched(
            ctx, brands, {(p.platform, p.handle.lower()) for p, _ in looked_up}
        )
        results = [
            (replace(probe, facets={Facet.HANDLES: _probe_state(error)}), error)
            for probe, error in looked_up
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

    def _searched(
        self, ctx: CollectContext, brands: set[str], seen: set[tuple[str, str]]
    ) -> list[tuple[HandleProbe, CollectionError | None]]:
        """Accounts a platform's search finds for each brand name (Mastodon: one request a
        name) whose handle or display name reads as the brand, beyond the handles looked up
        one by one: impersonators with any username but the brand's name."""
        found: list[tuple[HandleProbe, CollectionError | None]] = []
        for platform, resolver in sorted(self.resolvers.items()):
            search = getattr(resolver, "search", None)
            forms = brand_forms(ctx, platform)
            if search is None or platform != "mastodon" or not forms:
                continue
            brand = _inventory_spelling(ctx, platform, forms[0])
            for term in dict.fromkeys(display_brands(ctx)):
                try:
                    answers = search(term)
                except CollectionError as exc:
                    failed = HandleProbe(
                        platform, term, brand, "lookalike", ctx.now, None, reason="search"
                    )
                    found.append((failed, exc))
                    continue
                for acct, account in answers:
                    key = (platform, acct.lower())
                    reads = self.skeletons().of(acct.split("@")[0]) in brands or (
                        account.display_name is not None
                        and self.skeletons().of(account.display_name) in brands
                    )
                    if key in seen or not reads:
                        continue
                    seen.add(key)
                    job = _Job(platform, acct, brand, "lookalike", f"search {term!r}")
                    found.append(self._probe(job, account, ctx.now, brands))
        return found


def _inventory_spelling(ctx: CollectContext, platform: str, form: str) -> str:
    """The inventory's own spelling of a brand handle in ``platform``'s form (else the form)."""
    for spec in ctx.estate.accounts:
        if spec.platform == platform and platform_form(platform, spec.handle) == form:
            return spec.handle
    return form


def brand_names(ctx: CollectContext, platform: str | None = None) -> list[str]:
    """The names to protect on ``platform`` (every platform when None): its ``brand_handles``
    when the estate lists them; otherwise the inventory handles plus the display names the
    previous run saw on inventory accounts."""
    listed = ctx.estate.handles_for(platform) if platform else ctx.estate.brand_handles
    if listed or ctx.estate.platform_handles:
        return list(dict.fromkeys(n for n in listed if n.strip()))
    names = [a.handle for a in ctx.estate.accounts if not a.is_business]
    if ctx.previous is not None:
        for account in ctx.previous.accounts.values():
            if account.profile is not None and account.profile.display_name:
                names.append(account.profile.display_name)
    return list(dict.fromkeys(n for n in names if n.strip()))


def display_brands(ctx: CollectContext) -> list[str]:
    """Names a lookalike's display name must not read as: every brand handle, the company's
    name and its ``organization.brand_names``."""
    org = ctx.estate.organization
    return list(dict.fromkeys([*brand_names(ctx), org.name, *org.brand_names]))


def brand_forms(ctx: CollectContext, platform: str) -> list[str]:
    """Brand names in ``platform``'s handle form (separators it allows kept), no duplicates."""
    found = (platform_form(platform, n) for n in brand_names(ctx, platform))
    return list(dict.fromkeys(f for f in found if len(f) > 2))


def claims_on(ctx: CollectContext, platform: str) -> bool:
    """Whether the brand handles are claimed on ``platform``: it is in
    ``policy.claim_platforms``, or ``brand_handles`` lists handles for it."""
    return platform in ctx.policy.claim_platforms or platform in ctx.estate.platform_handles


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
