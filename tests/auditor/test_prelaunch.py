"""Pre-launch claim list against the sandbox: handles, domains, registered lookalikes, outputs and
exit codes."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.errors import UserError
from auditor.engine.prelaunch import exit_code, render_text, run_prelaunch
from auditor.sandbox import RunningSandbox, start_sandbox
from auditor.sandbox.world import world_from_mapping

WORLD = {
    "x": {"me": "1", "users": [{"id": "55", "username": "trailpro", "name": "Trail | Pro `fan`"}]},
    "rdap": {
        "domains": [
            {"name": "trailpro.com", "registrar": "Squatter Names", "expires": "+100d"},
            {"name": "trai1pro.com", "registrar": "Anon Registrar Ltd"},
        ]
    },
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(sandbox: RunningSandbox, **policy: Any) -> AppConfig:
    urls = sandbox.base_urls
    raw = {
        "organization": {"name": "Northwind Outfitters", "email_domains": ["northwind.example"]},
        "platforms": {
            "x": {"base_url": urls["x"], "token": "t", "retries": 0},
            "rdap": {"base_url": urls["rdap"], "retries": 0},
        },
        "whois": {"server": f"127.0.0.1:{_free_port()}", "timeout_s": 1},
        "network": {"allow_private": True},
        "policy": {"lookalike_cap": 20, **policy},
    }
    return AppConfig(ConfigModel.model_validate(raw), Path("brand-audit.yaml"))


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(world_from_mapping(WORLD), faults=[]) as running:
        yield running


def test_taken_names_and_lookalikes_are_listed(sandbox: RunningSandbox, tmp_path: Path) -> None:
    lines: list[str] = []
    code = run_prelaunch(
        _config(sandbox),
        name="Trail Pro",
        tlds=["com", ".io"],
        platforms=["x"],
        out=tmp_path,
        echo=lines.append,
    )
    assert code == 1
    report = json.loads((tmp_path / "prelaunch.json").read_text())
    assert report["handle"] == "trailpro"
    assert report["handles"] == [
        {
            "platform": "x",
            "handle": "trailpro",
            "status": "taken",
            "account_id": "55",
            "display_name": "Trail | Pro `fan`",
            "error": None,
        }
    ]
    assert {d["domain"]: d["status"] for d in report["domains"]} == {
        "trailpro.com": "taken",
        "trailpro.io": "available",
    }
    assert [row["domain"] for row in report["lookalikes"]] == ["trai1pro.com"]
    assert report["lookalikes_checked"] == 20 and report["lookalikes_generated"] > 1000
    text = (tmp_path / "prelaunch.md").read_text()
    assert (
        "| x | trailpro | taken | Trail / Pro 'fan' |" in text
    )  # fetched text cannot break the table
    assert "free to claim: trailpro.io" in lines[0]


def test_all_free_is_exit_zero(sandbox: RunningSandbox, tmp_path: Path) -> None:
    code = run_prelaunch(
        _config(sandbox),
        name="Zephyrine",
        tlds=["net"],
        platforms=["x"],
        out=tmp_path,
        echo=lambda _: None,
    )
    assert code == 0


def test_failed_lookups_are_exit_three(tmp_path: Path) -> None:
    faults = [{"platform": "rdap", "kind": "server_error"}]
    printed: list[str] = []
    with start_sandbox(world_from_mapping(WORLD), faults=faults) as running:
        code = run_prelaunch(
            _config(running),
            name="Zephyrine",
            tlds=["net"],
            platforms=["x"],
            out=tmp_path,
            echo=printed.append,
        )
    assert code == 3
    report = json.loads((tmp_path / "prelaunch.json").read_text())
    assert report["domains"][0]["status"] == "unknown" and report["domains"][0]["error"] == "server"
    # a lookup that failed is said, never silently left out of "free" and "taken"
    assert "could not check: zephyrine.net (server)" in printed[0]


def test_claim_list_files_are_owner_only(sandbox: RunningSandbox, tmp_path: Path) -> None:
    out = tmp_path / "claims" / "new"
    previous = os.umask(0)
    try:
        run_prelaunch(
            _config(sandbox),
            name="Zephyrine",
            tlds=["net"],
            platforms=["x"],
            out=out,
            echo=lambda _: None,
        )
    finally:
        os.umask(previous)
    for path in (out / "prelaunch.json", out / "prelaunch.md"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700


def test_bad_input_is_a_user_error(sandbox: RunningSandbox, tmp_path: Path) -> None:
    config = _config(sandbox)
    with pytest.raises(UserError, match="--name"):
        run_prelaunch(config, name="!", out=tmp_path)
    with pytest.raises(UserError, match="--tlds"):
        run_prelaunch(config, name="Trail Pro", tlds=["c m"], out=tmp_path)
    with pytest.raises(UserError, match="--platforms"):
        run_prelaunch(config, name="Trail Pro", platforms=["instagram"], out=tmp_path)


def test_exit_code_and_text_rendering_of_an_empty_report() -> None:
    report = {
        "name": "X",
        "handle": "x",
        "checked_at": "now",
        "handles": [],
        "domains": [],
        "lookalikes": [],
        "lookalikes_checked": 0,
        "lookalikes_generated": 0,
        "lookalikes_unknown": 0,
    }
    assert exit_code(report) == 0
    assert render_text(report).startswith("# Pre-launch claim list: X")
