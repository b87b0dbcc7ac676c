"""Reading company-record files (CSV and JSON exports) safely, with one-line errors.

Shared by the directory, vault and register parsers. Every problem becomes an
:class:`~auditor.core.errors.InputFileError` naming the file, the row or field, and what was
expected. Messages never repeat a cell's content: a vault export's cells are secrets, and any
record file is untrusted text that should not reach a terminal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from auditor.core.errors import InputFileError

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Refuse record files larger than this (a vault export of 100,000 items is ~60 MB)."""

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "enrolled", "on"})
"""Spellings read as True in boolean CSV columns."""

FALSE_WORDS = frozenset({"false", "no", "n", "0", "not enrolled", "off"})
"""Spellings read as False in boolean CSV columns."""


@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV file, keyed by canonical (lower-case) column name."""

    number: int
    """1-based line number of the row in the file (the header is line 1)."""
    cells: Mapping[str, str]
    """Stripped cell values by canonical column name; absent optional columns are missing."""

    def get(self, column: str) -> str:
        """The cell, or ``""`` when the column is absent or empty."""
        return self.cells.get(column, "")


def read_text(path: Path) -> str:
    """The file's UTF-8 text (a leading BOM is dropped); InputFileError when unreadable."""
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputFileError("file not found", file=name) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputFileError(f"cannot read file ({exc.__class__.__name__})", file=name) from None
    if not path.is_file():
        raise InputFileError("expected a file, found something else", file=name)
    if size > MAX_FILE_BYTES:
        raise InputFileError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB", file=name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read file ({exc.__class__.__name__})", file=name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"expected UTF-8 text (invalid byte at offset {exc.start})", file=name
        ) from None


def read_json(path: Path) -> Any:
    """Parsed JSON; InputFileError with the line and column of a syntax error."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"expected JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=str(path)
        ) from None
    except RecursionError:
        raise InputFileError("expected JSON: nesting is too deep", file=str(path)) from None


def read_csv(
    path: Path,
    *,
    required: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> list[CsvRow]:
    """Rows of a CSV file with a header. Column names match case-insensitively; ``aliases``
    maps other spellings to canonical names. Missing ``required`` columns, ragged rows and
    malformed quoting raise InputFileError."""
    text = read_text(path)
    name = str(path)
    rows: list[CsvRow] = []
    reader = _reader(text, name)
    header = _header(reader, name, required, aliases or {})
    for number, cells in _numbered(reader, name):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputFileError(
                f"expected {len(header)} cells like the header, found {len(cells)}",
                file=name,
                field=f"row {number}",
            )
        values = {col: cell.strip() for col, cell in zip(header, cells, strict=True) if col}
        rows.append(CsvRow(number=number, cells=values))
    return rows


def _reader(text: str, name: str) -> Iterator[list[str]]:
    if "\x00" in text:
        raise InputFileError("expected CSV text, found NUL bytes", file=name)
    return csv.reader(io.StringIO(text, newline=""), strict=True)


def _numbered(reader: Iterator[list[str]], name: str) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise InputFileError(
                "expected well-formed CSV (bad quoting or an over-long cell)",
                file=name,
                field=f"row {number + 1}",
            ) from None
        number = getattr(reader, "line_num", number + 1)
        yield number, cells


def _header(
    reader: Iterator[list[str]], name: str, required: Sequence[str], aliases: Mapping[str, str]
) -> list[str]:
    try:
        raw = next(reader)
    except StopIteration:
        raise InputFileError("file is empty; expected a header row", file=name) from None
    except csv.Error:
        raise InputFileError("expected a well-formed CSV header", file=name) from None
    header: list[str] = []
    for cell in raw:
        key = cell.strip().lower()
        header.append(aliases.get(key, key))
    missing = [c for c in required if c not in header]
    if missing:
        raise InputFileError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"expected a header with {', '.join(required)}",
            file=name,
            field="header",
        )
    seen: set[str] = set()
    for col in header:
        if col and col in seen:
            raise InputFileError(f"column {col} appears twice", file=name, field="header")
        seen.add(col)
    return header


def parse_date(value: str, *, file: str, field: str) -> date | None:
    """``YYYY-MM-DD`` (or an ISO date-time, whose date is taken); None when empty."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise InputFileError("expected a date like 2026-08-31", file=file, field=field) from None


def parse_bool(value: str, *, file: str, field: str) -> bool | None:
    """true/false (yes/no, 1/0); None when empty."""
    word = value.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InputFileError("expected true, false or an empty cell", file=file, field=field)


def parse_timestamp(value: object, *, file: str, field: str) -> datetime | None:
    """An ISO 8601 date-time (``Z`` or an offset; naive means UTC) as aware UTC; None for
    null or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputFileError("expected an ISO 8601 date-time string", file=file, field=field)
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InputFileError(
            "expected an ISO 8601 date-time like 2024-05-01T00:00:00.000Z", file=file, field=field
        ) from None
