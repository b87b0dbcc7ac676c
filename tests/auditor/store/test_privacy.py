"""The store's key, schema upgrade, erasure (``forget``) and erasure log."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime, timedelta

import pytest
from pydantic import TypeAdapter

from auditor.core.errors import StoreError
from auditor.core.evidence import Evidence
from auditor.core.models import Mute
from auditor.core.registry import Baseline
from auditor.engine.runner import audit
from auditor.store import privacy
from auditor.store.database import Store
from auditor.store.privacy import ERASED, key_path, keyed_digest, store_key
from auditor.store.schema import UPGRADES
from tests.auditor.engine.privacy_fakes import (
    ADMIN,
    CUSTOMER,
    CUSTOMER_EMAIL,
    account,
    reply_text,
)
from tests.auditor.engine_fakes import T0, FakeCollector, config, people, registry


def stored_bytes(folder) -> bytes:
    """Every byte of the store and its companions."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("audit.db*")))


def two_runs(tmp_path, store: Store) -> None:
    """Two audits of @acme whose reply names a customer, and a departed person."""
    for day in (0, 1):
        now = T0 + timedelta(days=day)
        collectors = [
            FakeCollector(name="x", items=[account(now)]),
            FakeCollector(items=[people(ben="departed")]),
        ]
        audit(config(tmp_path), registry=registry(), collectors=collectors, store=store, now=now)


def test_the_key_is_private_stable_and_beside_the_store(tmp_path) -> None:
    path = tmp_path / "audit.db"
    first = store_key(path)
    assert len(first) == 32 and store_key(path) == first
    assert key_path(path) == tmp_path / "audit.db.key"
    assert stat.S_IMODE(key_path(path).stat().st_mode) == 0o600
    key_path(path).write_text("not hex")
    with pytest.raises(ValueError):
        store_key(path)


def test_upgrade_minimises_an_older_store_in_one_step(tmp_path) -> None:
    path = tmp_path / "audit.db"
    evidence = Evidence(T0, people=people(ben="departed"), accounts={"account:x:acme": account()})
    Store(path, upgrades=UPGRADES[:1]).close()
    conn = sqlite3.connect(path)  # a run stored as before the upgrade: the full text
    conn.execute(
        "INSERT INTO runs (id, started_at, finished_at, tool_version, config_digest,"
        " estate_name, status) VALUES ('legacy', ?, ?, '0', 'd', 'Acme', 'ok')",
        (T0.isoformat(), T0.isoformat()),
    )
    snapshot = TypeAdapter(Evidence).dump_json(evidence).decode()
    conn.execute("INSERT INTO evidence VALUES ('legacy', ?)", (snapshot,))
    conn.commit()
    conn.close()
    assert CUSTOMER.encode() in stored_bytes(tmp_path)
    with Store(path) as store:
        assert store.schema_version == UPGRADES[-1].version
        snapshot = store.previous_run("Acme").run.evidence
    reply = snapshot.accounts["account:x:acme"].posts[1]
    assert reply.text == "" and reply.text_digest == keyed_digest(store_key(path), reply_text())
    assert snapshot.people is None
    assert CUSTOMER.encode() not in stored_bytes(tmp_path)
    assert b"555-0199" not in stored_bytes(tmp_path)


def test_forget_a_customer_erases_every_form_and_logs_counts_only(tmp_path) -> None:
    with Store(tmp_path / "audit.db") as store:
        two_runs(tmp_path, store)
        key = store.key
        counts = store.forget(f"@{CUSTOMER}", requested_by="dpo@acme.example", now=T0)
        assert counts["posts"] == 2 and counts["snapshots changed"] == 2
        rows = sqlite3.connect(tmp_path / "audit.db").execute("SELECT snapshot FROM evidence")
        for (snapshot,) in rows.fetchall():
            posts = TypeAdapter(Evidence).validate_json(snapshot).accounts["account:x:acme"].posts
            reply = {p.id: p for p in posts}["101"]
            assert (reply.text, reply.text_digest) == ("", None)  # the post id stays
        [(at, by, logged)] = store.erasures()
    assert (by, logged) == ("dpo@acme.example", counts) and at.startswith("2026-10-01")
    raw = stored_bytes(tmp_path)
    for gone in (
        CUSTOMER.encode(),
        b"@t***",
        b"+1 *** *** 0199",
        keyed_digest(key, reply_text()).split(":")[1].encode(),
        privacy.person_digest(key, CUSTOMER).split(":")[1].encode(),
        privacy.person_digest(key, CUSTOMER_EMAIL).split(":")[1].encode(),
    ):
        assert gone not in raw


def test_forget_an_admin_erases_role_holders_findings_mutes_and_baselines(tmp_path) -> None:
    with Store(tmp_path / "audit.db") as store:
        two_runs(tmp_path, store)
        fingerprint = store.previous_run("Acme").findings.popitem()[0]
        store.add_mute(Mute(fingerprint, f"accepted, ask {ADMIN}", ADMIN, datetime(2027, 1, 1), T0))
        store.accept_baseline(
            Baseline("account:x:acme", account().profile, ADMIN, "checked by Mallory", T0)
        )
        store.accept_baseline(Baseline("account:x:other", account().profile, "dpo", "ok", T0))
        counts = store.forget(ADMIN.upper(), requested_by="dpo", now=T0)
        assert counts["role holders"] == 2 and counts["mute notes"] == 1
        assert counts["baselines"] == 1
        ev = store.previous_run("Acme").run.evidence
        assert ev.accounts["account:x:acme"].roles == ()
        mute = store.list_mutes()[fingerprint]
        assert (mute.reason, mute.owner) == (f"accepted, ask {ERASED}", ERASED)
        assert store.baselines()["account:x:acme"].accepted_by == ERASED
        assert store.baselines()["account:x:other"].accepted_by == "dpo"
    assert ADMIN.encode() not in stored_bytes(tmp_path)
    assert b"Gear since 1998" in stored_bytes(tmp_path)  # the rest stays


def test_forget_refuses_while_a_run_holds_the_store(tmp_path) -> None:
    path = tmp_path / "audit.db"
    with Store(path) as running, running.holding(), Store(path) as other:
        with pytest.raises(StoreError, match="a run is using the audit store"):
            other.forget("@someone", requested_by="dpo", now=T0)
        assert other.erasures() == []


def test_an_erasure_killed_midway_leaves_the_store_as_it_was(tmp_path, monkeypatch) -> None:
    with Store(tmp_path / "audit.db") as store:
        two_runs(tmp_path, store)
        before = (
            sqlite3.connect(tmp_path / "audit.db")
            .execute("SELECT snapshot FROM evidence ORDER BY run_id")
            .fetchall()
        )

        def killed(*_: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(privacy, "_erase_baselines", killed)
        with pytest.raises(KeyboardInterrupt):
            store.forget(f"@{CUSTOMER}", requested_by="dpo", now=T0)
        after = (
            sqlite3.connect(tmp_path / "audit.db")
            .execute("SELECT snapshot FROM evidence ORDER BY run_id")
            .fetchall()
        )
        assert after == before and store.erasures() == []


def test_forget_of_someone_unknown_changes_nothing_but_the_log(tmp_path) -> None:
    with Store(tmp_path / "audit.db") as store:
        two_runs(tmp_path, store)
        assert store.forget("nobody@example.org", requested_by="dpo", now=T0) == {}
        assert len(store.erasures()) == 1
