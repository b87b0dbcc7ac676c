"""One WHOIS reply → :class:`~auditor.core.evidence.DomainEvidence`: classify first, then trust.

The order is the point. A reply is first classified by the registry's own wording
(:mod:`~auditor.collectors.registration.whois_phrases`) and by whether it carries positive
evidence of a registration (a creation, expiry or update date, a registrar, delegated name
servers, an EPP status or a lifecycle phrase; the echoed domain name alone is none of these):

- positive evidence → ``registered`` (and if a not-found phrase is present as well, the reply
  contradicts itself: ``error``, never "registered" or "available");
- otherwise a throttling phrase → ``throttled``; reserved / blocked / premium → ``reserved``;
  an invalid-query phrase → ``invalid``; the registry's own not-found phrase (trusted only for
  the TLDs that registry serves) → ``available``;
- otherwise ``error``. python-whois's own ``WhoisDomainNotFoundError`` is not trusted on its own
  (it raises it for "Your connection limit exceeded" on .cz and for "invalid extension" on .do).

Fields come from the line reader (:mod:`~auditor.collectors.registration.whois_fields`) first
and from python-whois (run under a time bound, :mod:`~auditor.collectors.registration.
whois_parser`) where the line reader found nothing. Only ``registered`` and ``available`` make
the registration facet ``complete``; every other answer is ``unknown(reason)``. Nothing here
raises for anything a reply contains: :func:`read_reply` is an isolation boundary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from auditor.collectors.registration.answers import available_evidence, unknown_evidence
from auditor.collectors.registration.rdap import visible_registrant
from auditor.collectors.registration.whois_fields import (
    CREATION_LABELS,
    DNSSEC_LABELS,
    DNSSEC_PRESENCE,
    EXPIRY_LABELS,
    NAME_SERVER_LABELS,
    REGISTRANT_LABELS,
    REGISTRAR_LABELS,
    STATUS_LABELS,
    UPDATED_LABELS,
    Lines,
    dnssec_state,
    name_servers,
    parse_when,
    plausible_dates,
    read_lines,
    registrar_id,
    registrar_name,
    split_statuses,
)
from auditor.collectors.registration.whois_parser import BoundedParser, ParseOutcome
from auditor.collectors.registration.whois_phrases import (
    LIFECYCLE_STATUS,
    Phrase,
    Verdict,
    matches,
)
from auditor.core.completeness import Completeness, Facet
from auditor.core.evidence import DomainEvidence, RegistryAnswer

_ACTIVE_WORDS = {"ok", "active", "connect", "registered", "not available", "busy", "delegated"}
"""Status words that say the registry holds the name (DENIC ``connect``, DNS Belgium ``NOT
AVAILABLE``, Register.bg ``busy``)."""
_HANDLE = re.compile(r"^[A-Z0-9]+(?:[-_][A-Z0-9]+)+$")
_SERVER_LINE = re.compile(r"^\[([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\]\s*$", re.I | re.M)
_NOT_REGISTRAR = re.compile(r"^\s*(created|last updated|updated|changed) by", re.I)
_VERDICT_ANSWER = {
    Verdict.THROTTLED: RegistryAnswer.THROTTLED,
    Verdict.RESERVED: RegistryAnswer.RESERVED,
    Verdict.BLOCKED: RegistryAnswer.RESERVED,
    Verdict.PREMIUM: RegistryAnswer.RESERVED,
    Verdict.INVALID: RegistryAnswer.INVALID,
}


def read_reply(
    domain: str,
    text: str,
    observed_at: datetime,
    *,
    parser: BoundedParser | None,
    server: str | None = None,
) -> DomainEvidence:
    """The evidence one WHOIS reply gives for ``domain`` (see the module docstring)."""
    name = domain.strip().rstrip(".").lower()
    server = server or _answering_server(text)
    try:
        return _read(name, text, observed_at, parser, server)
    except Exception as exc:
        reason = f"the WHOIS reply could not be read ({type(exc).__name__})"
        return unknown_evidence(name, observed_at, RegistryAnswer.ERROR, reason, server=server)


def _answering_server(text: str) -> str | None:
    """The last ``[whois.server]`` line the ``whois`` tool wrote into a saved reply."""
    found = _SERVER_LINE.findall(text[:4000])
    return found[-1].lower() if found else None


def _read(
    name: str, text: str, observed_at: datetime, parser: BoundedParser | None, server: str | None
) -> DomainEvidence:
    tld = name.rsplit(".", 1)[-1]
    phrases = matches(text, tld)
    failed = _first(phrases, {Verdict.ERROR})
    if failed is not None or not text.strip():
        reason = "the WHOIS server could not be reached" if failed else "the WHOIS reply is empty"
        return unknown_evidence(name, observed_at, RegistryAnswer.ERROR, reason, server=server)
    lines = read_lines(text, name)
    parsed = (
        parser.parse(name, text) if parser is not None else ParseOutcome("failed", detail="off")
    )
    fields = parsed.fields if parsed.kind == "fields" else {}
    evidence = _registered(
        name,
        tld,
        text,
        lines,
        fields=fields,
        phrases=phrases,
        observed_at=observed_at,
        server=server,
    )
    available = _first(phrases, {Verdict.AVAILABLE})
    if evidence is not None:
        if available is not None:
            reason = (
                f"the reply says not found ({available.registry}) yet carries registration data"
            )
            return unknown_evidence(name, observed_at, RegistryAnswer.ERROR, reason, server=server)
        return evidence
    refusal = _first(phrases, set(_VERDICT_ANSWER))
    if refusal is not None:
        answer = _VERDICT_ANSWER[refusal.verdict]
        reason = f"{refusal.verdict.value}: {refusal.registry} says {_quote(refusal, text)}"
        return unknown_evidence(name, observed_at, answer, reason, server=server)
    if available is not None:
        return available_evidence(name, observed_at, source="whois", server=server)
    return unknown_evidence(
        name, observed_at, RegistryAnswer.ERROR, _why_unknown(parsed), server=server
    )


def _why_unknown(parsed: ParseOutcome) -> str:
    if parsed.kind == "not_found":
        return "python-whois read not-found, but the reply has no registry phrasing known for it"
    if parsed.kind == "timeout":
        return f"python-whois parse stopped ({parsed.detail}); no registration fields recognised"
    if parsed.kind == "failed" and parsed.detail != "off":
        return f"python-whois failed ({parsed.detail}); no registration fields recognised"
    return "the reply has no registration fields and no registry phrasing known for it"


def _first(phrases: Sequence[Phrase], verdicts: set[Verdict]) -> Phrase | None:
    return next((p for p in phrases if p.verdict in verdicts), None)


def _quote(phrase: Phrase, text: str) -> str:
    found = phrase.pattern.search(text)
    snippet = " ".join((found.group(0) if found else phrase.example).split())[:80]
    return repr(snippet)


def _registered(
    name: str,
    tld: str,
    text: str,
    lines: Lines,
    *,
    fields: dict[str, Any],
    phrases: Sequence[Phrase],
    observed_at: datetime,
    server: str | None,
) -> DomainEvidence | None:
    """The registered-domain evidence, or None when the reply has no positive evidence."""
    created = _first_in_text(lines, CREATION_LABELS, tld)
    if created is None and not lines.first(CREATION_LABELS, domain_only=True):
        # python-whois only where the reply has no creation line at all: a line we could not
        # read as a date ("before Aug-1996") is no date, whatever another parser makes of it
        created = _pw_date(fields, "creation_date")
    expires = _date(lines, EXPIRY_LABELS, tld, domain_only=True) or _date(lines, EXPIRY_LABELS, tld)
    if expires is None and not lines.first(EXPIRY_LABELS):
        expires = _pw_date(fields, "expiration_date")
    created, expires = plausible_dates(created, expires, observed_at)
    updated = _date(lines, UPDATED_LABELS, tld, domain_only=True)
    registrar = _registrar(lines) or _pw_registrar(fields, text)
    raw_statuses = [v for label in STATUS_LABELS for v in lines.domain.get(label, ()) if v.strip()]
    statuses = list(split_statuses(raw_statuses or _pw_values(fields.get("status"))))
    lifecycle = [LIFECYCLE_STATUS[p.verdict] for p in phrases if p.verdict in LIFECYCLE_STATUS]
    statuses.extend(s for s in lifecycle if s not in statuses)
    servers = name_servers(lines.values(NAME_SERVER_LABELS)) or name_servers(
        _pw_values(fields.get("name_servers"))
    )
    active = any(s in _ACTIVE_WORDS or (s[:1].islower() and s != s.lower()) for s in statuses)
    if not (created or expires or updated or registrar or servers or lifecycle or active):
        return None
    published = any(lines.first((label,)) for label in DNSSEC_PRESENCE)
    dnssec_values = lines.values(DNSSEC_LABELS) or _pw_values(fields.get("dnssec"))
    return DomainEvidence(
        domain=name,
        source="whois",
        observed_at=observed_at,
        registered=True,
        expires_at=expires,
        created_at=created,
        registrar=registrar,
        statuses=tuple(sorted(set(statuses))) if (raw_statuses or statuses) else None,
        registrant_org=_registrant(lines, fields),
        dnssec=dnssec_state(dnssec_values, published),
        name_servers=servers,
        facets={Facet.REGISTRATION: Completeness.complete()},
        answer=RegistryAnswer.REGISTERED,
        server=server,
        registrar_iana_id=registrar_id(lines.every),
    )


def _date(
    lines: Lines, labels: Sequence[str], tld: str, *, domain_only: bool = False
) -> datetime | None:
    table = lines.domain if domain_only else lines.every
    for label in labels:
        for value in table.get(label, ()):
            when = parse_when(value, tld)
            if when is not None:
                return when
    return None


def _first_in_text(lines: Lines, labels: Sequence[str], tld: str) -> datetime | None:
    """The first date under any of ``labels`` in reply order, in the domain object only (the
    domain's own creation comes before its contacts')."""
    for label, values in lines.domain.items():
        if label in labels:
            for value in values:
                when = parse_when(value, tld)
                if when is not None:
                    return when
    return None


def _pw_values(raw: object) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(v) for v in items if v is not None and str(v).strip()]


def _pw_date(fields: dict[str, Any], key: str) -> datetime | None:
    """python-whois's first date for ``key`` (the first is the domain object's)."""
    raw = fields.get(key)
    items = raw if isinstance(raw, list | tuple) else [raw]
    for value in items:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _registrar(lines: Lines) -> str | None:
    """The registrar line of the domain object; a registrar handle (``FAJN-0002``,
    ``ua.markmonitor``) is replaced by the name its own object in the reply gives."""
    raw = lines.first(REGISTRAR_LABELS, domain_only=True)
    if raw is not None and len(raw.split()) == 1:
        raw = lines.object_name("registrar", raw.strip()) or raw
    return registrar_name(raw)


def _pw_registrar(fields: dict[str, Any], text: str) -> str | None:
    """python-whois's registrar, unless the reply shows it under ``Created by`` and the like."""
    for value in _pw_values(fields.get("registrar")):
        lines = [line for line in text.splitlines() if value in line]
        if lines and all(_NOT_REGISTRAR.match(line) for line in lines):
            continue
        cleaned = registrar_name(value)
        if cleaned:
            return cleaned
    return None


def _registrant(lines: Lines, fields: dict[str, Any]) -> str | None:
    candidates: list[str | None] = [
        lines.first((label,), domain_only=True) for label in REGISTRANT_LABELS
    ]
    candidates += _pw_values(fields.get("org")) + _pw_values(fields.get("registrant_org"))
    for value in candidates:
        if value and not _HANDLE.match(value.strip()):
            return visible_registrant(value)
    return None
