"""The durable record of accepted webhook deliveries, in the audit database.

A delivery is written here (one row per watched account it names) *before* the sender gets its
2xx answer, so whatever was acknowledged survives a crash or a SIGTERM and is processed at the
next start. The primary key (platform, delivery id, account) de-duplicates: GitHub's
``X-GitHub-Delivery`` GUID, and for Meta (which sends no id and may deliver twice) a digest of
the signed body. A row is done once an audit run has read its account (``run_id`` set).

The table is a :class:`~auditor.service.watch.side_table.SideTable` beside the store's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from auditor.service.watch.events import WatchEvent
from auditor.service.watch.side_table import SideTable

TABLE = "watch_deliveries"
"""The inbox table."""

_CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    platform TEXT NOT NULL, delivery_id TEXT NOT NULL, account_key TEXT NOT NULL,
    kind TEXT NOT NULL, received_at TEXT NOT NULL, occurred_at TEXT, run_id TEXT,
    PRIMARY KEY (platform, delivery_id, account_key))"""


@dataclass(frozen=True)
class Pending:
    """An accepted delivery not yet read by an audit run."""

    platform: str
    """Config platform name."""
    delivery_id: str
    """The sender's delivery id (or body digest)."""
    account_key: str
    """The watched account it names."""
    kind: str
    """What happened."""
    received_at: datetime
    """When the receiver accepted it."""


class Inbox(SideTable):
    """Accepted deliveries; safe to share between the receiver's and the service's threads."""

    def __init__(self, path: Path, *, timeout_s: float = 30.0) -> None:
        super().__init__(path, _CREATE, "watch inbox", timeout_s=timeout_s)

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def accept(self, delivery_id: str, events: Sequence[WatchEvent], now: datetime) -> bool:
        """Store a delivery's events in one transaction; False when it was seen before."""
        rows = [
            (
                e.platform,
                delivery_id,
                e.account_key,
                e.kind,
                now.astimezone(UTC).isoformat(),
                e.occurred_at.isoformat() if e.occurred_at else None,
            )
            for e in events
        ]
        added = 0
        with self.transaction() as conn:
            for row in rows:
                cur = conn.execute(
                    f"INSERT OR IGNORE INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, NULL)",  # noqa: S608
                    row,
                )
                added += cur.rowcount
        return added > 0

    def pending(self) -> list[Pending]:
        """Accepted deliveries no run has read yet, oldest first."""
        rows = self.rows(
            f"SELECT platform, delivery_id, account_key, kind, received_at FROM {TABLE}"  # noqa: S608
            " WHERE run_id IS NULL ORDER BY received_at"
        )
        return [Pending(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows]

    def done(self, items: Sequence[Pending], run_id: str) -> None:
        """Mark ``items`` as read by run ``run_id``."""
        with self.transaction() as conn:
            conn.executemany(
                f"UPDATE {TABLE} SET run_id = ? WHERE platform = ? AND delivery_id = ?"  # noqa: S608
                " AND account_key = ?",
                [(run_id, p.platform, p.delivery_id, p.account_key) for p in items],
            )

    def count(self) -> int:
        """Every delivery row stored (processed or not)."""
        return int(self.rows(f"SELECT COUNT(*) FROM {TABLE}")[0][0])  # noqa: S608
