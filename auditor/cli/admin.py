"""The smaller ``brand-audit`` commands: validate, checks, history, mute, mutes, ack, baseline,
sandbox, prelaunch, rdap-refresh. Part of the composition root (:mod:`auditor.cli.main`)."""

from __future__ import annotations

import argparse
import getpass
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from auditor.cli.arguments import one_line, split_list
from auditor.config.loading import AppConfig, load_config
from auditor.core.capabilities import coverage_table
from auditor.core.errors import UserError
from auditor.core.models import Asset, Mute
from auditor.core.registry import Registry
from auditor.engine.mutes import new_acknowledgement, new_mute
from auditor.engine.runner import select_checks
from auditor.store.baselines import accept_latest
from auditor.store.database import Acknowledgement, Store


def _registry() -> Registry:
    from auditor.cli.run import load_registry

    return load_registry()


def _store(config: AppConfig) -> Store:
    from auditor.cli.run import open_store

    return open_store(config.resolve(config.model.storage.path), config)


def _has_store(config: AppConfig) -> bool:
    """False when no run ever created the store (reading commands do not create it)."""
    return config.resolve(config.model.storage.path).is_file()


def validate_command(args: argparse.Namespace) -> int:
    """Load the config and every check name it mentions; print a one-line summary."""
    from auditor.collectors.records.sources import preflight

    config = load_config(Path(args.config))
    preflight(config)
    registry = _registry()
    for name, profile in config.model.profiles.items():
        try:
            select_checks(registry, profile.only)
        except UserError as exc:
            where = f"profiles.{name}.only"
            raise UserError(exc.message, file=str(config.path), field=where) from None
    for index, schedule in enumerate(config.model.schedules):
        try:
            select_checks(registry, schedule.only)
        except UserError as exc:
            where = f"schedules.{index}.only"
            raise UserError(exc.message, file=str(config.path), field=where) from None
    from auditor.service.schedules import plan_schedules

    plan_schedules(config)  # cron expressions, time zones, profiles, unique names
    estate = config.estate
    print(
        f"{config.path}: OK: {estate.organization.name}, {len(estate.accounts)} account(s),"
        f" {len(estate.domains)} domain(s), {len(registry.specs)} check(s) available,"
        f" store {config.resolve(config.model.storage.path)}"
    )
    return 0


def checks_command(args: argparse.Namespace) -> int:
    """``checks`` lists the catalog; ``checks explain ID`` prints one check's documentation;
    ``checks --coverage`` prints the check x platform table."""
    registry = _registry()
    words: list[str] = args.words
    if getattr(args, "coverage", False):
        print(coverage_markdown(registry), end="")
        return 0
    if not words:
        width = max((len(s.id) for s in registry.specs), default=10)
        for spec in registry.specs:
            print(f"{spec.id:<{width}}  {spec.severity.value:<8}  {spec.title}")
        return 0
    if words[0] != "explain" or len(words) != 2:
        raise UserError("expected 'checks' or 'checks explain ID'", field="checks")
    found = registry.get(words[1])
    if found is None:
        raise UserError(f"unknown check id {words[1]!r} (see 'brand-audit checks')")
    spec = found
    print(f"{spec.id}: {spec.title}")
    print(f"severity: {spec.severity.value} (default)    category: {spec.category.value}")
    print(f"needs: {', '.join(spec.needs)}")
    for label, text in (("Why it matters", spec.rationale), ("What to do", spec.remediation)):
        print(f"\n{label}:")
        print(textwrap.fill(text, width=96, initial_indent="  ", subsequent_indent="  "))
    print("\n" + spec.documentation)
    return 0


def coverage_markdown(registry: Registry) -> str:
    """The check x platform table (Markdown) from the checks' declared facets and every
    collector's declared capabilities: what ``checks --coverage`` prints and the README shows."""
    from auditor.collectors import capability_registry

    checks = [(spec.id, spec.facets) for spec in registry.specs]
    return coverage_table(capability_registry(), checks)


def history_command(args: argparse.Namespace) -> int:
    """The latest runs of the config's estate, newest first."""
    config = load_config(Path(args.config))
    runs = []
    estate = config.estate.organization.name
    if args.keep is not None and args.keep < 1:
        raise UserError(
            f"expected a number of runs to keep of 1 or more, got {args.keep}", field="--keep"
        )
    if _has_store(config):
        with _store(config) as store:
            if args.keep is not None:
                deleted = store.prune(estate, args.keep)
                print(f"deleted {deleted} older run(s) of {estate}, kept the latest {args.keep}")
            runs = store.history(estate, max(1, args.limit))
    if not runs:
        print(f"no runs yet for {config.estate.organization.name}")
        return 0
    print(f"{'run':<26} {'finished (UTC)':<17} {'status':<7} open c/h/m/l   new  resolved")
    for run in runs:
        sev = run.counts.get("open_by_severity", {})
        change = run.counts.get("change", {})
        open_text = "/".join(str(sev.get(s, 0)) for s in ("critical", "high", "medium", "low"))
        line = (
            f"{run.id:<26} {run.finished_at.strftime('%Y-%m-%d %H:%M'):<17} {run.status:<7}"
            f" {open_text:<14} {change.get('new', 0):>4} {change.get('resolved', 0):>9}"
        )
        print(line + (f"  ({one_line(run.error)})" if run.error else ""))
    return 0


def _date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"expected a date YYYY-MM-DD, got {text!r}", field=flag) from None


def _known_in_store(config: AppConfig, fingerprint: str) -> Store:
    """The open store, once ``fingerprint`` is known to some stored run; UserError otherwise."""
    if not _has_store(config):
        raise UserError("no stored run yet: run 'brand-audit run' first", field="FINGERPRINT")
    store = _store(config)
    if not store.known_fingerprint(fingerprint):
        store.close()
        raise UserError(
            f"unknown fingerprint {fingerprint!r}: no stored run reported it"
            " (copy it from report.json or report.csv)"
        )
    return store


def mute_command(args: argparse.Namespace) -> int:
    """Record a mute for a fingerprint that some stored run reported."""
    config = load_config(Path(args.config))
    expires = _date(args.expires, "--expires")
    mute = new_mute(
        args.fingerprint,
        reason=args.reason,
        owner=args.owner,
        expires_on=expires,
        now=datetime.now(UTC),
    )
    with _known_in_store(config, mute.fingerprint) as store:
        store.add_mute(mute)
    print(f"muted {mute.fingerprint} until {expires.isoformat()} (owner {mute.owner})")
    return 0


def ack_command(args: argparse.Namespace) -> int:
    """Acknowledge a finding some stored run reported: from the next run on it no longer stays
    open (a change event stays open until a person acts; this records who acted and why)."""
    config = load_config(Path(args.config))
    ack = new_acknowledgement(
        args.fingerprint, reason=args.reason, by=args.by, now=datetime.now(UTC)
    )
    with _known_in_store(config, ack.fingerprint) as store:
        store.acknowledge(ack)
    print(f"acknowledged {ack.fingerprint} (by {ack.by}): closed from the next run on")
    return 0


def mutes_command(args: argparse.Namespace) -> int:
    """Every recorded mute, soonest expiry first (fingerprint, state, expiry, owner, reason),
    then every acknowledgement, latest first (fingerprint, when, by whom, why)."""
    config = load_config(Path(args.config))
    mutes: list[Mute] = []
    acks: list[Acknowledgement] = []
    if _has_store(config):
        with _store(config) as store:
            mutes = sorted(store.list_mutes().values(), key=lambda m: m.expires)
            acks = sorted(store.acknowledgements().values(), key=lambda a: a.at, reverse=True)
    if not mutes:
        print("no mutes recorded")
    now = datetime.now(UTC)
    for mute in mutes:
        state = "active " if mute.active(now) else "expired"
        last_day = (mute.expires - timedelta(seconds=1)).date().isoformat()
        print(f"{mute.fingerprint}  {state}  until {last_day}  {mute.owner}: {mute.reason}")
    for ack in acks:
        when = ack.at.strftime("%Y-%m-%d %H:%M")
        print(
            f"{ack.fingerprint}  acknowledged  {when}  {one_line(ack.by)}: {one_line(ack.reason)}"
        )
    return 0


def baseline_command(args: argparse.Namespace) -> int:
    """Accept the profiles seen in the latest run as the baseline (one account or all)."""
    config = load_config(Path(args.config))
    wanted = None
    if args.account:
        platform, sep, handle = args.account.partition(":")
        if not sep or not platform or not handle:
            raise UserError(f"expected platform:handle, got {args.account!r}", field="--account")
        wanted = Asset.account(platform.lower(), handle).key
    by = args.by or getpass.getuser()
    now = datetime.now(UTC)
    if not _has_store(config):
        raise UserError("no finished run yet: run 'brand-audit run' first")
    with _store(config) as store:
        result = accept_latest(
            store,
            config.estate.organization.name,
            by=by,
            reason=args.reason,
            now=now,
            account_key=wanted,
        )
    if result is None:
        raise UserError("no finished run yet: run 'brand-audit run' first")
    run_id, accepted = result
    if not accepted:
        target = args.account or "any account"
        raise UserError(f"the latest run ({run_id}) has no profile for {target}")
    for baseline in accepted:
        print(f"accepted the profile of {baseline.account_key} from run {run_id}")
    return 0


def sandbox_command(args: argparse.Namespace) -> int:
    """Serve the sandbox for a world file until interrupted."""
    world = Path(args.world)
    if not world.is_file():
        raise UserError("file not found", file=str(world))
    from auditor.sandbox import serve

    serve(world, port=args.port)
    return 0


def _default_config(name: str) -> AppConfig:
    """Public endpoints and default policy, for ``prelaunch`` without ``--config``."""
    from auditor.config.loading import ConfigModel

    model = ConfigModel.model_validate(
        {"organization": {"name": name, "email_domains": ["example.invalid"]}}
    )
    return AppConfig(model, Path.cwd() / "prelaunch.yaml")


def prelaunch_command(args: argparse.Namespace) -> int:
    """Check a launch name's domains and handles before it is public."""
    from auditor.engine.prelaunch import run_prelaunch

    config = load_config(Path(args.config)) if args.config else _default_config(args.name)
    return run_prelaunch(
        config,
        name=args.name,
        tlds=split_list(args.tlds),
        platforms=split_list(args.platforms),
        out=Path(args.out),
    )


def rdap_refresh_command(args: argparse.Namespace) -> int:
    """Fetch the IANA RDAP bootstrap (or ``--url``) and store it beside the audit database,
    where later runs prefer it to the bundled subset."""
    from auditor.collectors.registration.lookup import refresh_from_config
    from auditor.core.errors import CollectionError

    config = load_config(Path(args.config))
    try:
        count, path = refresh_from_config(config, args.url)
    except CollectionError as exc:
        raise UserError(
            f"could not refresh the RDAP bootstrap: {exc.detail}",
            field="--url" if args.url else None,
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            f"cannot write the RDAP bootstrap ({reason})", file=str(exc.filename or config.path)
        ) from None
    print(f"RDAP bootstrap refreshed: {count} TLD(s) written to {path}")
    return 0
