"""The registration collector family: domain registration data, lookalike domains, handle probes.

``build(config)`` returns three collectors that share one :class:`DomainLookup` (RDAP first,
WHOIS as the fallback, one answer per domain per run, safe across threads):

- ``whois`` (:class:`RegistrationCollector`): registration data of the brand domains, of the
  allow-listed link domains, and of every domain a profile or post linked to in the previous run
  (``linked_from`` names the accounts). Collectors run in parallel, so this run's links are known
  only after the platform collectors finish: :meth:`RegistrationCollector.collect_linked` is the
  second-phase hook the runner calls with this run's account evidence.
- ``lookalikes`` (:class:`~auditor.collectors.impersonation.lookalikes.LookalikeCollector`).
- ``handles`` (:class:`~auditor.collectors.impersonation.handles.HandleCollector`).

The source name ``whois`` matches the ``needs`` vocabulary of the domain checks; each
:class:`~auditor.core.evidence.DomainEvidence` says whether it came from ``rdap`` or ``whois``.
:func:`refresh_from_config` (``brand-audit rdap-refresh``) stores the live IANA bootstrap beside
the audit database, where :func:`build_lookup` prefers it to the bundled subset.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.registration.answers import unknown_evidence
from auditor.collectors.registration.public_suffix import PublicSuffixList
from auditor.collectors.registration.rdap import BootstrapSource, RdapClient, refresh_bootstrap
from auditor.collectors.registration.replies import SavedReplies
from auditor.collectors.registration.whois import WhoisClient
from auditor.config.loading import PlatformModel
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Facet, SourceStatus, facet_status, source_status
from auditor.core.errors import CollectionError, ConfigError, ErrorKind, NotFound
from auditor.core.evidence import AccountEvidence, DomainEvidence, RegistryAnswer
from auditor.core.models import Asset, SourceProblem, SourceReport
from auditor.http.guard import AddressGuard

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig
    from auditor.http.client import HttpClient, HttpShared


_RETRY_DELAY_S = 10.0
"""How long a throttled WHOIS lookup waits before its one retry (registries ask for 1-10 s
between queries; HKIRC asks for 10)."""


class DomainLookup:
    """RDAP first, WHOIS fallback; one lookup per domain per run (keyed by the run's ``now``).

    Every future resolves: the thread that owns a domain's lookup sets a result or an exception
    whatever happens, and anything unexpected from a parser becomes that domain's unknown
    evidence, never the caller's failure. A WHOIS answer classified ``throttled`` is retried
    once, ``retry_delay_s`` later, by the same thread (the others go on meanwhile)."""

    def __init__(
        self,
        rdap: RdapClient | None,
        whois: WhoisClient | None,
        *,
        retry_delay_s: float = _RETRY_DELAY_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rdap = rdap
        self.whois = whois
        self.retry_delay_s = retry_delay_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self._run: datetime | None = None
        self._cache: dict[str, Future[DomainEvidence]] = {}

    @property
    def requests(self) -> int:
        """RDAP HTTP requests plus WHOIS query chains made so far."""
        total = int(getattr(self.whois, "requests", 0))
        return total + int(getattr(getattr(self.rdap, "http", None), "requests_made", 0))

    def lookup(self, domain: str, now: datetime) -> DomainEvidence:
        """Registration evidence for ``domain``; :class:`CollectionError` when neither RDAP nor
        WHOIS could be reached. A reply that says nothing certain (throttled, reserved, invalid,
        unreadable) is evidence with ``registered=None`` and the reason in its facet."""
        key = domain.strip().rstrip(".").lower()
        with self._lock:
            if self._run != now:
                self._cache.clear()
                self._run = now
            future = self._cache.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._cache[key] = future
        if owner:
            try:
                future.set_result(self._resolve(key, now))
            except CollectionError as exc:
                future.set_exception(exc)
            except BaseException as exc:  # the waiters must never hang: resolve, then re-raise
                future.set_exception(exc)
                raise
        return future.result()

    def close(self) -> None:
        """Stop the WHOIS parser's worker processes."""
        if self.whois is not None:
            self.whois.close()

    def _resolve(self, domain: str, now: datetime) -> DomainEvidence:
        first: CollectionError | None = None
        if self.rdap is not None:
            try:
                found = self.rdap.lookup(domain, now)
            except CollectionError as exc:
                first = exc
            except Exception as exc:
                return _internal(domain, now, "rdap", exc)
            else:
                if found is not None:
                    return found
        if self.whois is not None:
            try:
                return self._whois(domain, now)
            except CollectionError as exc:
                raise (first or exc) from exc
            except Exception as exc:
                return _internal(domain, now, "whois", exc)
        if first is not None:
            raise first
        raise NotFound(f"no RDAP or WHOIS server is known for {domain}")

    def _whois(self, domain: str, now: datetime) -> DomainEvidence:
        assert self.whois is not None  # _resolve checks
        found = self.whois.lookup(domain, now)
        if found.answer is RegistryAnswer.THROTTLED:
            self._sleep(self.retry_delay_s)
            found = self.whois.lookup(domain, now)
        return found


def _internal(domain: str, now: datetime, source: str, exc: Exception) -> DomainEvidence:
    reason = f"the {source} answer could not be read ({type(exc).__name__})"
    return unknown_evidence(domain, now, RegistryAnswer.ERROR, reason, source=source)


def link_domains(
    accounts: Mapping[str, AccountEvidence], psl: PublicSuffixList
) -> dict[str, tuple[str, ...]]:
    """Registrable domain → keys of the accounts whose profile or posts link to it."""
    found: dict[str, set[str]] = {}
    for key, account in accounts.items():
        links: list[str] = []
        if account.profile is not None:
            links.extend(filter(None, (account.profile.link, *account.profile.extra_links)))
        for post in account.posts or ():
            links.extend(post.links)
        for link in links:
            domain = _link_domain(link, psl)
            if domain is not None:
                found.setdefault(domain, set()).add(key)
    return {d: tuple(sorted(keys)) for d, keys in found.items()}


def _link_domain(link: str, psl: PublicSuffixList) -> str | None:
    text = link.strip()
    try:
        host = urlsplit(text if "://" in text else f"http://{text}").hostname
    except ValueError:
        return None
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return psl.registrable(ascii_host)


class RegistrationCollector(Collector):
    """Registration data of brand, allow-listed and linked domains."""

    name = "whois"
    capabilities = Capabilities(source="whois", facets=frozenset({Facet.REGISTRATION}))

    def __init__(self, lookup: DomainLookup, psl: PublicSuffixList, *, workers: int = 8) -> None:
        self.lookup = lookup
        self.psl = psl
        self.workers = max(1, workers)

    def targets(self, ctx: CollectContext) -> dict[str, tuple[str, ...]]:
        """Domain → linked_from keys for this run's first phase."""
        wanted: dict[str, tuple[str, ...]] = {d.name.lower(): () for d in ctx.estate.domains}
        for allowed in ctx.policy.allowed_link_domains:
            domain = self.psl.registrable(allowed)
            if domain is not None:
                wanted.setdefault(domain, ())
        if ctx.previous is not None:
            for domain, keys in link_domains(ctx.previous.accounts, self.psl).items():
                if domain not in {d.name.lower() for d in ctx.estate.domains}:
                    wanted[domain] = keys
        return wanted

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        return self._collect(ctx, self.targets(ctx))

    def collect_linked(
        self, ctx: CollectContext, accounts: Mapping[str, AccountEvidence]
    ) -> CollectorOutput:
        """Second phase: domains this run's profiles and posts link to (brand domains excluded;
        lookups already made this run come from the cache)."""
        brand = {d.name.lower() for d in ctx.estate.domains}
        links = {d: k for d, k in link_domains(accounts, self.psl).items() if d not in brand}
        return self._collect(ctx, links)

    def _collect(
        self, ctx: CollectContext, wanted: Mapping[str, tuple[str, ...]]
    ) -> CollectorOutput:
        started, before = time.monotonic(), self.lookup.requests
        domains = sorted(wanted)
        with ThreadPoolExecutor(max_workers=min(self.workers, max(1, len(domains)))) as pool:
            futures = [  # a copy of the caller's context per task: logs keep the run
                pool.submit(
                    contextvars.copy_context().run, self._read_isolated, d, wanted[d], ctx.now
                )
                for d in domains
            ]
            results = [f.result() for f in futures]
        items = tuple(item for item, _, _ in results)
        problems = tuple(p for _, p, _ in results if p is not None)
        errors = [e for _, _, e in results if e is not None]
        if domains and len(errors) == len(domains):
            raise errors[0]
        states = [facet_status(item, Facet.REGISTRATION) for item in items]
        report = SourceReport(
            name=self.name,
            observed_at=ctx.now,
            problems=problems,
            requests=self.lookup.requests - before,
            duration_s=time.monotonic() - started,
            status=SourceStatus.PARTIAL if problems else source_status(states),
        )
        return CollectorOutput(report=report, items=items)

    def _read_isolated(
        self, domain: str, linked_from: tuple[str, ...], now: datetime
    ) -> tuple[DomainEvidence, SourceProblem | None, CollectionError | None]:
        key = Asset.for_domain(domain).key
        try:
            found = self.lookup.lookup(domain, now)
        except CollectionError as exc:
            reason = f"{exc.kind.value}: {exc.detail}"
            unknown = replace(
                unknown_evidence(domain, now, RegistryAnswer.ERROR, reason, source="rdap"),
                linked_from=linked_from,
            )
            problem = SourceProblem(kind=exc.kind.value, detail=exc.detail, asset_key=key)
            return unknown, problem, exc
        found = replace(found, linked_from=linked_from) if linked_from else found
        state = facet_status(found, Facet.REGISTRATION)
        if state.is_complete:
            return found, None, None
        detail = f"{domain}: {state.reason or 'registration unknown'}"
        problem = SourceProblem(kind=problem_kind(found).value, detail=detail, asset_key=key)
        return found, problem, None


def problem_kind(evidence: DomainEvidence) -> ErrorKind:
    """The source-problem kind of an answer that is not certain (throttled: rate limit)."""
    return (
        _PROBLEM_KIND.get(evidence.answer, ErrorKind.MALFORMED)
        if evidence.answer
        else ErrorKind.MALFORMED
    )


_PROBLEM_KIND = {
    RegistryAnswer.THROTTLED: ErrorKind.RATE_LIMIT,
    RegistryAnswer.RESERVED: ErrorKind.NOT_FOUND,
    RegistryAnswer.INVALID: ErrorKind.MALFORMED,
    RegistryAnswer.ERROR: ErrorKind.MALFORMED,
}
"""The source problem a registration answer that is not certain is reported as."""


def bootstrap_path(config: AppConfig) -> Path:
    """Where a refreshed IANA bootstrap lives: ``rdap_dns.json`` beside the audit database."""
    return config.resolve(config.model.storage.path).parent / "rdap_dns.json"


def _rdap_http(config: AppConfig, shared: HttpShared | None) -> HttpClient:
    from auditor.http.client import HttpClient

    settings = config.model.platforms.get("rdap") or PlatformModel()
    return HttpClient(
        "rdap", settings, config.model.network, default_base_url="https://rdap.org", shared=shared
    )


def refresh_from_config(config: AppConfig, url: str | None = None) -> tuple[int, Path]:
    """Fetch the live IANA RDAP bootstrap (or the bootstrap at ``url``, e.g. a mirror or the
    sandbox's) into :func:`bootstrap_path` (for ``brand-audit rdap-refresh``): the number of
    TLDs it serves and where it was written. The fetch goes through ``platforms.rdap``'s HTTP
    settings and ``network`` guard."""
    path = bootstrap_path(config)
    http = _rdap_http(config, None)
    if url is None:
        return refresh_bootstrap(http, path), path
    return refresh_bootstrap(http, path, url), path


def build_lookup(
    config: AppConfig,
    shared: HttpShared | None = None,
    *,
    replies: Path | None = None,
    auto_refresh: bool = True,
) -> DomainLookup:
    """The RDAP + WHOIS lookup configured by ``platforms.rdap`` and ``whois``. The bootstrap is
    the refreshed copy beside the database when there is one, else the bundled IANA file, and is
    refreshed automatically when older than 30 days (a failed refresh keeps it). With
    ``replies`` (``brand-audit lookup --replies DIR``) the network is replaced by saved replies
    and everything after the transport is the same code. ``auto_refresh=False`` never fetches
    or writes the bootstrap (``brand-audit lookup`` without a config: no store folder)."""
    if replies is not None:
        folder = SavedReplies(replies)
        rdap = RdapClient(folder, folder)
        return DomainLookup(rdap, WhoisClient(transport=folder), retry_delay_s=0.0)
    settings = config.model.platforms.get("rdap") or PlatformModel()
    http = _rdap_http(config, shared)
    source = BootstrapSource(
        bootstrap_path(config),
        (lambda path: refresh_bootstrap(http, path)) if auto_refresh else None,
    )
    rdap = RdapClient(http, source, base_url=settings.base_url)
    try:
        whois = WhoisClient(
            config.model.whois.server,
            timeout_s=config.model.whois.timeout_s,
            check=AddressGuard(allow_private=config.model.network.allow_private).check_host,
        )
    except ValueError as exc:
        raise ConfigError(str(exc), file=str(config.path), field="whois.server") from None
    return DomainLookup(rdap, whois)


def build(config: AppConfig, shared: HttpShared | None = None) -> list[Collector]:
    """The registration collectors the config asks for: registration data when there are brand
    domains, accounts (whose links are checked) or allow-listed link domains; lookalikes when a
    brand domain asks for them; handle probes when a platform can resolve handles. ``shared``
    is the run's HTTP state (one rate-limit budget, one cache); without it the family makes its
    own."""
    from auditor.collectors.impersonation.handles import HandleCollector, probe_clients
    from auditor.collectors.impersonation.lookalikes import LookalikeCollector
    from auditor.http.client import HttpShared

    if shared is None:
        shared = HttpShared.from_network(config.model.network)
    estate = config.estate
    collectors: list[Collector] = []
    if estate.domains or estate.accounts or config.policy.allowed_link_domains:
        psl = PublicSuffixList.bundled()
        lookup = build_lookup(config, shared)
        collectors.append(RegistrationCollector(lookup, psl))
        if any(d.lookalikes for d in estate.domains):
            collectors.append(LookalikeCollector(lookup, psl))
    clients = probe_clients(config, shared)
    if clients and (estate.brand_handles or estate.accounts):
        collectors.append(HandleCollector(clients))
    return collectors
