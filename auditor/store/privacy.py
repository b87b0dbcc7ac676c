"""What the store keeps about people, and how it forgets: the store key, keyed digests, the
person index, retention and erasure.

- **The store key.** 32 random bytes in ``<store>.key`` beside the store file (mode 0600, created
  once, never rewritten). Post texts and the people a post names are kept only as
  HMAC-SHA256 digests under this key. The key lives *beside* the file rather than in it, so a
  copy of the database alone (a backup, an attachment) does not let anyone test guesses
  ("is @hikerjen in there?") against the digests; keep the two together when you move a store.
  A lost key only means that later digests no longer match the older ones: change detection
  reads post ids, not digests.
- **The person index** (table ``person_refs``): for each stored run, the keyed digest of each
  handle and e-mail a post names, and which post it is. ``brand-audit forget`` finds a
  person's posts through it without the store ever holding who they are.
- **Retention**: :func:`retain` deletes the evidence snapshots of runs older than the cutoff and
  strips their findings of details and facts (excerpts); the findings' identity, status,
  severity and dates stay, so history, trends and ``first_seen`` keep working.
- **Erasure**: :func:`erase` removes one person's data from every snapshot, finding, baseline and
  mute note and records the erasure (who asked, when, counts) without the data.

The store never imports the content detectors (the import contract); the engine masks and
indexes (:mod:`auditor.engine.minimise`) before it hands the store a snapshot.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from auditor.core.evidence import AccountEvidence, Evidence, Profile, RoleHolder
from auditor.core.models import EvidenceRef, Finding

KEY_SUFFIX = ".key"
"""The store key file is the store's path plus this suffix."""

DIGEST_PREFIX = "hmac-sha256:"
"""How a keyed digest is written."""

ERASED = "[erased]"
"""What erased text is replaced with."""

RETAINED_DETAIL = "(detail removed: older than the retention period)"
"""A finding's detail once its run is past ``storage.retention_days``."""

PRIVACY_TABLES = (
    """CREATE TABLE person_refs (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        digest TEXT NOT NULL, account_key TEXT NOT NULL, post_id TEXT NOT NULL)""",
    "CREATE INDEX person_refs_by_digest ON person_refs (digest)",
    """CREATE TABLE erasures (
        at TEXT NOT NULL, requested_by TEXT NOT NULL, counts TEXT NOT NULL)""",
)
"""Tables of the privacy schema step."""

_EVIDENCE = TypeAdapter(Evidence)
_FINDING = TypeAdapter(Finding)
_PROFILE = TypeAdapter(Profile)


def key_path(store_path: Path) -> Path:
    """Where the store key of ``store_path`` lives."""
    return store_path.with_name(store_path.name + KEY_SUFFIX)


def store_key(store_path: Path) -> bytes:
    """The store's key, created (mode 0600, exclusive) on first use; raises OSError or
    ValueError (a damaged key file)."""
    path = key_path(store_path)
    with contextlib.suppress(FileExistsError):  # another process may be first
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) != 32:
        raise ValueError(f"{path}: not a brand-auditor store key")
    return key


def keyed_digest(key: bytes, value: str) -> str:
    """``hmac-sha256:<hex>`` of ``value`` under ``key``."""
    return DIGEST_PREFIX + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def person_digest(key: bytes, person: str) -> str:
    """The digest a person (a handle, with or without ``@``, or an e-mail) is indexed under."""
    return keyed_digest(key, person.strip().lstrip("@").casefold())


@dataclass(frozen=True)
class PersonRef:
    """A person named by a stored post, as the index keeps it."""

    digest: str
    """:func:`person_digest` of the handle or e-mail."""
    account_key: str
    """The brand account whose post names them."""
    post_id: str
    """The post."""


def store_path_of(conn: sqlite3.Connection) -> Path:
    """The main database file of an open connection."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    raise sqlite3.OperationalError("the store has no file")


def minimise_stored(conn: sqlite3.Connection) -> None:
    """Schema step: the person index and erasure log, and every stored snapshot minimised.

    Old snapshots hold post texts in full; the store cannot run the content detectors, so each
    text becomes its keyed digest with an empty excerpt, and the people directory, vault facts,
    content register and handle probes (which no later run reads back) are dropped. The step
    works on the JSON itself, so a snapshot written by any earlier version is minimised even
    where its shape differs from today's evidence types."""
    for statement in PRIVACY_TABLES:
        conn.execute(statement)
    key = store_key(store_path_of(conn))
    rows = conn.execute("SELECT run_id, snapshot FROM evidence").fetchall()
    for run_id, snapshot in rows:
        evidence = json.loads(snapshot)
        if not isinstance(evidence, dict):
            raise ValueError(f"the evidence of run {run_id} is not an object")
        for dropped in ("people", "vault", "register"):
            evidence[dropped] = None
        evidence["handles"] = []
        for account in (evidence.get("accounts") or {}).values():
            for post in account.get("posts") or ():
                if not post.get("text_digest"):
                    post["text_digest"] = keyed_digest(key, str(post.get("text") or ""))
                    post["text"] = ""
        conn.execute(
            "UPDATE evidence SET snapshot = ? WHERE run_id = ?",
            (json.dumps(evidence, ensure_ascii=False, separators=(",", ":")), run_id),
        )


def retain(conn: sqlite3.Connection, estate_name: str, cutoff: datetime, keep_run: str) -> int:
    """Delete the evidence snapshots of the estate's runs started before ``cutoff`` (never
    ``keep_run``'s) and strip their findings of details and facts; returns how many snapshots
    went."""
    doomed = [
        row[0]
        for row in conn.execute(
            "SELECT r.id FROM runs r JOIN evidence e ON e.run_id = r.id"
            " WHERE r.estate_name = ? AND r.started_at < ? AND r.id != ?",
            (estate_name, cutoff.astimezone(UTC).isoformat(), keep_run),
        )
    ]
    for run_id in doomed:
        for fingerprint, raw in conn.execute(
            "SELECT fingerprint, finding FROM findings WHERE run_id = ?", (run_id,)
        ).fetchall():
            finding = _FINDING.validate_json(raw)
            stripped = replace(
                finding,
                detail=RETAINED_DETAIL,
                evidence=EvidenceRef(finding.evidence.source, finding.evidence.observed_at),
            )
            conn.execute(
                "UPDATE findings SET finding = ? WHERE run_id = ? AND fingerprint = ?",
                (_FINDING.dump_json(stripped).decode(), run_id, fingerprint),
            )
        conn.execute("DELETE FROM person_refs WHERE run_id = ?", (run_id,))
        conn.execute("DELETE FROM evidence WHERE run_id = ?", (run_id,))
    return len(doomed)


@dataclass
class _Eraser:
    """One erasure's matching rules and counts (a working record of one transaction)."""

    person: str
    """The person as given (an e-mail or a handle)."""
    key: bytes
    """The store key."""
    counts: dict[str, int]
    """What was removed, by kind."""

    def __post_init__(self) -> None:
        self.bare = self.person.strip().lstrip("@").casefold()
        self.pattern = re.compile(
            r"(?<![\w.+-])@?" + re.escape(self.bare) + r"(?![\w-]|\.\w)", re.IGNORECASE
        )

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n

    def names(self, value: str | None) -> bool:
        """True when ``value`` is the person (an id, handle, name or e-mail)."""
        return value is not None and value.strip().lstrip("@").casefold() == self.bare

    def scrub(self, value: str) -> str:
        """``value`` with every clear occurrence of the person replaced."""
        return self.pattern.sub(ERASED, value)

    def mentions(self, value: str | None) -> bool:
        return value is not None and self.pattern.search(value) is not None


def erase(
    conn: sqlite3.Connection,
    person: str,
    *,
    key: bytes,
    requested_by: str,
    now: datetime,
    outside: dict[str, int],
) -> dict[str, int]:
    """Remove ``person`` (an e-mail or a handle) from every stored snapshot, finding, baseline
    and mute note, and log the erasure with ``outside`` (what was erased outside the file). A post that names the person (found through the person
    index) loses its excerpt and digest in every run, and every finding about it (any run)
    its detail and facts (who asked, when, counts; never the person). Runs on an
    open transaction; returns the counts."""
    eraser = _Eraser(person, key, {k: n for k, n in outside.items() if n})
    digest = person_digest(key, person)
    refs = conn.execute(
        "SELECT run_id, account_key, post_id FROM person_refs WHERE digest = ?", (digest,)
    ).fetchall()
    posts = {(account_key, post_id) for _, account_key, post_id in refs}
    conn.executemany(  # the posts lose their excerpts: every person they named goes too
        "DELETE FROM person_refs WHERE account_key = ? AND post_id = ?", sorted(posts)
    )
    _erase_snapshots(conn, eraser, posts)
    _erase_findings(conn, eraser, posts)
    _erase_baselines(conn, eraser)
    _erase_mutes(conn, eraser)
    conn.execute(
        "INSERT INTO erasures VALUES (?, ?, ?)",
        (now.isoformat(), requested_by, json.dumps(eraser.counts, sort_keys=True)),
    )
    return eraser.counts


def _erase_snapshots(
    conn: sqlite3.Connection, eraser: _Eraser, posts: set[tuple[str, str]]
) -> None:
    for run_id, snapshot in conn.execute("SELECT run_id, snapshot FROM evidence").fetchall():
        evidence = _EVIDENCE.validate_json(snapshot)
        accounts = {k: _erase_account(k, ev, eraser, posts) for k, ev in evidence.accounts.items()}
        text = _EVIDENCE.dump_json(replace(evidence, accounts=accounts)).decode()
        if eraser.mentions(text):  # anything left in clear, in any field
            eraser.count("other mentions", len(eraser.pattern.findall(text)))
            text = _json_scrub(text, eraser.scrub)
        if text != snapshot:
            eraser.count("snapshots changed")
            conn.execute("UPDATE evidence SET snapshot = ? WHERE run_id = ?", (text, run_id))


def _erase_account(
    key: str, ev: AccountEvidence, eraser: _Eraser, cited: set[tuple[str, str]]
) -> AccountEvidence:
    posts = ev.posts
    if posts is not None:
        erased = [p for p in posts if (key, p.id) in cited]
        eraser.count("posts", len(erased))
        posts = tuple(
            replace(p, text="", text_digest=None) if (key, p.id) in cited else p for p in posts
        )
    roles = ev.roles
    if roles is not None:
        gone = [r for r in roles if _holder_is(r, eraser)]
        eraser.count("role holders", len(gone))
        roles = tuple(r for r in roles if not _holder_is(r, eraser))
    registration = ev.registration_email
    if eraser.names(registration):
        eraser.count("registration emails")
        registration = None
    return replace(ev, posts=posts, roles=roles, registration_email=registration)


def _holder_is(holder: RoleHolder, eraser: _Eraser) -> bool:
    return any(eraser.names(v) for v in (holder.email, holder.person_id, holder.name))


def _erase_findings(conn: sqlite3.Connection, eraser: _Eraser, posts: set[tuple[str, str]]) -> None:
    rows = conn.execute("SELECT run_id, fingerprint, asset_key, subject, finding FROM findings")
    for run_id, fingerprint, asset_key, subject, raw in rows.fetchall():
        about_post = (asset_key, subject) in posts  # the same post, in any run
        if eraser.names(subject):
            eraser.count("findings")
            conn.execute(
                "DELETE FROM findings WHERE run_id = ? AND fingerprint = ?", (run_id, fingerprint)
            )
        elif about_post or eraser.mentions(raw):
            eraser.count("findings")
            finding = _FINDING.validate_json(raw)
            cleaned = replace(
                finding,
                title=eraser.scrub(finding.title),
                detail=f"{ERASED} at the person's request",
                evidence=EvidenceRef(finding.evidence.source, finding.evidence.observed_at),
            )
            conn.execute(
                "UPDATE findings SET finding = ? WHERE run_id = ? AND fingerprint = ?",
                (_FINDING.dump_json(cleaned).decode(), run_id, fingerprint),
            )


def _erase_baselines(conn: sqlite3.Connection, eraser: _Eraser) -> None:
    rows = conn.execute("SELECT account_key, profile, accepted_by, reason FROM baselines")
    for account_key, profile, accepted_by, reason in rows.fetchall():
        if not any(eraser.mentions(v) for v in (profile, accepted_by, reason)):
            continue
        eraser.count("baselines")
        scrubbed = _PROFILE.dump_json(
            _PROFILE.validate_json(_json_scrub(profile, eraser.scrub))
        ).decode()
        conn.execute(
            "UPDATE baselines SET profile = ?, accepted_by = ?, reason = ? WHERE account_key = ?",
            (scrubbed, eraser.scrub(accepted_by), eraser.scrub(reason), account_key),
        )


def _erase_mutes(conn: sqlite3.Connection, eraser: _Eraser) -> None:
    rows = conn.execute("SELECT fingerprint, reason, owner FROM mutes").fetchall()
    for fingerprint, reason, owner in rows:
        if eraser.mentions(reason) or eraser.mentions(owner):
            eraser.count("mute notes")
            conn.execute(
                "UPDATE mutes SET reason = ?, owner = ? WHERE fingerprint = ?",
                (eraser.scrub(reason), eraser.scrub(owner), fingerprint),
            )


def _json_scrub(text: str, scrub: Callable[[str], str]) -> str:
    """``text`` (JSON) with ``scrub`` applied to every string value."""

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return scrub(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return json.dumps(walk(json.loads(text)), ensure_ascii=False, separators=(",", ":"))


def erasure_log(conn: sqlite3.Connection) -> Iterator[tuple[str, str, dict[str, int]]]:
    """Every recorded erasure: when, who asked, counts."""
    for at, by, counts in conn.execute("SELECT at, requested_by, counts FROM erasures ORDER BY at"):
        yield at, by, json.loads(counts)
