"""The audit store: every run, its evidence snapshot, findings, mutes and accepted baselines.

One SQLite file (stdlib :mod:`sqlite3`), created with mode 0600; SQLite gives its ``-wal`` and
``-shm`` companions the same mode. The file runs in WAL mode with a busy timeout, so a scheduled
run and a manual run can share it: readers never block, and a second writer waits its turn.

The schema is versioned: ``schema_version`` holds one number and :data:`UPGRADES` lists ordered
steps, each taking the file from version ``n - 1`` to ``n`` inside one transaction. A file written
by a newer brand-auditor, a file that is not SQLite, or a file that stays locked raises
:class:`~auditor.core.errors.StoreError` (one line for the user, exit 2).

A run is written in ONE transaction: the run row, its evidence snapshot (minimised by the engine:
:mod:`auditor.engine.minimise`), the person index of its posts and all its findings are
committed together or not at all. Retention and erasure (``brand-audit forget``) live in
:mod:`auditor.store.privacy`; every run holds ``<store>.lock`` shared (:meth:`Store.holding`),
so an erasure never runs beside one. Nothing secret is stored: evidence types hold no secrets by
design, and failed runs keep only an error class and a secret-free message.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from auditor.core.errors import StoreError
from auditor.core.evidence import Evidence, Profile
from auditor.core.models import AuditRun, Finding, Mute
from auditor.core.registry import Baseline, PreviousRun
from auditor.core.scoring import audited_assets, risk_score
from auditor.store.privacy import PersonRef, erase, erasure_log, retain, store_key
from auditor.store.schema import (
    COUNTS_SQL,
    UPGRADES,
    Acknowledgement,
    PriorFinding,
    PriorState,
    RunSummary,
    Upgrade,
    from_iso,
    open_file,
    to_iso,
)

__all__ = [
    "UPGRADES",
    "Acknowledgement",
    "PriorFinding",
    "PriorState",
    "RunSummary",
    "Store",
    "StoreError",
    "Upgrade",
]

_EVIDENCE = TypeAdapter(Evidence)
_FINDING = TypeAdapter(Finding)
_PROFILE = TypeAdapter(Profile)
_STRINGS = TypeAdapter(tuple[str, ...])


class Store:
    """An open audit store. Thread-safe: one lock serialises this object's use of its
    connection; other processes are coordinated by SQLite's own locking."""

    def __init__(
        self,
        path: Path,
        *,
        upgrades: tuple[Upgrade, ...] = UPGRADES,
        busy_timeout_s: float = 30.0,
    ) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._conn = open_file(path, busy_timeout_s)
        except (OSError, ValueError, sqlite3.Error) as exc:
            raise self._fail(exc, "open") from None
        try:
            self._upgrade(upgrades)
        except StoreError:
            self._conn.close()
            raise

    def _fail(self, exc: BaseException, doing: str) -> StoreError:
        return StoreError(f"{self.path}: cannot {doing} the audit store ({exc})")

    def _version(self) -> int:
        """The file's schema version (0 for a new file); a plain read, no write lock."""
        exists = self._read(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        )
        if not exists:
            return 0
        row = self._read("SELECT MAX(version) FROM schema_version")
        return int(row[0][0]) if row and row[0][0] is not None else 0

    def _upgrade(self, upgrades: tuple[Upgrade, ...]) -> None:
        latest = upgrades[-1].version if upgrades else 0
        current = self._version()
        if current > latest:
            raise StoreError(
                f"{self.path}: written by a newer brand-auditor (schema {current}); "
                f"this version reads schema {latest} or older"
            )
        if current == latest:
            return
        with self._decoding("data to upgrade"), self._write("upgrade") as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = int(row[0]) if row and row[0] is not None else 0
            for step in upgrades:
                if step.version > current:
                    step.apply(conn)
                    conn.execute("DELETE FROM schema_version")
                    conn.execute("INSERT INTO schema_version (version) VALUES (?)", (step.version,))
                    current = step.version
        self._fold_wal()

    @property
    def schema_version(self) -> int:
        """The file's schema version."""
        return self._version()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: committed whole or rolled back."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._fail(exc, doing) from None
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise self._fail(exc, doing) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Undo the open transaction (SQLite may already have ended it after an error)."""
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return list(self._conn.execute(sql, tuple(params)))
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None

    @contextmanager
    def _decoding(self, what: str) -> Iterator[None]:
        """Stored text that no longer parses (a damaged or hand-edited file) is a StoreError."""
        try:
            yield
        except (ValueError, TypeError, IndexError, OSError) as exc:  # pydantic's too
            raise StoreError(
                f"{self.path}: the stored {what} is unreadable ({type(exc).__name__})"
            ) from None

    @property
    def key(self) -> bytes:
        """The store key (:mod:`auditor.store.privacy`), created on first use."""
        try:
            return store_key(self.path)
        except (OSError, ValueError) as exc:
            raise self._fail(exc, "read the key of") from None

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the store for a run (a shared lock on ``<store>.lock``, many runs at once):
        :meth:`forget` refuses while any run holds it."""
        with self._run_lock(fcntl.LOCK_SH):
            yield

    @contextmanager
    def _run_lock(self, mode: int) -> Iterator[None]:
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as exc:
            raise self._fail(exc, "lock") from None
        try:
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                raise StoreError(
                    f"{self.path}: a run is using the audit store; try again when it finishes"
                ) from None
            yield
        finally:
            os.close(fd)

    def save_run(self, run: AuditRun, evidence: Evidence, refs: Iterable[PersonRef] = ()) -> None:
        """Persist a finished run, its (minimised) evidence, its findings and the person index
        of its posts in one transaction."""
        rows = (  # a generator: rows are serialised one by one inside the transaction
            (
                run.id,
                f.fingerprint,
                f.check_id,
                f.status.value,
                f.effective_status.value,
                f.severity.value,
                f.asset.key,
                f.subject,
                to_iso(f.first_seen),
                f.change.value,
                _FINDING.dump_json(f).decode(),
                int(f.carried),
            )
            for f in run.findings
        )
        snapshot = _EVIDENCE.dump_json(evidence).decode()
        with self._write("save a run to") as conn:
            self._insert_run(conn, run)
            conn.execute("INSERT INTO evidence VALUES (?, ?)", (run.id, snapshot))
            conn.executemany(
                "INSERT INTO person_refs VALUES (?, ?, ?, ?)",
                ((run.id, r.digest, r.account_key, r.post_id) for r in refs),
            )
            conn.executemany(
                "INSERT INTO findings (run_id, fingerprint, check_id, status, effective_status,"
                " severity, asset_key, subject, first_seen, change, finding, carried)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            counts: dict[str, object] = {
                name: dict(conn.execute(sql, (run.id,)).fetchall()) for name, sql in COUNTS_SQL
            }
            counts["assets"] = audited_assets(run.assets)
            counts["risk_score"] = risk_score(run.findings, audited_assets(run.assets))
            counts["scope"] = list(run.scope)
            conn.execute("UPDATE runs SET counts = ? WHERE id = ?", (json.dumps(counts), run.id))

    def _insert_run(
        self, conn: sqlite3.Connection, run: AuditRun, error: str | None = None
    ) -> None:
        conn.execute(
            "INSERT INTO runs (id, started_at, finished_at, tool_version, config_digest,"
            " estate_name, status, error, checks_run, previous_run_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                run.id,
                to_iso(run.started_at),
                to_iso(run.finished_at),
                run.tool_version,
                run.config_digest,
                run.estate_name,
                "ok" if error is None else "failed",
                error,
                json.dumps(list(run.checks_run)),
                run.previous_run_id,
            ),
        )

    def record_failed_run(
        self,
        *,
        run_id: str,
        started_at: datetime,
        finished_at: datetime,
        tool_version: str,
        config_digest: str,
        estate_name: str,
        error: str,
    ) -> None:
        """Record a run that could not finish: its identity and ``error`` (secret-free), no
        findings and no evidence; never a previous run for change tracking."""
        run = AuditRun(
            id=run_id,
            started_at=started_at,
            finished_at=finished_at,
            tool_version=tool_version,
            config_digest=config_digest,
            estate_name=estate_name,
            assets=(),
            findings=(),
            sources=(),
        )
        with self._write("record a failed run in") as conn:
            self._insert_run(conn, run, error)

    def previous_run(self, estate_name: str, checks: Collection[str] = ()) -> PriorState | None:
        """The latest finished run of this estate that evaluated every check in ``checks``
        (so an ``--only`` run never makes a later full run look like everything is new)."""
        rows = self._read(
            "SELECT id, finished_at, checks_run FROM runs WHERE estate_name = ? AND status = 'ok'"
            " AND EXISTS (SELECT 1 FROM evidence e WHERE e.run_id = runs.id)"
            " ORDER BY started_at DESC, id DESC LIMIT 100",
            (estate_name,),
        )
        wanted = set(checks)
        for run_id, finished_at, checks_json in rows:
            with self._decoding(f"run {run_id}"):
                checks_run = _STRINGS.validate_json(checks_json)
                if wanted <= set(checks_run):
                    return self._prior(run_id, from_iso(finished_at), checks_run)
        return None

    def _prior(self, run_id: str, finished_at: datetime, checks_run: tuple[str, ...]) -> PriorState:
        snapshot = self._read("SELECT snapshot FROM evidence WHERE run_id = ?", (run_id,))
        evidence = _EVIDENCE.validate_json(snapshot[0][0])
        findings = {
            row[0]: PriorFinding(row[0], row[1], row[2], row[3], from_iso(row[4]), bool(row[5]))
            for row in self._read(
                "SELECT fingerprint, check_id, asset_key, effective_status, first_seen, carried"
                " FROM findings WHERE run_id = ?",
                (run_id,),
            )
        }
        return PriorState(PreviousRun(run_id, finished_at, evidence), checks_run, findings)

    def _keyed(
        self, keys: Iterable[tuple[str, str]], sql: str, params: tuple[str, ...] = ()
    ) -> list[tuple[Any, ...]]:
        """Run ``sql`` joined on a temporary ``wanted (fp, family)`` table holding ``keys``."""
        with self._lock:
            try:
                conn = self._conn
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (fp TEXT, family TEXT)")
                conn.execute("DELETE FROM wanted")
                conn.executemany("INSERT INTO wanted VALUES (?, ?)", keys)
                rows = conn.execute(sql, params).fetchall()
                conn.execute("DELETE FROM wanted")
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None
        return rows

    def findings_of(self, run_id: str, fingerprints: Collection[str]) -> list[Finding]:
        """The stored findings of ``run_id`` with these fingerprints, by fingerprint order."""
        rows = self._keyed(
            ((fp, "") for fp in fingerprints),
            "SELECT f.finding FROM wanted w JOIN findings f ON f.fingerprint = w.fp"
            " WHERE f.run_id = ? ORDER BY f.fingerprint",
            (run_id,),
        )
        with self._decoding(f"findings of run {run_id}"):
            return [_FINDING.validate_json(row[0]) for row in rows]

    def first_seen(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
        """Earliest ``first_seen`` of each (fingerprint, status family) in the whole history."""
        rows = self._keyed(
            keys,
            "SELECT f.fingerprint, f.effective_status, MIN(f.first_seen)"
            " FROM wanted w JOIN findings f"
            " ON f.fingerprint = w.fp AND f.effective_status = w.family"
            " GROUP BY f.fingerprint, f.effective_status",
        )
        with self._decoding("first_seen"):
            return {(fp, family): from_iso(first) for fp, family, first in rows}

    def prune(self, estate_name: str, keep: int) -> int:
        """Delete all but the ``keep`` latest runs of the estate (with their evidence and
        findings) in one transaction; returns how many runs were deleted. Mutes and baselines
        stay. A finding that persists keeps its ``first_seen`` (carried run to run)."""
        if keep < 1:
            raise StoreError(f"{self.path}: keep at least one run (got {keep})")
        with self._write("prune") as conn:
            doomed = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM runs WHERE estate_name = ?"
                    " ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?",
                    (estate_name, keep),
                )
            ]
            conn.executemany("DELETE FROM runs WHERE id = ?", [(run_id,) for run_id in doomed])
        return len(doomed)

    def retain(self, estate_name: str, cutoff: datetime, keep_run: str) -> int:
        """Apply the retention period: the estate's evidence snapshots of runs started before
        ``cutoff`` (never ``keep_run``'s) go, and their findings lose details and facts, in one
        transaction; returns how many snapshots were deleted."""
        with self._write("apply retention to") as conn:
            return retain(conn, estate_name, cutoff, keep_run)

    def forget(
        self,
        person: str,
        *,
        requested_by: str,
        now: datetime,
        also: Callable[[], Mapping[str, int]] | None = None,
    ) -> dict[str, int]:
        """Erase ``person`` (an e-mail or a handle) from every stored run, finding, baseline and
        mute note in one transaction, and log the erasure without the data; refuses
        (:class:`StoreError`) while a run holds the store. ``also`` erases what lives outside
        the file (cache files), once the store is held; its counts are logged too. Returns the
        counts."""
        key = self.key
        with (
            self._run_lock(fcntl.LOCK_EX | fcntl.LOCK_NB),
            self._decoding("evidence"),
            self._write("erase from") as conn,
        ):
            outside = dict(also() if also else {})
            counts = erase(
                conn, person, key=key, requested_by=requested_by, now=now, outside=outside
            )
        self._fold_wal()
        return counts

    def _fold_wal(self) -> None:
        """Fold the write-ahead log into the file and empty it, so no earlier page image of
        erased or minimised rows remains in ``-wal`` (secure_delete zeroes freed pages)."""
        with self._lock, contextlib.suppress(sqlite3.Error):  # a busy reader: later, not now
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def erasures(self) -> list[tuple[str, str, dict[str, int]]]:
        """The erasure log: when, who asked, counts."""
        with self._lock:
            try:
                return list(erasure_log(self._conn))
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None

    def history(self, estate_name: str | None = None, limit: int = 20) -> list[RunSummary]:
        """The latest runs, newest first."""
        rows = self._read(
            "SELECT id, started_at, finished_at, status, estate_name, tool_version,"
            " config_digest, counts, error FROM runs WHERE ? IS NULL OR estate_name = ?"
            " ORDER BY started_at DESC, id DESC LIMIT ?",
            (estate_name, estate_name, limit),
        )
        with self._decoding("run history"):
            return [
                RunSummary(
                    r[0],
                    from_iso(r[1]),
                    from_iso(r[2]),
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    json.loads(r[7]),
                    r[8],
                )
                for r in rows
            ]

    def latest_evidence(self, estate_name: str) -> tuple[str, Evidence] | None:
        """The evidence snapshot of the latest finished run of this estate."""
        prior = self.previous_run(estate_name)
        return (prior.run.run_id, prior.run.evidence) if prior else None

    def known_fingerprint(self, fingerprint: str) -> bool:
        """True when some stored run has a finding with this fingerprint."""
        return bool(
            self._read("SELECT 1 FROM findings WHERE fingerprint = ? LIMIT 1", (fingerprint,))
        )

    def latest_finding(self, fingerprint: str) -> Finding | None:
        """The finding with this fingerprint in the latest stored run that reported it."""
        rows = self._read(
            "SELECT f.finding FROM findings f JOIN runs r ON r.id = f.run_id"
            " WHERE f.fingerprint = ? ORDER BY r.started_at DESC, r.id DESC LIMIT 1",
            (fingerprint,),
        )
        with self._decoding(f"finding {fingerprint}"):
            return _FINDING.validate_json(rows[0][0]) if rows else None

    def remove_mute(self, fingerprint: str) -> bool:
        """Delete the recorded mute of a fingerprint; False when there was none."""
        with self._write("remove a mute from") as conn:
            deleted = conn.execute("DELETE FROM mutes WHERE fingerprint = ?", (fingerprint,))
            return deleted.rowcount > 0

    def add_mute(self, mute: Mute) -> None:
        """Record (or replace) the mute of a fingerprint."""
        with self._write("record a mute in") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO mutes VALUES (?, ?, ?, ?, ?)",
                (
                    mute.fingerprint,
                    mute.reason,
                    mute.owner,
                    to_iso(mute.expires),
                    to_iso(mute.created_at),
                ),
            )

    def list_mutes(self) -> dict[str, Mute]:
        """Every recorded mute (active or expired) by fingerprint."""
        rows = self._read("SELECT fingerprint, reason, owner, expires, created_at FROM mutes")
        with self._decoding("mutes"):
            return {r[0]: Mute(r[0], r[1], r[2], from_iso(r[3]), from_iso(r[4])) for r in rows}

    def acknowledge(self, ack: Acknowledgement) -> None:
        """Record (or replace) the acknowledgement of a fingerprint."""
        with self._write("record an acknowledgement in") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO acknowledgements VALUES (?, ?, ?, ?)",
                (ack.fingerprint, ack.reason, ack.by, to_iso(ack.at)),
            )

    def acknowledgements(self) -> dict[str, Acknowledgement]:
        """Every recorded acknowledgement by fingerprint."""
        rows = self._read(
            "SELECT fingerprint, reason, acknowledged_by, acknowledged_at FROM acknowledgements"
        )
        with self._decoding("acknowledgements"):
            return {r[0]: Acknowledgement(r[0], r[1], r[2], from_iso(r[3])) for r in rows}

    def accept_baseline(self, baseline: Baseline) -> None:
        """Record (or replace) the accepted profile of an account."""
        with self._write("record a baseline in") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO baselines VALUES (?, ?, ?, ?, ?)",
                (
                    baseline.account_key,
                    _PROFILE.dump_json(baseline.profile).decode(),
                    baseline.accepted_by,
                    baseline.reason,
                    to_iso(baseline.accepted_at),
                ),
            )

    def baselines(self) -> dict[str, Baseline]:
        """Accepted baselines by account key."""
        rows = self._read(
            "SELECT account_key, profile, accepted_by, reason, accepted_at FROM baselines"
        )
        with self._decoding("baselines"):
            return {
                r[0]: Baseline(r[0], _PROFILE.validate_json(r[1]), r[2], r[3], from_iso(r[4]))
                for r in rows
            }
