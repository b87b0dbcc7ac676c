"""The one table of registry phrasings: how each registry says "not found", "slow down",
"reserved", "invalid query" or "this domain is being deleted" in its port-43 WHOIS text.

A WHOIS reply is free text; the only way to tell an available name from a throttled query or a
reserved name is the registry's own wording. Each :class:`Phrase` row names the registry (and its
WHOIS server) that writes it, the TLDs it may be trusted for (``None``: the wording is shared by
many registries and back-ends, so any TLD), the pattern, and one example line as the registry
writes it (every row's example is tested against its own pattern).

Sources: the registries' documented replies as collected in public WHOIS clients (python-whois
0.9.6 ``whois/parser.py`` ``not_found`` tests, Net::Whois::Raw ``Data.pm`` ``%notfound`` and
``%exceed`` tables, whoisdomain) and the recorded replies under ``../shared/testdata``.

Verdicts:

- ``available``: the registry says the name does not exist (trusted only for ``tlds``);
- ``throttled``: the server refuses to answer now (never "unregistered": retried later);
- ``reserved`` / ``blocked`` / ``premium``: the name cannot simply be bought (never
  "unregistered");
- ``invalid``: the query or TLD was rejected;
- ``error``: the client could not reach the server (a line the ``whois`` tool writes);
- ``redemption`` / ``pending_delete`` / ``hold``: lifecycle words that are not EPP status
  names; they become the EPP status of :data:`LIFECYCLE_STATUS` (``domain.registration-hold``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """What a phrase says about the reply."""

    AVAILABLE = "available"
    THROTTLED = "throttled"
    RESERVED = "reserved"
    BLOCKED = "blocked"
    PREMIUM = "premium"
    INVALID = "invalid"
    ERROR = "error"
    REDEMPTION = "redemption"
    PENDING_DELETE = "pending_delete"
    HOLD = "hold"


LIFECYCLE_STATUS = {
    Verdict.REDEMPTION: "redemptionPeriod",
    Verdict.PENDING_DELETE: "pendingDelete",
    Verdict.HOLD: "serverHold",
}
"""The EPP status a lifecycle phrase stands for."""


@dataclass(frozen=True)
class Phrase:
    """One registry phrasing."""

    verdict: Verdict
    """What the phrase means."""
    registry: str
    """The registry (WHOIS server) that writes it."""
    tlds: frozenset[str] | None
    """The TLDs it is trusted for; None when many registries write it."""
    pattern: re.Pattern[str]
    """Case-insensitive, multi-line: ``^`` anchors at a line start."""
    example: str
    """One line as the registry writes it (tested against ``pattern``)."""

    def applies_to(self, tld: str) -> bool:
        """True when the phrase may be trusted for a domain under ``tld``."""
        return self.tlds is None or tld in self.tlds


def _row(verdict: Verdict, registry: str, tlds: str | None, pattern: str, example: str) -> Phrase:
    scope = frozenset(tlds.split()) if tlds is not None else None
    return Phrase(verdict, registry, scope, re.compile(pattern, re.I | re.M), example)


_LINE = r"^[ \t%#*>]*"
"""A line start, allowing the comment markers and indentation registries put before text."""

PHRASES: tuple[Phrase, ...] = (
    # --- throttled: the server answers, but not with data -----------------------------------
    _row(
        Verdict.THROTTLED,
        "CZ.NIC (whois.nic.cz)",
        None,
        r"connection limit exceeded",
        "Your connection limit exceeded. Please slow down and try again later.",
    ),
    _row(
        Verdict.THROTTLED,
        "RIPN / TCI (whois.tcinet.ru)",
        None,
        r"exceeded allowed connection rate",
        "You have exceeded allowed connection rate.",
    ),
    _row(
        Verdict.THROTTLED,
        "EURid (whois.eu), RESTENA (whois.dns.lu)",
        None,
        r"excessive querying|still in grace period, wait",
        "-4: Excessive querying, grace period of 60 seconds",
    ),
    _row(
        Verdict.THROTTLED,
        "MYNIC (whois.mynic.my)",
        None,
        r"query limitation is",
        "Query limitation is 20 queries per minute",
    ),
    _row(
        Verdict.THROTTLED,
        "SIDN (whois.domain-registry.nl)",
        None,
        r"too many requests",
        "whois.domain-registry.nl: too many requests, please try again later",
    ),
    _row(
        Verdict.THROTTLED,
        "THNIC (whois.thnic.co.th)",
        "th",
        r"^%\s*too may requests",
        "% Too may requests.",
    ),
    _row(
        Verdict.THROTTLED,
        "Nominet (whois.nic.uk)",
        None,
        r"and will be replenished",
        "Your query limit has been exceeded and will be replenished in 5 minutes.",
    ),
    _row(
        Verdict.THROTTLED,
        "Public Interest Registry (whois.pir.org)",
        None,
        r"whois limit exceeded",
        "WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS",
    ),
    _row(
        Verdict.THROTTLED,
        "CoCCA registries (whois.nic.gs, .ms, .tl, .mg)",
        None,
        r"look ?up quota exceeded",
        "Lookup quota exceeded",
    ),
    _row(
        Verdict.THROTTLED,
        "SWITCH (whois.nic.ch)",
        None,
        r"you have exceeded this limit",
        "You have exceeded this limit. Please wait a moment and try again.",
    ),
    _row(
        Verdict.THROTTLED,
        "CentralNic (whois.centralnic.com)",
        None,
        r"query rate of \d+",
        "Query rate of 10 per 10 seconds exceeded",
    ),
    _row(
        Verdict.THROTTLED,
        "HKIRC (whois.hkirc.hk)",
        "hk",
        r"maintain at least \d+-second time",
        "Please maintain at least 10-second time before starting another enquiry.",
    ),
    _row(
        Verdict.THROTTLED,
        "Tucows (whois.tucows.com)",
        None,
        r"maximum daily connection limit reached|exceeded maximum connection limit",
        "Maximum Daily connection limit reached. Lookup refused.",
    ),
    _row(
        Verdict.THROTTLED,
        "Website Registry (whois.website.ws)",
        None,
        r"you exceeded the maximum",
        "You exceeded the maximum allowable number of whois lookups.",
    ),
    _row(
        Verdict.THROTTLED,
        "DENIC (whois.denic.de)",
        "de",
        r"access control limit",
        "55000000002 Connection refused; access control limit reached.",
    ),
    _row(
        Verdict.THROTTLED,
        "several (rate-limited front ends)",
        None,
        r"^[ \t%#*>-]*(request denied|rate limit exceeded|quota exceeded|"
        r"too many queries|query rate limit|try again later\.?\s*$)",
        "Request Denied",
    ),
    # --- reserved, blocked, premium: cannot simply be bought -------------------------------
    _row(
        Verdict.RESERVED,
        "TWNIC (whois.twnic.net.tw)",
        "tw",
        r"^[ \t]*reserved name\s*$",
        "  reserved name",
    ),
    _row(
        Verdict.RESERVED,
        "several (reserved-name replies)",
        None,
        _LINE + r"(domain not available\.?\s*$|this (domain|name) (is|has been) reserved|"
        r"reserved (domain|name) by the registry|status:\s*reserved|domain status:\s*reserved|"
        r"the domain you (want to register|requested) is reserved)",
        "Domain not available",
    ),
    _row(
        Verdict.BLOCKED, "EURid (whois.eu)", "eu", r"^status:\s*not allowed", "Status: NOT ALLOWED"
    ),
    _row(
        Verdict.BLOCKED,
        "several (blocked and withheld names)",
        None,
        _LINE + r"(domain (name )?is blocked|status:\s*blocked|"
        r"this name is (prohibited|blocked|withheld)|withheld for (registry )?policy)",
        "Status: BLOCKED",
    ),
    _row(
        Verdict.PREMIUM,
        "several (premium-name replies)",
        None,
        _LINE + r"(this is a premium (domain|name)|premium domain name|"
        r"is a premium (domain|name)|status:\s*premium)",
        "This is a premium domain name.",
    ),
    # --- invalid query or unserved TLD -----------------------------------------------------
    _row(
        Verdict.INVALID,
        "TRABIS / NIC.tr (whois.nic.tr)",
        "tr",
        r"^[ \t]*invalid input\s*$",
        "Invalid input",
    ),
    _row(
        Verdict.INVALID,
        "NIC.do (whois.nic.do)",
        "do",
        r"extensi[oó]n de dominio no v[aá]lid",
        "Extensión de dominio no válido.",
    ),
    _row(
        Verdict.INVALID,
        "InternetNZ (whois.srs.net.nz)",
        "nz",
        r"query_status:\s*500 invalid",
        "query_status: 500 Invalid Domain Name",
    ),
    _row(
        Verdict.INVALID,
        "whois client / python-whois (no server for the TLD)",
        None,
        r"no whois server is known for this kind of object|"
        r"this tld has no whois server",
        "No whois server is known for this kind of object.",
    ),
    _row(
        Verdict.INVALID,
        "several (query rejected)",
        None,
        _LINE + r"(invalid (domain|query|request|pattern)\b|"
        r"not a valid domain|domain name is invalid|malformed (request|query))",
        "Invalid query",
    ),
    # --- client-side failures the whois tool writes into the reply -------------------------
    _row(
        Verdict.ERROR,
        "whois client (connection failure)",
        None,
        r"^\[(unable to connect to remote host|.*: name or service not known|"
        r".*: connection (refused|timed out|reset by peer))\]",
        "[Unable to connect to remote host]",
    ),
    # --- available: the registry's own not-found answer ------------------------------------
    _row(
        Verdict.AVAILABLE,
        "Verisign (whois.verisign-grs.com, whois.internic.net)",
        "com net name cc tv jobs edu",
        r'^no match for domain "',
        'No match for domain "EXAMPLE-UNUSED.COM".',
    ),
    _row(
        Verdict.AVAILABLE,
        "Verisign, Nominet, Registro.br and gTLD back-ends (whois.nic.uk, whois.nic.br)",
        None,
        r'^[ \t%]*no match for "?[a-z0-9.\-]+"?\.?\s*$',
        'No match for "EXAMPLE-UNUSED.COM".',
    ),
    _row(
        Verdict.AVAILABLE,
        "Identity Digital / Afilias, PIR, CoCCA-era ccTLDs (whois.afilias.net, .pir.org)",
        None,
        r"^[ \t]*not found\.?\s*$",
        "NOT FOUND",
    ),
    _row(
        Verdict.AVAILABLE,
        "Identity Digital (Donuts) gTLDs, Estonia, Slovakia, Australia",
        None,
        r"^[ \t]*domain not found\.?\s*$",
        "Domain not found.",
    ),
    _row(
        Verdict.AVAILABLE,
        'CentralNic, ZDNS, KSregistry, RIPN, Uniregistry ("queried object")',
        None,
        r"the queried object does not exist",
        "The queried object does not exist: DOMAIN NOT FOUND",
    ),
    _row(
        Verdict.AVAILABLE,
        "CentralNic / Radix (whois.nic.pw, .site, .press)",
        None,
        r"^[ \t]*domain not found\s*$|^[ \t]*DOMAIN NOT FOUND\s*$",
        "DOMAIN NOT FOUND",
    ),
    _row(
        Verdict.AVAILABLE,
        "GoDaddy Registry / Neustar (.us .biz .co), aeDA (.ae), QDR (.qa)",
        None,
        r"^[ \t]*no data found\s*$",
        "No Data Found",
    ),
    _row(
        Verdict.AVAILABLE,
        "RIPE-style registries (.ru .fr .is .pt .si .hr .ua .ro .pm .re .tf .wf .yt)",
        None,
        _LINE + r"(error:\s*)?no entries found",
        "No entries found for the selected source(s).",
    ),
    _row(
        Verdict.AVAILABLE,
        "CZ.NIC (whois.nic.cz)",
        "cz",
        r"^%error:101: no entries found",
        "%ERROR:101: no entries found",
    ),
    _row(
        Verdict.AVAILABLE,
        "CoCCA registries (.cx .gs .ht .af .ki .mu .sb .tl ...)",
        None,
        r"(domain status:\s*)?no object found",
        "Domain Status: No Object Found",
    ),
    _row(
        Verdict.AVAILABLE,
        "DENIC (.de), nic.lv (.lv), nic.at (.at), CentralNic",
        "de lv at",
        r"^status:\s*free\s*$",
        "Status: free",
    ),
    _row(
        Verdict.AVAILABLE, "nic.at (whois.nic.at)", "at", r"^%\s*nothing found", "% nothing found"
    ),
    _row(
        Verdict.AVAILABLE,
        "EURid (.eu), DNS Belgium (.be), Registro.it (.it)",
        "eu be it",
        r"^status:\s*available\s*$",
        "Status:\tAVAILABLE",
    ),
    _row(
        Verdict.AVAILABLE,
        "CIRA (whois.cira.ca)",
        "ca",
        r"^domain status:\s*available",
        "Domain status:         available",
    ),
    _row(
        Verdict.AVAILABLE,
        "Register.bg (whois.register.bg)",
        "bg",
        r"registration status:\s*available|does not exist in database",
        "registration status: available",
    ),
    _row(
        Verdict.AVAILABLE,
        'Radix, .club and legacy gTLD back-ends ("Not found:")',
        None,
        r"^[ \t]*not found:\s*\S",
        "Not found: example-unused.online",
    ),
    _row(
        Verdict.AVAILABLE,
        "SIDN (whois.domain-registry.nl)",
        "nl",
        r"^\S+\.nl is free",
        "example-unused.nl is free",
    ),
    _row(
        Verdict.AVAILABLE,
        "SWITCH (whois.nic.ch, whois.nic.li)",
        "ch li",
        r"we do not have an entry in our database matching your query",
        "We do not have an entry in our database matching your query.",
    ),
    _row(
        Verdict.AVAILABLE,
        "NASK (whois.dns.pl)",
        "pl",
        r"no information available about domain name",
        "No information available about domain name example-unused.pl in the Registry NASK database.",
    ),
    _row(
        Verdict.AVAILABLE,
        "RNIDS (whois.rnids.rs)",
        "rs",
        r"domain is not registered",
        "%ERROR:103: Domain is not registered",
    ),
    _row(
        Verdict.AVAILABLE,
        "RESTENA (whois.dns.lu)",
        "lu",
        r"^%?\s*no such domain",
        "% No such domain",
    ),
    _row(
        Verdict.AVAILABLE,
        "InternetNZ (whois.srs.net.nz)",
        "nz",
        r"query_status:\s*220 available",
        "query_status: 220 Available",
    ),
    _row(Verdict.AVAILABLE, "JPRS (whois.jprs.jp)", "jp", r"no match!!", "No match!!"),
    _row(
        Verdict.AVAILABLE,
        "HKIRC (whois.hkirc.hk)",
        "hk",
        r"the domain has not been registered",
        "The domain has not been registered.",
    ),
    _row(
        Verdict.AVAILABLE,
        "SGNIC (whois.sgnic.sg)",
        "sg",
        r"^[ \t]*domain not found",
        "Domain Not Found",
    ),
    _row(
        Verdict.AVAILABLE,
        "CNNIC (.cn), ngtld.cn, .lat / .hn back-end",
        None,
        r"^[ \t]*no matching record\.?\s*$",
        "No matching record.",
    ),
    _row(
        Verdict.AVAILABLE,
        "NIC Argentina (whois.nic.ar)",
        "ar",
        r"no se encuentra registrado",
        "El dominio no se encuentra registrado en NIC Argentina",
    ),
    _row(
        Verdict.AVAILABLE,
        "NIC Costa Rica, NIC.ve",
        "cr ve",
        r"^el dominio no existe",
        "El dominio no existe.",
    ),
    _row(
        Verdict.AVAILABLE,
        "hoster.by (whois.cctld.by)",
        "by",
        r"^object does not exist",
        "Object does not exist",
    ),
    _row(
        Verdict.AVAILABLE,
        "KazNIC (whois.nic.kz)",
        "kz",
        r"nothing found for this query",
        "*** Nothing found for this query.",
    ),
    _row(
        Verdict.AVAILABLE,
        "ISOC-IL (whois.isoc.org.il)",
        "il",
        r"no data was found",
        "No data was found to match the request criteria.",
    ),
    _row(
        Verdict.AVAILABLE,
        "KG registry (whois.domain.kg)",
        "kg",
        r"this domain is available for registration",
        "Data not found. This domain is available for registration.",
    ),
    _row(Verdict.AVAILABLE, "TWNIC (whois.twnic.net.tw)", "tw", r"^[ \t]*no found\s*$", "No Found"),
    _row(
        Verdict.AVAILABLE,
        "KISA (whois.kr)",
        "kr",
        r"requested domain was not found",
        "The requested domain was not found in the Registry or Registrar's WHOIS Server.",
    ),
    _row(
        Verdict.AVAILABLE,
        "Internetstiftelsen (whois.iis.se, whois.iis.nu)",
        "se nu",
        r'^domain "?\S+"? not found',
        'domain "example-unused.se" not found.',
    ),
    _row(
        Verdict.AVAILABLE,
        "Identity Digital (.io .sh .ac legacy)",
        "io sh ac",
        r"is available for purchase",
        "example-unused.io is available for purchase",
    ),
    _row(
        Verdict.AVAILABLE,
        "IEDR (whois.weare.ie)",
        "ie",
        r"^%?\s*not registered",
        "% Not Registered - The domain you have requested is not a registered .ie domain name.",
    ),
    _row(
        Verdict.AVAILABLE,
        "NIC.mt, .kiwi, MyNIC-style replies",
        "mt kiwi",
        r"domain is not registered|status:\s*not registered",
        "Domain is not registered",
    ),
    _row(Verdict.AVAILABLE, "ZACR (whois.registry.net.za)", "za", r"^available\s*$", "Available"),
    _row(
        Verdict.AVAILABLE, "EDUCAUSE (whois.educause.edu)", "edu", r"^no match\.?\s*$", "NO MATCH"
    ),
    _row(Verdict.AVAILABLE, "Norid (whois.norid.no)", "no", r"^%?\s*no match\s*$", "% No match"),
    _row(Verdict.AVAILABLE, "Traficom (whois.fi)", "fi", r"^domain not found", "Domain not found"),
    _row(
        Verdict.AVAILABLE,
        "NIC Chile (whois.nic.cl)",
        "cl",
        r": no entries found",
        "example-unused.cl: no entries found.",
    ),
    _row(
        Verdict.AVAILABLE,
        "DK Hostmaster (whois.punktum.dk)",
        "dk",
        r"no entries found for the selected source",
        "No entries found for the selected source.",
    ),
    _row(
        Verdict.AVAILABLE,
        ".vip / .ai registries",
        "vip ai",
        r"this domain name has not been registered|^domain \S+ not registered",
        "This domain name has not been registered.",
    ),
    # --- lifecycle words that are not EPP status names -------------------------------------
    _row(
        Verdict.REDEMPTION,
        "SIDN (.nl), DNS Belgium (.be), EURid (.eu)",
        "nl be eu",
        r"^status:\s*(in )?quarantine",
        "Status:      in quarantine",
    ),
    _row(
        Verdict.REDEMPTION,
        "several (redemption grace period in words)",
        None,
        r"^[ \t]*(domain )?status:.*\bredemption( period| grace period)?\b",
        "Domain Status: REDEMPTION",
    ),
    _row(
        Verdict.PENDING_DELETE,
        "InternetNZ (.nz) and others",
        None,
        r"^[ \t]*(domain_)?status:.*\bpending (release|delete|deletion)\b",
        "domain_status: Pending Release",
    ),
    _row(
        Verdict.HOLD,
        "several (suspended or held delegations)",
        None,
        r"^[ \t]*(domain |registration )?status:.*\b(suspended|on hold)\b",
        "Registration status: Suspended",
    ),
)
"""Every registry phrasing, checked in this order (throttled before available)."""


def matches(text: str, tld: str, phrases: Iterable[Phrase] = PHRASES) -> list[Phrase]:
    """The phrases found in ``text`` that may be trusted for ``tld``, in table order."""
    return [p for p in phrases if p.applies_to(tld) and p.pattern.search(text)]
