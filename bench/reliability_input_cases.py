"""Hypothesis strategies for malformed configs and record files (the bad-input item).

Each strategy draws one :class:`Case`: the bytes of ONE file (the config, the people directory,
the content register, a Bitwarden JSON or a 1Password CSV export), the others staying valid, and
whether the tool MUST refuse it (``invalid``: exit 2) or may accept it as valid-but-odd input
(``invalid`` False: exit 0, 1 or 3 are fine too). Mutations: misspelled and unknown keys, missing
required fields, wrong JSON kinds, impossible dates (quoted and as bare YAML timestamps), bad
encodings, truncation, huge values, hostile Unicode (bidi, NUL, ESC, lone surrogates, newlines in
keys), YAML tags and anchors, non-mapping tops, ragged and badly quoted CSV.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

from bench import reliability_inputs_base as base

RAW = "@@RAW@@"
"""Placeholder replaced by raw YAML text after dumping."""


@dataclass(frozen=True)
class Case:
    """One generated input."""

    label: str
    """What was done (kind and where)."""
    target: str
    """Which file: config, directory, register, bitwarden, onepassword."""
    data: bytes
    """The file's bytes."""
    invalid: bool
    """True: must exit 2 with one line."""
    hint: str | None = None
    """Words (field or column names, ``|``-separated) of which the error line must contain one,
    besides the file name."""
    vault: str = "bitwarden"
    """Which vault format the config names."""
    raw: str | None = None
    """Raw YAML substituted for :data:`RAW` (already applied to ``data``)."""
    run_too: bool = True
    """False for rules only ``validate`` enforces (schedules' cron, profiles' check names)."""


HOSTILE = (
    "\u202egnp.exe",
    "a\u200b\u200bb",
    "\x00nul",
    "\x1b[31mred\x1b[0m",
    "line\nbreak",
    "tab\there",
    "\ufeffbom",
    "e\u0301\u0301\u0301",
    "\U0001f600" * 50,
    "<script>alert(1)</script>",
    "${HOME}",
    "'; DROP TABLE runs; --",
    "\u0000" * 3,
    "\r\n\r\n",
    "\\x00",
    "%s%s%n",
    "\u2028sep\u2029",
    "A" * 70_000,
    "\u0301" * 5_000,
)
"""Hostile strings for free-text fields (valid-but-odd)."""

BAD_DATES = (
    "2026-02-30",
    "2026-13-01",
    "31/12/2026",
    "tomorrow",
    "0000-00-00",
    "9999-99-99T99:99",
    "2026-1-1x",
    "",
    "2026-11-31T25:00:00",
    "2026-11-31x",
    "1 Jan",
)
"""Impossible or unparseable dates (quoted in the YAML)."""

BARE_DATES = ("2026-13-01", "2026-02-30", "2026-11-31 25:61:00", "2026-00-10T10:00:00Z")
"""Impossible dates written as bare YAML timestamps (PyYAML's resolver claims them)."""

NON_MAPPING_TOPS = (
    b"",
    b"~\n",
    b"[]\n",
    b"- a\n- b\n",
    b"42\n",
    b"'text'\n",
    b"!!binary aGk=\n",
    b"# only a comment\n",
    b"---\n...\n",
    b"null",
    b"true",
)
"""Config files whose top is not a mapping."""

TAGS = (
    "!!python/object/apply:os.system ['touch PWNED']",
    "!!python/name:os.system",
    "!!python/object/new:subprocess.Popen [['touch', 'PWNED']]",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [{a: 1}]",
    "!custom {a: 1}",
)
"""YAML tags: code-running ones must be refused (and never run)."""


def _get(doc: Any, path: str) -> Any:
    node = doc
    for part in [p for p in path.split(".") if p]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _set(doc: Any, path: str, value: Any) -> None:
    parent_path, _, last = path.rpartition(".")
    parent = _get(doc, parent_path)
    if isinstance(parent, list):
        parent[int(last)] = value
    else:
        parent[last] = value


def dump(doc: Any, raw: str | None = None) -> bytes:
    """The document as YAML bytes, with :data:`RAW` replaced by ``raw``."""
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000)
    if raw is not None:
        for quoted in (f"'{RAW}'", f'"{RAW}"', RAW):
            text = text.replace(quoted, raw)
    return text.encode("utf-8", "surrogatepass")


def _valid_keys(model: Any) -> set[str]:
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        keys.add(name)
        if info.alias:
            keys.add(info.alias)
    return keys


def _misspell(key: str, op: int, pos: int) -> str:
    pos = pos % max(1, len(key))
    if op == 0 and len(key) > 1:
        swap = min(pos, len(key) - 2)
        return key[:swap] + key[swap + 1] + key[swap] + key[swap + 2 :]
    if op == 1 and len(key) > 1:
        return key[:pos] + key[pos + 1 :]
    if op == 2:
        return key[:pos] + key[pos] + key[pos:]
    if op == 3:
        return key.capitalize() if key[:1].islower() else key.lower() + "x"
    if op == 4:
        return key + "s"
    return key.replace("_", "-") if "_" in key else key + "_"


@st.composite
def misspelled_key(draw: st.DrawFn) -> Case:
    """A known key misspelled (or a new key added) in one strict mapping: must be refused."""
    doc = base.base_config()
    path = draw(st.sampled_from(sorted(base.MAPPINGS)))
    mapping = _get(doc, path)
    valid = _valid_keys(base.MAPPINGS[path])
    if draw(st.booleans()) and mapping:
        key = draw(st.sampled_from(sorted(mapping)))
        new = _misspell(key, draw(st.integers(0, 5)), draw(st.integers(0, 30)))
    else:
        key, new = "", draw(st.sampled_from(["colour", "enabled", "x-debug", "Tokens", "urls"]))
    if new in valid or new == key:
        new = key + "_typo"
    value = mapping.pop(key) if key else "x"
    mapping[new] = value
    hint = f"{new}|{key}" if key else new
    return Case(f"misspelled key {path or '<top>'}.{new}", "config", dump(doc), True, hint)


@st.composite
def missing_required(draw: st.DrawFn) -> Case:
    """A required key removed: must be refused."""
    doc = base.base_config()
    path, key = draw(st.sampled_from(base.REQUIRED))
    del _get(doc, path)[key]
    return Case(f"missing {path or '<top>'}.{key}", "config", dump(doc), True, key)


def _other_kind(value: Any, choice: int) -> Any:
    if isinstance(value, dict):
        return [["not", "a", "mapping"], "text", 12, [{"a": 1}]][choice % 4]
    if isinstance(value, list):
        return [{"a": 1}, 7, "text-not-list", {"": None}][choice % 4]
    return [{"a": 1}, [{"b": [1]}], {"nested": {"deep": []}}, [[]]][choice % 4]


@st.composite
def wrong_type(draw: st.DrawFn) -> Case:
    """A typed field given a value of another JSON kind: must be refused."""
    doc = base.base_config()
    path = draw(st.sampled_from(base.TYPED))
    value = _other_kind(_get(doc, path), draw(st.integers(0, 3)))
    _set(doc, path, value)
    last = path.rpartition(".")[2]
    return Case(f"wrong type {path}={value!r}"[:120], "config", dump(doc), True, last)


@st.composite
def bad_date(draw: st.DrawFn) -> Case:
    """An impossible date, quoted or as a bare YAML timestamp: must be refused."""
    doc = base.base_config()
    path = draw(st.sampled_from(base.DATES))
    last = path.rpartition(".")[2]
    if draw(st.booleans()):
        raw = draw(st.sampled_from(BARE_DATES))
        _set(doc, path, RAW)
        return Case(
            f"bare date {path}: {raw}", "config", dump(doc, raw), True, f"{last}|line ", raw=raw
        )
    text = draw(st.sampled_from(BAD_DATES))
    _set(doc, path, text)
    return Case(f"bad date {path}={text!r}", "config", dump(doc), True, last)


@st.composite
def huge_value(draw: st.DrawFn) -> Case:
    """Huge strings, numbers and nesting. Deep nesting and digit floods in typed fields must be
    refused; a long free-text value is valid-but-odd."""
    doc = base.base_config()
    kind = draw(st.sampled_from(["digits", "nesting", "string", "float", "list"]))
    if kind == "string":
        path = draw(st.sampled_from(base.STRINGS))
        _set(doc, path, "Z" * draw(st.integers(10_000, 400_000)))
        return Case(f"huge string {path}", "config", dump(doc), False)
    path = draw(
        st.sampled_from(
            [
                "policy.max_full_admins",
                "version",
                "platforms.x.retries",
                "schedules.0.jitter_s",
                "accounts.0.handle",
            ]
        )
    )
    last = path.rpartition(".")[2]
    if kind == "digits":
        digits = draw(st.integers(4_400, 60_000))
        raw = "9" * digits if draw(st.booleans()) else "0x" + "f" * digits
    elif kind == "nesting":
        depth = draw(st.integers(1_200, 6_000))
        raw = "[" * depth + "]" * depth
    elif kind == "float":
        raw = draw(st.sampled_from(["1e999", "-1e999", ".nan", ".inf", "-.inf"]))
    else:
        raw = "[" + ", ".join(["1"] * draw(st.integers(1_000, 50_000))) + "]"
    _set(doc, path, RAW)
    must = kind in ("nesting", "list", "float")
    must = must or path in ("version", "accounts.0.handle", "platforms.x.retries")
    hint = last if must and kind in ("list", "float") else None
    return Case(
        f"huge {kind} at {path} ({len(raw)} chars)", "config", dump(doc, raw), must, hint, raw=raw
    )


@st.composite
def hostile_text(draw: st.DrawFn) -> Case:
    """Hostile Unicode in a free-text value (valid-but-odd) or in a key (must be refused)."""
    doc = base.base_config()
    text = draw(st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=40)))
    if draw(st.booleans()):
        path = draw(st.sampled_from(base.STRINGS))
        _set(doc, path, text)
        return Case(f"hostile text at {path}: {text[:30]!r}", "config", dump(doc), False)
    path = draw(st.sampled_from(sorted(base.MAPPINGS)))
    if text in _valid_keys(base.MAPPINGS[path]):
        text += "\u202e"
    _get(doc, path)[text] = "x"
    return Case(f"hostile key at {path or '<top>'}: {text[:30]!r}", "config", dump(doc), True)


@st.composite
def lone_surrogate(draw: st.DrawFn) -> Case:
    """A lone surrogate written as a YAML escape (valid YAML, not encodable text)."""
    doc = base.base_config()
    path = draw(st.sampled_from(base.STRINGS))
    escape = draw(st.sampled_from(['"\\ud800"', '"a\\udfffb"', '"\\ud83d"']))
    _set(doc, path, RAW)
    return Case(f"lone surrogate at {path}", "config", dump(doc, escape), False, raw=escape)


@st.composite
def document_level(draw: st.DrawFn) -> Case:
    """Non-mapping tops, truncation, encodings, tags and cross-field rules."""
    kind = draw(st.sampled_from(["top", "truncated", "encoding", "tag", "env", "cross", "anchor"]))
    doc = base.base_config()
    text = dump(doc)
    if kind == "top":
        return Case("non-mapping top", "config", draw(st.sampled_from(NON_MAPPING_TOPS)), True)
    if kind == "truncated":
        cut = draw(st.integers(0, len(text) - 1))
        return Case(f"config truncated at {cut}", "config", text[:cut], cut < 40)
    if kind == "encoding":
        return _encoding_case(draw, doc)
    if kind == "tag":
        path = draw(st.sampled_from(base.STRINGS))
        tag = draw(st.sampled_from(TAGS))
        _set(doc, path, RAW)
        must = "python" in tag or tag.startswith("!custom")
        return Case(f"YAML tag at {path}: {tag}", "config", dump(doc, tag), must, raw=tag)
    if kind == "env":
        name = draw(st.sampled_from(["RELIABILITY_UNSET_A", "RELIABILITY_UNSET_B"]))
        # a secret field is read only where it is used (validate lists it, run reads it);
        # any other field is read at load, so an unset variable there must be refused
        _set(
            doc,
            draw(st.sampled_from(["network.user_agent", "mail.subject_prefix"])),
            "${" + name + "}",
        )
        return Case(f"unset ${{{name}}}", "config", dump(doc), True, name)
    if kind == "anchor":
        small = "&a [x, y]"
        _set(doc, "policy.approved_apps", RAW)
        return Case("small anchor", "config", dump(doc, small), False, raw=small)
    return _cross_case(draw, doc)


def _encoding_case(draw: st.DrawFn, doc: dict[str, Any]) -> Case:
    doc["organization"]["name"] = "Zürich Outfitters ÆØÅ"
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    codec = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252", "garbage", "utf-8-sig"]))
    if codec == "garbage":
        raw = text.encode()
        at = draw(st.integers(0, len(raw) - 1))
        data = raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + raw[at:]
    else:
        data = text.encode(codec)
    try:
        data.decode("utf-8")
        must = False
    except UnicodeDecodeError:
        must = True
    return Case(f"config encoded as {codec}", "config", data, must)


def _cross_case(draw: st.DrawFn, doc: dict[str, Any]) -> Case:
    rule = draw(st.sampled_from(["dup", "window", "profile", "cron", "zone", "only", "schedname"]))
    hint: str | None = None
    if rule == "dup":
        doc["accounts"].append(copy.deepcopy(doc["accounts"][0]))
        doc["accounts"][-1]["handle"] = "ACME"
    elif rule == "window":
        doc["change_windows"][0]["account"] = "x:nobody"
        hint = "account"
    elif rule == "profile":
        doc["schedules"][0]["profile"] = "nope"
        hint = "profile"
    elif rule == "cron":
        doc["schedules"][0]["cron"] = draw(
            st.sampled_from(["99 * * * *", "* * *", "@hourly x", "", "*/0 * * * *"])
        )
        hint = "cron"
    elif rule == "zone":
        doc["launches"][0]["timezone"] = draw(
            st.sampled_from(["Mars/Base", "../../etc/passwd", "UTC\x00", ""])
        )
        hint = "timezone"
    elif rule == "only":
        doc["profiles"]["weekly"]["only"] = ["auth.no-such-check"]
        hint = "only"
    else:
        doc["schedules"][0]["name"] = "bad name/../x"
        hint = "name"
    run_too = rule not in ("cron", "only")
    return Case(f"cross-field rule {rule}", "config", dump(doc), True, hint, run_too=run_too)


def config_cases() -> st.SearchStrategy[Case]:
    """Every config mutation."""
    return st.one_of(
        misspelled_key(),
        missing_required(),
        wrong_type(),
        bad_date(),
        huge_value(),
        hostile_text(),
        lone_surrogate(),
        document_level(),
    )


def bitwarden_json(doc: Any) -> bytes:
    """A Bitwarden document as bytes."""
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
