"""``brand-audit demo``: the Northwind Outfitters estate audited over HTTP against the sandbox.

Part of the composition root (:mod:`auditor.cli.main`; ``run``'s parts come from
:mod:`auditor.cli.run`). What the demo adds to ``run``:

- **Dates that hold.** ``config/demo.yaml``, its records (``config/demo/*``) and the sandbox world
  are written as of one day (the world's ``meta_info.dates_as_of``). The demo copies the config
  and records into a temporary folder (removed afterwards: the vault export holds the demo's
  passwords) with every ``YYYY-MM-DD`` moved by the days since then, and loads the world the same
  way, so stale attestations stay stale, overdue reviews overdue and the embargo ahead, whatever
  today is. The run time itself is the real one.
- **History.** When the store under ``--out`` has no run yet, the demo first audits the world's
  ``previous`` epoch (the estate a week ago) with ``now`` that long ago, accepts its profiles as
  baselines (:func:`auditor.store.baselines.accept_latest`, the baseline accept path), then audits the
  current epoch: the change-based checks compare with a real previous run and the report shows a
  trend. A later demo into the same folder audits only the current epoch.
- The store and the email outbox go under ``--out``; the exit code is ``run``'s.
- ``--world clinic`` audits the second demo estate instead (Calder Health: ``config/clinic.yaml``,
  its records ``config/clinic/*`` and the world ``auditor/sandbox/worlds/clinic.yaml``): a Meta
  Business portfolio as an asset, an agency-held page, per-account credentials.
- ``--watch`` then runs the hijack watch on the running sandbox (:func:`auditor.cli.watch.demo_watch`):
  a hijack found and alerted end to end; the exit code is then the watch demo's.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from auditor.config.loading import AppConfig, load_config
from auditor.core.errors import InputFileError, UserError
from auditor.core.private_files import private_folder, write_private
from auditor.sandbox.world import DEMO_WORLD, World, world_from_mapping
from auditor.store.baselines import accept_latest

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "config" / "demo.yaml"
"""The demo estate (the README installs the repository editable)."""

RECORDS = "demo"
"""The folder beside the demo config holding its records (people, vault, register)."""

DEMO_WORLDS = {
    "northwind": (DEMO_CONFIG, DEMO_WORLD),
    "clinic": (DEMO_CONFIG.with_name("clinic.yaml"), DEMO_WORLD.with_name("clinic.yaml")),
}
"""The demo estates by ``--world`` name: (config, sandbox world); each config's records sit
in the folder named like it (``config/demo/``, ``config/clinic/``)."""

BASELINE_BY = "brand-audit demo"
"""Who the demo's baselines are accepted by."""

_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?!\d)")


def shift_dates(text: str, days: int) -> str:
    """Every ``YYYY-MM-DD`` in ``text`` (alone or starting a timestamp) moved by ``days``."""
    if days == 0:
        return text

    def moved(match: re.Match[str]) -> str:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        return (day + timedelta(days=days)).isoformat()

    return _DATE.sub(moved, text)


def dates_as_of(world_text: str) -> date:
    """The day the demo's dates are written as of (the world's ``meta_info.dates_as_of``)."""
    raw = yaml.safe_load(world_text)
    value = raw.get("meta_info", {}).get("dates_as_of") if isinstance(raw, dict) else None
    if not isinstance(value, date):
        raise InputFileError(
            "expected a YYYY-MM-DD date", file=str(DEMO_WORLD), field="meta_info.dates_as_of"
        )
    return value


def resolve_estate(source: Path, dest: Path, days: int, records_name: str = RECORDS) -> Path:
    """Copy the config at ``source`` and its records folder (``records_name`` beside it) into
    ``dest``, dates moved by ``days``; returns the copy's path (relative paths in it keep
    pointing at the copies)."""
    records = source.parent / records_name
    private_folder(dest / records_name)
    for path in sorted(records.iterdir()) if records.is_dir() else ():
        if path.is_file():
            shifted = shift_dates(path.read_text(encoding="utf-8"), days)
            write_private(dest / records_name / path.name, shifted.encode("utf-8"))
    config = dest / source.name
    write_private(config, shift_dates(source.read_text(encoding="utf-8"), days).encode("utf-8"))
    return config


def demo_world(world_text: str, days: int, epoch: str) -> World:
    """The demo world with its dates moved by ``days``, in ``epoch``."""
    try:
        raw: Any = yaml.safe_load(shift_dates(world_text, days))
    except yaml.YAMLError:
        raise InputFileError("is not valid YAML", file=str(DEMO_WORLD)) from None
    return world_from_mapping(raw, DEMO_WORLD, epoch=epoch)


def has_runs(store_path: Path, config: AppConfig) -> bool:
    """True when the store under ``--out`` holds a finished run of the demo estate."""
    from auditor.cli.run import open_store

    if not store_path.is_file():
        return False
    with open_store(store_path, config) as store:
        return store.previous_run(config.estate.organization.name) is not None


def run_demo(args: argparse.Namespace) -> int:
    """``brand-audit demo``; see the module docstring."""
    source, world_path = DEMO_WORLDS[getattr(args, "world", None) or "northwind"]
    if not source.is_file() or not world_path.is_file():
        raise UserError(
            "the demo config is missing (install the repository, see README)", file=str(source)
        )
    world_text = world_path.read_text(encoding="utf-8")
    days = (datetime.now(UTC).date() - dates_as_of(world_text)).days
    with tempfile.TemporaryDirectory(prefix="brand-audit-demo-") as tmp:
        config = load_config(resolve_estate(source, Path(tmp), days, source.stem))
        return _audit_epochs(args, config, world_text, days)


def _audit_epochs(args: argparse.Namespace, config: AppConfig, world_text: str, days: int) -> int:
    from auditor.cli.run import audit_and_write, demo_mail, execute, open_store, resolve_options
    from auditor.sandbox import start_sandbox

    options = resolve_options(args, config)
    out = Path(args.out)
    if args.email:
        config = demo_mail(config, out)
    store_path = out / config.model.storage.path.name
    if not has_runs(store_path, config):
        before = demo_world(world_text, days, "previous")
        age = before.previous_age or timedelta(days=7)
        then = datetime.now(UTC) - age
        with start_sandbox(before) as sandbox:
            wired = config.with_endpoints(
                sandbox.base_urls, sandbox.whois_server, allow_private=True
            )
            done = audit_and_write(
                wired, replace(options, formats=()), store_path, out, quiet=True, now=then
            )
        with open_store(store_path, config) as store:
            reason = f"demo: the estate as of {then:%Y-%m-%d}, before the planted changes"
            found = accept_latest(
                store, config.estate.organization.name, by=BASELINE_BY, reason=reason, now=then
            )
        accepted = len(found[1]) if found else 0
        print(
            f"Audit {done.result.run.id}: the estate as of {then:%Y-%m-%d} ({age.days} days ago);"
            f" accepted {accepted} profile baseline(s)"
        )
    with start_sandbox(demo_world(world_text, days, "current")) as sandbox:
        wired = config.with_endpoints(sandbox.base_urls, sandbox.whois_server, allow_private=True)
        code = execute(wired, options, store_path, out, email=args.email, quiet=args.quiet)
        if getattr(args, "watch", False):
            from auditor.cli.watch import demo_watch

            return demo_watch(wired, sandbox, store_path)
        return code
