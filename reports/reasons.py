"""Why a result could not be verified, in words that many results share.

A check names the concrete asset in its sentence ("The role holders of northwind are
unknown"); the not-verified panel and the findings table group results by the same sentence
with the asset's own names replaced, so one gap on a hundred accounts reads as one reason.
"""

from __future__ import annotations

from auditor.core.models import Finding


def generic_reason(finding: Finding) -> str:
    """The finding's sentence with its own asset (handle, domain, id) and an identifier-like
    subject (an email, a post id, a field name) replaced by ``…``, so the same gap on many
    accounts reads, and groups, as one reason."""
    asset = finding.asset
    names = {asset.handle, asset.domain, asset.id}
    if any(ch in finding.subject for ch in "@._:0123456789"):
        names.add(finding.subject)
    text = finding.detail
    for name in sorted((n for n in names if n and len(n) >= 3), key=len, reverse=True):
        text = replace_name(text, name)
    return text


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _standalone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end : end + 2]
    if before and (_word(before) or before in ".-"):
        return False
    if after[:1] and (_word(after[0]) or after[0] == "-"):
        return False
    return not (after[:1] == "." and len(after) == 2 and _word(after[1]))


def replace_name(text: str, name: str) -> str:
    """``text`` with each standalone occurrence of ``name`` replaced by ``…``: not inside a
    longer word, email, domain or dotted name (``northwind`` stays in ``northwind_deals`` and
    ``northwind.example``, but goes at the end of a sentence). A plain scan: large estates
    call this for thousands of results, where compiling a pattern per name would dominate."""
    if name not in text:
        return text
    out: list[str] = []
    done = 0
    found = text.find(name)
    while found != -1:
        end = found + len(name)
        if _standalone(text, found, end):
            out.append(text[done:found])
            out.append("…")
            done = end
            found = text.find(name, end)
        else:
            found = text.find(name, found + 1)
    out.append(text[done:])
    return "".join(out)
