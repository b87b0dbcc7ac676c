"""``brand-audit checks --coverage`` and the README's table say the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.cli.admin import coverage_markdown
from auditor.cli.main import main
from auditor.cli.run import load_registry

README = Path(__file__).resolve().parents[3] / "README.md"
TABLE = re.compile(r"<!-- coverage-table:start -->\n(.*?)<!-- coverage-table:end -->", re.S)


def test_the_command_prints_one_row_per_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "--coverage"]) == 0
    printed = capsys.readouterr().out
    registry = load_registry()
    rows = [line for line in printed.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(registry.specs)  # the header, then every check
    assert printed == coverage_markdown(registry)


def test_the_readme_table_is_the_commands_output() -> None:
    found = TABLE.search(README.read_text(encoding="utf-8"))
    assert found is not None, "README.md lost its coverage-table markers"
    assert found.group(1) == coverage_markdown(load_registry()), (
        "README's coverage table is stale: paste the output of 'brand-audit checks --coverage'"
    )
