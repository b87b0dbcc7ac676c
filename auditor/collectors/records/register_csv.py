"""The approved-content register from a CSV file, and its collector.

Columns (header row, any order, case-insensitive): ``platform``, ``handle``, ``post_id``,
``text``, ``approved_by``, ``approved_on``. Each row approves one post: by its platform id once
it is published (``post_id``), or by its text (matched by the content checks after
normalisation) when the id is not known yet; at least one of the two is required.
``approved_on`` is ``YYYY-MM-DD`` or empty.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.records.record_file import CsvRow, parse_date, read_csv
from auditor.config.loading import PLATFORMS
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.errors import InputFileError
from auditor.core.evidence import ContentRegister, RegisterEntry
from auditor.core.models import SourceReport

SOURCE = "register"
"""Source name of the register."""

REQUIRED = ("platform", "handle", "post_id", "text", "approved_by", "approved_on")
"""Columns every register CSV must have."""


def parse_register(path: Path, observed_at: datetime) -> ContentRegister:
    """Read the register CSV at ``path``."""
    name = str(path)
    entries = tuple(_entry(row, name) for row in read_csv(path, required=REQUIRED))
    return ContentRegister(source=SOURCE, observed_at=observed_at, entries=entries)


def _entry(row: CsvRow, file: str) -> RegisterEntry:
    where = f"row {row.number}"
    platform = row.get("platform").lower()
    if platform not in PLATFORMS:
        raise InputFileError(
            f"expected one of {', '.join(PLATFORMS)}", file=file, field=f"{where}, platform"
        )
    handle = row.get("handle")
    if not handle:
        raise InputFileError("expected the account handle", file=file, field=f"{where}, handle")
    post_id = row.get("post_id") or None
    text = row.get("text") or None
    if post_id is None and text is None:
        raise InputFileError(
            "expected a post_id or the approved text", file=file, field=f"{where}, post_id"
        )
    approved_by = row.get("approved_by")
    if not approved_by:
        raise InputFileError(
            "expected who approved the post", file=file, field=f"{where}, approved_by"
        )
    return RegisterEntry(
        platform=platform,
        handle=handle,
        post_id=post_id,
        text=text,
        approved_by=approved_by,
        approved_on=parse_date(row.get("approved_on"), file=file, field=f"{where}, approved_on"),
    )


class RegisterCsvCollector(Collector):
    """Reads the approved-content register named by ``sources.register.csv``."""

    name = SOURCE
    capabilities = Capabilities(source=SOURCE, facets=frozenset({Facet.REGISTER}))

    def __init__(self, path: Path) -> None:
        self.path = path

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Parse the file; InputFileError (a user error) when it is missing or malformed."""
        started = time.perf_counter()
        register = replace(
            parse_register(self.path, ctx.now), facets={Facet.REGISTER: Completeness.complete()}
        )
        report = SourceReport(
            name=SOURCE,
            status=SourceStatus.COMPLETE,
            observed_at=ctx.now,
            duration_s=time.perf_counter() - started,
        )
        return CollectorOutput(report=report, items=(register,))
