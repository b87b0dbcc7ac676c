"""RDAP (RFC 9083) domain lookups: the IANA bootstrap, the response parser, and the client.

RDAP is the structured successor of WHOIS: JSON over HTTPS, one server per TLD, found through the
IANA bootstrap file (``https://data.iana.org/rdap/dns.json``, RFC 9224). A subset of it for
common TLDs ships in ``auditor/data/rdap_dns.json``; :func:`refresh_bootstrap` fetches the live
file (``brand-audit rdap-refresh`` writes it beside the audit database, where the collector
prefers it to the bundled subset). ``platforms.rdap.base_url`` in the config overrides the
bootstrap for every TLD (an enterprise gateway, or the sandbox). Reserved names such as
``.example`` have no RDAP service; WHOIS answers for them when a server is configured.

Parsing is tolerant of what real registries send (trailing-dot ``ldhName``, capitalised roles,
dates without an offset, jCard oddities) and strict about what matters: a body that is not a
domain object is a :class:`~auditor.core.errors.MalformedResponse`. A 404 from the registry's RDAP
server means the domain does not exist (``registered=False``). Statuses are normalised to EPP
camelCase (``client transfer prohibited`` and ``clientTransferProhibited https://icann.org/...``
both become ``clientTransferProhibited``); a registrant organisation that is redacted or a privacy
proxy becomes ``None`` (unknown), never a name.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from auditor.collectors.registration.answers import available_evidence
from auditor.collectors.registration.whois_fields import plausible_dates, registrar_name
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import CollectionError, MalformedResponse, NotFound
from auditor.core.evidence import DomainEvidence, RegistryAnswer

IANA_BOOTSTRAP_URL = "https://data.iana.org/rdap/dns.json"
"""Where :func:`refresh_bootstrap` fetches the live bootstrap file."""

_RDAP_TO_EPP = {"active": "ok", "associated": "linked"}
"""RFC 8056 names that differ between RDAP and EPP (the rest is a case change)."""

PRIVACY_MARKERS = (
    "redacted",
    "privacy",
    "withheld",
    "whoisguard",
    "domains by proxy",
    "data protected",
    "not disclosed",
    "contact privacy",
    "private registration",
    "identity protect",
    "gdpr masked",
    "statutory masking",
    "perfect privacy",
)
"""Substrings (lower-case) of registrant names that hide the real registrant."""


class JsonSource(Protocol):
    """The part of :class:`auditor.http.client.HttpClient` the RDAP client uses."""

    def get_json(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET and decode JSON; raises :class:`~auditor.core.errors.CollectionError` subclasses."""
        ...


def epp_status(raw: str) -> str:
    """One registry status as EPP camelCase without the ICANN URL (``clientTransferProhibited``)."""
    token = re.sub(r"\s*\(.*$", "", raw.strip().split(" http", 1)[0]).strip(" .")
    words = [w for w in re.split(r"[\s_\-]+", token) if w]
    if not words:
        return ""
    if len(words) == 1:
        word = words[0]
        lowered = word.lower()
        if lowered in _RDAP_TO_EPP:
            return _RDAP_TO_EPP[lowered]
        return word if any(c.isupper() for c in word[1:]) else lowered
    joined = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return _RDAP_TO_EPP.get(joined, joined)


def visible_registrant(name: str | None) -> str | None:
    """The registrant organisation, or None when empty, redacted or a privacy proxy."""
    if name is None:
        return None
    cleaned = " ".join(name.split())
    if not cleaned or any(marker in cleaned.lower() for marker in PRIVACY_MARKERS):
        return None
    return cleaned


def parse_date(raw: object) -> datetime | None:
    """An RDAP date as aware UTC (naive values are UTC; ``+0000`` and ``Z`` accepted)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _vcard_text(entity: Mapping[str, Any], prop: str) -> str | None:
    card = entity.get("vcardArray")
    if not isinstance(card, list) or len(card) < 2 or not isinstance(card[1], list):
        return None
    for item in card[1]:
        if isinstance(item, list) and len(item) >= 4 and item[0] == prop:
            value = item[3]
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, list):
                text = " ".join(str(v) for v in value if isinstance(v, str) and v.strip())
                if text:
                    return text
    return None


def _entities(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    pending: list[Any] = [payload.get("entities")]
    while pending:
        node = pending.pop()
        items = node if isinstance(node, list) else [node] if isinstance(node, dict) else []
        for entity in items:
            if isinstance(entity, dict):
                found.append(entity)
                pending.append(entity.get("entities"))
    return found


def _role_entity(payload: Mapping[str, Any], role: str) -> Mapping[str, Any] | None:
    for entity in _entities(payload):
        roles = entity.get("roles")
        if isinstance(roles, list) and role in {str(r).lower() for r in roles}:
            return entity
    return None


def _events(payload: Mapping[str, Any]) -> dict[str, datetime]:
    dates: dict[str, datetime] = {}
    events = payload.get("events")
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict):
            continue
        action = str(event.get("eventAction", "")).lower()
        when = parse_date(event.get("eventDate"))
        if when is not None and (action not in dates or when < dates[action]):
            dates[action] = when
    return dates


def _name_servers(payload: Mapping[str, Any]) -> tuple[str, ...]:
    raw = payload.get("nameservers", payload.get("nameServers"))
    names = []
    for server in raw if isinstance(raw, list) else []:
        if isinstance(server, dict) and isinstance(server.get("ldhName"), str):
            names.append(server["ldhName"].rstrip(".").lower())
    return tuple(sorted(set(names)))


def _dnssec(payload: Mapping[str, Any]) -> bool | None:
    secure = payload.get("secureDNS")
    if isinstance(secure, dict) and isinstance(secure.get("delegationSigned"), bool):
        return bool(secure["delegationSigned"])
    return None


def _iana_id(entity: Mapping[str, Any] | None) -> str | None:
    """The registrar's IANA id from ``publicIds`` (RFC 9083 section 4.8)."""
    ids = entity.get("publicIds") if entity else None
    for item in ids if isinstance(ids, list) else []:
        if isinstance(item, dict) and "iana" in str(item.get("type", "")).lower():
            value = str(item.get("identifier", "")).strip()
            if value.isdigit():
                return value
    return None


def parse_domain(
    payload: object, domain: str, observed_at: datetime, *, server: str | None = None
) -> DomainEvidence:
    """An RDAP domain object as evidence; :class:`MalformedResponse` when it is not one."""
    wanted = domain.strip().rstrip(".").lower()
    if not isinstance(payload, dict) or payload.get("objectClassName") != "domain":
        raise MalformedResponse(f"RDAP answer for {wanted} is not a domain object")
    names = {str(payload.get(k, "")).rstrip(".").lower() for k in ("ldhName", "unicodeName")}
    if wanted not in names and _idna(wanted) not in names:
        raise MalformedResponse(f"RDAP answer for {wanted} describes another domain")
    statuses = payload.get("status")
    registrar = _role_entity(payload, "registrar")
    registrant = _role_entity(payload, "registrant")
    events = _events(payload)
    created, expires = plausible_dates(
        events.get("registration"), events.get("expiration"), observed_at
    )
    return DomainEvidence(
        domain=wanted,
        source="rdap",
        observed_at=observed_at,
        registered=True,
        expires_at=expires,
        created_at=created,
        registrar=registrar_name(_vcard_text(registrar, "fn") or _vcard_text(registrar, "org"))
        if registrar
        else None,
        statuses=tuple(sorted({epp_status(str(s)) for s in statuses} - {""}))
        if isinstance(statuses, list)
        else None,
        registrant_org=visible_registrant(_vcard_text(registrant, "org")) if registrant else None,
        dnssec=_dnssec(payload),
        name_servers=_name_servers(payload),
        facets={Facet.REGISTRATION: Completeness.complete()},
        answer=RegistryAnswer.REGISTERED,
        server=server,
        registrar_iana_id=_iana_id(registrar),
    )


def _idna(name: str) -> str:
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


MAX_BOOTSTRAP_AGE = timedelta(days=30)
"""A bootstrap older than this is refreshed automatically (when the network allows)."""


class Bootstrap:
    """The IANA RDAP bootstrap for DNS: which RDAP base URL serves which TLD."""

    def __init__(self, services: Mapping[str, str], published: datetime | None = None) -> None:
        self._by_tld = dict(services)
        self.published = published

    def current(self) -> Bootstrap:
        """Itself (a fixed bootstrap never refreshes; see :class:`BootstrapSource`)."""
        return self

    @staticmethod
    def parse(payload: object) -> Bootstrap:
        """Build from the IANA JSON shape; :class:`MalformedResponse` when it is not that."""
        if not isinstance(payload, dict) or not isinstance(payload.get("services"), list):
            raise MalformedResponse("RDAP bootstrap has no 'services' list")
        table: dict[str, str] = {}
        for service in payload["services"]:
            if not (isinstance(service, list) and len(service) == 2):
                raise MalformedResponse("RDAP bootstrap service is not a [tlds, urls] pair")
            tlds, urls = service
            https = [u for u in urls if isinstance(u, str) and u.startswith("https://")]
            chosen = https or [u for u in urls if isinstance(u, str)]
            if not isinstance(tlds, list) or not chosen:
                raise MalformedResponse("RDAP bootstrap service lacks TLDs or URLs")
            for tld in tlds:
                table.setdefault(str(tld).lower(), chosen[0])
        return Bootstrap(table, parse_date(payload.get("publication")))

    @staticmethod
    def bundled() -> Bootstrap:
        """The copy shipped in ``auditor/data/rdap_dns.json``."""
        text = resources.files("auditor").joinpath("data/rdap_dns.json").read_text("utf-8")
        return Bootstrap.parse(json.loads(text))

    @staticmethod
    def load(path: Path) -> Bootstrap:
        """A bootstrap file written by :func:`refresh_bootstrap`."""
        try:
            return Bootstrap.parse(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError) as exc:
            raise MalformedResponse(f"cannot read RDAP bootstrap {path.name}") from exc

    def base_for(self, domain: str) -> str | None:
        """The RDAP base URL for the domain's TLD (longest matching suffix), or None."""
        labels = domain.rstrip(".").lower().split(".")
        for start in range(1, len(labels)):
            url = self._by_tld.get(".".join(labels[start:]))
            if url is not None:
                return url
        return None

    def __len__(self) -> int:
        return len(self._by_tld)


class BootstrapProvider(Protocol):
    """Gives the bootstrap to use now."""

    def current(self) -> Bootstrap:
        """The bootstrap in use."""
        ...


class BootstrapSource:
    """The refreshed copy at ``path`` when there is one, else the bundled file; refreshed by
    ``fetch`` (at most once per instance, i.e. per run) when the copy in use is older than
    :data:`MAX_BOOTSTRAP_AGE`. A refresh that fails (offline, guard, malformed) keeps the copy
    in use and is remembered in :attr:`refresh_error`: RDAP still works from the older file."""

    def __init__(
        self,
        path: Path,
        fetch: Callable[[Path], int] | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.path = path
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._bootstrap: Bootstrap | None = None
        self._tried = False
        self.refresh_error: str | None = None

    def _age(self, bootstrap: Bootstrap) -> timedelta:
        now = self._clock()
        if self.path.is_file():
            stamp = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        else:
            stamp = bootstrap.published or datetime.min.replace(tzinfo=UTC)
        return now - stamp

    def current(self) -> Bootstrap:
        """The bootstrap to use, refreshed first when it is too old."""
        with self._lock:
            if self._bootstrap is None:
                self._bootstrap = (
                    Bootstrap.load(self.path) if self.path.is_file() else Bootstrap.bundled()
                )
            stale = self._age(self._bootstrap) > MAX_BOOTSTRAP_AGE
            if stale and not self._tried and self._fetch is not None:
                self._tried = True
                try:
                    self._fetch(self.path)
                    self._bootstrap = Bootstrap.load(self.path)
                except (CollectionError, OSError) as exc:
                    self.refresh_error = f"RDAP bootstrap refresh failed ({type(exc).__name__})"
            return self._bootstrap


def refresh_bootstrap(http: JsonSource, path: Path, url: str = IANA_BOOTSTRAP_URL) -> int:
    """Fetch the live IANA bootstrap, validate it, write it atomically; the number of TLDs."""
    payload = http.get_json(url)
    count = len(Bootstrap.parse(payload))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".rdap-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=1, sort_keys=True)
        Path(temp).replace(path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        raise
    return count


class RdapClient:
    """Looks domains up over RDAP through the shared HTTP client."""

    def __init__(
        self, http: JsonSource, bootstrap: BootstrapProvider, *, base_url: str | None = None
    ) -> None:
        self.http = http
        self.bootstrap = bootstrap
        self.base_url = base_url.rstrip("/") if base_url else None

    def base_for(self, domain: str) -> str | None:
        """The RDAP base URL serving the domain (the configured override first)."""
        return self.base_url or self.bootstrap.current().base_for(domain)

    def url_for(self, domain: str) -> str | None:
        """The RDAP URL of the domain, or None when no server is known for its TLD."""
        base = self.base_for(domain)
        if base is None:
            return None
        return f"{base.rstrip('/')}/domain/{_idna(domain.lower())}"

    def lookup(self, domain: str, observed_at: datetime) -> DomainEvidence | None:
        """Evidence for the domain; None when no RDAP server serves its TLD. A 404 means
        unregistered; other failures raise :class:`~auditor.core.errors.CollectionError`."""
        base = self.base_for(domain)
        if base is None:
            return None
        url = f"{base.rstrip('/')}/domain/{_idna(domain.lower())}"
        try:
            payload = self.http.get_json(url, headers={"Accept": "application/rdap+json"})
        except NotFound:
            return available_evidence(domain, observed_at, source="rdap", server=base)
        return parse_domain(payload, domain, observed_at, server=base)
