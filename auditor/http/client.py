"""The one HTTP layer under every collector: typed errors, retries, rate limits, SSRF guard.

Build one :class:`HttpClient` per platform from its ``platforms.<name>`` settings and the
``network`` settings, sharing one :class:`HttpShared` (the run's rate-limit wait budget, the
conditional-request cache and the resolver) across all clients of a run::

    shared = HttpShared.from_network(config.model.network, cache_path=...)
    client = HttpClient("github", settings, config.model.network,
                        default_base_url="https://api.github.com", shared=shared)
    org = client.get_json("/orgs/acme")

What every request gets: connect/read timeouts; retries with exponential backoff and jitter on
5xx and connection errors (up to ``retries``); a circuit breaker per host shared by the run
(:mod:`auditor.http.breaker`: after consecutive connection failures, timeouts or 5xx the rest of
the run's calls to that host fail fast with :class:`~auditor.http.breaker.CircuitOpen`); 429 (or a platform error the ``error_hook`` calls a
rate limit) waits as long as the platform's own header dialect says, but only within the shared
budget, else :class:`~auditor.core.errors.RateLimited`; at most ``concurrency`` requests in flight per
client and at most ``rate_per_second`` starts; ``User-Agent: brand-auditor/<version>``; redirects
followed by hand and refused into non-public addresses (unless ``network.allow_private``),
connections pinned to the address the guard checked (``auditor.http.pinning``);
``ETag``/``Last-Modified`` revalidation; a request counter. Only
:class:`~auditor.core.errors.CollectionError` subclasses leave this module, mapped by status code or
exception type, and no log line or message ever holds a header value or a secret query value.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase

from auditor import __version__
from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.errors import (
    CollectionError,
    MalformedResponse,
    NetworkFailure,
    RateLimited,
)
from auditor.http.breaker import Admission, Breakers, Origin
from auditor.http.cache import CachedResponse, ResponseCache, from_cache
from auditor.http.errors import (
    REDACT_REQUEST_LINES,
    SECRET_PARAMS,
    redact_url,
    status_error,
    transport_error,
)
from auditor.http.guard import AddressGuard, AddressRule, Resolver
from auditor.http.limits import Pacer, WaitBudget, retry_wait
from auditor.http.pages import Paginator
from auditor.http.pinning import PinnedAdapter
from auditor.http.urls import origin, with_params

__all__ = [
    "SECRET_PARAMS",
    "AddressGuard",
    "ErrorHook",
    "HttpClient",
    "HttpShared",
    "ResponseCache",
    "WaitBudget",
    "redact_url",
    "retry_wait",
]

log = logging.getLogger(__name__)

USER_AGENT = f"brand-auditor/{__version__}"
"""Sent on every request unless ``network.user_agent`` overrides it."""

MAX_REDIRECTS = 5
"""Redirect hops followed before giving up."""

MAX_RATE_LIMIT_WAITS = 3
"""429 waits per request before giving up even when the budget would allow more."""

ErrorHook = Callable[[requests.Response], CollectionError | None]
"""A platform's own mapping of an error response (Graph error codes, Google quota reasons)."""


@dataclass
class HttpShared:
    """What all clients of one run share: the 429 wait budget, the cache, the resolver."""

    budget: WaitBudget
    """Seconds of rate-limit waiting left for the whole run."""
    cache: ResponseCache = field(default_factory=ResponseCache)
    """Conditional-request cache (persisted when it has a path)."""
    resolver: Resolver | None = None
    """Host name resolver for the SSRF guard (None: the system's)."""
    permits: AddressRule | None = None
    """Addresses the guard lets through without ``allow_private`` (None: public ones only)."""
    backoff_s: float = 0.5
    """First retry delay; doubles each attempt, with up to 50 % jitter."""
    sleep: Callable[[float], None] = time.sleep
    """How to wait (tests inject a fake)."""
    breakers: Breakers = field(default_factory=Breakers)
    """The run's circuit breakers, one per host (:mod:`auditor.http.breaker`)."""

    @staticmethod
    def from_network(
        network: NetworkModel, *, cache_path: Path | None = None, backoff_s: float = 0.5
    ) -> HttpShared:
        """The shared state of a run configured by ``network``."""
        return HttpShared(
            budget=WaitBudget(network.rate_limit_budget_s),
            cache=ResponseCache(cache_path),
            backoff_s=backoff_s,
        )


class HttpClient(Paginator):
    """Requests to one platform's API, with every guard of the module docstring."""

    def __init__(
        self,
        platform: str,
        settings: PlatformModel,
        network: NetworkModel,
        *,
        default_base_url: str,
        shared: HttpShared | None = None,
        headers: Mapping[str, str] | None = None,
        error_hook: ErrorHook | None = None,
        session: requests.Session | None = None,
    ) -> None:
        # urllib3 logs request lines (query strings included) at DEBUG: redact secret
        # parameters before any request is made (addFilter ignores a filter already there).
        logging.getLogger("urllib3.connectionpool").addFilter(REDACT_REQUEST_LINES)
        self.platform = platform
        self.base_url = (settings.base_url or default_base_url).rstrip("/")
        self.timeout = (min(settings.timeout_s, 10.0), settings.timeout_s)
        self.retries = settings.retries
        self.shared = shared or HttpShared(WaitBudget(network.rate_limit_budget_s))
        self.guard = AddressGuard(
            allow_private=network.allow_private,
            resolver=self.shared.resolver,
            permits=self.shared.permits,
        )
        self.headers = {"User-Agent": network.user_agent or USER_AGENT, **(headers or {})}
        self.error_hook = error_hook
        self._base_origin = origin(self.base_url)
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._pacer = Pacer(settings.rate_per_second, sleep=self.shared.sleep)
        self._count_lock = threading.Lock()
        self._requests = 0
        self._session = session or requests.Session()
        self._adapter = PinnedAdapter(
            self.guard, trusted=self._base_origin, pool_maxsize=max(10, settings.concurrency)
        )
        for prefix in ("http://", "https://"):
            self._session.mount(prefix, self._adapter)
        # requests re-reads the proxy and CA environment on every request (a scan of os.environ
        # each time); read it once per origin instead.
        self._session.trust_env = False
        self._verify: bool | str = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._proxies: dict[tuple[str, str, int | None], dict[str, str]] = {}

    @property
    def requests_made(self) -> int:
        """HTTP requests sent so far (retries, redirect hops and revalidations included)."""
        with self._count_lock:
            return self._requests

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def url(self, path_or_url: str) -> str:
        """An absolute URL: ``path_or_url`` itself, or the path appended to the base URL."""
        if "://" in path_or_url:
            return path_or_url
        return self.base_url + "/" + path_or_url.lstrip("/")

    # -- public request API -------------------------------------------------------------------

    def get(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """A conditional GET; raises a CollectionError for any non-2xx answer."""
        return self.request("GET", path_or_url, params=params, headers=headers, conditional=True)

    def get_json(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET and parse JSON; :class:`MalformedResponse` when the body is not JSON."""
        return self.parse_json(self.get(path_or_url, params=params, headers=headers))

    def get_text(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET and decode the body as text."""
        return self.get(path_or_url, params=params, headers=headers).text

    def parse_json(self, response: requests.Response) -> Any:
        """The JSON body of ``response``; :class:`MalformedResponse` when it is not JSON."""
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            where = urlsplit(response.url or "").path
            raise MalformedResponse(
                f"{self.platform}: response from {where} is not valid JSON",
                status=response.status_code,
            ) from None

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        auth: AuthBase | None = None,
        check_status: bool = True,
        conditional: bool = False,
    ) -> requests.Response:
        """Send one logical request (retries, 429 waits and redirects included).

        With ``check_status`` False, 4xx/5xx responses are returned instead of raised (the
        tweepy session uses this so tweepy maps statuses to its own exceptions).
        """
        url = self.url(path_or_url)
        if params:
            url = with_params(url, params)
        merged = {**self.headers, **(headers or {})}
        key = redact_url(url) if conditional and method == "GET" else None
        cached = self.shared.cache.get(key) if key else None
        if cached is not None:
            if cached.etag:
                merged["If-None-Match"] = cached.etag
            if cached.last_modified:
                merged["If-Modified-Since"] = cached.last_modified
        where = origin(url)
        if self.shared.breakers.admit(where) is Admission.REFUSED:
            raise self.shared.breakers.refusal(self.platform, where)
        response = self._with_retries(method, url, merged, json_body, auth, where=where)
        if response.status_code == 304 and cached is not None:
            return from_cache(response, cached)
        if key and response.status_code == 200:
            self._remember(key, response)
        if check_status:
            self.raise_for_status(response)
        return response

    def raise_for_status(self, response: requests.Response) -> None:
        """Raise the CollectionError for a non-2xx ``response`` (the hook's choice first)."""
        if 200 <= response.status_code < 300:
            return
        raise self._hook(response) or status_error(self.platform, response)

    # -- internals ----------------------------------------------------------------------------

    def _with_retries(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: Any,
        auth: AuthBase | None,
        *,
        where: Origin,
    ) -> requests.Response:
        breakers = self.shared.breakers
        failures = 0
        waits = 0
        while True:
            try:
                response = self._follow(method, url, headers, json_body, auth)
            except (requests.ConnectionError, requests.Timeout) as exc:
                breakers.failed(where)
                retry = isinstance(exc, requests.ConnectionError) and failures < self.retries
                if not retry or breakers.is_open(where):
                    raise transport_error(self.platform, exc, url) from None
                failures += 1
                self._backoff(failures)
                continue
            except requests.RequestException as exc:
                breakers.succeeded(where)  # the host answered, if badly (a truncated body)
                raise transport_error(self.platform, exc, url) from None
            if response.status_code < 500:
                breakers.succeeded(where)
            else:
                breakers.failed(where)
                if failures < self.retries and not breakers.is_open(where):
                    failures += 1
                    response.close()
                    self._backoff(failures)
                    continue
            wait = self._rate_limit_wait(response)
            if wait is None:
                return response
            if waits >= MAX_RATE_LIMIT_WAITS or not self.shared.budget.take(wait):
                return response
            waits += 1
            log.info("%s rate limited; waiting %.1f s", self.platform, wait)
            self.shared.sleep(wait)

    def _rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait when ``response`` is a rate limit that says how long; else None."""
        limited = response.status_code == 429 or (
            response.status_code >= 400 and isinstance(self._hook(response), RateLimited)
        )
        if not limited:
            return None
        headers = {k.lower(): v for k, v in response.headers.items()}
        wait = retry_wait(self.platform, headers)
        return None if wait is None else wait + 0.05

    def _follow(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: Any,
        auth: AuthBase | None,
    ) -> requests.Response:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self._adapter.admit(current)  # the guard, and DNS pinning (auditor.http.pinning)
            response = self._send_once(method, current, headers, json_body, auth)
            location = response.headers.get("Location")
            if response.status_code not in (301, 302, 303, 307, 308) or not location:
                return response
            response.close()
            try:
                target = urljoin(current, location)
            except ValueError:
                raise NetworkFailure(f"{self.platform}: unreadable redirect target") from None
            if origin(target) != origin(current):
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
                auth = None
            if response.status_code == 303:
                method, json_body = "GET", None
            current = target
        raise NetworkFailure(f"{self.platform}: more than {MAX_REDIRECTS} redirects")

    def _send_once(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: Any,
        auth: AuthBase | None,
    ) -> requests.Response:
        self._pacer.wait_turn()
        with self._slots:
            with self._count_lock:
                self._requests += 1
            try:
                response = self._session.request(
                    method,
                    url,
                    headers=headers,
                    json=json_body,
                    auth=auth,
                    timeout=self.timeout,
                    allow_redirects=False,
                    proxies=self._proxies_for(url),
                    verify=self._verify,
                )
            except ValueError:  # requests pre-parses a redirect's Location, even unfollowed
                raise NetworkFailure(f"{self.platform}: unreadable redirect target") from None
            _ = response.content  # read inside the slot so a slow body counts as in flight
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %s", method, redact_url(url), response.status_code)
        return response

    def _proxies_for(self, url: str) -> dict[str, str]:
        key = origin(url)
        found = self._proxies.get(key)
        if found is None:
            found = self._proxies[key] = requests.utils.get_environ_proxies(url)
        return found

    def _backoff(self, attempt: int) -> None:
        base = self.shared.backoff_s * (2 ** (attempt - 1))
        self.shared.sleep(base * (1.0 + random.random() / 2))  # noqa: S311 - jitter, not crypto

    def _hook(self, response: requests.Response) -> CollectionError | None:
        return self.error_hook(response) if self.error_hook else None

    def _remember(self, key: str, response: requests.Response) -> None:
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            self.shared.cache.put(
                key,
                CachedResponse(
                    etag, modified, response.content, response.headers.get("Content-Type")
                ),
            )
