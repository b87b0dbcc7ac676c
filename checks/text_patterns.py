"""Text normalisation for the content checks: hostile Unicode in, comparable text out.

Posts and bios are attacker-controlled. Before any pattern is matched the text goes through
NFKC (full-width and mathematical letters become ASCII), loses its invisible characters
(zero-width spaces and joiners, soft hyphens, bidi overrides and isolates), and, for
matching only, has Cyrillic/Greek and other lookalike letters folded to their Latin skeleton
(from the Unicode confusables table shipped with ``confusable_homoglyphs``). Text shown back in
a finding's detail goes through :func:`display` instead: bidi controls are written as visible
``<U+202E>`` escapes, control characters become spaces, and the excerpt is truncated.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources

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


def strip_invisible(text: str) -> str:
    """Drop zero-width characters and bidi controls (for matching, never for display)."""
    return "".join(ch for ch in text if ch not in INVISIBLE and ch not in BIDI_CONTROLS)


def clean(text: str) -> str:
    """NFKC, invisible characters removed, ideographic full stops as dots.

    Case and letters are kept (wallet addresses are case-sensitive)."""
    return strip_invisible(unicodedata.normalize("NFKC", text)).translate(_DOT_LIKE)


@cache
def _fold_table() -> Mapping[int, str]:
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
    return table


def fold(text: str) -> str:
    """Matching form: :func:`clean`, lower-cased, lookalike letters folded to ASCII."""
    return clean(text).casefold().translate(_fold_table())


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


def term_in_text(term: str, text: str) -> bool:
    """True when ``term`` appears in ``text`` ignoring case, spacing, punctuation and
    lookalike letters.

    Long terms (6+ characters once compacted) match anywhere, so ``#AuroraX2launch`` and
    ``A.u.r.o.r.a X2`` both reveal ``Aurora X2``; short terms must start and end on a word
    boundary so ``Nova`` does not match ``innovative``."""
    term_compact = "".join(tokens(term))
    if not term_compact:
        return False
    parts = tokens(text)
    compact = "".join(parts)
    if len(term_compact) >= 6:
        return term_compact in compact
    bounds = {0}
    position = 0
    for part in parts:
        position += len(part)
        bounds.add(position)
    start = compact.find(term_compact)
    while start != -1:
        if start in bounds and start + len(term_compact) in bounds:
            return True
        start = compact.find(term_compact, start + 1)
    return False


def display(text: str | None, limit: int = 80) -> str:
    """A safe, quoted excerpt for a finding's detail: bidi controls escaped, invisible and
    control characters removed, whitespace collapsed, at most ``limit`` characters."""
    if text is None:
        return "(none)"
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in BIDI_CONTROLS:
            out.append(f"<U+{ord(ch):04X}>")
        elif ch in INVISIBLE:
            continue
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    flat = _WS.sub(" ", "".join(out)).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return f"'{flat}'"
