"""``mute``, ``unmute``, ``mutes`` and the mutes file, through the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine_fakes import FakeCollector, people, write_config


def _audit(cli, cfg: Path, out: Path) -> dict:  # type: ignore[no-untyped-def]
    code, _, err = cli("run", "--config", str(cfg), "--out", str(out), "--format", "json")
    assert code in (0, 1), err
    return json.loads((out / "report.json").read_text())  # type: ignore[no-any-return]


def _fingerprint(report: dict, status: str) -> str:  # type: ignore[type-arg]
    return next(f["fingerprint"] for f in report["findings"] if f["status"] == status)


def _day(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_re_muting_shows_the_change_and_needs_replace(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path)
    fp = _fingerprint(_audit(cli, cfg, tmp_path / "out"), "fail")
    base = ["mute", fp, "--config", str(cfg), "--owner", "ciso", "--expires", _day(10)]
    assert cli(*base, "--reason", "contract ends")[0] == 0
    code, _, err = cli(*base, "--reason", "another reason")
    assert code == 2
    assert "already muted" in err and "--replace" in err
    assert "reason: 'contract ends' -> 'another reason'" in err
    code, out, _ = cli(*base, "--reason", "another reason", "--replace")
    assert code == 0
    assert "changed reason: 'contract ends' -> 'another reason'" in out


def test_muting_a_passing_result_needs_preemptive(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(ben="departed", alice="active")]))
    cfg = write_config(tmp_path)
    fp = _fingerprint(_audit(cli, cfg, tmp_path / "out"), "pass")
    base = ["mute", fp, "--config", str(cfg), "--owner", "ciso", "--reason", "r"]
    code, _, err = cli(*base, "--expires", _day(3))
    assert code == 2 and "--preemptive" in err and "is pass" in err
    assert cli(*base, "--expires", _day(3), "--preemptive")[0] == 0


def test_expiry_is_capped_by_policy_max_mute_days(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path, policy={"max_mute_days": 30})
    fp = _fingerprint(_audit(cli, cfg, tmp_path / "out"), "fail")
    base = ["mute", fp, "--config", str(cfg), "--owner", "ciso", "--reason", "r"]
    code, _, err = cli(*base, "--expires", "2099-12-31")
    assert code == 2 and "max_mute_days (30)" in err
    assert cli(*base, "--expires", _day(30))[0] == 0


def test_unmute_reopens_and_mutes_lists_check_asset_subject_and_the_day_as_written(
    wire, cli, tmp_path
):
    wire(FakeCollector(items=[people(ben="departed")]))
    cfg = write_config(tmp_path)
    out = tmp_path / "out"
    fp = _fingerprint(_audit(cli, cfg, out), "fail")
    until = _day(19)
    cli("mute", fp, "--config", str(cfg), "--owner", "ciso", "--reason", "r", "--expires", until)
    code, listing, _ = cli("mutes", "--config", str(cfg))
    assert code == 0
    row = listing.splitlines()[1].split()
    assert row[:6] == [
        "active",
        until,
        "access.fake-departed",
        "organization:acme",
        "ben@acme.example",
        fp,
    ]
    assert _fingerprint(_audit(cli, cfg, out), "muted") == fp
    code, said, _ = cli("unmute", fp, "--config", str(cfg))
    assert code == 0 and fp in said
    assert _fingerprint(_audit(cli, cfg, out), "fail") == fp
    code, _, err = cli("unmute", fp, "--config", str(cfg))
    assert code == 2 and "no mute recorded" in err


def test_the_mutes_file_mutes_by_pattern_and_refuses_a_far_expiry(wire, cli, tmp_path):
    wire(FakeCollector(items=[people(ben="departed", bob="departed")]))
    rules = {
        "mutes": [
            {
                "check": "access",  # a category
                "asset": "acme",
                "subject": "ben@*",
                "reason": "leaver process runs Friday",
                "owner": "it@acme.example",
                "ticket": "SEC-7",
                "expires": _day(5),
            }
        ]
    }
    (tmp_path / "mutes.yaml").write_text(json.dumps(rules))
    cfg = write_config(tmp_path, mutes="mutes.yaml")
    report = _audit(cli, cfg, tmp_path / "out")
    by_subject = {f["subject"]: f for f in report["findings"]}
    ben, bob = by_subject["ben@acme.example"], by_subject["bob@acme.example"]
    assert ben["status"] == "muted" and ben["mute"]["owner"] == "it@acme.example"
    assert ben["mute"]["expires_on"] == _day(5)  # the day as written, not the moment after
    assert (ben["mute"]["ticket"], ben["mute"]["origin"]) == ("SEC-7", "mutes.yaml entry 1")
    assert bob["status"] == "fail"
    listing = cli("mutes", "--config", str(cfg))[1]
    assert "mutes.yaml entry 1 (SEC-7)" in listing and "ben@*" in listing
    rules["mutes"][0]["expires"] = "2099-12-31"
    (tmp_path / "mutes.yaml").write_text(json.dumps(rules))
    code, _, err = cli("validate", "--config", str(cfg))
    assert code == 2 and err.count("\n") == 1
    assert "mutes.yaml: mutes.0.expires: expected an expiry at most" in err
