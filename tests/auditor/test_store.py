"""The audit store: schema and upgrades, one-transaction saves, crash safety, locking, modes."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from engine_fakes import T0, people

from auditor.core.errors import StoreError
from auditor.core.evidence import Evidence, Profile
from auditor.core.models import (
    Asset,
    AuditRun,
    Category,
    Change,
    EvidenceRef,
    Finding,
    Mute,
    Severity,
    SourceReport,
    Status,
)
from auditor.core.registry import Baseline
from auditor.store.database import UPGRADES, Store, Upgrade

REPO = Path(__file__).resolve().parents[2]


def finding(fp: str, status: Status = Status.FAIL, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        check_id="access.fake-departed",
        category=Category.ACCESS,
        severity=severity,
        status=status,
        asset=Asset.account("x", "acme", "1"),
        subject=fp,
        title="t",
        detail=f"detail {fp}",
        evidence=EvidenceRef("x", T0, {"who": fp}),
        remediation="r",
        fingerprint=fp,
        first_seen=T0,
        change=Change.NEW,
    )


def run(run_id: str, *findings: Finding, estate: str = "Acme", at=T0) -> AuditRun:
    return AuditRun(
        id=run_id,
        started_at=at,
        finished_at=at + timedelta(seconds=5),
        tool_version="0.1.0",
        config_digest="abc",
        estate_name=estate,
        assets=(Asset.account("x", "acme"),),
        findings=findings,
        sources=(SourceReport("x", True, at),),
        checks_run=("access.fake-departed",),
    )


def evidence() -> Evidence:
    return Evidence(collected_at=T0, people=people(alice="active", ben="departed"))


def test_new_store_has_current_schema_and_private_files(tmp_path):
    path = tmp_path / "sub" / "audit.db"
    with Store(path) as store:
        assert store.schema_version == UPGRADES[-1].version
        store.save_run(run("r1", finding("a")), evidence())
        for name in ("audit.db", "audit.db-wal", "audit.db-shm"):
            mode = stat.S_IMODE((path.parent / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))
    tables = {
        r[0]
        for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {"runs", "evidence", "findings", "mutes", "baselines", "schema_version"} <= tables
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_upgrade_steps_run_in_order_once(tmp_path):
    calls: list[int] = []

    def fake_v1(conn: sqlite3.Connection) -> None:
        calls.append(1)
        conn.execute("CREATE TABLE legacy (x INTEGER)")

    def fake_v2(conn: sqlite3.Connection) -> None:
        calls.append(2)
        conn.execute("ALTER TABLE legacy ADD COLUMN y TEXT")

    path = tmp_path / "a.db"
    Store(path, upgrades=(Upgrade(1, "fake v0 to v1", fake_v1),)).close()
    assert calls == [1]
    steps = (Upgrade(1, "fake v0 to v1", fake_v1), Upgrade(2, "fake v1 to v2", fake_v2))
    with Store(path, upgrades=steps) as store:
        assert store.schema_version == 2
    Store(path, upgrades=steps).close()
    assert calls == [1, 2]
    columns = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(legacy)")]
    assert columns == ["x", "y"]


def test_failed_upgrade_step_leaves_the_file_as_it_was(tmp_path):
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x INTEGER)")
        conn.execute("THIS IS NOT SQL")

    path = tmp_path / "a.db"
    Store(path).close()
    with pytest.raises(StoreError, match="cannot upgrade"):
        Store(path, upgrades=(*UPGRADES, Upgrade(UPGRADES[-1].version + 1, "broken", broken)))
    with Store(path) as store:
        assert store.schema_version == UPGRADES[-1].version
    names = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")]
    assert "half" not in names


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "a.db"
    future = Upgrade(UPGRADES[-1].version + 1, "future", lambda conn: None)
    Store(path, upgrades=(*UPGRADES, future)).close()
    with pytest.raises(StoreError, match="newer brand-auditor"):
        Store(path)


def test_corrupt_file_is_a_store_error(tmp_path):
    path = tmp_path / "a.db"
    path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(StoreError, match=r"a\.db"):
        Store(path)


def test_save_and_read_back_previous_run(tmp_path):
    with Store(tmp_path / "a.db") as store:
        assert store.previous_run("Acme") is None
        store.save_run(run("r1", finding("a"), finding("b", Status.PASS)), evidence())
        prior = store.previous_run("Acme", ["access.fake-departed"])
        assert prior is not None
        assert prior.run.run_id == "r1"
        assert prior.run.evidence == evidence()
        assert set(prior.findings) == {"a", "b"}
        assert store.findings_of("r1", ["a", "zz"]) == [finding("a")]
        assert store.findings_of("r1", []) == []
        assert prior.findings["b"].effective_status == "pass"
        assert store.previous_run("Other") is None
        assert store.previous_run("Acme", ["auth.other"]) is None
        assert store.known_fingerprint("a")
        assert not store.known_fingerprint("zzz")


def test_history_counts_and_failed_runs(tmp_path):
    with Store(tmp_path / "a.db") as store:
        store.save_run(
            run("r1", finding("a"), finding("b", Status.PASS), finding("c", Status.NOT_VERIFIED)),
            evidence(),
        )
        store.record_failed_run(
            run_id="r2",
            started_at=T0 + timedelta(hours=1),
            finished_at=T0 + timedelta(hours=1),
            tool_version="0.1.0",
            config_digest="abc",
            estate_name="Acme",
            error="ZeroDivisionError",
        )
        runs = store.history("Acme")
        assert [r.id for r in runs] == ["r2", "r1"]
        assert runs[0].status == "failed"
        assert runs[0].error == "ZeroDivisionError"
        counts = runs[1].counts
        assert counts["status"] == {"fail": 1, "pass": 1, "not_verified": 1}
        assert counts["open_by_severity"] == {"high": 1}
        assert counts["change"] == {"new": 1}
        assert counts["not_verified_by_severity"] == {"high": 1}
        assert counts["assets"] == 1
        assert store.previous_run("Acme").run.run_id == "r1"


def test_a_failed_save_leaves_no_half_run(tmp_path):
    with Store(tmp_path / "a.db") as store:
        duplicate = run("r1", finding("a"), finding("a"))
        with pytest.raises(StoreError, match="save a run"):
            store.save_run(duplicate, evidence())
        assert store.history() == []
        store.save_run(run("r1", finding("a")), evidence())
        assert [r.id for r in store.history()] == ["r1"]


def test_a_process_killed_mid_save_leaves_no_trace(tmp_path):
    path = tmp_path / "a.db"
    Store(path).close()
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from auditor.store import database as store_module
        import test_store as t

        original = store_module.Store._insert_run

        def insert_then_die(self, conn, run):
            original(self, conn, run)
            conn.execute("INSERT INTO evidence VALUES (?, ?)", (run.id, "{{}}"))
            os._exit(9)

        store_module.Store._insert_run = insert_then_die
        s = store_module.Store(store_module.Path({str(path)!r}))
        s.save_run(t.run("r1", t.finding("a")), t.evidence())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False, timeout=60)
    assert done.returncode == 9
    with Store(path) as store:
        assert store.history() == []
        assert not store.known_fingerprint("a")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 0


def test_locked_store_raises_after_the_busy_timeout(tmp_path):
    path = tmp_path / "a.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store(path, busy_timeout_s=0.2) as store, pytest.raises(StoreError, match="locked"):
            store.save_run(run("r1", finding("a")), evidence())
    finally:
        holder.execute("ROLLBACK")


def test_a_second_writer_waits_its_turn(tmp_path):
    path = tmp_path / "a.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    with Store(path, busy_timeout_s=10) as store:
        store.save_run(run("r1", finding("a")), evidence())
        assert [r.id for r in store.history()] == ["r1"]
    assert time.monotonic() - started >= 0.25
    release.join()


def test_first_seen_is_the_earliest_in_the_same_family(tmp_path):
    later = T0 + timedelta(days=3)
    with Store(tmp_path / "a.db") as store:
        store.save_run(run("r1", finding("a")), evidence())
        store.save_run(
            run(
                "r2",
                replace(finding("a"), first_seen=later),
                replace(finding("b"), first_seen=later),
                at=later,
            ),
            evidence(),
        )
        seen = store.first_seen([("a", "fail"), ("b", "fail"), ("a", "pass"), ("zz", "fail")])
    assert seen == {("a", "fail"): T0, ("b", "fail"): later}


def test_mutes_and_baselines_round_trip(tmp_path):
    mute = Mute("a", "accepted", "ciso", T0 + timedelta(days=30), T0)
    base = Baseline("account:x:acme", Profile(display_name="Acme", bio="hi"), "ciso", "ok", T0)
    with Store(tmp_path / "a.db") as store:
        store.add_mute(mute)
        store.add_mute(replace(mute, reason="renewed"))
        store.accept_baseline(base)
        assert store.list_mutes() == {"a": replace(mute, reason="renewed")}
        assert store.baselines() == {"account:x:acme": base}


def test_evidence_holds_no_password_fields(tmp_path):
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.save_run(run("r1", finding("a")), evidence())
    snapshot = sqlite3.connect(path).execute("SELECT snapshot FROM evidence").fetchone()[0]
    assert '"people"' in snapshot
    assert 'password"' not in snapshot


def test_prune_keeps_the_latest_runs_and_their_rows(tmp_path):
    path = tmp_path / "a.db"
    with Store(path) as store:
        for n in range(4):
            store.save_run(run(f"r{n}", finding(f"f{n}"), at=T0 + timedelta(days=n)), evidence())
        store.save_run(run("other", finding("o"), estate="Other"), evidence())
        store.add_mute(Mute("f0", "accepted", "ciso", T0 + timedelta(days=30), T0))
        assert store.prune("Acme", 2) == 2
        assert [r.id for r in store.history("Acme")] == ["r3", "r2"]
        assert [r.id for r in store.history("Other")] == ["other"]
        assert not store.known_fingerprint("f0")
        assert "f0" in store.list_mutes()
        with pytest.raises(StoreError):
            store.prune("Acme", 0)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 3


@pytest.mark.parametrize(
    ("sql", "read"),
    [
        ("UPDATE evidence SET snapshot = '{broken'", lambda s: s.previous_run("Acme")),
        ("UPDATE runs SET counts = 'nope'", lambda s: s.history()),
        ("UPDATE baselines SET profile = '[]'", lambda s: s.baselines()),
        ("UPDATE mutes SET expires = 'someday'", lambda s: s.list_mutes()),
        ("UPDATE findings SET finding = 'x'", lambda s: s.findings_of("r1", ["a"])),
    ],
)
def test_damaged_rows_are_a_store_error(tmp_path, sql, read):
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.save_run(run("r1", finding("a")), evidence())
        store.add_mute(Mute("a", "r", "o", T0, T0))
        store.accept_baseline(Baseline("account:x:acme", Profile(bio="hi"), "ciso", "ok", T0))
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()
    with Store(path) as store, pytest.raises(StoreError, match="unreadable"):
        read(store)


def test_a_store_created_by_another_tool_is_made_private(tmp_path):
    path = tmp_path / "a.db"
    sqlite3.connect(path).execute("CREATE TABLE apscheduler_jobs (id TEXT)").connection.close()
    path.chmod(0o644)
    with Store(path) as store:
        assert store.schema_version == UPGRADES[-1].version
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_new_folders_are_private_whatever_the_umask(tmp_path):
    import os

    old = os.umask(0)
    try:
        Store(tmp_path / "state" / "db" / "a.db").close()
    finally:
        os.umask(old)
    for folder in (tmp_path / "state", tmp_path / "state" / "db"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder.name


def test_a_nul_in_the_path_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="cannot open"):
        Store(tmp_path / "a\0b.db")
