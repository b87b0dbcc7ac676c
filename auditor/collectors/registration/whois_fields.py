"""Registration fields read from WHOIS text line by line, and the normalised values.

python-whois's regular expressions are one opinion per TLD (and only for the TLDs it knows); this
reader is the second: every ``label: value`` line (also ``label.....: value``, ``[Label] value``
as JPRS writes it, and a label alone with its value on the next indented line as Nominet and
NASK write it) is collected under its normalised label, then the fields are taken from the
labels registries use, most specific first (``Registry Expiry Date`` before ``Expiration
Date``). Everything is linear in the length of the reply: no pattern here can backtrack.

Normalisation, shared with RDAP where it applies:

- dates: ISO, ``YYYYMMDD``, year-first dotted or slashed (``2018.10.26``, ``2026/03/31``,
  ``2008. 08. 05.``), and day-first where registries write it so: dotted dates are always
  day-first (``10.03.2021`` is 10 March), slashed and dashed numeric dates are day-first under
  country-code TLDs (month-first under generic TLDs, as US registrars write them) unless one
  part is over 12. A stated offset is kept (the registry's calendar day stays the day).
  Impossible dates (before 1985, a creation in the future, an expiry before the creation or more
  than a century away) are unknown;
- the creation date is the domain object's (the first one outside contact, NSSET and KEYSET
  objects), never the minimum over every object in the reply;
- registrar names lose registry ids and tags (``MarkMonitor, Inc. (R22-LRCC)``, ``[Tag =
  GODADDY]``, ``( https://nic.at/registrar/434 )``); ``Created by`` and ``Last Updated by
  Registrar`` are never the registrar;
- statuses are split on commas and spaces into EPP names (``clientDeleteProhibited
  clientTransferProhibited``), with registry words kept as one status (``in quarantine``);
- DNSSEC phrasings: ``unsigned``, ``no``, ``inactive``, ``N``, ``unsigned delegation`` are off;
  ``signedDelegation``, ``yes``, ``active`` and a published DS / DNSKEY / KEYSET are on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateparser

EARLIEST = datetime(1985, 1, 1, tzinfo=UTC)
"""No domain was registered before 1985 (the first .com): earlier dates are impossible."""

_KEY_VALUE = re.compile(
    r"^\s*(?:\*\*\s*)?(?P<key>[^:\[\]\n]{1,64}?)\s*(?:\.{2,}\s*)?:(?P<value>.*)$"
)
_BRACKET = re.compile(r"^\s*(?:[a-z]\.\s*)?\[(?P<key>[^\]\n]{1,48})\]\s*(?P<value>.*)$", re.I)
_RECORD = re.compile(r"^\s*record (?P<key>expires|created) on:?\s+(?P<value>\S.*)$", re.I)
_REGISTRAR_NAME_KEYS = frozenset({"name", "organization", "organisation", "organization name"})
"""Child labels that carry the registrar's name under a ``Registrar:`` section."""
_NON_DOMAIN_OBJECT = frozenset({"nic-hdl", "contact", "person", "role", "nsset", "keyset"})
"""Keys that open another object in RIPE-style replies (its dates are not the domain's)."""
_INLINE_OBJECT = frozenset({"contact", "nic-hdl"})
"""Of those, the keys that open an object even without a blank line before (NIC.ar); inside a
domain object ``nsset:`` and ``keyset:`` are references, not objects."""

EXPIRY_LABELS = (
    "registry expiry date",
    "registry expiration date",
    "expiry date",
    "expiration date",
    "registrar registration expiration date",
    "registration expiration date",
    "domain expiration date",
    "expires on",
    "expire date",
    "expiration time",
    "exp date",
    "domain expires",
    "expire-date",
    "domain_datebilleduntil",
    "fecha de expiración",
    "fecha de expiracion",
    "fecha de vencimiento",
    "data de expiração",
    "有効期限",
    "paid-till",
    "renewal date",
    "valid until",
    "validity",
    "expires",
    "expire",
    "expiry",
    "expiration",
    "record expires",
    "사용 종료일",
)
"""Expiry labels, most specific first."""

CREATION_LABELS = (
    "creation date",
    "created on",
    "created date",
    "domain registration date",
    "domain create date",
    "registration date",
    "registration time",
    "registered date",
    "registered on",
    "domain name commencement date",
    "first registration date",
    "domain record activated",
    "domain created",
    "domain_datecreated",
    "fecha de registro",
    "fecha de creación",
    "fecha de creacion",
    "登録年月日",
    "assigned",
    "created",
    "registered",
    "record created",
    "등록일",
)
"""Creation labels, most specific first."""

UPDATED_LABELS = (
    "updated date",
    "last updated",
    "last modified",
    "changed",
    "modified",
    "last update",
)
REGISTRAR_LABELS = (
    "registrar",
    "sponsoring registrar",
    "registrar name",
    "registrar organization",
    "authorized agency",
    "registration service provider",
    "current registrar",
    "current registar",
    "등록대행자",
)
REGISTRAR_ID_LABELS = ("registrar iana id", "sponsoring registrar iana id")
STATUS_LABELS = (
    "domain status",
    "status",
    "state",
    "registration status",
    "domain_status",
    "domaintype",
    "状態",
)
DNSSEC_LABELS = ("dnssec", "dnssec signed", "signed", "signing key")
DNSSEC_PRESENCE = ("dnskey", "ds-rdata", "keyset", "ds record", "dnssec ds records")
REGISTRANT_LABELS = (
    "registrant organization",
    "registrant organisation",
    "registrant org",
    "registrant",
    "organization",
    "owner",
    "holder",
    "org",
)
NAME_SERVER_LABELS = (
    "name server",
    "name servers",
    "nameserver",
    "nameservers",
    "nserver",
    "hostname",
)

_EMPTY = {"", "-", "n/a", "na", "none", "not available", "not disclosed", "unknown", "null", "0"}
_TAG = re.compile(r"\s*\[\s*tag\s*=[^\]]*\]", re.I)
_TRAILING_ID = re.compile(
    r"\s*\(\s*(?:https?://[^)]*|[A-Z]*\d[\w-]*|R\d+-[A-Z]+|IANA\s*(?:ID)?[:#\s]*\d+)\s*\)\s*$", re.I
)
_URL_TAIL = re.compile(r"\s+https?://\S+\s*$", re.I)


@dataclass
class Lines:
    """The ``label → values`` of one reply, in order, split into the domain object's and all."""

    domain: dict[str, list[str]] = field(default_factory=dict)
    """Labels of the domain object (RIPE-style contact/NSSET/KEYSET objects left out)."""
    every: dict[str, list[str]] = field(default_factory=dict)
    """Every label of the reply."""
    blocks: list[list[tuple[str, str]]] = field(default_factory=list)
    """The reply's blank-line separated blocks, as ``(label, value)`` pairs."""

    def object_name(self, key: str, handle: str) -> str | None:
        """The ``Name`` (or ``Organization``) of the object whose block opens with
        ``key: handle`` (SK-NIC names the registrar ``FAJN-0002`` and describes it apart)."""
        for block in self.blocks:
            if block and block[0] == (key, handle):
                named = dict(reversed(block))
                return named.get("name") or named.get("organization") or None
        return None

    def first(self, labels: Sequence[str], *, domain_only: bool = False) -> str | None:
        """The first non-empty value under the first label that has one."""
        table = self.domain if domain_only else self.every
        for label in labels:
            for value in table.get(label, ()):
                if value.strip().lower() not in _EMPTY:
                    return value.strip()
        return None

    def values(self, labels: Iterable[str]) -> list[str]:
        """Every value under ``labels`` (in label order)."""
        return [v for label in labels for v in self.every.get(label, ()) if v.strip()]


def _key(raw: str) -> str:
    return " ".join(raw.replace("\t", " ").strip(" .*>").lower().split())


def _pairs(text: str) -> Iterator[tuple[str, str, bool]]:
    """``(label, value, opens_block)`` per line; a label alone takes the next indented line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pending: tuple[str, int] | None = None
    for line in lines:
        if not line.strip():
            pending = None
            yield "", "", True
            continue
        if line.lstrip().startswith(("%", "#")):
            continue  # RIPE-style comments: never a field, never a value
        indent = len(line) - len(line.lstrip())
        if pending is not None and (indent > pending[1] or pending[1] < 0):
            inner = _KEY_VALUE.match(line)
            if inner is None:
                yield pending[0], line.strip(), False
                continue
            key, value = _key(inner.group("key")), inner.group("value").strip()
            if pending[0] == "registrar" and key in _REGISTRAR_NAME_KEYS:
                yield "registrar", value, False
            yield key, value, False
            continue
        match = _RECORD.match(line) or _BRACKET.match(line) or _KEY_VALUE.match(line)
        if match is None:
            if pending is not None:  # "First registration date:\n08.02.1996" (SWITCH, NASK)
                yield pending[0], line.strip(), False
            pending = None
            continue
        pending = None
        key = _key(match.group("key"))
        if match.re is _RECORD:
            key = f"record {key}"
        value = match.group("value").strip()
        if not value and match.re is not _BRACKET:
            # "** Registrar:" (TRABIS) heads a section of unindented lines: indent -1
            pending = (key, -1 if line.lstrip().startswith("**") else indent)
        yield key, value, False


_RECORD_KEYS = frozenset({"domain name", "server name", "domain", "domainname"})
"""Keys that open one record of a multi-record reply (old Verisign replies list every name
that matches the query, spam records included)."""


def read_lines(text: str, domain: str = "") -> Lines:
    """Collect the reply's labels (see the module docstring). With ``domain``, a record that
    names another domain (``Domain Name: OTHER.COM``) is left out of :attr:`Lines.domain`."""
    found = Lines()
    pairs = list(_pairs(text))
    wanted = _ascii(domain) if domain else ""
    records = {_ascii(v.split()[0]) for k, v, _ in pairs if k in _RECORD_KEYS and "." in v}
    split_records = bool(wanted) and wanted in records and len(records) > 1
    in_contact = False  # a contact, NSSET or KEYSET object: until the next blank line
    in_foreign = False  # a record of another domain: until the next record key
    block_start = True
    for key, value, blank in pairs:
        if blank:
            in_contact, block_start = False, True
            continue
        if block_start:
            found.blocks.append([])
        found.blocks[-1].append((key, value))
        opens = _NON_DOMAIN_OBJECT if block_start else _INLINE_OBJECT
        if key in opens or key.startswith("nic-hdl"):
            in_contact = True
        block_start = False
        if key in _RECORD_KEYS and value and "." not in value:
            in_foreign = True  # IANA's record of the TLD itself ("domain: LIVE"), not the domain
        elif split_records and key in _RECORD_KEYS and "." in value:
            in_foreign = _ascii(value.split()[0]) != wanted
        elif key in _RECORD_KEYS and "." in value:
            in_foreign = False
        found.every.setdefault(key, []).append(value)
        if not (in_contact or in_foreign):
            found.domain.setdefault(key, []).append(value)
    return found


def _ascii(name: str) -> str:
    text = name.strip().rstrip(".").lower()
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError:
        return text


def day_first(tld: str) -> bool:
    """Whether ambiguous numeric dates (``03/10/2021``) are day-first under ``tld``: country
    codes are (most of the world writes day-first), generic TLDs are not (US registrars)."""
    return len(tld) == 2 and tld not in {"us", "fm", "ph"}


_ZONE = re.compile(r"\s*\((?:JST|UTC[+-]?\d*(?::00)?|GMT[+-]?\d*(?::00)?|[A-Z]{2,5})\)\s*$")
_TRAIL = re.compile(r"\s*(?:#\d+|\(YYYY-MM-DD\)|\(dd\.mm\.yyyy\))\s*$", re.I)
_NUMERIC = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:\b(.*))?$")
_YEAR_FIRST = re.compile(r"^(\d{4})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{1,2})\.?(.*)$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s.*)?$")
_ZONE_NAME = re.compile(r"(?<=\d)\s+(?!UTC$|GMT$)[A-Z]{3,5}$")
"""A trailing zone abbreviation other than UTC/GMT (``CLST``, ``MSK``, ``CET``): dropped, the
registry's calendar day is kept."""
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)|^\d{8}")
_SHORT_YEAR = re.compile(r"^\d{1,2}[-/ .][A-Za-z]{3}[-/ .]\d{2}\b")
_UTC_OFFSET = re.compile(r"\((?:UTC|GMT)([+-]\d{1,2})(?::00)?\)\s*$", re.I)
_JST = timezone(timedelta(hours=9), "JST")
_NAMED_ZONES = {
    "JST": _JST,
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "CLST": timezone(timedelta(hours=-3)),
}


def parse_when(raw: str, tld: str) -> datetime | None:
    """A WHOIS date as an aware datetime (naive means UTC; a stated offset is kept); None when it
    is not a date."""
    text = _TRAIL.sub("", raw.strip().rstrip("."))
    zone = _JST if "(JST)" in text.upper() else None
    offset = _UTC_OFFSET.search(text)
    if offset is not None:
        zone = timezone(timedelta(hours=int(offset[1])))
    text = _ZONE.sub("", text).strip().rstrip(".")
    text = _ZONE_NAME.sub("", text)
    if not text or not (_YEAR.search(text) or _SHORT_YEAR.search(text)):
        return None  # no year: dateutil would invent the current one
    try:
        value = _structured(text, tld)
        if value is None:
            value = dateparser.parse(text, yearfirst=True, dayfirst=False, tzinfos=_NAMED_ZONES)
    except (ValueError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    return value


def _structured(text: str, tld: str) -> datetime | None:
    """The numeric layouts dateutil would misread (day-first, compact, Korean spacing)."""
    compact = _COMPACT.match(text)
    if compact:
        return datetime(int(compact[1]), int(compact[2]), int(compact[3]))
    year_first = _YEAR_FIRST.match(text)
    if year_first:
        rest = year_first[4].strip()
        moment = datetime(int(year_first[1]), int(year_first[2]), int(year_first[3]))
        return _with_time(moment, rest)
    numeric = _NUMERIC.match(text)
    if numeric:
        first, sep, second, year = int(numeric[1]), numeric[2], int(numeric[3]), int(numeric[4])
        dayfirst = sep == "." or first > 12 or (second <= 12 and day_first(tld))
        day, month = (first, second) if dayfirst else (second, first)
        return _with_time(datetime(year, month, day), (numeric[5] or "").strip())
    return None


def _with_time(moment: datetime, rest: str) -> datetime:
    if not rest:
        return moment
    tail = dateparser.parse(f"2000-01-01 {rest}", tzinfos=_NAMED_ZONES)
    return moment.replace(
        hour=tail.hour, minute=tail.minute, second=tail.second, tzinfo=tail.tzinfo
    )


def plausible_dates(
    created: datetime | None, expires: datetime | None, observed_at: datetime
) -> tuple[datetime | None, datetime | None]:
    """``(created, expires)`` with impossible values made unknown."""
    if created is not None and not EARLIEST <= created <= observed_at + timedelta(days=1):
        created = None
    if expires is not None and (
        expires < EARLIEST
        or expires > observed_at + timedelta(days=366 * 100)
        or (created is not None and expires < created)
    ):
        expires = None
    return created, expires


def registrar_name(raw: str | None) -> str | None:
    """A registrar name without registry tags, ids or URLs; None for placeholders."""
    if raw is None:
        return None
    text = _TAG.sub("", " ".join(raw.split()))
    previous = None
    while previous != text:
        previous = text
        text = _URL_TAIL.sub("", _TRAILING_ID.sub("", text)).strip(" ,;")
    if text.lower() in _EMPTY or text.lower().startswith(("redacted", "not disclosed")):
        return None
    return text


_EPP = {
    name.lower(): name
    for name in [
        "ok",
        "inactive",
        "serverHold",
        "clientHold",
        "redemptionPeriod",
        "pendingDelete",
        "pendingRestore",
        "pendingTransfer",
        "pendingCreate",
        "pendingRenew",
        "pendingUpdate",
        "autoRenewPeriod",
        "addPeriod",
        "renewPeriod",
        "transferPeriod",
        "clientTransferProhibited",
        "clientUpdateProhibited",
        "clientDeleteProhibited",
        "clientRenewProhibited",
        "serverTransferProhibited",
        "serverUpdateProhibited",
        "serverDeleteProhibited",
        "serverRenewProhibited",
        "active",
    ]
}
_EPP_SPACED = {" ".join(re.findall(r"[a-z]+|[A-Z][a-z]*", v)).lower(): v for v in _EPP.values()}


def split_statuses(values: Iterable[str]) -> tuple[str, ...]:
    """Statuses split on commas and spaces: EPP names as written, registry words as one status
    (lower-case), URLs and parenthesised notes dropped, RDAP ``active`` as ``ok``."""
    found: list[str] = []
    for value in values:
        for part in value.split(","):
            found.extend(_status_part(part))
    return tuple(dict.fromkeys(s for s in found if s))


def _status_part(part: str) -> list[str]:
    text = re.sub(r"\(.*?\)|https?://\S+", " ", part).replace("_", " ").strip(" .;-")
    tokens = text.split()
    if not tokens:
        return []
    if all(t.lower() in _EPP for t in tokens):
        return [_ok(_EPP[t.lower()]) for t in tokens]
    spaced = " ".join(tokens).lower()
    if spaced in _EPP_SPACED:
        return [_ok(_EPP_SPACED[spaced])]
    if (
        tokens[0].lower() in _EPP
        and len(tokens) > 1
        and not any(t.lower() in _EPP for t in tokens[1:])
    ):
        return [_ok(_EPP[tokens[0].lower()])]  # "ok - the domain is active" style notes
    return [spaced]


def _ok(name: str) -> str:
    return "ok" if name == "active" else name


_DNSSEC_ON = {
    "signeddelegation",
    "signed delegation",
    "signed",
    "yes",
    "y",
    "true",
    "active",
    "서명",
}
_DNSSEC_OFF = {
    "unsigned",
    "unsigned delegation",
    "unsigneddelegation",
    "no",
    "n",
    "false",
    "inactive",
    "not signed",
    "off",
    "disabled",
    "미서명",
}


def dnssec_state(values: Iterable[str], published: bool) -> bool | None:
    """The DNSSEC phrasing as a bool; a published DS/DNSKEY/KEYSET counts as signed."""
    for value in values:
        for part in value.split(","):
            token = " ".join(part.strip().lower().replace("-", " ").split())
            if token in _DNSSEC_ON or token.replace(" ", "") in _DNSSEC_ON:
                return True
            if token in _DNSSEC_OFF or token.startswith(("unsigned", "dnssec disabled")):
                return False
    return True if published else None


def name_servers(values: Iterable[str]) -> tuple[str, ...]:
    """Host names of name-server lines (the first word, lower-cased, no trailing dot)."""
    hosts = set()
    for value in values:
        words = value.split()
        if words and "." in words[0]:
            hosts.add(words[0].rstrip(".").lower())
    return tuple(sorted(hosts))


def registrar_id(values: Mapping[str, list[str]]) -> str | None:
    """The registrar's IANA id when the reply states one."""
    for label in REGISTRAR_ID_LABELS:
        for value in values.get(label, ()):
            digits = value.strip()
            if digits.isdigit():
                return digits
    return None
