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
}
"""What a handle may look like on each platform that can look one up."""


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


def variants(name: str) -> dict[str, tuple[str, float]]:
    """Candidate handles of ``name`` → (family, cost); the cheapest family wins."""
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
        if i > 0 and "_" not in name[i - 1 : i + 1]:
            add(name[:i] + "_" + name[i:], "separator")
        for key in QWERTY.get(name[i], ""):
            add(name[:i] + key + name[i + 1 :], "adjacent-key")
    for suffix in SUFFIXES:
        add(name + suffix, "suffix")
    add(name.replace("_", ""), "separator")
    return found


def ranked(name: str, platform: str, cap: int, skip: Iterable[str]) -> list[tuple[str, str]]:
    """The ``cap`` cheapest valid candidates on ``platform`` as (handle, family)."""
    rule = RULES[platform]
    taken = {s.lower() for s in skip}
    order = sorted(variants(name).items(), key=lambda item: (item[1][1], item[1][0], item[0]))
    chosen = [(h, fam) for h, (fam, _) in order if rule.match(h) and h.lower() not in taken]
    return chosen[:cap]
