"""Fixtures for the command-line tests: the engine's fakes (``tests/auditor/engine_fakes.py``)
wired where the CLI builds collectors and the registry, and a runner that captures the output
(the tests in ``tests/auditor/cli/`` import ``engine_fakes`` through the path added here)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # engine_fakes

from engine_fakes import FakeCollector, registry

from auditor.cli import run as cli_run
from auditor.cli.main import main

CliRunner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the CLI use fake collectors and the fake registry; returns a setter."""
    chosen: dict[str, list[FakeCollector]] = {"collectors": []}
    monkeypatch.setattr("auditor.collectors.build_collectors", lambda config: chosen["collectors"])
    monkeypatch.setattr(cli_run, "load_registry", registry)

    def use(*collectors: FakeCollector) -> None:
        chosen["collectors"] = list(collectors)

    return use


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``brand-audit ARGV...``; returns (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
