"""The registration evidence of an answer that carries no registration data: the registry's
"does not exist" (``available``, complete) and every answer that is not certain (throttled,
reserved, invalid, unreadable: ``unknown(reason)``). One constructor each, for RDAP and WHOIS."""

from __future__ import annotations

from datetime import datetime

from auditor.core.completeness import Completeness, Facet
from auditor.core.evidence import DomainEvidence, RegistryAnswer


def available_evidence(
    domain: str, observed_at: datetime, *, source: str, server: str | None
) -> DomainEvidence:
    """The registry says the domain does not exist (RDAP 404, its own WHOIS not-found)."""
    return DomainEvidence(
        domain=domain.strip().rstrip(".").lower(),
        source=source,
        observed_at=observed_at,
        registered=False,
        facets={Facet.REGISTRATION: Completeness.complete()},
        answer=RegistryAnswer.AVAILABLE,
        server=server,
    )


def unknown_evidence(
    domain: str,
    observed_at: datetime,
    answer: RegistryAnswer,
    reason: str,
    *,
    source: str = "whois",
    server: str | None = None,
) -> DomainEvidence:
    """Evidence that says nothing about registration, with the reason."""
    return DomainEvidence(
        domain=domain.strip().rstrip(".").lower(),
        source=source,
        observed_at=observed_at,
        registered=None,
        facets={Facet.REGISTRATION: Completeness.unknown(reason)},
        answer=answer,
        server=server,
    )
