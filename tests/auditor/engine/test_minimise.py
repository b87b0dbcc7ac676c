"""The persisted snapshot is minimised; checks keep reading the run's full evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from privacy_fakes import CUSTOMER, CUSTOMER_EMAIL, PHONE, STREET, account, reply_text

from auditor.collectors.base import CollectContext
from auditor.collectors.platforms.post_history import previous_evidence
from auditor.core.evidence import Evidence
from auditor.engine.minimise import EXCERPT_CHARS, minimise
from auditor.engine.runner import audit
from auditor.store.database import Store
from auditor.store.privacy import RETAINED_DETAIL, keyed_digest, person_digest
from tests.auditor.engine_fakes import T0, FakeCollector, config, people, registry

KEY = bytes(range(32))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "audit.db") as opened:
        yield opened


def test_post_text_becomes_a_keyed_digest_and_a_masked_excerpt(tmp_path) -> None:
    estate = config(tmp_path).estate
    evidence = Evidence(T0, people=people(ben="departed"), accounts={"account:x:acme": account()})
    kept, refs = minimise(evidence, KEY, estate)
    reply = kept.accounts["account:x:acme"].posts[1]
    assert reply.text_digest == keyed_digest(KEY, reply_text())
    assert CUSTOMER not in reply.text and PHONE not in reply.text
    assert CUSTOMER_EMAIL not in reply.text and STREET not in reply.text
    assert reply.text.startswith("@t*** so sorry! We called +1 *** *** 0199")
    assert "[street address]" in reply.text
    assert "@acme" in reply.text  # the company's own handle stays
    assert "https://acme.example/help" in reply.text  # links survive masking
    assert (reply.id, reply.created_at, reply.is_reply) == ("101", T0 - timedelta(hours=2), True)
    assert {r.digest for r in refs} == {
        person_digest(KEY, f"@{CUSTOMER}"),
        person_digest(KEY, CUSTOMER_EMAIL),
    }
    assert {(r.account_key, r.post_id) for r in refs} == {("account:x:acme", "101")}
    # the company's records are read afresh each run: not kept
    assert kept.people is None and kept.vault is None and kept.register is None
    assert kept.handles == ()
    # what baselines and the access checks compare stays whole
    assert kept.accounts["account:x:acme"].profile == account().profile
    assert kept.accounts["account:x:acme"].roles == account().roles


def test_a_long_post_is_cut_and_a_minimised_post_is_left_alone(tmp_path) -> None:
    estate = config(tmp_path).estate
    long = replace(account(), posts=(replace(account().posts[0], text="word " * 400),))
    kept, _ = minimise(Evidence(T0, accounts={"account:x:acme": long}), KEY, estate)
    once = kept.accounts["account:x:acme"].posts[0]
    assert len(once.text) == EXCERPT_CHARS and once.text.endswith("…")
    again, refs = minimise(kept, KEY, estate)
    assert again.accounts["account:x:acme"].posts[0] == once and refs == []


def test_collectors_never_carry_a_minimised_post(tmp_path) -> None:
    cfg = config(tmp_path)
    spec = cfg.estate.accounts[0]
    full = Evidence(T0, accounts={"account:x:acme": account()})
    kept, _ = minimise(full, KEY, cfg.estate)
    ctx = CollectContext(cfg.estate, cfg.policy, T0, full)
    assert previous_evidence(ctx, spec) is not None  # whole text: carried
    ctx = CollectContext(cfg.estate, cfg.policy, T0, kept)
    assert previous_evidence(ctx, spec) is None  # only an excerpt: the window is read again


def test_checks_read_the_full_evidence_and_the_store_the_minimised_one(tmp_path, store) -> None:
    collector = FakeCollector(name="x", items=[account()])
    result = audit(
        config(tmp_path), registry=registry(), collectors=[collector], store=store, now=T0
    )
    assert result.evidence.accounts["account:x:acme"].posts[1].text == reply_text()
    stored = store.previous_run("Acme").run.evidence.accounts["account:x:acme"].posts
    assert stored[1].text_digest is not None and CUSTOMER not in stored[1].text
    raw = (tmp_path / "audit.db").read_bytes() + (tmp_path / "audit.db-wal").read_bytes()
    assert CUSTOMER.encode() not in raw and b"555-0199" not in raw


def test_change_detection_works_from_the_minimised_previous_snapshot(tmp_path, store) -> None:
    first = FakeCollector(name="x", items=[account()])
    audit(config(tmp_path), registry=registry(), collectors=[first], store=store, now=T0)
    later = T0 + timedelta(days=1)
    second = FakeCollector(name="x", items=[account(later, with_reply=False)])
    audit(config(tmp_path), registry=registry(), collectors=[second], store=store, now=later)
    before = second.seen_previous[0].accounts["account:x:acme"]
    now_ids = {p.id for p in account(later, with_reply=False).posts}
    assert [p.id for p in before.posts if p.id not in now_ids] == ["101"]  # the deleted reply
    assert [p.created_at for p in before.posts] == [p.created_at for p in account().posts]
    assert before.profile == account().profile  # profile changes vs the previous run


def test_retention_drops_old_snapshots_and_the_details_of_their_findings(tmp_path, store) -> None:
    cfg = config(tmp_path, storage={"path": "audit.db", "retention_days": 30})
    directory = FakeCollector(items=[people(ben="departed")])
    old = audit(cfg, registry=registry(), collectors=[directory], store=store, now=T0).run
    late = T0 + timedelta(days=31)
    new = audit(cfg, registry=registry(), collectors=[directory], store=store, now=late).run
    assert store.previous_run("Acme").run.run_id == new.id
    [kept] = store.findings_of(old.id, [f.fingerprint for f in old.findings if f.subject])
    assert kept.detail == RETAINED_DETAIL and kept.evidence.facts == {}
    assert (kept.status, kept.severity) == (old.findings[0].status, old.findings[0].severity)
    assert [r.id for r in store.history("Acme")] == [new.id, old.id]  # the history stays
    [fresh] = store.findings_of(new.id, [kept.fingerprint])
    assert fresh.first_seen == T0 and "ben@acme.example is departed" in fresh.detail


def test_retention_defaults_to_400_days(tmp_path) -> None:
    assert config(tmp_path).model.storage.retention_days == 400
