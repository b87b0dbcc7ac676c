"""Bluesky handle ⇄ DID verification, as the AT Protocol spec requires it.

A handle is resolved to a DID through DNS TXT ``_atproto.<handle>`` (``did=...``, preferred),
looked up with a :class:`TxtResolver`, else through ``https://<handle>/.well-known/atproto-did``;
the DID document (the PLC directory for ``did:plc``, ``/.well-known/did.json`` for ``did:web``)
must then name ``at://<handle>`` as its first ``at://`` alias. :class:`HandleVerifier` does both
and reports what the DID document says back (:class:`DidCheck`); a lookup that could not be made
raises a :class:`CollectionError` (an unsupported DID method: :class:`IdentityProblem`).

The default :class:`TxtResolver` is DNS over HTTPS (JSON flavour) through the HTTP layer, so it is
guarded, counted and fakeable like any other request; :class:`NoResolver` skips DNS. Where the
lookups go is an :class:`IdentityEndpoints` value: the public internet's, or everything below one
base URL (the sandbox, a gateway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from auditor.collectors.platforms.json_shapes import as_list, as_object
from auditor.core.errors import (
    CollectionError,
    ErrorKind,
    MalformedResponse,
    NetworkFailure,
    NotFound,
    PermissionMissing,
)
from auditor.http.breaker import CircuitOpen

if TYPE_CHECKING:
    from auditor.http.client import HttpClient


class TxtResolver(Protocol):
    """Looks up DNS TXT records."""

    def txt(self, name: str) -> tuple[str, ...] | None:
        """The TXT strings at ``name`` (``()`` when there are none); None when this resolver is
        not configured. Raises :class:`CollectionError` when the lookup fails."""
        ...


class NoResolver:
    """No DNS available: the TXT path is skipped (the HTTPS path still runs)."""

    def txt(self, name: str) -> tuple[str, ...] | None:
        """Always None (not configured)."""
        return None


class DohResolver:
    """DNS over HTTPS, JSON flavour (``?name=&type=TXT``, ``Accept: application/dns-json``)."""

    def __init__(self, client: HttpClient, url: str) -> None:
        self.client = client
        self.url = url

    def txt(self, name: str) -> tuple[str, ...] | None:
        """TXT strings at ``name``; NXDOMAIN is ``()``; other DNS failures raise."""
        payload = self.client.get_json(
            self.url,
            params={"name": name, "type": "TXT"},
            headers={"Accept": "application/dns-json"},
        )
        return parse_doh_txt(payload)


def parse_doh_txt(payload: object) -> tuple[str, ...]:
    """TXT strings of a DoH JSON answer (quotes and string splits removed)."""
    answer = as_object(payload, "dns answer")
    status = answer.get("Status")
    if status == 3:
        return ()
    if status != 0:
        raise MalformedResponse(f"dns: lookup failed with DNS status {status!r}")
    found: list[str] = []
    for raw in as_list(answer.get("Answer") or [], "dns answer records"):
        record = as_object(raw, "dns record")
        if record.get("type") == 16 and isinstance(record.get("data"), str):
            found.append(
                "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', record["data"])) or record["data"]
            )
    return tuple(found)


def did_from_txt(records: tuple[str, ...]) -> str | None:
    """The DID of the single ``did=`` record (several different ones: no answer)."""
    dids = {r.strip()[4:] for r in records if r.strip().startswith("did=")}
    return dids.pop() if len(dids) == 1 else None


def did_from_well_known(body: str) -> str | None:
    """The DID in an ``atproto-did`` body (one line, ``did:`` prefix)."""
    value = body.strip()
    return value if value.startswith("did:") and len(value) < 2048 and value.isprintable() else None


def handle_in_did_document(payload: object, handle: str) -> bool:
    """True when the DID document's first ``at://`` alias is ``at://<handle>``."""
    document = as_object(payload, "did document")
    aliases = [
        a for a in as_list(document.get("alsoKnownAs") or [], "alsoKnownAs") if isinstance(a, str)
    ]
    first = next((a for a in aliases if a.startswith("at://")), None)
    return first is not None and first[5:].rstrip("/").lower() == handle.lower()


def pds_endpoint(document: object) -> str | None:
    """The ``#atproto_pds`` service URL of a DID document (http or https), if any."""
    services = as_object(document, "did document").get("service") or []
    for raw in as_list(services, "did document services"):
        service = raw if isinstance(raw, dict) else {}
        url = service.get("serviceEndpoint")
        if str(service.get("id", "")).endswith("#atproto_pds") and isinstance(url, str):
            return url.rstrip("/") if url.startswith(("https://", "http://")) else None
    return None


@dataclass(frozen=True)
class IdentityEndpoints:
    """Where handle and DID lookups go."""

    well_known: str
    """``atproto-did`` URL template with ``{handle}``."""
    plc_directory: str
    """PLC directory base; the DID document of ``did:plc:x`` is ``<base>/did:plc:x``."""
    did_web: str
    """``did.json`` URL template with ``{host}`` for ``did:web`` DIDs."""
    doh: str | None
    """DNS-over-HTTPS JSON endpoint; None: TXT lookups are not configured."""
    pds: str | None = None
    """PDS base URL for every account; None: each DID document's own ``#atproto_pds``."""

    @staticmethod
    def public() -> IdentityEndpoints:
        """The real internet's endpoints."""
        return IdentityEndpoints(
            well_known="https://{handle}/.well-known/atproto-did",
            plc_directory="https://plc.directory",
            did_web="https://{host}/.well-known/did.json",
            doh="https://cloudflare-dns.com/dns-query",
        )

    @staticmethod
    def under(base_url: str) -> IdentityEndpoints:
        """Every lookup served below ``base_url`` (the sandbox, a gateway)."""
        base = base_url.rstrip("/")
        return IdentityEndpoints(
            well_known=base + "/handles/{handle}/.well-known/atproto-did",
            plc_directory=base + "/plc",
            did_web=base + "/handles/{host}/.well-known/did.json",
            doh=base + "/dns-query",
            pds=base + "/pds",
        )


class IdentityProblem(CollectionError):
    """The handle's identity could not be checked (an unsupported DID method)."""

    kind = ErrorKind.NOT_FOUND


def _soft_failure(exc: CollectionError) -> bool:
    """An HTTPS well-known answer that only means "not published there" (never a call the
    circuit breaker refused: that says nothing about the handle)."""
    if isinstance(exc, CircuitOpen):
        return False
    if isinstance(exc, NotFound | NetworkFailure | PermissionMissing):
        return True
    return exc.status is not None and 400 <= exc.status < 500 and exc.status != 429


class HandleVerifier:
    """Resolves handles to DIDs and confirms the DID document claims the handle back."""

    def __init__(
        self, client: HttpClient, endpoints: IdentityEndpoints, resolver: TxtResolver
    ) -> None:
        self.client = client
        """Token-less client for well-known, DID document and DNS lookups."""
        self.endpoints = endpoints
        """Where the lookups go."""
        self.resolver = resolver
        """DNS TXT lookups."""

    def resolve_handle(self, handle: str) -> str | None:
        """The DID published for ``handle`` in DNS (preferred) or at its HTTPS well-known."""
        records = self.resolver.txt(f"_atproto.{handle}")
        did = did_from_txt(records) if records else None
        if did:
            return did
        url = self.endpoints.well_known.format(handle=quote(handle, safe=""))
        try:
            return did_from_well_known(self.client.get_text(url))
        except CollectionError as exc:
            if _soft_failure(exc):
                return None
            raise

    def _document_url(self, did: str) -> str:
        if did.startswith("did:plc:"):
            return f"{self.endpoints.plc_directory}/{quote(did, safe=':')}"
        if did.startswith("did:web:"):
            host = did.removeprefix("did:web:").split(":", 1)[0]
            return self.endpoints.did_web.format(host=quote(host, safe=""))
        raise IdentityProblem(f"bluesky: unsupported DID method in {did[:40]}")

    def check_document(self, did: str, handle: str) -> DidCheck:
        """Whether ``did``'s document claims ``handle`` first, and the account's PDS URL.
        Raises :class:`CollectionError` when it cannot be read (a 404 included)."""
        try:
            document = self.client.get_json(self._document_url(did))
        except NotFound as exc:
            # a directory that answers 404 has not said the handle is unclaimed: unknown
            raise IdentityProblem(
                f"bluesky: no DID document could be read for {did[:60]}", status=exc.status
            ) from None
        return DidCheck(
            claims_handle=handle_in_did_document(document, handle),
            pds=self.endpoints.pds or pds_endpoint(document),
        )


@dataclass(frozen=True)
class DidCheck:
    """What a DID document says back about a handle."""

    claims_handle: bool
    """The document's first ``at://`` alias is the handle (False: it names another, none, or
    the DID has no document)."""
    pds: str | None
    """The account's PDS URL (the endpoints' override, or the document's ``#atproto_pds``)."""
