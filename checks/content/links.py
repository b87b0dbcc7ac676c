"""Link parsing and risk signals for content.suspicious-link.

URLs come from attacker-controlled posts and bios, so parsing is defensive: tabs and newlines
are dropped and backslashes read as slashes (as browsers do), user-info (``brand.com@evil.io``)
is ignored, ideographic full stops count as dots, and anything :mod:`urllib.parse` rejects is
reported as unparseable rather than raised. A host is reduced to its registrable domain (a short
table of multi-label public suffixes, otherwise the last two labels) and then judged:

* a *lookalike* of a brand domain: the same skeleton once confusable letters, digit-for-letter
  swaps, ``rn``/``vv`` tricks and hyphens are folded, an edit distance of 1 (2 for names of 8+
  characters), the brand name embedded in another name (``northwind-giveaway``) or used as a
  sub-domain of someone else's domain;
* punycode (``xn--``) or a non-ASCII host;
* a raw IP address in any spelling (dotted, decimal ``3232235777``, octal, hex, IPv6);
* a known link shortener (``policy.shorteners``);
* a scheme other than http/https (``javascript:``, ``data:``, ``vbscript:``, ``file:``).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from checks.content.normalise import clean, fold

MULTI_LABEL_SUFFIXES = frozenset(
    [
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "me.uk",
        "ltd.uk",
        "plc.uk",
        "com.au",
        "net.au",
        "org.au",
        "co.nz",
        "org.nz",
        "co.jp",
        "ne.jp",
        "or.jp",
        "com.br",
        "com.mx",
        "com.ar",
        "com.co",
        "com.tr",
        "com.cn",
        "com.hk",
        "com.tw",
        "com.sg",
        "com.my",
        "co.in",
        "co.id",
        "co.kr",
        "co.za",
        "co.il",
        "com.pl",
        "com.ua",
        "github.io",
        "blogspot.com",
        "herokuapp.com",
        "netlify.app",
        "vercel.app",
        "pages.dev",
        "web.app",
        "firebaseapp.com",
        "appspot.com",
    ]
)
"""Public suffixes of two labels (the rest are taken as one label)."""

SAFE_SCHEMES = frozenset({"http", "https", ""})
"""Schemes that are ordinary web links (no scheme means a bare host)."""

_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]{1,15}:(?://)?|\bwww\.)[^\s<>\"'`]+"
    r"|\b(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}/[^\s<>\"'`]*",
    re.IGNORECASE,
)
_URL_SCHEMES = frozenset(
    {"http", "https", "javascript", "data", "vbscript", "file", "ftp", "hxxp", "hxxps"}
)
_SKELETON = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "i": "l"})
_TRAILING = ".,;:!?)]}'\"…"


@dataclass(frozen=True)
class ParsedLink:
    """One link taken apart."""

    raw: str
    """The link as written (hostile; display it only through ``checks.safe_text.quoted``)."""
    scheme: str
    """Lower-case scheme, ``""`` for bare hosts."""
    host: str | None
    """Lower-case host with dots normalised; None when unparseable or absent."""


def _trim(url: str) -> str:
    """Drop sentence punctuation after a link, keeping a closing bracket that is balanced."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def extract_urls(text: str) -> list[str]:
    """Links written in free text (schemes, ``www.`` and ``host.tld/path`` forms)."""
    found: list[str] = []
    for match in _URL.finditer(clean(text)):
        url = _trim(match.group())
        scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
        if scheme and scheme not in _URL_SCHEMES and not url.lower().startswith("www."):
            continue
        found.append(url)
    return found


def parse_link(raw: str) -> ParsedLink:
    """Parse one link without ever raising."""
    text = clean(raw).strip()
    text = re.sub(r"[\t\r\n]", "", text).replace("\\", "/")
    lowered = text.lower()
    if lowered.startswith(("hxxp://", "hxxps://")):
        text = "http" + text[4:]
    if not re.match(r"^[a-z][a-z0-9+.-]*:", text, re.IGNORECASE) or re.match(
        r"^[^/:]+:\d+(/|$)", text
    ):
        text = "http://" + text.lstrip("/")
        scheme = ""
    else:
        scheme = text.split(":", 1)[0].lower()
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return ParsedLink(raw=raw, scheme=scheme, host=None)
    if host is None:
        return ParsedLink(raw=raw, scheme=scheme, host=None)
    host = host.strip(".").lower()
    return ParsedLink(raw=raw, scheme=scheme, host=host or None)


def registrable(host: str) -> str:
    """The registrable domain of ``host`` (``shop.northwind.co.uk`` -> ``northwind.co.uk``)."""
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _name(domain: str) -> str:
    """The registrable domain without its suffix (``northwind.co.uk`` -> ``northwind``)."""
    return domain.split(".", 1)[0]


def _ipv4_part(part: str) -> int | None:
    """One label of a browser-style IPv4 address: decimal, ``0``-octal or ``0x``-hex."""
    try:
        if part.lower().startswith("0x"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10)
    except ValueError:
        return None


def legacy_ipv4(host: str) -> bool:
    """True for the IPv4 spellings the WHATWG URL parser accepts (``3232235777``,
    ``0xC0.0xA8.1``, ``0300.0250.0.1``, ``127.1``)."""
    parts = host.removesuffix(".").split(".")
    if not 1 <= len(parts) <= 4 or any(not p for p in parts):
        return False
    values = [_ipv4_part(p) for p in parts]
    if any(v is None for v in values):
        return False
    numbers = [v for v in values if v is not None]
    if any(v > 255 for v in numbers[:-1]):
        return False
    return numbers[-1] < 1 << (8 * (5 - len(numbers)))


def is_ip(host: str) -> bool:
    """True for an IP address in any spelling a browser accepts (decimal, octal, hex, v6)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(re.fullmatch(r"[0-9a-fx.]+", host.lower())) and legacy_ipv4(host)
    return True


def decode_host(host: str) -> str:
    """The Unicode form of a punycode host (labels that fail to decode stay as they are)."""
    labels = []
    for label in host.split("."):
        decoded = label
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError, ValueError):
                decoded = label[4:].encode("ascii").decode("punycode")
        labels.append(decoded)
    return ".".join(labels)


def skeleton(name: str) -> str:
    """A lookalike-insensitive form: confusables folded, digit swaps, rn->m, vv->w, no
    hyphens."""
    text = fold(name).replace("rn", "m").replace("vv", "w").translate(_SKELETON)
    return re.sub(r"[^a-z0-9]", "", text)


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count as one edit)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def lookalike_of(host: str, brand_domains: Iterable[str]) -> str | None:
    """The brand domain ``host`` imitates, or None."""
    unicode_host = decode_host(host)
    domain = registrable(unicode_host)
    name, name_skel = _name(domain), skeleton(_name(domain))
    sub_labels = unicode_host.split(".")[: -len(domain.split("."))]
    for brand in brand_domains:
        brand_name = _name(registrable(brand))
        brand_skel = skeleton(brand_name)
        if domain == brand or not brand_skel:
            continue
        limit = 2 if len(brand_skel) >= 8 else 1
        if name_skel == brand_skel or edit_distance(name_skel, brand_skel) <= limit:
            return brand
        if len(brand_skel) >= 5 and brand_skel in name_skel:
            return brand
        if len(brand_skel) >= 5 and any(brand_skel in skeleton(s) for s in sub_labels):
            return brand
        if name != brand_name and name_skel and name_skel == brand_skel:
            return brand
    return None
