"""The smaller ``brand-audit`` commands: validate, doctor, checks, history, mute, unmute, mutes,
ack, baseline, sandbox, prelaunch, rdap-refresh. Part of the composition root
(:mod:`auditor.cli.main`). None of them reads a platform secret except ``doctor``, ``prelaunch``
and ``rdap-refresh``, which call the platforms."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
import textwrap
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from auditor.cli.arguments import EXIT_USAGE, one_line, split_list
from auditor.config.loading import AppConfig, load_config
from auditor.core.capabilities import coverage_table
from auditor.core.errors import UserError
from auditor.core.models import Asset, Mute
from auditor.core.registry import CheckSpec, Registry
from auditor.engine.mutes import MUTABLE, new_acknowledgement, new_mute
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
    """Load the config and every check name it mentions; print every problem found (one line
    each, exit 2) or a one-line summary. Secret references are listed, not read, unless
    ``--resolve-secrets``."""
    from auditor.config.loading import ConfigProblems

    try:
        config = load_config(Path(args.config))
    except ConfigProblems as exc:
        return _print_problems(list(exc.problems))
    problems = _config_problems(config)
    references = config.secret_references()
    if args.resolve_secrets:
        try:
            config.with_secrets()
        except UserError as exc:
            problems.append(exc)
    if problems:
        return _print_problems(problems)
    registry = _registry()
    estate = config.estate
    print(
        f"{config.path}: OK: {estate.organization.name}, {len(estate.accounts)} account(s),"
        f" {len(estate.domains)} domain(s), {len(registry.specs)} check(s) available,"
        f" store {config.resolve(config.model.storage.path)}"
    )
    if references:
        names = ", ".join(f"{r.variable} ({r.field})" for r in references)
        state = "set" if args.resolve_secrets else "not read (--resolve-secrets reads them)"
        print(f"secrets: {names}: {state}")
    return 0


def _print_problems(problems: Sequence[UserError]) -> int:
    """Every problem on stdout, one line each; the most telling one (and how many more) as the
    one error line on stderr."""
    for problem in problems:
        print(one_line(problem.line()))
    more = len(problems) - 1
    suffix = f" (+{more} more problem{'s' if more > 1 else ''}, listed on stdout)" if more else ""
    print(f"brand-audit: error: {one_line(problems[0].line())}{suffix}", file=sys.stderr)
    return EXIT_USAGE


def _config_problems(config: AppConfig) -> list[UserError]:
    """Every problem beyond the schema: record files, check names in profiles and schedules,
    cron expressions and zones."""
    from auditor.collectors.records.sources import preflight
    from auditor.service.schedules import plan_schedules

    problems: list[UserError] = []
    try:
        preflight(config)
    except UserError as exc:
        problems.append(exc)
    registry = _registry()
    named = [(f"profiles.{name}.only", p.only) for name, p in config.model.profiles.items()]
    named += [(f"schedules.{i}.only", s.only) for i, s in enumerate(config.model.schedules)]
    for where, only in named:
        try:
            select_checks(registry, only)
        except UserError as exc:
            problems.append(UserError(exc.message, file=str(config.path), field=where))
    try:
        plan_schedules(config)  # cron expressions, time zones, profiles, unique names
    except UserError as exc:
        problems.append(exc)
    return problems


def checks_command(args: argparse.Namespace) -> int:
    """``checks`` lists the catalog (``--json``: as JSON); ``checks explain ID`` prints one
    check's documentation as plain text; ``checks --coverage`` prints the check x platform
    table."""
    registry = _registry()
    words: list[str] = args.words
    if getattr(args, "coverage", False):
        print(coverage_markdown(registry), end="")
        return 0
    if not words and args.json:
        print(json.dumps([_check_entry(spec) for spec in registry.specs], indent=2))
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
    if args.json:
        print(json.dumps({**_check_entry(spec), "documentation": plain_text(spec.documentation)}))
        return 0
    print(f"{spec.id}: {spec.title}")
    print(f"severity: {spec.severity.value} (default)    category: {spec.category.value}")
    print(f"needs: {', '.join(spec.needs)}")
    for label, text in (("Why it matters", spec.rationale), ("What to do", spec.remediation)):
        print(f"\n{label}:")
        print(
            textwrap.fill(plain_text(text), width=96, initial_indent="  ", subsequent_indent="  ")
        )
    print("\n" + plain_text(spec.documentation))
    return 0


def coverage_markdown(registry: Registry) -> str:
    """The check x platform table (Markdown) from the checks' declared facets and every
    collector's declared capabilities: what ``checks --coverage`` prints and the README shows."""
    from auditor.collectors import capability_registry

    checks = [(spec.id, spec.facets) for spec in registry.specs]
    return coverage_table(capability_registry(), checks)


RST_ROLE = re.compile(r":[a-z:]+:`~?([^`<]+?)(?:\s*<[^>]*>)?`")
"""A reStructuredText role (``:class:`~auditor.core.models.Finding```): its text is kept."""


def plain_text(doc: str) -> str:
    """Docstring markup (reStructuredText roles and literals) as plain terminal text."""
    text = RST_ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], doc)
    return text.replace("``", "").replace("::\n", ":\n")


def _check_entry(spec: CheckSpec) -> dict[str, object]:
    return {
        "id": spec.id,
        "category": spec.category.value,
        "severity": spec.severity.value,
        "title": spec.title,
        "rationale": spec.rationale,
        "remediation": spec.remediation,
        "needs": list(spec.needs),
        "facets": [facet.value for facet in spec.facets],
    }


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
    print(
        f"{'run':<26} {'finished (UTC)':<17} {'status':<7} open c/h/m/l   new  resolved"
        "  score  scope"
    )
    for run in runs:
        sev = run.counts.get("open_by_severity", {})
        change = run.counts.get("change", {})
        open_text = "/".join(str(sev.get(s, 0)) for s in ("critical", "high", "medium", "low"))
        score = run.counts.get("risk_score")
        scope = run.counts.get("scope") or []
        line = (
            f"{run.id:<26} {run.finished_at.strftime('%Y-%m-%d %H:%M'):<17} {run.status:<7}"
            f" {open_text:<14} {change.get('new', 0):>4} {change.get('resolved', 0):>9}"
            f"  {score if isinstance(score, int | float) else 'n/a':>5}"
            f"  {'only ' + ','.join(map(str, scope)) if scope else 'full'}"
        )
        print(one_line(line) if run.error is None else line + f"  ({one_line(run.error)})")
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
    """Record a mute for a fingerprint that some stored run reported. Replacing an existing
    mute needs ``--replace`` (and prints what changes); muting a result that does not fail or
    go unverified now needs ``--preemptive``."""
    config = load_config(Path(args.config))
    expires = _date(args.expires, "--expires")
    mute = new_mute(
        args.fingerprint,
        reason=args.reason,
        owner=args.owner,
        expires_on=expires,
        now=datetime.now(UTC),
        max_days=config.model.policy.max_mute_days,
    )
    if not _has_store(config):
        raise UserError("no stored run yet: run 'brand-audit run' first", field="FINGERPRINT")
    with _store(config) as store:
        finding = store.latest_finding(mute.fingerprint)
        if finding is None:
            raise UserError(
                f"unknown fingerprint {mute.fingerprint!r}: no stored run reported it"
                " (copy it from the HTML report, report.json or report.csv)"
            )
        status = finding.effective_status
        if status not in MUTABLE and not args.preemptive:
            raise UserError(
                f"{finding.check_id} on {finding.asset.key} is {status.value} in the latest run"
                " that reported it: a mute now would hide a future failure; add --preemptive"
                " to mean that",
                field="--preemptive",
            )
        existing = store.list_mutes().get(mute.fingerprint)
        changes = _mute_changes(existing, mute) if existing else []
        if existing and not args.replace:
            raise UserError(
                f"{mute.fingerprint} is already muted until {existing.last_day.isoformat()}"
                f" by {existing.owner} ({existing.reason}); add --replace to change "
                + (", ".join(changes) or "nothing (the new mute is the same)"),
                field="--replace",
            )
        store.add_mute(mute)
    for change in changes:
        print(f"changed {change}")
    print(
        f"muted {mute.fingerprint} ({finding.check_id} on {finding.asset.key}"
        f"{', ' + finding.subject if finding.subject else ''}) until {expires.isoformat()}"
        f" (owner {mute.owner})"
    )
    return 0


def _mute_changes(old: Mute, new: Mute) -> list[str]:
    """What replacing ``old`` by ``new`` changes, one ``field: old -> new`` each."""
    pairs = (
        ("owner", old.owner, new.owner),
        ("reason", old.reason, new.reason),
        ("expires", old.last_day.isoformat(), new.last_day.isoformat()),
    )
    return [f"{name}: {a!r} -> {b!r}" for name, a, b in pairs if a != b]


def unmute_command(args: argparse.Namespace) -> int:
    """End a recorded mute now: the result counts again from the next run."""
    config = load_config(Path(args.config))
    fingerprint = args.fingerprint.strip()
    removed = False
    if _has_store(config):
        with _store(config) as store:
            removed = store.remove_mute(fingerprint)
    if not removed:
        where = f"; a mutes file entry is removed by editing {config.model.mutes}"
        raise UserError(
            f"no mute recorded for {fingerprint!r} in the store"
            + (where if config.model.mutes else ""),
            field="FINGERPRINT",
        )
    print(f"unmuted {fingerprint}: it counts again from the next run")
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
    """Every mute, soonest expiry first: state, last day as written, check, asset, subject,
    where it is written (the fingerprint of a store mute, the file entry and ticket of a rule),
    owner and reason."""
    config = load_config(Path(args.config))
    now = datetime.now(UTC)
    rows: list[tuple[Mute, tuple[str, str, str, str]]] = []
    if _has_store(config):
        with _store(config) as store:
            for mute in store.list_mutes().values():
                finding = store.latest_finding(mute.fingerprint)
                check, asset, subject = (
                    (finding.check_id, finding.asset.key, finding.subject)
                    if finding
                    else ("?", "?", "?")
                )
                rows.append((mute, (check, asset, subject or "-", mute.fingerprint)))
    for rule in config.mute_rules:
        asset = f"{rule.platform}:{rule.asset}"
        where = f"{rule.mute.origin} ({rule.mute.ticket})"
        rows.append((rule.mute, (rule.check, asset, rule.subject, where)))
    acks: list[Acknowledgement] = []
    if _has_store(config):
        with _store(config) as store:
            acks = sorted(store.acknowledgements().values(), key=lambda a: a.at, reverse=True)
    if not rows:
        print("no mutes recorded")
    table = [("STATE", "UNTIL", "CHECK", "ASSET", "SUBJECT", "MUTE", "OWNER", "REASON")]
    for mute, what in sorted(rows, key=lambda row: (row[0].expires, row[1])):
        state = "active" if mute.active(now) else "expired"
        table.append((state, mute.last_day.isoformat(), *what, mute.owner, mute.reason))
    if rows:
        print_columns(table)
    for ack in acks:
        when = ack.at.strftime("%Y-%m-%d %H:%M")
        print(
            f"{ack.fingerprint}  acknowledged  {when}  {one_line(ack.by)}: {one_line(ack.reason)}"
        )
    return 0


def print_columns(rows: Sequence[Sequence[str]]) -> None:
    """Rows as left-aligned columns two spaces apart (each cell on one line, the last column
    not padded)."""
    cells = [[one_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]) - 1)]
    for row in cells:
        padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*padded, row[-1]]).rstrip())


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


def doctor_command(args: argparse.Namespace) -> int:
    """Ask each configured credential who it is and what it may read; exit 1 when a required
    scope is missing or a token cannot be used (see :mod:`auditor.engine.doctor`)."""
    from auditor.engine.doctor import examine

    config = load_config(Path(args.config))
    credentials = examine(config)
    if not credentials:
        print("no platform token configured: nothing to examine")
        return 0
    for cred in credentials:
        who = f"token of {cred.identity}" if cred.identity else "token"
        if cred.problem is not None:
            print(one_line(f"{cred.platform}: MISSING: {cred.problem}"))
            continue
        if cred.scopes is None:
            print(
                one_line(
                    f"{cred.platform}: {who}; the platform lists no scopes for it: grant"
                    " those in the README's table"
                )
            )
            continue
        print(one_line(f"{cred.platform}: {who}; scopes: {', '.join(cred.scopes) or 'none'}"))
        for scope, checks in cred.missing.items():
            print(one_line(f"  MISSING {scope}: not verified: {', '.join(checks)}"))
    failing = [c.platform for c in credentials if c.failing]
    if failing:
        print(f"missing credentials or scopes: {', '.join(failing)}")
        return 1
    print("every credential that can be examined has the scopes the checks need")
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
    config = config.with_secrets("platforms")  # the handle lookups use the platform tokens
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

    config = load_config(Path(args.config)).with_secrets("platforms.rdap")
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
