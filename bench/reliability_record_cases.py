"""Hypothesis strategies for malformed record files: people directory and content register
CSVs, Bitwarden JSON and 1Password CSV vault exports (the bad-input item).

Each draws one :class:`~bench.reliability_input_cases.Case` whose ``target`` names the mutated
file; the config and the other files stay valid. ``invalid`` says whether the tool must refuse it
(exit 2 naming the file) or may take it as valid-but-odd.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from bench import reliability_inputs_base as base
from bench.reliability_input_cases import HOSTILE, Case, bitwarden_json

CSV_FILES = {
    "directory": (base.DIRECTORY, ("email", "name", "status", "departed_on")),
    "register": (base.REGISTER, ("platform", "handle", "post_id", "text", "approved_by")),
    "onepassword": (base.ONEPASSWORD, ("Title", "Password")),
}
"""Valid CSV text and required columns per record kind."""

BAD_CELLS = {
    "directory": {
        "email": ["not-an-email", "a@b", "@acme.example", "two@@acme.example"],
        "status": ["retired", "ACTIVE!", "?"],
        "departed_on": ["2026-02-30", "last week", "31/08/2026"],
        "two_sv_enrolled": ["maybe", "2", "yes please"],
        "aliases": ["not an address", "x@y"],
    },
    "register": {
        "platform": ["myspace", "twitter.com", "?"],
        "approved_on": ["2026-13-01", "yesterday"],
        "handle": [""],
        "approved_by": [""],
    },
}
"""Cell values each column must refuse."""


def _rows(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.strip("\n").split("\n")]


def _join(rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in rows) + "\n"


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


CSV_KINDS = (
    "drop-column",
    "ragged",
    "nul",
    "quote",
    "encoding",
    "huge-cell",
    "empty",
    "hostile",
    "truncated",
    "header-only",
    "dup-column",
)
"""Mutations every CSV record file gets."""


@st.composite
def csv_case(draw: st.DrawFn) -> Case:
    """One mutated CSV record file (directory, register or 1Password)."""
    target = draw(st.sampled_from(sorted(CSV_FILES)))
    text, required = CSV_FILES[target]
    kinds = list(CSV_KINDS)
    if target in BAD_CELLS:
        kinds += ["bad-cell", "bad-cell", "bad-cell"]
    kinds += {"directory": ["dup-email"], "register": ["no-post"]}.get(target, [])
    kind = draw(st.sampled_from(kinds))
    whole = _whole_file(draw, kind, text, required)
    if whole is not None:
        data, invalid, hint = whole
    else:
        rows = _rows(text)
        hint = _edit_row(draw, kind, rows, target)
        data, invalid = _encode(_join(rows)), kind != "hostile"
        if kind == "encoding":
            data = _join(rows).encode(draw(st.sampled_from(["utf-16", "latin-1", "cp1252"])))
    vault = "onepassword" if target == "onepassword" else "bitwarden"
    return Case(f"{target} csv: {kind}", target, data, invalid, hint, vault=vault)


def _whole_file(
    draw: st.DrawFn, kind: str, text: str, required: tuple[str, ...]
) -> tuple[bytes, bool, str | None] | None:
    """(data, invalid, hint) for mutations of the whole file; None for row edits."""
    rows = _rows(text)
    if kind == "drop-column":
        col = draw(st.sampled_from(required))
        at = [c.lower() for c in rows[0]].index(col.lower())
        return _encode(_join([r[:at] + r[at + 1 :] for r in rows])), True, col.lower()
    if kind == "empty":
        return draw(st.sampled_from([b"", b"\n", b"\xef\xbb\xbf"])), True, None
    if kind == "header-only":
        return _encode(_join(rows[:1])), False, None
    if kind == "dup-column":
        return _encode(_join([[*r, r[1]] for r in rows])), True, None
    if kind == "truncated":
        full = _encode(text)
        cut = draw(st.integers(0, len(full) - 1))
        return full[:cut], cut == 0, None
    return None


def _edit_row(draw: st.DrawFn, kind: str, rows: list[list[str]], target: str) -> str | None:
    """Edit one data row in place for ``kind``; returns the column the error must name."""
    row = draw(st.integers(1, len(rows) - 1))
    if kind == "ragged":
        rows[row] = [*rows[row], "extra"] if draw(st.booleans()) else rows[row][:-2]
    elif kind == "nul":
        rows[row][0] += "\x00"
    elif kind == "quote":
        rows[row][1] = '"unterminated ' + rows[row][1]
    elif kind == "encoding":
        rows[row][1] = "Zoë Ærø"
    elif kind == "huge-cell":
        rows[row][1] = '"' + "x" * draw(st.integers(140_000, 600_000)) + '"'
    elif kind == "hostile":
        value = draw(st.sampled_from(HOSTILE)).replace(",", " ").replace('"', "'")
        rows[row][1] = '"' + value.replace("\x00", "") + '"'
    elif kind == "dup-email":
        rows[row][0] = rows[1][0] if row != 1 else rows[2][0]
        return "email"
    elif kind == "no-post":
        rows[row][2], rows[row][3] = "", ""
        return "post_id"
    else:
        col = draw(st.sampled_from(sorted(BAD_CELLS[target])))
        rows[row][rows[0].index(col)] = draw(st.sampled_from(BAD_CELLS[target][col]))
        return col
    return None


BITWARDEN_TYPED = (
    ("items", {"a": 1}),
    ("items", "text"),
    ("items.0", ["x"]),
    ("items.0", 5),
    ("items.0.id", 12),
    ("items.0.id", ""),
    ("items.0.id", None),
    ("items.0.login", ["x"]),
    ("items.0.login.password", 123),
    ("items.0.login.password", ["p"]),
    ("items.0.login.username", {"u": 1}),
    ("items.0.login.uris", {"uri": "x"}),
    ("items.0.login.uris.0.uri", 5),
    ("items.0.passwordHistory", {"a": 1}),
    ("items.0.passwordHistory.0", "x"),
    ("items.0.passwordHistory.0.lastUsedDate", "yesterday"),
    ("items.0.passwordHistory.0.lastUsedDate", 1700000000),
    ("items.0.revisionDate", "2026-02-30"),
    ("items.0.creationDate", "not a date"),
    ("collections", {"id": "c1"}),
    ("collections.0", "c1"),
    ("collections.0.id", 7),
    ("items.0.login.totp", 5),
    ("encrypted", True),
    ("items.0.name", {"n": 1}),
)
"""(path, value) pairs a Bitwarden export must refuse."""


def _bw_set(doc: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


@st.composite
def bitwarden_case(draw: st.DrawFn) -> Case:
    """One mutated Bitwarden JSON export."""
    kinds = [
        "typed",
        "typed",
        "typed",
        "truncated",
        "top",
        "deep",
        "encoding",
        "hostile",
        "huge",
        "missing",
        "dup-id",
    ]
    kind = draw(st.sampled_from(kinds))
    if kind in ("truncated", "top", "deep", "encoding"):
        return _bitwarden_bytes(draw, kind)
    doc = base.bitwarden_document()
    if kind == "typed":
        path, value = draw(st.sampled_from(BITWARDEN_TYPED))
        _bw_set(doc, path, copy.deepcopy(value))
        if path in ("items.0.revisionDate",):
            del doc["items"][0]["passwordHistory"]  # else the history's date is used instead
        last = path.rsplit(".", 1)[-1]
        hint = None if last.isdigit() or path == "encrypted" else last
        return Case(f"bitwarden {path}={value!r}", "bitwarden", bitwarden_json(doc), True, hint)
    if kind == "hostile":
        field = draw(st.sampled_from(["name", "password", "username"]))
        value = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)))
        target = doc["items"][0] if field == "name" else doc["items"][0]["login"]
        target[field] = value
        return Case(f"bitwarden hostile {field}", "bitwarden", bitwarden_json(doc), False)
    if kind == "huge":
        doc["items"][0]["login"]["password"] = "p" * draw(st.integers(10_000, 2_000_000))
        return Case("bitwarden huge password", "bitwarden", bitwarden_json(doc), False)
    if kind == "missing":
        key = draw(st.sampled_from(["items", "id"]))
        if key == "items":
            del doc["items"]
        else:
            del doc["items"][1]["id"]
        return Case(f"bitwarden missing {key}", "bitwarden", bitwarden_json(doc), True, key)
    doc["items"][1]["id"] = doc["items"][0]["id"]
    return Case("bitwarden duplicate id", "bitwarden", bitwarden_json(doc), True, "id")


def _bitwarden_bytes(draw: st.DrawFn, kind: str) -> Case:
    """Exports broken below the JSON level: truncated, not an object, too deep, not UTF-8."""
    if kind == "truncated":
        text = base.BITWARDEN.encode()
        cut = draw(st.integers(0, len(text) - 2))
        return Case(f"bitwarden truncated at {cut}", "bitwarden", text[:cut], True)
    if kind == "top":
        data = draw(st.sampled_from([b"[]", b"null", b"42", b'"s"', b"[{}]", b"true"]))
        return Case(f"bitwarden top {data!r}", "bitwarden", data, True)
    if kind == "deep":
        depth = draw(st.integers(2_000, 200_000))
        return Case(f"bitwarden nested {depth}", "bitwarden", b"[" * depth + b"]" * depth, True)
    doc = base.bitwarden_document()
    doc["items"][0]["name"] = "Zoë"
    codec = draw(st.sampled_from(["utf-16", "latin-1", "utf-32"]))
    data = json.dumps(doc, ensure_ascii=False).encode(codec)
    return Case(f"bitwarden {codec}", "bitwarden", data, True)


def record_cases() -> st.SearchStrategy[Case]:
    """Every record-file mutation."""
    return st.one_of(csv_case(), bitwarden_case())
