"""The watch end to end on the sandbox: real engine, real store, real receiver, Apprise to a
local endpoint. A hijack by webhook and by poll; a burst of 1,000 deliveries; forged ones;
SIGTERM mid-burst; ``demo --watch``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from watch_fixtures import (
    INTRUDER,
    SECRET,
    demo_org,
    demo_sandbox,
    free_port,
    keepalive_sender,
    member_added,
    write_config,
)

from auditor.cli.main import main
from auditor.cli.watch import started_watch
from auditor.config.loading import load_config
from auditor.core.models import Change, Status
from auditor.sandbox.alert_sink import AlertSink
from auditor.sandbox.changes import add_github_member, add_x_post, rewrite_x_profile
from auditor.sandbox.webhooks import Delivery, github_delivery, github_member_event, post
from auditor.store.database import Store

ROOT = Path(__file__).resolve().parents[4]
SCAM = "Giving back! Send 0.05 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq and receive 0.1 BTC back"


def new_admin_alerts(sink: AlertSink) -> list[str]:
    return [r.text for r in sink.received if "eve-hijack" in r.text or "Eve" in r.text]


def test_a_webhook_hijack_is_alerted_once_even_in_a_burst_of_1000(tmp_path: Path) -> None:
    with demo_sandbox() as sandbox, AlertSink() as sink:
        config = load_config(write_config(tmp_path, sandbox, alert_url=sink.apprise_url))
        with started_watch(config) as running:
            service = running.service
            first = service.step()
            assert first.run is not None and len(first.accounts) == 2
            assert service.step().run is None  # nothing due, nothing pending
            forged = member_added(demo_org(sandbox))
            headers = {**forged.headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}
            assert post(running.url + "/webhooks/github", Delivery(headers, forged.body)) == 401
            assert service.step().run is None  # a forged delivery never reaches a check

            sandbox.change_world(add_github_member(sandbox.world, "northwind-labs", INTRUDER))
            org = demo_org(sandbox)
            payload = github_member_event("member_added", org, INTRUDER)
            deliveries = [github_delivery("organization", payload, SECRET) for _ in range(1000)]
            send = keepalive_sender(running.url)

            loop_runs = []
            stop = threading.Event()

            def loop() -> None:
                while not stop.is_set():
                    result = service.step()
                    if result.run is not None:
                        loop_runs.append(result)
                    else:
                        time.sleep(0.05)

            worker = threading.Thread(target=loop)
            worker.start()
            with ThreadPoolExecutor(max_workers=16) as pool:
                statuses = list(pool.map(send, deliveries))
            deadline = time.monotonic() + 60
            while running.service.inbox.pending() and time.monotonic() < deadline:
                time.sleep(0.1)
            stop.set()
            worker.join()
            assert statuses.count(202) == 1000
            assert running.service.inbox.pending() == []
            assert running.service.inbox.count() == 1000
            assert 1 <= len(loop_runs) <= 20  # a burst is read in a few runs, not 1,000
            assert sum(r.deliveries for r in loop_runs) == 1000
            new_admin = [
                f
                for r in loop_runs
                for f in r.run.findings  # type: ignore[union-attr]
                if f.check_id == "access.new-admin"
                and f.status is Status.FAIL
                and f.change is Change.NEW  # the demo's planted unexpected admin persists
            ]
            assert new_admin and all(
                "eve" in f.subject.lower() or "9200666" in f.subject for f in new_admin
            )
    texts = new_admin_alerts(sink)
    fingerprints = [t.rsplit("fingerprint ", 1)[-1] for t in texts]
    assert texts and len(fingerprints) == len(set(fingerprints))  # each finding alerted once
    assert any(t.startswith("github northwind-labs: ") for t in texts)


def test_a_scoped_run_hands_on_the_other_accounts_evidence(tmp_path: Path) -> None:
    with demo_sandbox() as sandbox:
        config = load_config(write_config(tmp_path, sandbox))
        with started_watch(config) as running:
            service = running.service
            first = service.step().run
            assert post(running.url + "/webhooks/github", member_added(demo_org(sandbox))) == 202
            second = service.step()
            assert second.accounts == frozenset({"account:github:northwind-labs"})
    assert first is not None and second.run is not None
    with Store(tmp_path / "watch.db") as store:
        prior = store.previous_run("Northwind Outfitters", ["content.scam-pattern"])
    assert prior is not None and prior.run.run_id == second.run.id
    x_now = prior.run.evidence.accounts["account:x:northwind_help"]
    x_sources = {s.name: s for s in second.run.sources}
    assert x_sources["x"].requests == 0  # X was not read again ...
    assert x_now.observed_at <= first.finished_at  # ... its evidence is the first run's
    resolved = [
        f
        for f in second.run.findings
        if f.asset.key.startswith("account:x:") and f.change.value == "resolved"
    ]
    assert resolved == []


def test_a_polled_hijack_is_alerted_within_the_interval(tmp_path: Path) -> None:
    with demo_sandbox() as sandbox, AlertSink() as sink:
        config = load_config(write_config(tmp_path, sandbox, alert_url=sink.apprise_url))
        stop = threading.Event()
        with started_watch(config) as running:
            loop = threading.Thread(target=running.service.serve, args=(stop,))
            loop.start()
            try:
                deadline = time.monotonic() + 60
                while running.service.runs < 1 and time.monotonic() < deadline:
                    time.sleep(0.05)
                world = rewrite_x_profile(sandbox.world, "northwind_help", description=SCAM)
                sandbox.change_world(
                    add_x_post(world, "northwind_help", "1800000000000000998", SCAM)
                )
                changed = time.monotonic()
                interval = running.service.plans["x"].interval_s
                got = sink.wait_for("x @northwind_help: Account-takeover scam", interval + 10)
            finally:
                stop.set()
                loop.join()
    assert got is not None, [r.text for r in sink.received]
    assert got.at - changed <= interval + 10
    assert "scam" in got.text.lower()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_mid_burst_keeps_every_acknowledged_delivery(tmp_path: Path) -> None:
    port = free_port()
    with demo_sandbox() as sandbox:
        config = write_config(tmp_path, sandbox, watch={"port": port})
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "auditor", "watch", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if requests.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.1)
            acknowledged: list[str] = []
            lock = threading.Lock()
            org = demo_org(sandbox)

            def send(i: int) -> None:
                delivery = member_added(org, delivery_id=f"term-{i}")
                if i == 150:
                    proc.send_signal(signal.SIGTERM)
                try:
                    status = post(url + "/webhooks/github", delivery, timeout_s=10)
                except requests.RequestException:
                    return
                if status == 202:
                    with lock:
                        acknowledged.append(f"github:term-{i}")

            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(send, range(600)))
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert len(acknowledged) >= 150
    import sqlite3

    with sqlite3.connect(tmp_path / "watch.db") as conn:
        stored = {row[0] for row in conn.execute("SELECT delivery_id FROM watch_deliveries")}
    assert set(acknowledged) <= stored
    assert SECRET.decode() not in err.decode()


def test_demo_watch_shows_a_hijack_found_and_alerted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--out", str(tmp_path / "demo"), "--watch", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Alert (webhook" in out and "Alert (poll" in out
    assert "github northwind-labs:" in out and "x @northwind_help:" in out


def test_a_second_watch_on_the_same_store_refuses_to_start(tmp_path: Path) -> None:
    from auditor.core.errors import UserError
    from auditor.service.scheduler import single_instance

    with demo_sandbox() as sandbox:
        config = write_config(tmp_path, sandbox)
        Store(tmp_path / "watch.db").close()
        with (
            single_instance(tmp_path / "watch.db", "watch"),
            pytest.raises(UserError, match=r"another watch \(pid \d+\)"),
        ):
            _serve(config)
        # the scheduler's lock is another one: watch and schedule run side by side
        with single_instance(tmp_path / "watch.db"):
            assert main(["watch", "--config", str(config), "--plan"]) == 0


def _serve(config: Path) -> int:
    import argparse

    from auditor.cli.watch import watch_command

    return watch_command(argparse.Namespace(config=str(config), plan=False, log_format="text"))


def test_a_watch_run_waits_for_a_scheduled_run_holding_the_store(tmp_path: Path) -> None:
    import sqlite3

    with demo_sandbox() as sandbox:
        config = load_config(write_config(tmp_path, sandbox))
        with started_watch(config) as running:
            holder = sqlite3.connect(
                tmp_path / "watch.db", isolation_level=None, check_same_thread=False
            )
            holder.execute("BEGIN IMMEDIATE")  # a scheduled run is saving its findings
            released = threading.Timer(1.5, lambda: holder.execute("COMMIT"))
            released.start()
            started = time.monotonic()
            result = running.service.step()
            released.join()
            holder.close()
    assert result.run is not None
    assert time.monotonic() - started >= 1.4
    with Store(tmp_path / "watch.db") as store:
        assert [r.id for r in store.history("Northwind Outfitters", 5)] == [result.run.id]
