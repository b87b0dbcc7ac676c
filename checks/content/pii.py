"""Personal-data detection for content.pii-exposed, and masking for every content detail.

Finds e-mail addresses (including ``name (at) domain (dot) com`` spellings), phone numbers
(``phonenumbers.PhoneNumberMatcher`` with the organization's default region, valid numbers
only, plus ``+``-prefixed 10-15 digit numbers with a known country code; ``00`` international
prefixes are read as ``+``), payment card numbers (13-19 digits, spaces or dashes allowed,
Luhn-valid, a plausible issuer prefix and length), IBANs (known country length, mod-97) and
US social security numbers (``123-45-6789`` with a valid area, group and serial; spaced or
unseparated only after an SSN word).
Numbers that are part of a code (``INV-2026-004417``), inside a URL, or introduced as an order,
tracking, reference, SKU, serial or lot number are not personal data, unless phone or card words
say otherwise ("call", "card"). The organization's published contacts (``public_emails``,
``public_phones`` compared in E.164) and addresses on the company's own mail domains are not
findings either. Every match is reported masked (``j***@g***.com``, ``+1 *** *** 0142``,
``**** **** **** 4242``, ``DE** **** **** 3000``, ``***-**-6789``); the raw value never leaves
this module.

Two masks apply to shown and stored text only, never to the verdict of content.pii-exposed:
the handles a post mentions other than the company's own (``@hikerjen`` -> ``@h***``: the
customers a reply answers) and street addresses (``1200 Harbor Street`` -> ``[street address]``).
:func:`mask_people` applies all of them (finding excerpts and the store's post excerpts);
:func:`people_in` gives keyed digests of the handles and addresses a text names, so the store
can find a person's posts to erase without keeping who they are.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import phonenumbers

from auditor.core.estate import Estate, Organization
from checks.content.normalise import clean


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data found in a text."""

    kind: str
    """``email``, ``phone``, ``card``, ``iban`` or ``ssn``."""
    start: int
    """Start offset in the cleaned text."""
    end: int
    """End offset in the cleaned text."""
    masked: str
    """The masked form, safe to show."""


_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})(?:@|\s?[(\[{]\s?at\s?[)\]}]\s?)"
    r"((?:[A-Za-z0-9-]{1,63}(?:\.|\s?[(\[{]\s?dot\s?[)\]}]\s?))+[A-Za-z]{2,24})(?![\w-])",
    re.IGNORECASE,
)
_OBFUSCATED_DOT = re.compile(r"\s?[(\[{]\s?dot\s?[)\]}]\s?|\s", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"(?<![\d-])\d+(?:[ -]\d+)*(?![\d])")
_INTL_00 = re.compile(r"(?<![\d+])(?<![\d+][ .-])00(?=[1-9])")
_PLUS_NUMBER = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,6}(?![\w])")
_SSN = re.compile(r"(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])")
_SSN_CONTEXT = re.compile(
    r"\b(?:ssn|social security(?: number| no\.?)?|ss#)(?:\s+(?:is|was))?\W*$", re.IGNORECASE
)
_IBAN_START = re.compile(r"(?<![A-Z0-9])([A-Z]{2})(\d{2})")
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_ANY_DIGIT = re.compile(r"\d")
_EMAIL_MARKS = frozenset("@([{")
"""An e-mail match needs ``@`` or a bracketed ``at``: texts without these skip the pattern."""
_NUMBER_WORDS = r"(?:\s+(?:number|no\.?|nr\.?|num|#|id|code))?(?:\s+(?:is|was|=))?[\s:.#-]*$"
_ORDER_CONTEXT = re.compile(
    r"(?:#|\b(?:order|tracking|track|ref|reference|invoice|confirmation|case|ticket|sku|serial|"
    r"model|part|item|po|parcel|shipment|awb|store|batch|product|account)\b)" + _NUMBER_WORDS,
    re.IGNORECASE,
)
_CODE_CONTEXT = re.compile(
    r"\b(?:order|tracking|track|ref|reference|invoice|confirmation|ticket|sku|serial|model|part|"
    r"item|po|parcel|shipment|awb|batch|product|lot|isbn|ean|upc|gtin|imei|asin)\b" + _NUMBER_WORDS,
    re.IGNORECASE,
)
"""Words that make a Luhn-valid digit run an order/product code rather than a card."""
_PHONE_CONTEXT = re.compile(
    r"\b(?:call|phone|tel|text|sms|whatsapp|cell|mobile|reach|ring|contact|dial|fax|número|"
    r"telefon|téléphone|telefono|celular)\b",
    re.IGNORECASE,
)
_CARD_CONTEXT = re.compile(
    r"\b(?:card|visa|mastercard|amex|cc|credit|debit|tarjeta|carte|karte|carta)\b", re.IGNORECASE
)
IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
}
"""IBAN length by country (ISO 13616 registry)."""


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment card numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def plausible_card(digits: str) -> bool:
    """Issuer prefix and length sanity (Visa, Mastercard, Amex, Discover, JCB, Diners,
    UnionPay, Maestro)."""
    n = len(digits)
    two, three, four = int(digits[:2]), int(digits[:3]), int(digits[:4])
    rules = (
        (digits[0] == "4", n in (13, 16, 19)),
        (51 <= two <= 55 or 2221 <= four <= 2720, n == 16),
        (two in (34, 37), n == 15),
        (four == 6011 or two in (62, 65) or 644 <= three <= 649, 16 <= n <= 19),
        (3528 <= four <= 3589, 16 <= n <= 19),
        (300 <= three <= 305 or two in (36, 38), 14 <= n <= 19),
        (two in (50, 56, 57, 58, 63, 67), 12 <= n <= 19),
    )
    return any(prefix and length for prefix, length in rules)


def iban_valid(compact: str) -> bool:
    """Known country length and the ISO 7064 mod-97 check."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def mask_email(local: str, domain: str) -> str:
    """``jane.doe`` at ``gmail.com`` -> ``j***@g***.com``."""
    labels = domain.lower().split(".")
    return f"{local[:1]}***@{labels[0][:1]}***.{labels[-1]}"


def mask_digits_tail(digits: str, groups: int = 3) -> str:
    """Card style: ``**** **** **** 4242``."""
    return " ".join(["****"] * groups + [digits[-4:]])


def public_phone_set(org: Organization) -> frozenset[str]:
    """The organization's published phone numbers in E.164."""
    out: set[str] = set()
    for raw in org.public_phones:
        try:
            number = phonenumbers.parse(raw, org.default_region)
        except phonenumbers.NumberParseException:
            continue
        out.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return frozenset(out)


def _in_url(text: str, start: int) -> bool:
    """True when ``start`` lies inside a whitespace-delimited token that is a URL."""
    token_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    token = text[token_start:start]
    return "://" in token or token.lower().startswith("www.")


def _glued(text: str, start: int, end: int) -> bool:
    """True when the match is part of a longer code (``INV-2026-004417``, ``4155550142-B``)."""
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    glued_before = len(before) == 2 and before[1] in "-/_" and before[0].isalnum()
    glued_after = len(after) == 2 and after[0] in "-/_" and after[1].isalnum()
    return glued_before or glued_after


def _emails(text: str, org: Organization) -> Iterable[PiiMatch]:
    public = {e.lower() for e in org.public_emails}
    for match in _EMAIL.finditer(text):
        local = match.group(1)
        domain = _OBFUSCATED_DOT.sub(".", match.group(2)).replace("..", ".").lower()
        address = f"{local.lower()}@{domain}"
        if address in public or org.is_company_email(address):
            continue
        yield PiiMatch("email", match.start(), match.end(), mask_email(local, domain))


def _card_in_run(run: str) -> tuple[int, str] | None:
    """(length in ``run``, digits) of the card number that opens a run of digit groups.

    The number must start the run; at most two short groups may follow it (an expiry month or a
    CVV written after it), so a long tracking number never hides a card-shaped slice."""
    groups = re.split(r"[ -]", run)
    for end in range(len(groups), 0, -1):
        digits = "".join(groups[:end])
        rest = groups[end:]
        if len(rest) > 2 or any(len(g) > 4 for g in rest) or not 13 <= len(digits) <= 19:
            continue
        if luhn_valid(digits) and plausible_card(digits):
            return len(" ".join(groups[:end])), digits
    return None


def _cards(text: str) -> Iterable[PiiMatch]:
    for match in _DIGIT_RUN.finditer(text):
        found = _card_in_run(match.group())
        if found is None:
            continue
        length, digits = found
        before = text[max(0, match.start() - 24) : match.start()]
        if _CODE_CONTEXT.search(before) and not _CARD_CONTEXT.search(before):
            continue
        if _in_url(text, match.start()):
            continue
        end = match.start() + length
        yield PiiMatch("card", match.start(), end, mask_digits_tail(digits))


def _ibans(text: str) -> Iterable[PiiMatch]:
    upper = text.translate(_ASCII_UPPER)
    for match in _IBAN_START.finditer(upper):
        wanted = IBAN_LENGTHS.get(match.group(1))
        if wanted is None:
            continue
        compact, position, separated = match.group(1) + match.group(2), match.end(), False
        while len(compact) < wanted and position < len(upper):
            char = upper[position]
            if char.isascii() and char.isalnum():
                compact, separated = compact + char, False
            elif char in " -" and not separated:
                separated = True
            else:
                break
            position += 1
        tail = upper[position : position + 1]
        complete = len(compact) == wanted and not (tail.isascii() and tail.isalnum())
        if complete and iban_valid(compact):
            masked = f"{compact[:2]}** **** **** {compact[-4:]}"
            yield PiiMatch("iban", match.start(), position, masked)


def _ssns(text: str) -> Iterable[PiiMatch]:
    """US social security numbers: ``123-45-6789`` (valid area, group and serial), or spaced or
    unseparated when an SSN word comes just before."""
    for match in _SSN.finditer(text):
        area, group, serial = match.group(1), match.group(3), match.group(4)
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if _SSN_CONTEXT.search(before):
            yield PiiMatch("ssn", match.start(), match.end(), f"***-**-{serial}")
            continue
        dashed = match.group().count("-") == 2
        if dashed and not _CODE_CONTEXT.search(before) and not _glued(text, *match.span()):
            yield PiiMatch("ssn", match.start(), match.end(), f"***-**-{serial}")


def _phone_candidates(text: str, region: str) -> Iterator[Any]:
    """Valid numbers, plus 10-15 digit numbers written with a known ``+`` country code that the
    numbering plan no longer accepts (``+52 1 55 ...`` is still how people write Mexican
    mobiles)."""
    valid = list(phonenumbers.PhoneNumberMatcher(text, region))
    yield from valid
    for found in _PLUS_NUMBER.finditer(text):
        digits = re.sub(r"\D", "", found.group())
        if not 10 <= len(digits) <= 15:
            continue
        if any(found.start() < v.end and v.start < found.end() for v in valid):
            continue
        try:
            number = phonenumbers.parse(found.group(), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.region_code_for_country_code(number.country_code or 0) != "ZZ":
            yield phonenumbers.PhoneNumberMatch(found.start(), found.group(), number)


MIN_PHONE_DIGITS = 4
"""Fewest digits of a valid national number in any region's numbering plan (phonenumbers
metadata; a test checks it against the installed metadata)."""

_PHONE_DIGITS = re.compile(r"\d(?:[\W_xXー]*\d){" + str(MIN_PHONE_DIGITS - 1) + "}")
"""``MIN_PHONE_DIGITS`` digits with no letter between them (``x`` and ``ー`` are phone
punctuation to phonenumbers). A phone number is digits, punctuation, ``+`` and brackets, so a
text without such a run holds none: the expensive matcher is skipped."""


def _phones(text: str, org: Organization, taken: list[PiiMatch]) -> Iterable[PiiMatch]:
    if not _PHONE_DIGITS.search(text):
        return
    public = public_phone_set(org)
    for match in _phone_candidates(_INTL_00.sub(" +", text), org.default_region):
        if any(match.start < t.end and t.start < match.end for t in taken):
            continue
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 in public:
            continue
        before = text[max(0, match.start - 24) : match.start]
        if _ORDER_CONTEXT.search(before) and not _PHONE_CONTEXT.search(before):
            continue
        if _in_url(text, match.start) or _glued(text, match.start, match.end):
            continue
        masked = f"+{match.number.country_code} *** *** {e164[-4:]}"
        yield PiiMatch("phone", match.start, match.end, masked)


def find_pii(text: str, org: Organization) -> list[PiiMatch]:
    """Personal data in ``text`` (cleaned first), ordered by position, published contacts and
    company addresses excluded."""
    cleaned = clean(text)
    found: list[PiiMatch] = []
    if not _EMAIL_MARKS.isdisjoint(cleaned):
        found.extend(_emails(cleaned, org))
    if _ANY_DIGIT.search(cleaned):  # every other kind (phones too) needs a decimal digit
        found += [*_cards(cleaned), *_ibans(cleaned), *_ssns(cleaned)]
        found.extend(_phones(cleaned, org, list(found)))
    return sorted(found, key=lambda m: m.start)


def redact(text: str, org: Organization) -> str:
    """``text`` cleaned, with every piece of personal data replaced by its masked form."""
    cleaned = clean(text)
    out: list[str] = []
    position = 0
    for match in find_pii(text, org):
        if match.start < position:
            continue
        out.append(cleaned[position : match.start])
        out.append(match.masked)
        position = match.end
    out.append(cleaned[position:])
    return "".join(out)


_MENTION = re.compile(
    r"(?<![\w@.+*-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?)(@[\w.-]+\w)?(?![\w*])"
)
"""A handle mention: ``@name``, Bluesky ``@name.bsky.social``, Mastodon ``@name@instance``
(not one already masked: ``@h***``)."""
_STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]*\.?\s+){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Circle|Parkway|Pkwy|Highway|Hwy|Square|Sq)\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit)\.?\s*#?\w+)?"
)
"""A street address: house number, up to four capitalised words, a street suffix."""
STREET_MASK = "[street address]"
"""What a street address is shown and stored as."""


def company_handles(estate: Estate) -> set[str]:
    """The company's own handles (inventory and ``brand_handles``): never masked."""
    return {a.handle for a in estate.accounts} | set(estate.brand_handles)


def _handle_key(name: str) -> str:
    return name.strip().lstrip("@").casefold()


def mask_people(text: str, org: Organization, own_handles: Collection[str] = ()) -> str:
    """``text`` as :func:`redact` gives it, with street addresses and every mentioned handle
    not in ``own_handles`` (the company's, compared without ``@`` and case) masked too."""
    own = {_handle_key(h) for h in own_handles}

    def mention(match: re.Match[str]) -> str:
        whole = match.group(1) + (match.group(2) or "")
        if _handle_key(whole) in own or _handle_key(match.group(1)) in own:
            return match.group()
        return f"@{match.group(1)[:1]}***"

    return _MENTION.sub(mention, _STREET.sub(STREET_MASK, redact(text, org)))


def people_in(
    text: str,
    org: Organization,
    digest: Callable[[str], str],
    own_handles: Collection[str] = (),
) -> set[str]:
    """``digest`` of every person ``text`` names: mentioned handles other than ``own_handles``
    (lower-cased, without ``@``) and e-mail addresses that are not the company's or published
    (lower-cased). Only the digests leave this module."""
    cleaned = clean(text)
    own = {_handle_key(h) for h in own_handles}
    found: set[str] = set()
    for match in _MENTION.finditer(cleaned):
        name = _handle_key(match.group(1) + (match.group(2) or ""))
        if name not in own and _handle_key(match.group(1)) not in own:
            found.add(digest(name))
    public = {e.lower() for e in org.public_emails}
    for match in _EMAIL.finditer(cleaned):
        domain = _OBFUSCATED_DOT.sub(".", match.group(2)).replace("..", ".").lower()
        address = f"{match.group(1).lower()}@{domain}"
        if address not in public and not org.is_company_email(address):
            found.add(digest(address))
    return found
