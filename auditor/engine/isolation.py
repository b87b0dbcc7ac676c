"""The collector isolation boundary, written once: one broken source never stops a run.

Both collection phases (:func:`auditor.engine.runner.collect` and the linked-domain phase of
:mod:`auditor.engine.link_phase`) run a collector's work through :func:`isolated`:

- a :class:`~auditor.core.errors.UserError` (a missing or malformed company file) passes through:
  it is the user's to fix (one line, exit 2);
- a :class:`~auditor.core.errors.CollectionError` becomes a failed :class:`SourceReport` with one
  problem of that error's kind (its secret-free detail and scope);
- any other exception becomes one ``internal`` problem naming the exception's class (never its
  message, which may hold anything).

Either way the boundary records what it caught: the exception's class is logged with the source
name and phase, and the report's status is ``failed``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from auditor.collectors.base import CollectorOutput
from auditor.core.completeness import SourceStatus
from auditor.core.errors import CollectionError, ErrorKind, UserError
from auditor.core.models import SourceProblem, SourceReport

log = logging.getLogger(__name__)


def isolated(name: str, phase: str, work: Callable[[], CollectorOutput]) -> CollectorOutput:
    """``work()``, or a failed output for source ``name`` naming what ``phase`` raised."""
    started = time.monotonic()
    try:
        return work()
    except UserError:
        raise  # a bad input file is the user's to fix: one line, exit 2
    except CollectionError as exc:
        caught: Exception = exc
        problem = SourceProblem(kind=exc.kind.value, detail=exc.detail, scope=exc.scope)
    except Exception as exc:  # isolation boundary: one broken collector never stops the run
        caught = exc
        detail = f"the {name} {phase} failed unexpectedly ({type(exc).__name__})"
        problem = SourceProblem(kind=ErrorKind.INTERNAL.value, detail=detail)
    log.info("%s: %s caught at the isolation boundary (%s)", name, type(caught).__name__, phase)
    return failed_output(name, problem, time.monotonic() - started)


def failed_output(name: str, problem: SourceProblem, duration_s: float) -> CollectorOutput:
    """An output with no evidence and a ``failed`` report holding ``problem``."""
    report = SourceReport(
        name=name,
        status=SourceStatus.FAILED,
        observed_at=datetime.now(UTC),
        problems=(problem,),
        duration_s=duration_s,
    )
    return CollectorOutput(report=report, items=())
