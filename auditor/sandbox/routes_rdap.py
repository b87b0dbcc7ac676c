"""Sandbox routes for RDAP (RFC 9083 domain lookups), and the registry records WHOIS shares.

World section ``rdap`` (the ``whois`` section has the same shape; the demo world uses one YAML
anchor for both)::

    rdap:
      domains:
        - name: northwind.example
          registrar: Example Registrar, Inc.
          registrar_iana_id: 9999
          created: "2012-05-01T00:00:00Z"   # ISO 8601, or relative: -30d (past), +10d (future)
          expires: +300d
          updated: -40d
          statuses: [clientTransferProhibited, clientDeleteProhibited]   # EPP names
          registrant: Northwind Outfitters  # omit or null: redacted for privacy
          dnssec: true                      # true | false | omitted (not stated)
          nameservers: [ns1.northwind.example]

Every name not listed answers 404 with an RDAP error body: the domain is not registered. Times
are computed when the sandbox starts, so ``+10d`` stays ten days away.

``GET /bootstrap/dns.json`` serves an IANA-shaped RDAP bootstrap (RFC 9224) naming this server
for every TLD of the world's domains, the target of ``brand-audit rdap-refresh --url``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditor.core.errors import InputFileError
from auditor.sandbox.routing import Request, Response, Route
from auditor.sandbox.world import require, when

PLATFORM = "rdap"
_FUTURE = re.compile(r"^\+\s*(.+)$")
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.[a-z0-9-]{2,63}$")


@dataclass(frozen=True)
class RegistryDomain:
    """One registered domain of the world."""

    name: str
    """Lower-case ASCII name."""
    registrar: str
    """Registrar name."""
    registrar_iana_id: int
    """Registrar IANA id."""
    created: datetime
    """Registration time."""
    expires: datetime
    """Expiry time."""
    updated: datetime
    """Last update."""
    statuses: tuple[str, ...]
    """EPP status names."""
    registrant: str | None
    """Registrant organisation; None when redacted."""
    dnssec: bool | None
    """Signed delegation; None when not stated."""
    nameservers: tuple[str, ...]
    """Name servers."""


def world_time(value: Any, now: datetime, field: str) -> datetime:
    """A world time: ISO 8601, ``-30d`` (past) or ``+10d`` (future)."""
    try:
        match = _FUTURE.match(str(value).strip()) if isinstance(value, str) else None
        if match:
            return now + (now - when("-" + match.group(1), now))
        return when(value, now)
    except ValueError:
        raise InputFileError(
            "expected ISO 8601 or a relative time like -3d / +10d", field=field
        ) from None


def parse_domains(section: Mapping[str, Any], platform: str) -> dict[str, RegistryDomain]:
    """The registered domains of a ``rdap`` or ``whois`` world section, by name."""
    now = datetime.now(UTC).replace(microsecond=0)
    found: dict[str, RegistryDomain] = {}
    for index, raw in enumerate(require(section, "domains", platform)):
        where = f"{platform}.domains.{index}"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            raise InputFileError("expected a mapping with a 'name'", field=where)
        name = raw["name"].strip().lower()
        if not _DOMAIN.match(name):
            raise InputFileError(f"{name!r} is not an ASCII domain name", field=f"{where}.name")
        dnssec = raw.get("dnssec")
        found[name] = RegistryDomain(
            name=name,
            registrar=str(raw.get("registrar", "Example Registrar, Inc.")),
            registrar_iana_id=int(raw.get("registrar_iana_id", 9999)),
            created=world_time(raw.get("created", "-3650d"), now, f"{where}.created"),
            expires=world_time(raw.get("expires", "+365d"), now, f"{where}.expires"),
            updated=world_time(raw.get("updated", "-30d"), now, f"{where}.updated"),
            statuses=tuple(str(s) for s in raw.get("statuses") or ()),
            registrant=str(raw["registrant"]) if raw.get("registrant") else None,
            dnssec=dnssec if isinstance(dnssec, bool) else None,
            nameservers=tuple(str(n).lower() for n in raw.get("nameservers") or ()),
        )
    return found


def _rdap_status(epp: str) -> str:
    spaced = re.sub(r"(?<!^)([A-Z])", r" \1", epp).lower()
    return {"ok": "active", "linked": "associated"}.get(spaced, spaced)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _vcard(*props: tuple[str, str]) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], *[[k, {}, "text", v] for k, v in props]]]


def domain_object(domain: RegistryDomain) -> dict[str, Any]:
    """The RDAP domain object (RFC 9083 section 5.3) of one registered domain."""
    registrant: dict[str, Any] = {"objectClassName": "entity", "roles": ["registrant"]}
    if domain.registrant:
        registrant["vcardArray"] = _vcard(("fn", ""), ("org", domain.registrant))
    else:
        registrant["vcardArray"] = _vcard(("fn", "REDACTED FOR PRIVACY"))
        registrant["remarks"] = [{"title": "REDACTED FOR PRIVACY", "type": "object redacted"}]
    body: dict[str, Any] = {
        "objectClassName": "domain",
        "handle": f"{zlib.crc32(domain.name.encode())}_DOMAIN_SANDBOX",
        "ldhName": domain.name,
        "status": [_rdap_status(s) for s in domain.statuses],
        "events": [
            {"eventAction": "registration", "eventDate": _stamp(domain.created)},
            {"eventAction": "expiration", "eventDate": _stamp(domain.expires)},
            {"eventAction": "last changed", "eventDate": _stamp(domain.updated)},
        ],
        "entities": [
            {
                "objectClassName": "entity",
                "roles": ["registrar"],
                "publicIds": [
                    {"type": "IANA Registrar ID", "identifier": str(domain.registrar_iana_id)}
                ],
                "vcardArray": _vcard(("fn", domain.registrar)),
            },
            registrant,
        ],
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": n} for n in domain.nameservers
        ],
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0"],
        "notices": [{"title": "Terms of Use", "description": ["Sandbox registry data."]}],
    }
    if domain.dnssec is not None:
        body["secureDNS"] = {"delegationSigned": domain.dnssec}
    return body


def _not_found(name: str) -> Response:
    body = {"errorCode": 404, "title": "Not Found", "description": [f"{name} is not registered."]}
    return Response.json(body, 404, {"Content-Type": "application/rdap+json"})


def routes(section: Mapping[str, Any]) -> list[Route]:
    """``GET /domain/{name}`` over the world's registered domains, and the bootstrap."""
    domains = parse_domains(section, PLATFORM)

    def domain(request: Request) -> Response:
        name = request.match["name"].strip().rstrip(".").lower()
        found = domains.get(name)
        if found is None:
            return _not_found(name)
        return Response.json(
            domain_object(found), headers={"Content-Type": "application/rdap+json"}
        )

    tlds = sorted({name.rsplit(".", 1)[-1] for name in domains})

    def bootstrap(request: Request) -> Response:
        host = request.headers.get("host", "127.0.0.1")
        body = {
            "description": "Sandbox RDAP bootstrap for Domain Name System registrations",
            "publication": "2026-01-01T00:00:00Z",
            "services": [[tlds, [f"http://{host}/{PLATFORM}/"]]] if tlds else [],
            "version": "1.0",
        }
        return Response.json(body)

    return [
        Route.get(r"/domain/(?P<name>[^/]+)", domain),
        Route.get(r"/bootstrap/dns\.json", bootstrap),
    ]


def rate_limited(retry_after_s: int, now: float) -> Response:
    """RDAP servers answer 429 with ``Retry-After`` seconds and an RDAP error body."""
    body = {"errorCode": 429, "title": "Too Many Requests", "description": ["Query rate exceeded."]}
    return Response.json(body, 429, {"Retry-After": str(retry_after_s)})
