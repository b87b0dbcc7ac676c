"""Handle probes: lookalike handles of the brand, and brand handles still free to claim.

Candidates come from each brand handle and brand display name (``brand_handles`` in the estate,
else the inventory handles, plus display names seen in the previous run): ASCII confusables
(``0`` for ``o``, ``1`` for ``l``, ``rn`` for ``m``, ``vv`` for ``w``), typos (omission,
repetition, transposition, adjacent keys) and added words (``_official``, ``_support``, ``hq``
...). They are ranked like lookalike domains, capped at ``policy.lookalike_cap`` per brand name
and platform, and looked up on every platform that can resolve a handle: X
``/2/users/by/username/``, Mastodon ``/api/v1/accounts/lookup``, Bluesky
``app.bsky.actor.getProfile`` (``<name>.bsky.social``) and GitHub ``/users/``. A candidate that
exists becomes a :class:`~auditor.evidence.HandleProbe` the checks compare with the inventory;
its display name is reduced to a confusable skeleton (NFKC, zero-width characters removed,
Unicode confusables from the confusable-homoglyphs data mapped to ASCII) so ``Nοrthwind`` with a
Greek omicron is recognised. The exact brand handles are probed on ``policy.claim_platforms``
(purpose ``claim``).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.config import PlatformModel
from auditor.errors import CollectionError, MalformedResponse, NotFound
from auditor.evidence import HandleProbe
from auditor.models import Asset, SourceProblem, SourceReport

if TYPE_CHECKING:
    from auditor.config import AppConfig
    from auditor.http import HttpClient, HttpShared

ASCII_CONFUSABLES = {"o": ("0",), "0": ("o",), "l": ("1", "i"), "i": ("1", "l"), "1": ("l", "i"),
                     "m": ("rn",), "rn": ("m",), "w": ("vv",), "vv": ("w",), "d": ("cl",)}  # fmt: skip
"""ASCII look-alikes inside handle alphabets (from the confusables data: 0/O, 1/l/I, rn/m)."""

SKELETON_FOLDS = (
    ("rn", "m"),
    ("vv", "w"),
    ("cl", "d"),
    ("0", "o"),
    ("1", "l"),
    ("i", "l"),
    ("|", "l"),
)
"""ASCII folds applied after case folding so confusable spellings share one skeleton."""

SUFFIXES = ("_official", "official", "_support", "support", "hq", "_hq", "_help", "help", "team")
"""Words impersonators add to a brand handle."""

QWERTY = {"q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij",
          "i": "uok", "o": "ipl", "p": "ol", "a": "qsz", "s": "adwx", "d": "sfec", "f": "dgrv",
          "g": "fhtb", "h": "gjyn", "j": "hkum", "k": "jli", "l": "kop", "z": "asx", "x": "zsdc",
          "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk"}  # fmt: skip
"""Adjacent keys for the adjacent-key typo family."""

COSTS = {"confusable": 0.3, "suffix": 0.5, "separator": 0.5, "repetition": 0.6, "omission": 0.6,
         "transposition": 0.6, "adjacent-key": 1.0}  # fmt: skip
"""Edit cost by family (lower: harder to notice), as for lookalike domains."""

_RULES = {
    "x": re.compile(r"^[A-Za-z0-9_]{1,15}$"),
    "mastodon": re.compile(r"^[A-Za-z0-9_]{1,30}$"),
    "github": re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"),
    "bluesky": re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,16}[a-z0-9])$"),
}
"""What a handle may look like on each platform that can look one up."""


class Skeletons:
    """Confusable skeletons (UTS #39 style) from the confusable-homoglyphs data."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)

    @staticmethod
    def bundled() -> Skeletons:
        """Non-ASCII characters that look like ASCII letters or digits, mapped to them."""
        from confusable_homoglyphs import utils

        data: dict[str, list[dict[str, str]]] = utils.load("confusables.json")
        table: dict[str, str] = {}
        for char, glyphs in data.items():
            if len(char) != 1 or char.isascii():
                continue
            for glyph in glyphs:
                text = glyph.get("c", "")
                if text.isascii() and text.isalnum():
                    table[char] = text.lower()
                    break
        return Skeletons(table)

    def of(self, text: str) -> str:
        """The skeleton: NFKC, format characters dropped, confusables to ASCII, folded."""
        normal = unicodedata.normalize("NFKC", text)
        kept = (c for c in normal if unicodedata.category(c) != "Cf")
        mapped = "".join(self._table.get(c, c) for c in kept).casefold()
        letters = "".join(c for c in mapped if c.isalnum())
        for old, new in SKELETON_FOLDS:
            letters = letters.replace(old, new)
        return letters


def handle_form(name: str) -> str:
    """A brand name as a handle: ``Northwind Outfitters`` → ``northwindoutfitters``."""
    base = name.strip().lstrip("@").split("@")[0]
    return re.sub(r"[^a-z0-9_]", "", unicodedata.normalize("NFKC", base).lower())


def variants(name: str) -> dict[str, tuple[str, float]]:
    """Candidate handles of ``name`` → (family, cost); the cheapest family wins."""
    found: dict[str, tuple[str, float]] = {}

    def add(text: str, family: str) -> None:
        if text and text != name and (text not in found or COSTS[family] < found[text][1]):
            found[text] = (family, COSTS[family])

    for size in (1, 2):
        for i in range(len(name) - size + 1):
            for glyph in ASCII_CONFUSABLES.get(name[i : i + size], ()):
                add(name[:i] + glyph + name[i + size :], "confusable")
    for i in range(len(name)):
        add(name[:i] + name[i + 1 :], "omission")
        add(name[:i] + name[i] + name[i:], "repetition")
        if i < len(name) - 1:
            add(name[:i] + name[i + 1] + name[i] + name[i + 2 :], "transposition")
        if i > 0 and "_" not in name[i - 1 : i + 1]:
            add(name[:i] + "_" + name[i:], "separator")
        for key in QWERTY.get(name[i], ""):
            add(name[:i] + key + name[i + 1 :], "adjacent-key")
    for suffix in SUFFIXES:
        add(name + suffix, "suffix")
    add(name.replace("_", ""), "separator")
    return found


def ranked(name: str, platform: str, cap: int, skip: Iterable[str]) -> list[tuple[str, str]]:
    """The ``cap`` cheapest valid candidates on ``platform`` as (handle, family)."""
    rule = _RULES[platform]
    taken = {s.lower() for s in skip}
    order = sorted(variants(name).items(), key=lambda item: (item[1][1], item[1][0], item[0]))
    chosen = [(h, fam) for h, (fam, _) in order if rule.match(h) and h.lower() not in taken]
    return chosen[:cap]


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


def _x(http: HttpClient) -> Resolver:
    def resolve(handle: str) -> Found:
        try:
            body = _obj(http.get_json(f"/2/users/by/username/{handle}"), "x")
        except NotFound:
            return Found(False)
        data = body.get("data")
        if isinstance(data, dict):
            return Found(True, str(data.get("id")), data.get("name"))
        if isinstance(body.get("errors"), list):
            return Found(False)  # X answers a missing user with 200 and errors[]
        raise MalformedResponse("x: user lookup answer has neither data nor errors")

    return resolve


def _simple(
    http: HttpClient, path: Callable[[str], str], platform: str, fields: tuple[str, str]
) -> Resolver:
    def resolve(handle: str) -> Found:
        try:
            body = _obj(http.get_json(path(handle)), platform)
        except NotFound:
            return Found(False)
        except CollectionError as exc:
            if exc.status == 400 and platform == "bluesky":
                return Found(False)  # XRPC: 400 InvalidRequest "Profile not found"
            raise
        ident, name = body.get(fields[0]), body.get(fields[1])
        if ident is None:
            raise MalformedResponse(f"{platform}: user lookup answer has no {fields[0]}")
        return Found(True, str(ident), name if isinstance(name, str) else None)

    return resolve


DEFAULT_BASE_URLS = {
    "x": "https://api.twitter.com",
    "github": "https://api.github.com",
    "bluesky": "https://public.api.bsky.app",
}
"""Public endpoints; Mastodon has none (its instance must be configured)."""


def probe_clients(config: AppConfig, shared: HttpShared | None = None) -> dict[str, Resolver]:
    """A resolver per platform that is configured (or listed in ``claim_platforms``) and can
    look a handle up."""
    from auditor.http import HttpClient

    wanted = set(config.model.platforms) | set(config.policy.claim_platforms)
    resolvers: dict[str, Resolver] = {}
    for platform in ("x", "mastodon", "bluesky", "github"):
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
        resolvers[platform] = _resolver(platform, http)
    return resolvers


def _resolver(platform: str, http: HttpClient) -> Resolver:
    if platform == "x":
        return _x(http)
    if platform == "mastodon":
        return _simple(
            http, lambda h: f"/api/v1/accounts/lookup?acct={h}", platform, ("id", "display_name")
        )
    if platform == "bluesky":
        return _simple(
            http,
            lambda h: f"/xrpc/app.bsky.actor.getProfile?actor={h}",
            platform,
            ("did", "displayName"),
        )
    return _simple(http, lambda h: f"/users/{h}", platform, ("id", "name"))


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

    def __init__(self, resolvers: Mapping[str, Resolver], *, workers: int = 8) -> None:
        self.resolvers = dict(resolvers)
        self.workers = max(1, workers)
        self._skeletons: Skeletons | None = None

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
                    if _RULES[platform].match(form):
                        full = qualified(platform, form)
                        jobs[(platform, full, "claim")] = _Job(
                            platform, full, form, "claim", "brand handle"
                        )
        return list(jobs.values())

    def _probe(
        self, job: _Job, now: datetime, brands: set[str]
    ) -> tuple[HandleProbe, CollectionError | None]:
        try:
            found = self.resolvers[job.platform](job.handle)
        except CollectionError as exc:
            return HandleProbe(
                job.platform, job.handle, job.brand, job.purpose, now, None, reason=job.reason
            ), exc
        reason = job.reason
        if found.display_name and self.skeletons().of(found.display_name) in brands:
            reason += f"; display name {found.display_name!r} is confusable with the brand"
        probe = HandleProbe(
            job.platform, job.handle, job.brand, job.purpose, now, found.exists,
            found.account_id, found.display_name, reason,
        )  # fmt: skip
        return probe, None

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        started = time.monotonic()
        jobs = self.jobs(ctx)
        skeletons = self.skeletons()
        brands = {skeletons.of(n) for n in brand_names(ctx)} - {""}
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            results = list(pool.map(lambda j: self._probe(j, ctx.now, brands), jobs))
        errors = [e for _, e in results if e is not None]
        if jobs and len(errors) == len(jobs):
            raise errors[0]
        report = SourceReport(
            name=self.name,
            ok=not errors,
            observed_at=ctx.now,
            problems=_problems(results),
            duration_s=time.monotonic() - started,
        )
        return CollectorOutput(report=report, items=tuple(p for p, _ in results))


def brand_names(ctx: CollectContext) -> list[str]:
    """Brand handles and names (``brand_handles``, else the inventory handles) plus the display
    names the previous run saw on inventory accounts."""
    names = list(ctx.estate.brand_handles) or [a.handle for a in ctx.estate.accounts]
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
