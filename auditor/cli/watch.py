"""``brand-audit watch`` and ``brand-audit demo --watch``: the hijack watch, composed.

Part of the composition root (:mod:`auditor.cli.main`). Here the watch list, the budgets, the
inbox, the alerter, the receiver and the audit function are built and handed to
:class:`auditor.service.watch.service.WatchService`. A watch run is composed like a scheduled
one (:func:`auditor.cli.run.load_registry`, :func:`auditor.collectors.build_collectors`, the
store of ``storage.path``, :func:`auditor.engine.runner.audit`) with the platform collectors
scoped to the due accounts and ``only`` the :data:`~auditor.service.watch.scope.WATCH_CHECKS`;
its log lines carry its run id and the schedule name ``watch``.

- ``watch --config F`` serves until SIGTERM/SIGINT (the run in progress finishes; deliveries
  already acknowledged are stored and read at the next start).
- ``watch --config F --plan`` prints what each platform gets (budget, limit, interval) and exits.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.cli.run import COLLECTOR_SECRETS, load_registry, open_store
from auditor.config.loading import AppConfig, load_config
from auditor.core.estate import AccountSpec
from auditor.core.models import AuditRun
from auditor.engine.runner import audit, new_run_id
from auditor.service.run_log import ServiceProgress, configure_logging, remove_handler, run_context
from auditor.service.watch.alerts import Alerter, alerter_from_config
from auditor.service.watch.budget import PlatformPlan, plan_watch
from auditor.service.watch.inbox import Inbox
from auditor.service.watch.receiver import HookSecrets, Receiver, ServerThread
from auditor.service.watch.scope import WATCH_CHECKS, scoped, watched_accounts
from auditor.service.watch.service import AuditFn, WatchService

if TYPE_CHECKING:
    from auditor.sandbox import RunningSandbox
    from auditor.sandbox.alert_sink import AlertSink, Received

LOG = logging.getLogger("auditor.watch")

SCHEDULE_NAME = "watch"
"""The schedule name watch runs log under."""


def plans_for(config: AppConfig, watched: Sequence[AccountSpec]) -> dict[str, PlatformPlan]:
    """Each watched platform's budget and interval from ``watch:``."""
    watch = config.model.watch
    assert watch is not None  # watched_accounts() refused a config without one
    return plan_watch(watched, watch.budgets, watch.interval_s, watch.safety_poll_s)


def hook_secrets(config: AppConfig) -> HookSecrets:
    """The receiver's secrets from ``watch.github`` and ``watch.meta``."""
    watch = config.model.watch
    assert watch is not None
    meta_token = watch.meta.verify_token if watch.meta else None
    return HookSecrets(
        github=watch.github.secret.get_secret_value().encode() if watch.github else None,
        meta=watch.meta.secret.get_secret_value().encode() if watch.meta else None,
        meta_verify_token=meta_token.get_secret_value() if meta_token else None,
        max_body_bytes=watch.max_body_bytes,
    )


def watch_audit(config: AppConfig, store_path: Path) -> AuditFn:
    """The function a watch step runs: one audit of the due accounts, persisted."""
    from auditor.collectors import build_collectors
    from auditor.collectors.records.sources import preflight

    registry = load_registry()
    preflight(config)

    def run(due: frozenset[str]) -> AuditRun:
        run_id = new_run_id(datetime.now(UTC))
        with run_context(run_id, SCHEDULE_NAME):
            collectors = scoped(build_collectors(config), due)
            with open_store(store_path, config) as store:
                result = audit(
                    config,
                    registry=registry,
                    collectors=collectors,
                    store=store,
                    only=WATCH_CHECKS,
                    progress=ServiceProgress(),
                    run_id=run_id,
                )
        return result.run

    return run


@dataclass
class RunningWatch:
    """A started watch: the service, its receiver's address and the parts to close."""

    service: WatchService
    """The loop (call :meth:`WatchService.serve` or :meth:`WatchService.step`)."""
    receiver: Receiver
    """The webhook handlers (their tally)."""
    url: str
    """``http://host:port`` the receiver listens on."""


@contextmanager
def started_watch(config: AppConfig) -> Iterator[RunningWatch]:
    """Everything ``watch`` needs, started; the receiver stops and the files close on exit."""
    watched = watched_accounts(config)
    watch = config.model.watch
    assert watch is not None
    store_path = config.resolve(config.model.storage.path)
    open_store(store_path, config).close()  # create (0600) or upgrade before the side tables
    alerter: Alerter | None = alerter_from_config(config, store_path)
    with Inbox(store_path) as inbox:
        service = WatchService(
            watched=watched,
            plans=plans_for(config, watched),
            inbox=inbox,
            audit_fn=watch_audit(config, store_path),
            alerter=alerter,
        )
        receiver = Receiver(hook_secrets(config), inbox, watched, service.wake.set)
        server = ServerThread(receiver.app(), watch.bind, watch.port)
        try:
            host, port = server.start()
        except OSError as exc:
            from auditor.core.errors import UserError

            raise UserError(str(exc), file=str(config.path), field="watch.port") from None
        try:
            yield RunningWatch(service, receiver, f"http://{host}:{port}")
        finally:
            server.stop()
            if alerter is not None:
                alerter.close()


def watch_command(args: argparse.Namespace) -> int:
    """``brand-audit watch``: print the plan, or serve until stopped."""
    config = load_config(Path(args.config))
    watched = watched_accounts(config)
    if args.plan:
        print(f"watching {len(watched)} account(s)")
        for plan in plans_for(config, watched).values():
            print(plan.describe())
        return 0
    from auditor.service.scheduler import single_instance, stop_on_signals

    config = config.with_secrets(*COLLECTOR_SECRETS, "watch", "alerts")
    handler = configure_logging(sys.stderr, args.log_format)
    try:
        stop = threading.Event()
        db_path = config.resolve(config.model.storage.path)
        open_store(db_path, config).close()  # its folder exists before the lock goes beside it
        with (
            single_instance(db_path, "watch"),
            started_watch(config) as running,
            stop_on_signals(stop),
        ):
            LOG.info(
                "watching %d account(s); webhooks on %s/webhooks/{github,meta}",
                len(watched),
                running.url,
            )
            running.service.serve(stop)
        LOG.info("watch stopped")
    finally:
        remove_handler(handler)
    return 0


DEMO_INTERVAL_S = 10
"""The demo's asked poll interval."""

DEMO_INTRUDER = {
    "login": "eve-hijack",
    "id": 9200666,
    "name": "Eve",
    "email": "eve.hijack@protonmail.example",
    "role": "admin",
    "two_factor": "none",
}
"""The stranger the demo's hijacker makes an owner of the GitHub organization."""

DEMO_SCAM = (
    "Northwind support is giving back! Send 0.05 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    " and receive 0.1 BTC back within the hour: https://northwind-giveaway.example/claim"
)
"""The scam the demo's hijacker posts on @northwind_help (and puts in its bio)."""


def demo_watch_config(
    config: AppConfig, store_path: Path, secret: str, alert_url: str
) -> AppConfig:
    """The demo config with a ``watch:`` (GitHub org by webhook, @northwind_help by poll) and
    ``alerts:`` to the local sink; the store is the demo's."""
    from pydantic import SecretStr

    from auditor.config.schema import AlertsModel, StorageModel, WatchHookModel, WatchModel

    watch = WatchModel(
        accounts=["github:northwind-labs", "x:northwind_help"],
        interval_s=DEMO_INTERVAL_S,
        port=0,
        github=WatchHookModel(secret=SecretStr(secret)),
    )
    alerts = AlertsModel(urls=[SecretStr(alert_url)])
    storage = config.model.storage.model_copy(update={"path": store_path.resolve()})
    assert isinstance(storage, StorageModel)
    model = config.model.model_copy(update={"watch": watch, "alerts": alerts, "storage": storage})
    return AppConfig(model, config.path)


def demo_watch(config: AppConfig, sandbox: RunningSandbox, store_path: Path) -> int:
    """``demo --watch``: watch two demo accounts, hijack both in the sandbox (a stranger made an
    owner of the GitHub organization, announced by a signed webhook; a scam bio and post on X,
    found by polling), and show the alerts a local endpoint received. Exit 0 when both arrived."""
    import secrets

    from auditor.sandbox.alert_sink import AlertSink

    secret = secrets.token_hex(16)
    with AlertSink() as sink:
        watch_config = demo_watch_config(config, store_path, secret, sink.apprise_url)
        stop = threading.Event()
        with started_watch(watch_config) as running:
            loop = threading.Thread(target=running.service.serve, args=(stop,), daemon=True)
            loop.start()
            try:
                for line in running.service.describe():
                    print(f"Watch: {line}")
                _wait(lambda: running.service.runs >= 1, 120)
                print("Watch: first look taken; now the hijack.")
                pushed = _hijack_by_webhook(sandbox, running.url, secret.encode(), sink)
                polled = _hijack_by_poll(sandbox, running.service.plans["x"].interval_s, sink)
            finally:
                stop.set()
                loop.join(timeout=60)
        print(f"\nAlerts received by the local endpoint ({len(sink.received)}):")
        for received in sink.received:
            print("  " + str(received.message.get("title", "")))
    return 0 if pushed and polled else 1


def _hijack_by_webhook(sandbox: RunningSandbox, url: str, secret: bytes, sink: AlertSink) -> bool:
    """A stranger made an owner of the GitHub organization, then GitHub's signed delivery."""
    import time

    from auditor.sandbox.changes import add_github_member, github_org
    from auditor.sandbox.webhooks import github_delivery, github_member_event, post

    world = add_github_member(sandbox.world, "northwind-labs", DEMO_INTRUDER)
    sandbox.change_world(world)
    changed = time.monotonic()
    event = github_member_event(
        "member_added", github_org(world, "northwind-labs"), DEMO_INTRUDER, sender="eve-hijack"
    )
    status = post(url + "/webhooks/github", github_delivery("organization", event, secret))
    print(f"Hijack 1: eve-hijack made an owner of GitHub northwind-labs; signed webhook: {status}")
    return _show(sink.wait_for("github northwind-labs", 30), "webhook", changed)


def _hijack_by_poll(sandbox: RunningSandbox, interval_s: float, sink: AlertSink) -> bool:
    """A scam bio and post on @northwind_help: X does not push, the poll finds it."""
    import time

    from auditor.sandbox.changes import add_x_post, rewrite_x_profile

    world = rewrite_x_profile(sandbox.world, "northwind_help", description=DEMO_SCAM)
    sandbox.change_world(add_x_post(world, "northwind_help", "1800000000000000999", DEMO_SCAM))
    changed = time.monotonic()
    print("Hijack 2: @northwind_help's bio rewritten and a scam posted (X is polled)")
    return _show(sink.wait_for("x @northwind_help", interval_s + 30), "poll", changed)


def _show(got: Received | None, how: str, since: float) -> bool:
    """Print the first alert a hijack caused (or that none came); True when one did."""
    if got is None:
        print(f"No alert arrived for the {how} hijack.")
        return False
    print(f"\nAlert ({how}, {got.at - since:.1f} s after the change):\n{got.text.strip()}\n")
    return True


def _wait(condition: Callable[[], bool], timeout_s: float) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
