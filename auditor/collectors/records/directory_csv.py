"""The people directory from a CSV file, and its collector.

Columns (header row, any order, case-insensitive): ``email``, ``name``, ``status``,
``departed_on``, and optionally ``two_sv_enrolled`` (true/false, empty when unknown) and
``aliases`` (other addresses of the same mailbox, separated by ``;``, ``,`` or spaces).
``status`` is one of active, suspended, departed, deleted; ``departed_on`` is ``YYYY-MM-DD`` or
empty. Any problem is an :class:`~auditor.core.errors.InputFileError` naming the row and column.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.records.record_file import CsvRow, parse_bool, parse_date, read_csv
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.errors import InputFileError
from auditor.core.evidence import PeopleDirectory, Person, PersonStatus
from auditor.core.models import SourceReport

SOURCE = "directory"
"""Source name of the CSV directory."""

REQUIRED = ("email", "name", "status", "departed_on")
"""Columns every directory CSV must have."""

ALIASES = {
    "e-mail": "email",
    "primary_email": "email",
    "departed": "departed_on",
    "departure_date": "departed_on",
    "2sv_enrolled": "two_sv_enrolled",
    "two_sv": "two_sv_enrolled",
}
"""Other header spellings accepted for the canonical columns."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPLIT = re.compile(r"[;,\s]+")


def parse_directory(path: Path, observed_at: datetime) -> PeopleDirectory:
    """Read the directory CSV at ``path``."""
    name = str(path)
    people: list[Person] = []
    seen: dict[str, int] = {}
    for row in read_csv(path, required=REQUIRED, aliases=ALIASES):
        person = _person(row, name)
        for address in (person.email, *person.aliases):
            if address in seen:
                raise InputFileError(
                    f"address already listed on row {seen[address]}",
                    file=name,
                    field=f"row {row.number}, email",
                )
            seen[address] = row.number
        people.append(person)
    return PeopleDirectory(source=SOURCE, observed_at=observed_at, people=tuple(people))


def _person(row: CsvRow, file: str) -> Person:
    where = f"row {row.number}"
    email = row.get("email").lower()
    if not _EMAIL.match(email):
        raise InputFileError("expected an email address", file=file, field=f"{where}, email")
    status_text = row.get("status").lower()
    try:
        status = PersonStatus(status_text)
    except ValueError:
        allowed = ", ".join(s.value for s in PersonStatus)
        raise InputFileError(
            f"expected one of {allowed}", file=file, field=f"{where}, status"
        ) from None
    departed_on = parse_date(row.get("departed_on"), file=file, field=f"{where}, departed_on")
    aliases = tuple(a.lower() for a in _SPLIT.split(row.get("aliases")) if a)
    for alias in aliases:
        if not _EMAIL.match(alias):
            raise InputFileError(
                "expected email addresses separated by ';'", file=file, field=f"{where}, aliases"
            )
    return Person(
        email=email,
        name=row.get("name") or email,
        status=status,
        departed_on=departed_on,
        two_sv_enrolled=parse_bool(
            row.get("two_sv_enrolled"), file=file, field=f"{where}, two_sv_enrolled"
        ),
        aliases=aliases,
    )


class DirectoryCsvCollector(Collector):
    """Reads the people directory CSV named by ``sources.directory.csv``."""

    name = SOURCE
    capabilities = Capabilities(source=SOURCE, facets=frozenset({Facet.DIRECTORY}))

    def __init__(self, path: Path) -> None:
        self.path = path

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Parse the file; InputFileError (a user error) when it is missing or malformed."""
        started = time.perf_counter()
        directory = parse_directory(self.path, ctx.now)
        directory = replace(directory, facets={Facet.DIRECTORY: Completeness.complete()})
        report = SourceReport(
            name=SOURCE,
            status=SourceStatus.COMPLETE,
            observed_at=ctx.now,
            duration_s=time.perf_counter() - started,
        )
        return CollectorOutput(report=report, items=(directory,))
