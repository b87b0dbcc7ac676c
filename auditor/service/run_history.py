"""What each scheduled run did, for ``brand-audit status``: one row per firing.

The rows live in the audit database beside the store's tables, in the scheduler's own table
:data:`TABLE` (created when missing, like APScheduler's job table; the store's versioned schema
is not touched). A row names the schedule, the audit run id (the store's run, ok or failed), the
result, the exit code, the open findings by severity and, for a failure, a secret-free reason.
Open the :class:`~auditor.store.database.Store` on the file first so it is created with mode 0600.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from auditor.core.errors import StoreError

TABLE = "schedule_runs"
"""The scheduler's table of firings."""

_CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    schedule TEXT NOT NULL, run_id TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL, result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
    exit_code INTEGER NOT NULL, open_counts TEXT NOT NULL, error TEXT,
    PRIMARY KEY (schedule, run_id))"""


@dataclass(frozen=True)
class ScheduledRun:
    """One firing of a schedule."""

    schedule: str
    """Schedule name."""
    run_id: str
    """The audit run's id in the store."""
    started_at: datetime
    """When the firing started (UTC)."""
    finished_at: datetime
    """When it ended (UTC)."""
    result: str
    """``ok`` (the audit ran and its reports went out) or ``failed``."""
    exit_code: int
    """The exit code the run would give on the command line."""
    open_counts: Mapping[str, int] = field(default_factory=dict)
    """Unmuted fails by severity (empty for a failed run)."""
    error: str | None = None
    """Why it failed (secret-free)."""


class ScheduleHistory:
    """The scheduler's record of firings in an audit database file."""

    def __init__(self, path: Path, *, timeout_s: float = 30.0) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
            self._conn.execute(_CREATE)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the schedule history ({exc})") from None

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> ScheduleHistory:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def record(self, entry: ScheduledRun) -> None:
        """Store (or replace) one firing."""
        try:
            self._conn.execute(
                f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (
                    entry.schedule,
                    entry.run_id,
                    entry.started_at.astimezone(UTC).isoformat(),
                    entry.finished_at.astimezone(UTC).isoformat(),
                    entry.result,
                    entry.exit_code,
                    json.dumps(dict(entry.open_counts)),
                    entry.error,
                ),
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot record a scheduled run ({exc})") from None

    def latest(self, schedule: str) -> ScheduledRun | None:
        """The most recent firing of ``schedule``."""
        try:
            row = self._conn.execute(
                f"SELECT schedule, run_id, started_at, finished_at, result, exit_code,"  # noqa: S608
                f" open_counts, error FROM {TABLE} WHERE schedule = ?"
                " ORDER BY started_at DESC LIMIT 1",
                (schedule,),
            ).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read the schedule history ({exc})") from None
        if row is None:
            return None
        return ScheduledRun(
            schedule=row[0],
            run_id=row[1],
            started_at=datetime.fromisoformat(row[2]),
            finished_at=datetime.fromisoformat(row[3]),
            result=row[4],
            exit_code=int(row[5]),
            open_counts={str(k): int(v) for k, v in json.loads(row[6]).items()},
            error=row[7],
        )
