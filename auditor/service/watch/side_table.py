"""A watch table in the audit database, beside the store's own tables.

Like the scheduler's tables, the inbox and the alert ledger are created when missing and leave
the store's versioned schema alone. :class:`SideTable` is the one way they are opened (WAL, a
busy timeout: a scheduled run writing at the same moment makes them wait, not fail), written in
one ``BEGIN IMMEDIATE`` transaction each (rolled back on error) and read; any SQLite error
becomes a :class:`~auditor.core.errors.StoreError` naming the file and what was being done.
Open the :class:`~auditor.store.database.Store` on the file first so it exists with mode 0600.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.core.errors import StoreError


class SideTable:
    """One connection to the audit database for one side table, shared across threads."""

    def __init__(self, path: Path, create: str, what: str, *, timeout_s: float = 30.0) -> None:
        self.path = path
        self.what = what
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(
                path, timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(create)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the {what} ({exc})") from None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (rolled back when anything inside raises)."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot update the {self.what} ({exc})") from None

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query."""
        with self._lock:
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot read the {self.what} ({exc})") from None
