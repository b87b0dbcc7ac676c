"""The demo estate audited in-process against the sandbox, with or without faults, for the fault
benchmarks (:mod:`bench.faults`, :mod:`bench.outage`).

:func:`prepare` builds the demo's config (dates moved to today, as ``brand-audit demo`` does) and a
store holding the demo's history: the estate a week ago, audited fault-free, with its profiles
accepted as baselines. :func:`audit_demo` then audits the current estate once on a private copy of
that store, with the sandbox injecting the given faults, and says how long it took and how many
HTTP requests reached the sandbox. Nothing is written outside the given folder.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.cli.demo import BASELINE_BY, dates_as_of, demo_world, resolve_estate
from auditor.cli.run import load_registry
from auditor.collectors import build_collectors
from auditor.config.loading import AppConfig, load_config
from auditor.core.models import AuditRun
from auditor.engine.runner import run_audit
from auditor.sandbox import start_sandbox
from auditor.sandbox.faults import Fault, FaultPlan
from auditor.sandbox.world import DEMO_WORLD, World
from auditor.store.baselines import accept_latest
from auditor.store.database import Store


@dataclass(frozen=True)
class Demo:
    """The prepared demo: its config, its current world and a store with its history."""

    config: AppConfig
    """The demo config (dates moved to today)."""
    world: World
    """The current epoch of the demo world."""
    history: Path
    """A store holding the week-old run and its accepted baselines (copied per audit)."""


@dataclass(frozen=True)
class DemoAudit:
    """One audit of the current demo estate."""

    run: AuditRun
    """The stored run."""
    seconds: float
    """Wall time of the audit (collection, checks, store), sandbox start excluded."""
    requests: int
    """HTTP requests the sandbox received during the audit."""


def prepare(folder: Path) -> Demo:
    """The demo's config and a history store under ``folder``."""
    text = DEMO_WORLD.read_text(encoding="utf-8")
    days = (datetime.now(UTC).date() - dates_as_of(text)).days
    config = load_config(resolve_estate(_demo_config(), folder / "estate", days))
    history = folder / "history.db"
    before = demo_world(text, days, "previous")
    then = datetime.now(UTC) - (before.previous_age or timedelta(days=7))
    with start_sandbox(before) as sandbox, Store(history) as store:
        wired = config.with_endpoints(sandbox.base_urls, sandbox.whois_server, allow_private=True)
        _audit(wired, store, then)
        accept_latest(
            store, config.estate.organization.name, by=BASELINE_BY, reason="bench", now=then
        )
    return Demo(config, demo_world(text, days, "current"), history)


def audit_demo(
    demo: Demo,
    store_path: Path,
    faults: FaultPlan | Sequence[Fault] = (),
    *,
    timeout_s: float | None = None,
    history: bool = True,
) -> DemoAudit:
    """Audit the current estate on a copy of the history at ``store_path`` (a new store when
    ``history`` is False: a first audit) with ``faults`` (``timeout_s``: every platform's
    timeout, so that timeout faults cost seconds)."""
    if history:
        shutil.copyfile(demo.history, store_path)
    plan = faults if isinstance(faults, FaultPlan) else list(faults)
    with start_sandbox(demo.world, faults=plan) as sandbox, Store(store_path) as store:
        wired = demo.config.with_endpoints(
            sandbox.base_urls, sandbox.whois_server, allow_private=True
        )
        if timeout_s is not None:
            wired = _with_timeout(wired, timeout_s)
        served = sandbox.requests_served
        started = time.monotonic()
        run = _audit(wired, store, None)
        seconds = time.monotonic() - started
        return DemoAudit(run, seconds, sandbox.requests_served - served)


def _with_timeout(config: AppConfig, timeout_s: float) -> AppConfig:
    """``config`` with every platform's timeout set to ``timeout_s``."""
    model = config.model
    platforms = {
        name: settings.model_copy(update={"timeout_s": timeout_s})
        for name, settings in model.platforms.items()
    }
    return AppConfig(model.model_copy(update={"platforms": platforms}), config.path)


def _audit(config: AppConfig, store: Store, now: datetime | None) -> AuditRun:
    return run_audit(
        config,
        registry=load_registry(),
        collectors=build_collectors(config),
        store=store,
        now=now,
    )


def _demo_config() -> Path:
    from auditor.cli.demo import DEMO_CONFIG

    return DEMO_CONFIG
