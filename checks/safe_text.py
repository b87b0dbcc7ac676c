"""Making fetched text safe to quote in a result's detail: the one display rule of the checks.

Role holders' names, app names, emails and post text come from platforms and are
attacker-controlled. The reports escape HTML, but a plain-text detail also travels into CSV, email
subjects and terminals, where control characters, bidirectional overrides and zero-width
characters can disguise what a sentence says. Every such character is replaced with a visible
``\\uXXXX`` escape, never dropped: an auditor must see that a hidden character is there.
:func:`shown` does that and caps the length; :func:`quoted` also folds runs of whitespace and puts
the excerpt in quotes (for post text and profile fields).
"""

from __future__ import annotations

import re
import unicodedata

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
"""Control, format (bidi overrides, zero-width), private-use, surrogate, unassigned, and line or
paragraph separators."""

_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def shown(text: str | None, limit: int = 80) -> str:
    """``text`` with invisible or direction-changing characters escaped, cut to ``limit``."""
    if text is None:
        return "(none)"
    if text.isascii() and text.isprintable():  # nothing to escape
        return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
    out: list[str] = []
    for char in text:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    result = "".join(out)
    if len(result) > limit:
        result = result[: max(limit - 1, 0)] + "…"
    return result


def hidden_characters(text: str) -> list[str]:
    """The distinct hidden characters of ``text`` as escapes (``\\u202e``), in first-seen
    order: for text that had to be cleaned before it could be shown (masked personal data)."""
    if text.isascii() and text.isprintable():
        return []
    found = dict.fromkeys(c for c in text if unicodedata.category(c) in _HIDDEN_CATEGORIES)
    return [f"\\u{ord(c):04x}" for c in found if c not in " \t\r\n"]


def quoted(text: str | None, limit: int = 80) -> str:
    """A quoted excerpt: NFC, runs of whitespace folded to one space, hidden characters escaped
    (:func:`shown`), at most ``limit`` characters inside the quotes."""
    if text is None:
        return "(none)"
    flat = _ASCII_SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return f"'{shown(flat, limit)}'"
