"""Structured logging for the audit service: which run and which schedule every line is about.

The scheduler runs audits on worker threads. Each job sets a :class:`RunContext` (run id and
schedule name) in :data:`RUN_CONTEXT`, a :class:`~contextvars.ContextVar`, for the duration of the
run (:func:`run_context`); :class:`RunContextFilter` copies it onto every log record, so lines
logged anywhere during the run (collectors, the runner, the mailer, APScheduler) carry it. The
context variable is the only module-level state: a worker thread that picks up the next job
starts from a clean context because :func:`run_context` always resets its token.

No line holds post text or a customer's handle: brand-auditor's own lines name sources, checks
and counts, and :class:`PayloadFilter` drops the debug lines of libraries that log API answers.

Two formats (``--log-format``): ``text`` (one human line) and ``json`` (one JSON object per line:
``time``, ``level``, ``logger``, ``message``, ``run_id``, ``schedule`` and, for errors, ``error``
and ``traceback``). Exception messages are secrets' favourite hiding place, so a logged exception
shows its message only when it is one of brand-auditor's own errors (:class:`AuditorError`, whose
messages are secret-free by contract); anything else shows its class name and the stack frames.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Literal, TextIO

from auditor.core.completeness import SourceStatus
from auditor.core.errors import AuditorError

if TYPE_CHECKING:
    from auditor.core.models import SourceReport

LogFormat = Literal["text", "json"]

LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")
"""Values ``--log-format`` accepts."""


@dataclass(frozen=True)
class RunContext:
    """What the current thread is running."""

    run_id: str | None
    """The audit run's id (the store's), or ``None`` outside a run."""
    schedule: str | None
    """The schedule's name, or ``None`` for a manual run."""


RUN_CONTEXT: ContextVar[RunContext | None] = ContextVar("brand_audit_run", default=None)
"""The run of the current thread or task (set by :func:`run_context`)."""


@contextmanager
def run_context(run_id: str | None, schedule: str | None) -> Iterator[RunContext]:
    """Tag every log line inside the block with ``run_id`` and ``schedule``; always reset."""
    value = RunContext(run_id, schedule)
    token = RUN_CONTEXT.set(value)
    try:
        yield value
    finally:
        RUN_CONTEXT.reset(token)


def current_run() -> RunContext:
    """The current context (both fields ``None`` outside a run)."""
    return RUN_CONTEXT.get() or RunContext(None, None)


class RunContextFilter(logging.Filter):
    """Adds ``run_id`` and ``schedule`` attributes to every record (``None`` outside a run)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = current_run()
        if getattr(record, "run_id", None) is None:  # ``extra=`` from another thread wins
            record.run_id = ctx.run_id
        if getattr(record, "schedule", None) is None:
            record.schedule = ctx.schedule
        return True


PAYLOAD_LOGGERS = ("tweepy",)
"""Libraries that log whole API answers at debug level (tweepy: every response body, so
customers' replies and handles): their debug lines never reach the log."""


class PayloadFilter(logging.Filter):
    """Drops the debug lines of :data:`PAYLOAD_LOGGERS`: no post text and no customer handle
    ever reaches a log line (brand-auditor's own lines name sources, checks and counts)."""

    def filter(self, record: logging.LogRecord) -> bool:
        root = record.name.split(".", 1)[0]
        return not (root in PAYLOAD_LOGGERS and record.levelno < logging.INFO)


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def describe_error(exc: BaseException) -> str:
    """``Class: message`` for brand-auditor's own (secret-free) errors, else the class name."""
    name = type(exc).__name__
    return f"{name}: {exc}" if isinstance(exc, AuditorError) else name


def _frames(tb: TracebackType | None) -> str:
    """The stack frames only (file, line, function, source line), never the message."""
    return "".join(traceback.format_tb(tb)).rstrip()


def _exc(record: logging.LogRecord) -> ExcInfo | None:
    info = record.exc_info
    if info and info[0] is not None and info[1] is not None:
        return (info[0], info[1], info[2])
    return None


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": _time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "run_id": getattr(record, "run_id", None),
            "schedule": getattr(record, "schedule", None),
        }
        info = _exc(record)
        if info is not None:
            data["error"] = describe_error(info[1])
            data["traceback"] = _frames(info[2])
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``2026-11-22T02:00:00.000+00:00 INFO [nightly 20261122T020000Z-a1b2c3] message``."""

    def format(self, record: logging.LogRecord) -> str:
        tags = [
            t for t in (getattr(record, "schedule", None), getattr(record, "run_id", None)) if t
        ]
        where = f" [{' '.join(str(t) for t in tags)}]" if tags else ""
        line = f"{_time(record)} {record.levelname}{where} {record.getMessage()}"
        info = _exc(record)
        if info is not None:
            line += f" ({describe_error(info[1])})\n{_frames(info[2])}"
        return line


class ServiceProgress:
    """The runner's progress as log lines (a :class:`auditor.engine.progress.Progress`). The run context
    is captured when the run starts and passed with every line, so a progress line names its run
    even when it is emitted outside the runner's context-copying worker pools."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger("auditor.engine.progress")
        ctx = current_run()
        self._extra = {"run_id": ctx.run_id, "schedule": ctx.schedule}

    def collector_started(self, name: str) -> None:
        """Logged at debug level."""
        self._log.debug("collector %s started", name, extra=self._extra)

    def collector_finished(self, report: SourceReport) -> None:
        """One line per source: ok, ok with problems, or failed with the problem kinds."""
        kinds = ", ".join(sorted({p.kind for p in report.problems}))
        if report.status is SourceStatus.FAILED:
            self._log.warning(
                "source %s failed (%s)", report.name, kinds or "error", extra=self._extra
            )
        elif report.problems:
            self._log.warning(
                "source %s read with %d problem(s) (%s)",
                report.name,
                len(report.problems),
                kinds,
                extra=self._extra,
            )
        elif report.status is SourceStatus.PARTIAL:
            self._log.warning(
                "source %s read partially (a listing was cut short)", report.name, extra=self._extra
            )
        else:
            self._log.info("source %s read", report.name, extra=self._extra)

    def checks_started(self, total: int) -> None:
        """One line."""
        self._log.info("evaluating %d check(s)", total, extra=self._extra)

    def check_finished(self, check_id: str, results: int) -> None:
        """Logged at debug level."""
        self._log.debug("check %s: %d result(s)", check_id, results, extra=self._extra)

    def done(self) -> None:
        """Nothing to close."""


def make_handler(stream: TextIO, fmt: LogFormat = "text") -> logging.Handler:
    """A stream handler with the run-context filter and the chosen formatter."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RunContextFilter())
    handler.addFilter(PayloadFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    return handler


def configure_logging(
    stream: TextIO, fmt: LogFormat = "text", level: int = logging.INFO
) -> logging.Handler:
    """Route the root logger (brand-auditor and APScheduler) to ``stream`` in ``fmt``.

    Returns the installed handler so the caller can remove it (:func:`remove_handler`)."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"unknown log format {fmt!r}")
    handler = make_handler(stream, fmt)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def remove_handler(handler: logging.Handler) -> None:
    """Detach a handler installed by :func:`configure_logging`."""
    logging.getLogger().removeHandler(handler)
    handler.close()
