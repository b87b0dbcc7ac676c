"""Commands and paths wired across helpers: ``rdap-refresh`` against the sandbox, and the
scheduler's firing id reaching the stored run and every log line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from engine_fakes import write_config

from auditor.cli.main import main
from auditor.collectors.registration.lookup import build_lookup
from auditor.collectors.registration.rdap import Bootstrap
from auditor.config.loading import load_config
from auditor.sandbox import start_sandbox
from auditor.store.database import Store


@pytest.fixture(scope="module")
def rdap_base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    world = folder / "world.yaml"
    domains = [{"name": "acme.example"}, {"name": "acme-shop.test"}]
    world.write_text(yaml.safe_dump({"rdap": {"domains": domains}}), encoding="utf-8")
    with start_sandbox(world) as sandbox:
        yield sandbox.base_urls["rdap"]


def test_rdap_refresh_stores_the_bootstrap_that_later_runs_use(rdap_base, tmp_path, capsys):
    config = write_config(tmp_path, network={"allow_private": True})
    code = main(
        ["rdap-refresh", "--config", str(config), "--url", rdap_base + "/bootstrap/dns.json"]
    )
    out = capsys.readouterr().out.splitlines()
    path = tmp_path / "rdap_dns.json"
    assert code == 0 and out == [f"RDAP bootstrap refreshed: 2 TLD(s) written to {path}"]
    assert Bootstrap.load(path).base_for("acme.example") == rdap_base + "/"
    lookup = build_lookup(load_config(config))  # no rdap base_url: the bootstrap decides
    assert lookup.rdap is not None
    assert lookup.rdap.url_for("www.acme.example") == rdap_base + "/domain/www.acme.example"


def test_rdap_refresh_failures_are_one_line_and_leave_no_file(rdap_base, tmp_path, capsys):
    guarded = write_config(tmp_path)  # network.allow_private is off: loopback is refused
    url = rdap_base + "/bootstrap/dns.json"
    assert main(["rdap-refresh", "--config", str(guarded), "--url", url]) == 2
    missing = write_config(tmp_path, network={"allow_private": True})
    assert main(["rdap-refresh", "--config", str(missing), "--url", rdap_base + "/nope"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("could not refresh the RDAP bootstrap" in e for e in err)
    assert not (tmp_path / "rdap_dns.json").exists()


def test_the_firing_id_names_the_stored_run_and_every_log_line(tmp_path, capsys):
    from scheduler_fakes import write_config as write_scheduled

    schedules = [{"name": "nightly", "cron": "0 2 * * *"}]
    config = write_scheduled(tmp_path, schedules=schedules)
    main(["schedule", "--config", str(config), "--run-now", "nightly", "--log-format", "json"])
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    with Store(Path(tmp_path / "audit.db")) as store:
        (run,) = store.history("Acme")
    assert lines and {line["run_id"] for line in lines} == {run.id}
    assert any(line["message"] == "source directory read" for line in lines)
