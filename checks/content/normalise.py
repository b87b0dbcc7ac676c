"""Text normalisation for the content checks: hostile Unicode in, comparable text out.

Posts and bios are attacker-controlled. Before any pattern is matched the text goes through
NFKC (full-width and mathematical letters become ASCII), loses its invisible characters
(zero-width spaces and joiners, soft hyphens, bidi overrides and isolates), and, for
matching only, has Cyrillic/Greek and other lookalike letters folded to their Latin skeleton
(from the Unicode confusables table shipped with ``confusable_homoglyphs``). Text shown back in
a finding's detail goes through :func:`checks.safe_text.quoted` instead, which escapes hidden
characters visibly rather than dropping them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d"
    "\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01"
    "\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f"
    "\ufeff\uffa0"
)
"""Characters that render as nothing and can split a word without being seen."""

BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Directional marks, embeddings, overrides and isolates (Trojan-source style reordering)."""

_DOT_LIKE = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


_STRIP = MappingProxyType(dict.fromkeys(map(ord, INVISIBLE | BIDI_CONTROLS)))


def strip_invisible(text: str) -> str:
    """Drop zero-width characters and bidi controls (for matching, never for display)."""
    return text.translate(_STRIP)


def clean(text: str) -> str:
    """NFKC, invisible characters removed, ideographic full stops as dots.

    Case and letters are kept (wallet addresses are case-sensitive)."""
    if text.isascii():  # NFKC keeps ASCII; every invisible or dot-like character is non-ASCII
        return text
    return strip_invisible(unicodedata.normalize("NFKC", text)).translate(_DOT_LIKE)


def _build_fold_table() -> Mapping[int, str]:
    """Non-ASCII lookalike code point -> lower-case ASCII letter or digit."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    data: dict[str, list[dict[str, str]]] = json.loads(raw)
    table: dict[int, str] = {}
    for char, glyphs in data.items():
        ascii_targets = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii()]
        if len(char) == 1 and not char.isascii():
            letters = [c for c in ascii_targets if c.isalnum()]
            if letters:
                table.setdefault(ord(char), min(letters, key=lambda c: c.isdigit()).lower())
        if len(char) == 1 and char.isascii() and char.isalnum():
            for glyph in glyphs:
                target = glyph["c"]
                if len(target) == 1 and not target.isascii():
                    table.setdefault(ord(target), char.lower())
    return MappingProxyType(table)


FOLD_TABLE = _build_fold_table()
"""Read-only map from lookalike code points to ASCII letters and digits (built at import)."""


def fold(text: str) -> str:
    """Matching form: :func:`clean`, lower-cased, lookalike letters folded to ASCII."""
    return fold_cleaned(clean(text))


def fold_cleaned(cleaned: str) -> str:
    """:func:`fold` of a text already passed through :func:`clean` (saves a second NFKC)."""
    if cleaned.isascii():  # the lookalike table maps non-ASCII characters only
        return cleaned.casefold()
    return cleaned.translate(FOLD_TABLE).casefold().translate(FOLD_TABLE)


def fold_keep_scripts(text: str) -> str:
    """Matching form that keeps non-Latin scripts intact (for Russian, Greek, CJK phrases)."""
    return clean(text).casefold()


def normalize_post(text: str) -> str:
    """Register comparison form: :func:`clean`, case-folded, whitespace collapsed."""
    return _WS.sub(" ", clean(text).casefold()).strip()


def tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens, split at camelCase and letter/digit boundaries."""
    split = _CAMEL.sub(" ", clean(text))
    return [t for t in _TOKEN.findall(fold(split)) if t]


@dataclass(frozen=True)
class TermIndex:
    """A text reduced once for launch-term lookups (see :func:`term_in_text`)."""

    compact: str
    """The folded alphanumeric tokens joined without separators."""
    bounds: frozenset[int]
    """Offsets in ``compact`` where a token starts or ends."""

    @staticmethod
    def of(text: str) -> TermIndex:
        """Index ``text``."""
        parts = tokens(text)
        bounds = {0}
        position = 0
        for part in parts:
            position += len(part)
            bounds.add(position)
        return TermIndex("".join(parts), frozenset(bounds))

    def contains(self, term: str) -> bool:
        """True when ``term`` appears ignoring case, spacing, punctuation and lookalikes.

        Long terms (6+ characters once compacted) match anywhere, so ``#AuroraX2launch`` and
        ``A.u.r.o.r.a X2`` both reveal ``Aurora X2``; short terms must start and end on a word
        boundary so ``Nova`` does not match ``innovative``."""
        wanted = "".join(tokens(term))
        if not wanted:
            return False
        if len(wanted) >= 6:
            return wanted in self.compact
        start = self.compact.find(wanted)
        while start != -1:
            if start in self.bounds and start + len(wanted) in self.bounds:
                return True
            start = self.compact.find(wanted, start + 1)
        return False


def term_in_text(term: str, text: str) -> bool:
    """:meth:`TermIndex.contains` for a single lookup."""
    return TermIndex.of(text).contains(term)
