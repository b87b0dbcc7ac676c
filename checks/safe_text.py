"""Making fetched names and addresses safe to quote in a result's detail sentence.

Role holders' names, app names and emails come from platforms and are attacker-controlled. The
reports escape HTML, but a plain-text detail also travels into CSV, email subjects and terminals,
where control characters, bidirectional overrides and zero-width characters can disguise what a
sentence says. :func:`shown` replaces every such character with a visible ``\\uXXXX`` escape and
caps the length, so a detail always shows what the platform really returned.
"""

from __future__ import annotations

import unicodedata

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
"""Control, format (bidi overrides, zero-width), private-use, surrogate, unassigned, and line or
paragraph separators."""


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
