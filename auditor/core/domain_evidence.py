"""Evidence read from registries and lookups: domain registration (RDAP/WHOIS), lookalike
domain scans, and handle probes (lookalike candidates and claimable brand handles).

Part of the evidence contract; import these types from :mod:`auditor.core.evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from auditor.core.completeness import FacetMap


class RegistryAnswer(StrEnum):
    """What a registry's reply says about a domain, decided before any field is trusted."""

    REGISTERED = "registered"
    """Positive evidence: a creation or expiry date or a registrar (RDAP: a domain object)."""
    AVAILABLE = "available"
    """The registry's own not-found answer (RDAP 404, or a WHOIS phrasing of that registry)."""
    THROTTLED = "throttled"
    """The server refused to answer now (query rate, connection limit): not verified."""
    RESERVED = "reserved"
    """Reserved, blocked or premium at the registry: not registered, yet nobody can simply
    buy it (never reported as unregistered)."""
    INVALID = "invalid"
    """The registry rejected the query as an invalid name or a TLD it does not serve."""
    ERROR = "error"
    """No usable answer: connection failure, unreadable or unrecognised reply, parser fault."""


@dataclass(frozen=True)
class DomainEvidence:
    """Registration data for one domain."""

    domain: str
    """The domain, lower-cased."""
    source: str
    """``rdap`` or ``whois``."""
    observed_at: datetime
    """When fetched."""
    registered: bool | None
    """True on positive evidence, False when the registry says it does not exist; None
    otherwise (throttled, reserved, invalid, error: see ``answer``)."""
    expires_at: datetime | None = None
    """Registration expiry (the earliest when several are given)."""
    created_at: datetime | None = None
    """Registration date."""
    registrar: str | None = None
    """Registrar name."""
    statuses: tuple[str, ...] | None = None
    """EPP status codes, normalised to camelCase without URL (``clientTransferProhibited``)."""
    registrant_org: str | None = None
    """Registrant organisation when not redacted."""
    dnssec: bool | None = None
    """True when signed; None when not stated."""
    name_servers: tuple[str, ...] = ()
    """Name servers, lower-cased."""
    linked_from: tuple[str, ...] = ()
    """Asset keys whose profile or posts link to this domain (empty for brand domains)."""
    facets: FacetMap = field(default_factory=dict)
    """Completeness of each facet of this item, stated by the collector (read it only through
    :func:`auditor.core.completeness.facet_status`; an unstated facet is unknown)."""
    answer: RegistryAnswer | None = None
    """How the registry's reply was classified; None when no reply was classified."""
    server: str | None = None
    """Which server answered (the RDAP base URL, or the WHOIS host), when known."""
    registrar_iana_id: str | None = None
    """The registrar's IANA id, when the registry gives it (RDAP ``publicIds``, WHOIS
    ``Registrar IANA ID``)."""


@dataclass(frozen=True)
class LookalikeDomain:
    """A permutation of a brand domain and whether it is registered."""

    domain: str
    """The permutation."""
    fuzzer: str
    """Which permutation family produced it (addition, homoglyph, tld-swap ...)."""
    similarity: float
    """0..1, higher is closer to the brand domain."""
    registered: bool | None
    """Whether it is registered; None when the lookup failed."""
    registrar: str | None = None
    """Registrar when registered."""
    created_at: datetime | None = None
    """Registration date when known."""
    registrant_org: str | None = None
    """The registrant organisation when registered and published (None: redacted or unknown)."""


@dataclass(frozen=True)
class LookalikeScan:
    """The lookalike scan of one brand domain."""

    brand_domain: str
    """The brand domain permuted."""
    observed_at: datetime
    """When scanned."""
    candidates: tuple[LookalikeDomain, ...]
    """Ranked candidates that were checked (capped per policy)."""
    generated: int
    """How many permutations were generated before ranking and capping."""
    facets: FacetMap = field(default_factory=dict)
    """Completeness of each facet of this item, stated by the collector (read it only through
    :func:`auditor.core.completeness.facet_status`; an unstated facet is unknown)."""


@dataclass(frozen=True)
class HandleProbe:
    """A platform lookup of a handle: a lookalike candidate or a brand handle to claim."""

    platform: str
    """Platform name."""
    handle: str
    """The handle looked up."""
    brand_handle: str
    """The brand handle it was derived from."""
    purpose: str
    """``lookalike`` or ``claim``."""
    observed_at: datetime
    """When looked up."""
    exists: bool | None
    """True when an account holds the handle; None when the lookup failed."""
    account_id: str | None = None
    """Its id, when it exists."""
    display_name: str | None = None
    """Its display name, when it exists."""
    reason: str | None = None
    """Why it was probed (``confusable``, ``typo: omission`` ...)."""

    facets: FacetMap = field(default_factory=dict)
    """Completeness of each facet of this item, stated by the collector (read it only through
    :func:`auditor.core.completeness.facet_status`; an unstated facet is unknown)."""
