"""Handle candidates: confusable skeletons, typo and word variants of a brand handle, ranked.

Candidates of a brand name in handle form: ASCII confusables (``0`` for ``o``, ``1`` for ``l``,
``rn`` for ``m``, ``vv`` for ``w``), typos (omission, repetition, transposition, adjacent keys),
separators and added words (``_official``, ``_support``, ``hq`` ...), each with an edit cost like
the lookalike domains', filtered by what a handle may look like on each platform. Skeletons
(UTS #39 style: NFKC, format characters such as zero-width spaces dropped, Unicode confusables
from the confusable-homoglyphs data mapped to ASCII, case folded) say when a display name reads as
the brand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

ASCII_CONFUSABLES = {
    "o": ("0",),
    "0": ("o",),
    "l": ("1", "i"),
    "i": ("1", "l"),
    "1": ("l", "i"),
    "m": ("rn",),
    "rn": ("m",),
    "w": ("vv",),
    "vv": ("w",),
    "d": ("cl",),
}
"""ASCII look-alikes inside handle alphabets (from the confusables data: 0/O, 1/l/I, rn/m)."""

SKELETON_FOLDS = (
    ("rn", "m"),
    ("vv", "w"),
    ("cl", "d"),
    ("0", "o"),
    ("1", "l"),
    ("i", "l"),
    ("|", "l"),
)
"""ASCII folds applied after case folding so confusable spellings share one skeleton."""

SUFFIXES = ("_official", "official", "_support", "support", "hq", "_hq", "_help", "help", "team")
"""Words impersonators add to a brand handle."""

QWERTY = {
    "q": "wa",
    "w": "qes",
    "e": "wrd",
    "r": "etf",
    "t": "ryg",
    "y": "tuh",
    "u": "yij",
    "i": "uok",
    "o": "ipl",
    "p": "ol",
    "a": "qsz",
    "s": "adwx",
    "d": "sfec",
    "f": "dgrv",
    "g": "fhtb",
    "h": "gjyn",
    "j": "hkum",
    "k": "jli",
    "l": "kop",
    "z": "asx",
    "x": "zsdc",
    "c": "xdfv",
    "v": "cfgb",
    "b": "vghn",
    "n": "bhjm",
    "m": "njk",
}
"""Adjacent keys for the adjacent-key typo family."""

COSTS = {
    "confusable": 0.3,
    "suffix": 0.5,
    "separator": 0.5,
    "separator-insert": 0.7,
    "repetition": 0.6,
    "omission": 0.6,
    "transposition": 0.6,
    "adjacent-key": 1.0,
}
"""Edit cost by family (lower: harder to notice), as for lookalike domains."""

RULES = {
    "x": re.compile(r"^[A-Za-z0-9_]{1,15}$"),
    "mastodon": re.compile(r"^[A-Za-z0-9_]{1,30}$"),
    "github": re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"),
    "bluesky": re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,16}[a-z0-9])$"),
    "youtube": re.compile(r"^[A-Za-z0-9._-]{3,30}$"),
    "linkedin": re.compile(r"^[A-Za-z0-9-]{2,100}$"),
}
"""What a handle (its local part: a Mastodon username, the first label of a ``bsky.social``
handle, a YouTube handle without ``@``, a LinkedIn page vanity name) may look like on each
platform that can look one up."""

SEPARATORS = {
    "x": "_",
    "mastodon": "_",
    "github": "-",
    "bluesky": "-",
    "youtube": "-_.",
    "linkedin": "-",
}
"""The separators a handle may contain on each platform (the first is the usual one)."""

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
BSKY_SOCIAL = ".bsky.social"
"""The default Bluesky handle suffix; its first label must be 3-18 characters."""


def valid_atproto_handle(handle: str) -> bool:
    """The atproto handle syntax: a DNS name of at least two labels (each 1-63 of letters,
    digits and inner hyphens), at most 253 characters, whose top-level label does not start
    with a digit; under ``bsky.social`` one first label of 3-18 characters."""
    labels = handle.split(".")
    if len(handle) > 253 or len(labels) < 2 or not all(_LABEL.match(x) for x in labels):
        return False
    if labels[-1][0].isdigit():
        return False
    if handle.lower().endswith(BSKY_SOCIAL):
        return len(labels) == 3 and 3 <= len(labels[0]) <= 18
    return True


_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]+$")


def valid_did(value: str) -> bool:
    """The DID syntax (``did:<method>:<id>``, at most 2048 characters, no trailing ``:``)."""
    return len(value) <= 2048 and bool(_DID.match(value)) and not value.endswith(":")


def valid_handle(platform: str, handle: str) -> bool:
    """True when ``handle``, as it is looked up on ``platform``, can exist there: a Bluesky
    handle or DID, a Mastodon ``user`` or ``user@domain``, a YouTube handle with or without its
    ``@``, and the platform's own rule elsewhere. Impossible handles are never probed."""
    if platform == "bluesky":
        return valid_atproto_handle(handle) or valid_did(handle)
    if platform == "mastodon":
        user, _, domain = handle.lstrip("@").partition("@")
        return bool(RULES["mastodon"].match(user)) and (not domain or "." in domain)
    if platform == "youtube":
        handle = handle.removeprefix("@")
    rule = RULES.get(platform)
    return rule is not None and bool(rule.match(handle))


def platform_form(platform: str, name: str) -> str:
    """A brand name or handle in ``platform``'s handle alphabet, keeping the separators the
    platform allows (``brand-name`` stays ``brand-name`` on GitHub; on X, where no hyphen may
    stand, it becomes ``brandname``): lower-case, NFKC, spaces and other characters dropped."""
    base = unicodedata.normalize("NFKC", name.strip().lstrip("@").split("@")[0]).lower()
    if platform == "bluesky" and base.endswith(BSKY_SOCIAL):
        base = base[: -len(BSKY_SOCIAL)]
    seps = SEPARATORS.get(platform, "_")
    kept = "".join(c for c in base if ("a" <= c <= "z") or c.isdigit() or c in seps)
    return kept.strip(seps)


class Skeletons:
    """Confusable skeletons (UTS #39 style) from the confusable-homoglyphs data."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)

    @staticmethod
    def bundled() -> Skeletons:
        """Non-ASCII characters that look like ASCII letters or digits, mapped to them."""
        from confusable_homoglyphs import utils

        data: dict[str, list[dict[str, str]]] = utils.load("confusables.json")
        table: dict[str, str] = {}
        for char, glyphs in data.items():
            if len(char) != 1 or char.isascii():
                continue
            for glyph in glyphs:
                text = glyph.get("c", "")
                if text.isascii() and text.isalnum():
                    table[char] = text.lower()
                    break
        return Skeletons(table)

    def of(self, text: str) -> str:
        """The skeleton: NFKC, format characters dropped, confusables to ASCII, folded."""
        normal = unicodedata.normalize("NFKC", text)
        kept = (c for c in normal if unicodedata.category(c) != "Cf")
        mapped = "".join(self._table.get(c, c) for c in kept).casefold()
        letters = "".join(c for c in mapped if c.isalnum())
        for old, new in SKELETON_FOLDS:
            letters = letters.replace(old, new)
        return letters


def handle_form(name: str) -> str:
    """A brand name as a handle: ``Northwind Outfitters`` → ``northwindoutfitters``."""
    base = name.strip().lstrip("@").split("@")[0]
    return re.sub(r"[^a-z0-9_]", "", unicodedata.normalize("NFKC", base).lower())


def variants(name: str, separators: str = "_") -> dict[str, tuple[str, float]]:
    """Candidate handles of ``name`` → (family, cost); the cheapest family wins. The
    separator family inserts the platform's usual separator, swaps one separator for another
    and drops them all (``brandname`` is a lookalike of ``brand-name``)."""
    found: dict[str, tuple[str, float]] = {}

    def add(text: str, family: str) -> None:
        if text and text != name and (text not in found or COSTS[family] < found[text][1]):
            found[text] = (family, COSTS[family])

    for size in (1, 2):
        for i in range(len(name) - size + 1):
            for glyph in ASCII_CONFUSABLES.get(name[i : i + size], ()):
                add(name[:i] + glyph + name[i + size :], "confusable")
    for i in range(len(name)):
        add(name[:i] + name[i + 1 :], "omission")
        add(name[:i] + name[i] + name[i:], "repetition")
        if i < len(name) - 1:
            add(name[:i] + name[i + 1] + name[i] + name[i + 2 :], "transposition")
        for key in QWERTY.get(name[i], ""):
            add(name[:i] + key + name[i + 1 :], "adjacent-key")
    for suffix in SUFFIXES:
        add(name + suffix, "suffix")
        if separators[:1] not in ("", "_"):
            add(name + suffix.replace("_", separators[0]), "suffix")
    for text, family in separator_variants(name, separators):
        add(text, family)
    return found


def separator_variants(name: str, separators: str) -> list[tuple[str, str]]:
    """``name`` with one separator swapped for another and with every separator dropped
    (``separator``), and with the usual separator inserted between two letters
    (``separator-insert``, less telling)."""
    found: list[tuple[str, str]] = []
    usual = separators[:1]
    for i in range(1, len(name)):
        if usual and not set(name[i - 1 : i + 1]) & set(separators):
            found.append((name[:i] + usual + name[i:], "separator-insert"))
    swapped: list[str] = []
    for i, char in enumerate(name):
        if char in separators:
            swapped.extend(name[:i] + other + name[i + 1 :] for other in separators)
    swapped.append("".join(c for c in name if c not in separators))
    return found + [(text, "separator") for text in swapped]


def ranked(name: str, platform: str, cap: int, skip: Iterable[str]) -> list[tuple[str, str]]:
    """The ``cap`` cheapest valid candidates on ``platform`` as (handle, family)."""
    rule = RULES[platform]
    taken = {s.lower() for s in skip}
    found = variants(name, SEPARATORS.get(platform, "_"))
    order = sorted(found.items(), key=lambda item: (item[1][1], item[1][0], item[0]))
    chosen = [(h, fam) for h, (fam, _) in order if rule.match(h) and h.lower() not in taken]
    return chosen[:cap]
