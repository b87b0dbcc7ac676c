"""The webhook receiver on a real uvicorn server on 127.0.0.1: every POST verified before it is
parsed; replays, forgeries, oversized, malformed and out-of-order deliveries; a burst of 1,000
in a second; the store busy; Meta's handshake."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from watch_fixtures import (
    META_SECRET,
    SECRET,
    VERIFY_TOKEN,
    handshake,
    keepalive_sender,
    live_receiver,
    member_added,
)

from auditor.http.signatures import sign, verify
from auditor.sandbox.webhooks import (
    Delivery,
    github_delivery,
    github_installation,
    github_renamed,
    meta_delivery,
    meta_page_change,
    post,
)
from auditor.store.database import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    Store(path).close()
    return path


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"a": 1}'
    header = sign(SECRET, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify(SECRET, body, header)
    assert not verify(SECRET, body + b" ", header)
    assert not verify(b"other", body, header)
    assert not verify(SECRET, body, None)
    assert not verify(SECRET, body, header.replace("sha256=", "sha1="))
    assert not verify(b"", body, sign(b"", body))


def test_a_signed_delivery_is_stored_before_it_is_acknowledged(db: Path) -> None:
    with live_receiver(db) as live:
        status = post(live.url + "/webhooks/github", member_added(delivery_id="d-1"))
        assert status == 202
        pending = live.inbox.pending()
        assert [(p.delivery_id, p.account_key, p.kind) for p in pending] == [
            ("github:d-1", "account:github:northwind-labs", "organization.member_added")
        ]
        assert live.wakes == [1]


def test_a_replayed_delivery_is_answered_but_not_stored_twice(db: Path) -> None:
    with live_receiver(db) as live:
        first = member_added(delivery_id="same-guid")
        assert post(live.url + "/webhooks/github", first) == 202
        assert post(live.url + "/webhooks/github", first) == 200
        # the same GUID with a different (validly signed) body is still the same delivery
        assert post(live.url + "/webhooks/github", member_added(delivery_id="same-guid")) == 200
        assert live.inbox.count() == 1
        assert live.receiver.tally.counts["duplicate"] == 2


@pytest.mark.parametrize(
    ("headers", "outcome"),
    [
        ({"X-Hub-Signature-256": None}, "unsigned"),
        ({"X-Hub-Signature-256": sign(b"wrong-secret", b"{}")}, "forged"),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, "forged"),
        ({"X-Hub-Signature-256": "garbage"}, "forged"),
    ],
)
def test_unsigned_and_forged_deliveries_are_401_and_never_stored(
    db: Path, headers: dict[str, str | None], outcome: str
) -> None:
    good = member_added()
    sent = {k: v for k, v in {**good.headers, **headers}.items() if v is not None}
    with live_receiver(db) as live:
        assert post(live.url + "/webhooks/github", Delivery(sent, good.body)) == 401
        assert live.inbox.count() == 0
        assert live.wakes == []
        assert live.receiver.tally.counts[outcome] == 1


def test_a_body_signed_for_one_platform_is_refused_by_the_other(db: Path) -> None:
    payload = meta_page_change("200000000000001", "name", {"name": "x"})
    with live_receiver(db) as live:
        wrong = Delivery(
            meta_delivery(payload, SECRET).headers, meta_delivery(payload, SECRET).body
        )
        assert post(live.url + "/webhooks/meta", wrong) == 401
        assert live.inbox.count() == 0


def test_an_oversized_body_is_413_whether_declared_or_streamed(db: Path) -> None:
    big = b'{"pad": "' + b"a" * 5000 + b'"}'
    headers = {**member_added().headers, "X-Hub-Signature-256": sign(SECRET, big)}
    with live_receiver(db, max_body=4096) as live:
        assert post(live.url + "/webhooks/github", Delivery(headers, big)) == 413

        def chunks():  # no Content-Length: chunked transfer encoding
            for start in range(0, len(big), 1000):
                yield big[start : start + 1000]

        response = requests.post(
            live.url + "/webhooks/github", data=chunks(), headers=headers, timeout=10
        )
        assert response.status_code == 413
        assert live.inbox.count() == 0


def test_a_wrong_content_type_is_415(db: Path) -> None:
    good = member_added()
    for kind in ("application/x-www-form-urlencoded", "text/plain", ""):
        headers = {**good.headers, "Content-Type": kind}
        with live_receiver(db) as live:
            assert post(live.url + "/webhooks/github", Delivery(headers, good.body)) == 415
            assert live.inbox.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"action": 3}',
        b'{"action": "member_added"}',
        b"\xff\xfe",
        b"[" * 5000,
    ],
)
def test_a_signed_but_malformed_body_is_400(db: Path, body: bytes) -> None:
    headers = {**member_added().headers, "X-Hub-Signature-256": sign(SECRET, body)}
    with live_receiver(db, max_body=8192) as live:
        assert post(live.url + "/webhooks/github", Delivery(headers, body)) == 400
        assert live.inbox.count() == 0


def test_a_github_delivery_without_its_guid_is_400(db: Path) -> None:
    good = member_added()
    headers = {k: v for k, v in good.headers.items() if k != "X-GitHub-Delivery"}
    with live_receiver(db) as live:
        assert post(live.url + "/webhooks/github", Delivery(headers, good.body)) == 400


def test_events_about_unwatched_orgs_and_pings_are_ignored(db: Path) -> None:
    with live_receiver(db) as live:
        other = member_added({"login": "someone-else", "id": 1})
        assert post(live.url + "/webhooks/github", other) == 202
        ping = github_delivery("ping", {"zen": "Keep it simple."}, SECRET)
        assert post(live.url + "/webhooks/github", ping) == 202
        assert live.inbox.count() == 0
        assert live.receiver.tally.counts["ignored"] == 2


def test_renamed_and_installation_events_find_the_org(db: Path) -> None:
    with live_receiver(db) as live:
        renamed = github_renamed({"login": "northwind-labs-new", "id": 9100001}, "northwind-labs")
        assert (
            post(live.url + "/webhooks/github", github_delivery("organization", renamed, SECRET))
            == 202
        )
        installed = github_installation(
            "created", {"login": "northwind-labs", "id": 9100001}, "evil-app"
        )
        assert (
            post(live.url + "/webhooks/github", github_delivery("installation", installed, SECRET))
            == 202
        )
        kinds = sorted(p.kind for p in live.inbox.pending())
        assert kinds == ["installation.created", "organization.renamed"]


def test_out_of_order_deliveries_are_all_kept(db: Path) -> None:
    newer = meta_page_change("200000000000001", "website", {"website": "https://evil.example"})
    older = {**newer, "entry": [{**newer["entry"][0], "time": newer["entry"][0]["time"] - 3600}]}
    with live_receiver(db) as live:
        assert post(live.url + "/webhooks/meta", meta_delivery(newer, META_SECRET)) == 202
        assert post(live.url + "/webhooks/meta", meta_delivery(older, META_SECRET)) == 202
        # each only says "read this page again": the run reads the page's state as it is now
        assert live.inbox.count() == 2
        assert {p.account_key for p in live.inbox.pending()} == {"account:meta:northwindoutfitters"}


def test_meta_handshake_answers_the_challenge_only_with_the_token(db: Path) -> None:
    with live_receiver(db) as live:
        ok = handshake(live.url, VERIFY_TOKEN, "1158201444")
        assert (ok.status_code, ok.text) == (200, "1158201444")
        bad = handshake(live.url, "guess", "1")
        assert bad.status_code == 403


def test_a_meta_retry_of_the_same_notification_is_a_duplicate(db: Path) -> None:
    payload = meta_page_change("200000000000001", "feed", {"item": "post", "verb": "add"})
    with live_receiver(db) as live:
        delivery = meta_delivery(payload, META_SECRET)
        assert post(live.url + "/webhooks/meta", delivery) == 202
        assert post(live.url + "/webhooks/meta", delivery) == 200
        assert live.inbox.count() == 1


def test_a_burst_of_1000_deliveries_in_a_second_loses_nothing(db: Path) -> None:
    deliveries = [member_added(delivery_id=f"burst-{i}") for i in range(1000)]
    with live_receiver(db) as live:
        send = keepalive_sender(live.url)

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(send, deliveries))
        elapsed = time.monotonic() - started
        assert statuses.count(202) == 1000, (statuses.count(202), elapsed)
        assert live.inbox.count() == 1000
        assert len(live.inbox.pending()) == 1000


def test_a_delivery_waits_for_a_busy_store_and_is_then_stored(db: Path) -> None:
    with live_receiver(db) as live:
        holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # a scheduled run's transaction holds the write lock
        released = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
        released.start()
        started = time.monotonic()
        status = post(live.url + "/webhooks/github", member_added(delivery_id="busy"))
        waited = time.monotonic() - started
        released.join()
        holder.close()
        assert status == 202
        assert waited >= 0.9
        assert live.inbox.count() == 1


def test_no_secret_or_body_reaches_the_log(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with live_receiver(db) as live:
        post(live.url + "/webhooks/github", member_added())
        forged = member_added()
        post(
            live.url + "/webhooks/github",
            Delivery({**forged.headers, "X-Hub-Signature-256": "sha256=" + "1" * 64}, forged.body),
        )
        handshake(live.url, VERIFY_TOKEN, "7")
    # what the server side logged (the test's own HTTP client logs its request lines)
    text = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("auditor", "uvicorn", "starlette"))
    )
    for secret in (SECRET.decode(), META_SECRET.decode(), VERIFY_TOKEN, "eve.hijack", "sha256="):
        assert secret not in text
    assert "forged" in text
