"""The audit store's schema steps and the records it hands back.

:data:`UPGRADES` lists the ordered schema steps (version ``n - 1`` to ``n``, each run inside one
transaction by :class:`auditor.store.database.Store`). :class:`RunSummary`, :class:`PriorFinding` and
:class:`PriorState` are what the store returns for history and change tracking;
:func:`open_file` opens the file the way every store connection must (mode 0600, WAL, busy
timeout, foreign keys).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.core.private_files import private_folder
from auditor.core.registry import PreviousRun
from auditor.store.privacy import minimise_stored

_V1 = (
    """CREATE TABLE runs (
        id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
        tool_version TEXT NOT NULL, config_digest TEXT NOT NULL, estate_name TEXT NOT NULL,
        counts TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed')), error TEXT,
        checks_run TEXT NOT NULL DEFAULT '[]', previous_run_id TEXT)""",
    "CREATE INDEX runs_by_estate ON runs (estate_name, status, started_at)",
    """CREATE TABLE evidence (
        run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        snapshot TEXT NOT NULL)""",
    """CREATE TABLE findings (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL, check_id TEXT NOT NULL, status TEXT NOT NULL,
        effective_status TEXT NOT NULL, severity TEXT NOT NULL, asset_key TEXT NOT NULL,
        subject TEXT NOT NULL, first_seen TEXT NOT NULL, change TEXT NOT NULL,
        finding TEXT NOT NULL, PRIMARY KEY (run_id, fingerprint))""",
    "CREATE INDEX findings_by_fingerprint ON findings (fingerprint, effective_status)",
    """CREATE TABLE mutes (
        fingerprint TEXT PRIMARY KEY, reason TEXT NOT NULL, owner TEXT NOT NULL,
        expires TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE baselines (
        account_key TEXT PRIMARY KEY, profile TEXT NOT NULL, accepted_by TEXT NOT NULL,
        reason TEXT NOT NULL, accepted_at TEXT NOT NULL)""",
)


def _apply(statements: Iterable[str]) -> Callable[[sqlite3.Connection], None]:
    def step(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return step


@dataclass(frozen=True)
class Upgrade:
    """One ordered schema step."""

    version: int
    """The schema version the file has after this step."""
    description: str
    """What the step does."""
    apply: Callable[[sqlite3.Connection], None]
    """Runs the step's statements on an open transaction."""


def _source_statuses(conn: sqlite3.Connection) -> None:
    """Snapshots written before sources stated their status: ``ok`` becomes ``status``
    (``failed`` when not ok, ``partial`` when ok with problems, ``complete`` otherwise)."""
    rows = conn.execute("SELECT run_id, snapshot FROM evidence").fetchall()
    for run_id, snapshot in rows:
        data = json.loads(snapshot)
        sources = data.get("sources") if isinstance(data, dict) else None
        if not isinstance(sources, dict):
            continue
        for report in sources.values():
            if isinstance(report, dict) and "status" not in report:
                ok = report.pop("ok", False)
                failed_or_partial = "partial" if report.get("problems") else "complete"
                report["status"] = failed_or_partial if ok else "failed"
        conn.execute(
            "UPDATE evidence SET snapshot = ? WHERE run_id = ?", (json.dumps(data), run_id)
        )


_ACKNOWLEDGEMENTS = (
    "ALTER TABLE findings ADD COLUMN carried INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE acknowledgements (
        fingerprint TEXT PRIMARY KEY, reason TEXT NOT NULL, acknowledged_by TEXT NOT NULL,
        acknowledged_at TEXT NOT NULL)""",
)

UPGRADES: tuple[Upgrade, ...] = (
    Upgrade(1, "create the v1 schema", _apply(_V1)),
    Upgrade(2, "sources state their status instead of ok", _source_statuses),
    Upgrade(3, "person index, erasure log, stored snapshots minimised", minimise_stored),
    Upgrade(
        4,
        "findings carried open (lifecycle); acknowledgements of findings",
        _apply(_ACKNOWLEDGEMENTS),
    ),
)
"""Every schema step in order; the last one's version is the schema this code writes."""


@dataclass(frozen=True)
class RunSummary:
    """One run as ``brand-audit history`` and the report's trend show it."""

    id: str
    """Run id."""
    started_at: datetime
    """Start time."""
    finished_at: datetime
    """End time."""
    status: str
    """``ok`` or ``failed`` (the run could not finish)."""
    estate_name: str
    """The organization audited."""
    tool_version: str
    """brand-auditor version."""
    config_digest: str
    """Digest of the config used."""
    counts: Mapping[str, Any]
    """``status``: results by status; ``open_by_severity``: unmuted fails by severity;
    ``not_verified_by_severity``; ``change``: ``new`` and ``persisting`` unmuted fails and
    ``resolved`` results; ``assets``: assets audited (with the severity counts, enough to
    recompute the risk score)."""
    error: str | None = None
    """Why a failed run failed (secret-free)."""


@dataclass(frozen=True, slots=True)
class PriorFinding:
    """A finding of an earlier run, as the runner needs it for change tracking."""

    fingerprint: str
    """Identity."""
    check_id: str
    """Check id."""
    asset_key: str
    """Asset key."""
    effective_status: str
    """Status before muting (the status family)."""
    first_seen: datetime
    """First seen, as stamped then."""
    carried: bool = False
    """It carried an earlier open fail forward (:attr:`auditor.core.models.Finding.carried`)."""

    @property
    def open(self) -> bool:
        """Still open: a fail, or an open fail carried forward as not verified."""
        return self.effective_status == "fail" or self.carried


@dataclass(frozen=True)
class Acknowledgement:
    """A person acted on a finding (a change event, usually): it no longer stays open."""

    fingerprint: str
    """The finding acknowledged."""
    reason: str
    """What was done or why it is fine."""
    by: str
    """Who acknowledged it."""
    at: datetime
    """When (aware UTC); it closes what was open before this moment."""


@dataclass(frozen=True)
class PriorState:
    """The run a new run is compared with."""

    run: PreviousRun
    """Id, finish time and evidence snapshot (what checks see as ``ctx.previous``)."""
    checks_run: tuple[str, ...]
    """The checks it evaluated."""
    findings: Mapping[str, PriorFinding]
    """Its findings by fingerprint."""


def open_file(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """Open (creating with mode 0600, in 0700 folders when new) the store file in WAL mode with
    a busy timeout, foreign keys and secure delete on; raises OSError, ValueError (a NUL in the path) or
    sqlite3.Error."""
    private_folder(path.parent)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process was first
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        # another tool (the scheduler's job table) may have created them with the umask's mode
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
    conn = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(
            "PRAGMA secure_delete = ON"
        )  # erased data is overwritten, not left in free pages
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def to_iso(value: datetime) -> str:
    """How the store writes a time: ISO 8601 in UTC (sorts as text)."""
    return value.astimezone(UTC).isoformat()


def from_iso(value: str) -> datetime:
    """A stored time."""
    return datetime.fromisoformat(value)


COUNTS_SQL = (
    ("status", "SELECT status, COUNT(*) FROM findings WHERE run_id = ? GROUP BY status"),
    (
        "open_by_severity",
        "SELECT severity, COUNT(*) FROM findings WHERE run_id = ? AND status = 'fail' "
        "GROUP BY severity",
    ),
    (
        "not_verified_by_severity",
        "SELECT severity, COUNT(*) FROM findings WHERE run_id = ? AND status = 'not_verified' "
        "GROUP BY severity",
    ),
    (
        "change",
        "SELECT change, COUNT(*) FROM findings WHERE run_id = ?"
        " AND (change = 'resolved' OR status = 'fail') GROUP BY change",
    ),
)
"""Per-run counts kept in ``runs.counts`` (name, query by run id)."""
