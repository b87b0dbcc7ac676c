"""Structured logs: every line carries the run id and schedule of the thread's current run, and
exception messages that are not brand-auditor's own never reach the log."""

from __future__ import annotations

import io
import json
import logging
import threading
from datetime import UTC, datetime

import pytest

from auditor.core.completeness import SourceStatus
from auditor.core.errors import InputFileError
from auditor.core.models import SourceProblem, SourceReport
from auditor.service.run_log import (
    RUN_CONTEXT,
    ServiceProgress,
    configure_logging,
    current_run,
    describe_error,
    remove_handler,
    run_context,
)

LOG = logging.getLogger("auditor.test_service_log")


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = configure_logging(stream, "json")
    yield stream
    remove_handler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_run_id_and_schedule_of_the_current_run(json_log):
    LOG.info("before")
    with run_context("20261122T020000Z-a1b2c3", "nightly"):
        LOG.warning("during %s", "the run")
    LOG.info("after")
    before, during, after = lines(json_log)
    assert during["message"] == "during the run"
    assert (during["run_id"], during["schedule"], during["level"]) == (
        "20261122T020000Z-a1b2c3",
        "nightly",
        "warning",
    )
    assert during["logger"] == "auditor.test_service_log"
    assert during["time"].endswith("+00:00")
    assert (before["run_id"], after["run_id"], after["schedule"]) == (None, None, None)


def test_concurrent_runs_on_threads_keep_their_own_ids(json_log):
    barrier = threading.Barrier(2)

    def work(run_id: str, schedule: str) -> None:
        with run_context(run_id, schedule):
            barrier.wait()
            LOG.info("working")
            barrier.wait()

    threads = [
        threading.Thread(target=work, args=("run-a", "nightly")),
        threading.Thread(target=work, args=("run-b", "hourly")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    pairs = {(line["run_id"], line["schedule"]) for line in lines(json_log)}
    assert pairs == {("run-a", "nightly"), ("run-b", "hourly")}
    assert current_run().run_id is None


def test_the_context_is_reset_even_when_the_run_raises():
    with pytest.raises(ValueError), run_context("r1", "s1"):
        raise ValueError("boom")
    assert RUN_CONTEXT.get() is None


def test_foreign_exception_messages_are_kept_out_of_the_log(json_log):
    secret = "".join(["Bearer ", "abc", "123"])
    try:
        raise ConnectionError(secret)
    except ConnectionError:
        LOG.exception("collector failed")
    (line,) = lines(json_log)
    assert line["error"] == "ConnectionError"
    assert "test_foreign_exception_messages" in str(line["traceback"])
    assert "abc123" not in json_log.getvalue()


def test_own_errors_keep_their_secret_free_message():
    error = InputFileError("file not found", file="people.csv")
    assert describe_error(error) == "InputFileError: people.csv: file not found"
    assert describe_error(KeyError("x")) == "KeyError"


def test_text_format_tags_the_line_with_schedule_and_run():
    stream = io.StringIO()
    handler = configure_logging(stream, "text")
    try:
        with run_context("r9", "weekly"):
            LOG.error("mail failed")
        LOG.info("idle")
    finally:
        remove_handler(handler)
    tagged, plain = stream.getvalue().splitlines()
    assert tagged.endswith(" ERROR [weekly r9] mail failed")
    assert plain.endswith(" INFO idle")


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown log format"):
        configure_logging(io.StringIO(), "xml")  # type: ignore[arg-type]


def test_progress_from_worker_threads_carries_the_run_that_created_it(json_log):
    with run_context("run-7", "nightly"):
        progress = ServiceProgress()
    now = datetime(2026, 11, 22, tzinfo=UTC)
    reports = [
        SourceReport("directory", SourceStatus.COMPLETE, now),
        SourceReport(
            "x", SourceStatus.FAILED, now, (SourceProblem(kind="rate_limit", detail="429"),)
        ),
        SourceReport(
            "github", SourceStatus.PARTIAL, now, (SourceProblem(kind="permission", detail="403"),)
        ),
        SourceReport("linkedin", SourceStatus.PARTIAL, now),  # a truncated listing only
    ]
    workers = [threading.Thread(target=progress.collector_finished, args=(r,)) for r in reports]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(5)
    progress.checks_started(12)
    found = {line["message"]: (line["level"], line["run_id"]) for line in lines(json_log)}
    assert found == {
        "source directory read": ("info", "run-7"),
        "source x failed (rate_limit)": ("warning", "run-7"),
        "source github read with 1 problem(s) (permission)": ("warning", "run-7"),
        "source linkedin read partially (a listing was cut short)": ("warning", "run-7"),
        "evaluating 12 check(s)": ("info", "run-7"),
    }
