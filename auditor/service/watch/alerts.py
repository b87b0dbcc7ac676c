"""Alerts through Apprise: one per finding when it opens, a rate cap with a digest beyond it.

``alerts:`` in the config lists Apprise URLs (Slack, Microsoft Teams, Discord, ``json://``
endpoints, ``mailto://`` ... with ``${ENV}`` secrets), the least severity alerted and the most
alerts per hour. After every watch run (and, for critical findings, every scheduled run) the
:class:`Alerter` looks at the run's findings:

- an unmuted ``fail`` at or above the severity that opened in this run (change ``new``: it
  was not failing in the run this one is compared with) and is not open in the :data:`TABLE`
  ledger is alerted and marked open; while it stays open it is not alerted again, whichever
  run (watch or scheduled) sees it next;
- an observed ``pass`` (the check saw it gone on complete evidence, including the runner's
  ``resolved`` entries) closes it, so a later fail (a reopening) is alerted again;
- ``not_verified`` and muted results neither alert nor close.

At most ``max_per_hour`` single alerts go out in any hour (counted from the ledger, so the watch
and the scheduler share it); the rest of a run's new findings go out as one digest. A finding is
marked alerted only once the message was delivered; a failed delivery is remembered and
retried after the next run. The text leads with the account, then what happened, since when, and the first action;
every fetched string in it is escaped (:func:`checks.safe_text.shown`) and cut.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Protocol

from auditor.config.loading import AppConfig
from auditor.core.errors import ConfigError
from auditor.core.models import Asset, AssetKind, Change, Finding, Severity, Status
from auditor.service.watch.side_table import SideTable
from checks.safe_text import shown

LOG = logging.getLogger("auditor.alerts")

TABLE = "alert_ledger"
"""The ledger of alerted findings."""

_CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    fingerprint TEXT PRIMARY KEY, open INTEGER NOT NULL, alerted_at REAL NOT NULL,
    run_id TEXT NOT NULL, how TEXT NOT NULL)"""

HOUR_S = 3600.0


class Notifier(Protocol):
    """Where alerts go."""

    def send(self, title: str, body: str) -> bool:
        """Deliver one message; True when every target took it."""

    def close(self) -> None:
        """Release what it holds."""


SCRUBBED_LOGGERS = ("apprise", "urllib3.connectionpool")
"""Loggers that see alert URLs: Apprise's debug lines and urllib3's request lines carry the
webhook tokens that Slack, Teams or Discord URLs hold in their path."""

_SPLIT = re.compile(r"[/:@?&=#+]")


def url_secrets(url: str) -> frozenset[str]:
    """The parts of an Apprise URL that may be secret: every piece of 8 or more characters
    between separators that is not a host name (no dot), e.g. Slack's three tokens."""
    rest = url.split("://", 1)[-1]
    return frozenset(p for p in _SPLIT.split(rest) if len(p) >= 8 and "." not in p)


class SecretScrubber(logging.Filter):
    """Replaces the given secret pieces in a record's message with ``***``."""

    def __init__(self, secrets: frozenset[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the formatted message when it holds a secret; never drops a record."""
        if not self.secrets:
            return True
        message = record.getMessage()
        scrubbed = message
        for secret in self.secrets:
            scrubbed = scrubbed.replace(secret, "***")
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


class AppriseNotifier:
    """Apprise with the configured URLs (secrets resolved; scrubbed from every log line of
    Apprise and urllib3 while it is open)."""

    def __init__(self, urls: Sequence[str]) -> None:
        import apprise

        self._scrubber = SecretScrubber(frozenset().union(*(url_secrets(u) for u in urls)))
        for name in SCRUBBED_LOGGERS:  # before add(): Apprise logs each URL it loads
            logging.getLogger(name).addFilter(self._scrubber)
        self._apprise = apprise.Apprise()
        for index, url in enumerate(urls):
            if not self._apprise.add(url):
                self.close()
                raise ValueError(f"alerts.urls.{index}")

    def close(self) -> None:
        """Remove the log scrubber."""
        for name in SCRUBBED_LOGGERS:
            logging.getLogger(name).removeFilter(self._scrubber)

    def send(self, title: str, body: str) -> bool:
        """Deliver to every URL."""
        import apprise

        return bool(
            self._apprise.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        )


@dataclass(frozen=True)
class AlertPolicy:
    """What is alerted and how often."""

    min_severity: Severity = Severity.HIGH
    """The least severity alerted."""
    max_per_hour: int = 20
    """Single alerts in any hour; beyond, one digest per run."""


@dataclass(frozen=True)
class AlertReport:
    """What one run's alerting did."""

    alerted: tuple[str, ...] = ()
    """Fingerprints alerted one by one."""
    digested: tuple[str, ...] = ()
    """Fingerprints in the digest."""
    closed: int = 0
    """Open fingerprints closed by an observed pass."""
    failed: tuple[str, ...] = ()
    """Fingerprints whose message could not be delivered (retried after the next run)."""


def account_label(asset: Asset) -> str:
    """``x @northwind``, ``github northwind-labs``, ``domain northwind.example``."""
    if asset.kind is AssetKind.DOMAIN:
        return f"domain {asset.domain}"
    if asset.kind is AssetKind.ACCOUNT:
        at = "@" if asset.platform in ("x", "instagram") else ""
        return f"{asset.platform} {at}{shown(asset.handle, 60)}"
    return f"{asset.kind.value} {shown(asset.handle, 60)}"


def first_action(remediation: str) -> str:
    """The remediation's first sentence."""
    head = remediation.strip().split(". ", 1)[0].rstrip(".")
    return shown(head, 200)


def alert_text(finding: Finding) -> tuple[str, str]:
    """Title and body of one alert: account, what happened, since when, first action."""
    who = account_label(finding.asset)
    since = finding.first_seen.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = f"{who}: {shown(finding.title, 120)} ({finding.severity.value})"
    body = "\n".join(
        (
            f"{who}: {shown(finding.title, 120)}.",
            f"What happened: {shown(finding.detail, 400)}",
            f"Since: {since}",
            f"First action: {first_action(finding.remediation)}.",
            f"[{finding.severity.value} {finding.check_id}, fingerprint {finding.fingerprint[:12]}]",
        )
    )
    return title, body


def digest_text(findings: Sequence[Finding]) -> tuple[str, str]:
    """One message for the findings beyond the hourly cap."""
    title = f"{len(findings)} more new finding(s) (alert cap reached)"
    lines = [
        f"- {account_label(f.asset)}: {shown(f.title, 120)} ({f.severity.value},"
        f" since {f.first_seen.astimezone(UTC):%Y-%m-%d %H:%M} UTC): {shown(f.detail, 160)}"
        for f in findings
    ]
    return title, "\n".join([title + ":", *lines])


class Alerter:
    """The ledger in the audit database and the notifier (share across threads freely)."""

    def __init__(
        self,
        path: Path,
        notifier: Notifier,
        policy: AlertPolicy,
        *,
        clock: Callable[[], float] = time.time,
        timeout_s: float = 30.0,
    ) -> None:
        self.path = path
        self.notifier = notifier
        self.policy = policy
        self._clock = clock
        self._ledger = SideTable(path, _CREATE, "alert ledger", timeout_s=timeout_s)

    def close(self) -> None:
        """Close the ledger and the notifier."""
        self._ledger.close()
        self.notifier.close()

    def on_run(
        self, run_id: str, findings: Sequence[Finding], min_severity: Severity | None = None
    ) -> AlertReport:
        """Alert the run's newly open findings, close those observed passing. The ledger is
        read and written in two short transactions; the messages go out between them, so a
        slow alert target never holds the database."""
        least = min_severity or self.policy.min_severity
        failing = {
            f.fingerprint: f
            for f in findings
            if f.status is Status.FAIL and f.severity.rank >= least.rank
        }
        with self._ledger.transaction() as conn:
            closed = self._close(conn, [f.fingerprint for f in findings if f.status is Status.PASS])
            open_now = self._marked(conn, list(failing), "open = 1")
            retry = self._marked(conn, list(failing), "how = 'failed'")
            sent = self._sent_since(conn, self._clock() - HOUR_S)
        new = [
            f
            for fp, f in failing.items()
            if fp not in open_now and (f.change is Change.NEW or fp in retry)
        ]
        new.sort(key=lambda f: (-f.severity.rank, f.first_seen))
        room = max(0, self.policy.max_per_hour - sent)
        marks, report = self._send(new[:room], new[room:])
        if marks:
            with self._ledger.transaction() as conn:
                for fingerprint, how in marks:
                    self._mark(conn, fingerprint, run_id, how)
        if report.failed:
            LOG.error(
                "%d alert(s) could not be delivered; retried after the next run", len(report.failed)
            )
        if report.alerted or report.digested:
            LOG.info(
                "alerted %d finding(s), %d in a digest", len(report.alerted), len(report.digested)
            )
        return AlertReport(report.alerted, report.digested, closed, report.failed)

    def _send(
        self, single: Sequence[Finding], rest: Sequence[Finding]
    ) -> tuple[list[tuple[str, str]], AlertReport]:
        """Deliver one alert each for ``single`` and one digest for ``rest``; the ledger marks
        to write (fingerprint, how) and what was sent."""
        marks: list[tuple[str, str]] = []
        alerted: list[str] = []
        digested: list[str] = []
        failed: list[str] = []
        for finding in single:
            ok = self.notifier.send(*alert_text(finding))
            marks.append((finding.fingerprint, "single" if ok else "failed"))
            (alerted if ok else failed).append(finding.fingerprint)
        if rest:
            ok = self.notifier.send(*digest_text(rest))
            for finding in rest:
                marks.append((finding.fingerprint, "digest" if ok else "failed"))
                (digested if ok else failed).append(finding.fingerprint)
        return marks, AlertReport(tuple(alerted), tuple(digested), 0, tuple(failed))

    @staticmethod
    def _close(conn: sqlite3.Connection, passing: Sequence[str]) -> int:
        """Close the open fingerprints observed passing; how many were open."""
        if not passing:
            return 0
        cur = conn.executemany(
            f"UPDATE {TABLE} SET open = 0 WHERE fingerprint = ? AND open = 1",  # noqa: S608
            [(fp,) for fp in passing],
        )
        return max(cur.rowcount, 0)

    @staticmethod
    def _marked(conn: sqlite3.Connection, fingerprints: Sequence[str], condition: str) -> set[str]:
        """Those of ``fingerprints`` whose ledger row meets ``condition`` (a literal here)."""
        found: set[str] = set()
        for start in range(0, len(fingerprints), 500):
            part = fingerprints[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = conn.execute(
                f"SELECT fingerprint FROM {TABLE} WHERE {condition} AND fingerprint IN ({marks})",  # noqa: S608
                part,
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    @staticmethod
    def _sent_since(conn: sqlite3.Connection, since: float) -> int:
        row = conn.execute(
            f"SELECT COUNT(*) FROM {TABLE} WHERE how = 'single' AND alerted_at > ?",  # noqa: S608
            (since,),
        ).fetchone()
        return int(row[0])

    def _mark(self, conn: sqlite3.Connection, fingerprint: str, run_id: str, how: str) -> None:
        """Record an alert (``single``, ``digest``: open) or a failed delivery (not open)."""
        conn.execute(
            f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?)",  # noqa: S608
            (fingerprint, int(how != "failed"), self._clock(), run_id, how),
        )

    def is_open(self, fingerprint: str) -> bool:
        """True while ``fingerprint`` is alerted and not seen passing since."""
        rows = self._ledger.rows(
            f"SELECT 1 FROM {TABLE} WHERE open = 1 AND fingerprint = ?",  # noqa: S608
            (fingerprint,),
        )
        return bool(rows)


def alerter_from_config(config: AppConfig, path: Path) -> Alerter | None:
    """The :class:`Alerter` the config's ``alerts:`` asks for (None without one); a URL
    Apprise does not understand is a :class:`ConfigError` naming it by index, never by value
    (it may hold a token)."""
    alerts = config.model.alerts
    if alerts is None:
        return None
    try:
        notifier = AppriseNotifier([url.get_secret_value() for url in alerts.urls])
    except ValueError as exc:
        raise ConfigError(
            "expected an Apprise URL (see https://github.com/caronc/apprise/wiki)",
            file=str(config.path),
            field=str(exc),
        ) from None
    policy = AlertPolicy(alerts.min_severity, alerts.max_per_hour)
    return Alerter(path, notifier, policy)
