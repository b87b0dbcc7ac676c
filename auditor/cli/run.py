"""``brand-audit run`` and ``brand-audit demo``: build the parts, run the audit, write reports.

Part of the composition root (:mod:`auditor.cli.main`): here the registry (``checks.ALL_CHECKS``),
the collectors, the store, the progress display and the report writers are constructed and
passed to :func:`auditor.engine.runner.audit`. Reports are written atomically with mode 0600
(:mod:`auditor.core.private_files`, the one writer; the renderers return text):
``report.json``, ``report.csv``, ``report.html`` and ``email.html``, and ``findings.ocsf.json``
(OCSF events for a SIEM) as ``--format`` asks. ``-o -|FILE`` writes the findings listing (a
table, a Markdown summary for a CI job page, or the JSON report); without ``--out`` a table goes
to stdout, as pip-audit prints one. The platform secrets are read here, where the collectors are
built, and the mail secrets where the email is sent.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from auditor.cli.arguments import one_line, split_list
from auditor.config.loading import AppConfig, load_config
from auditor.core.completeness import SourceStatus
from auditor.core.errors import StoreError, UserError
from auditor.core.models import AuditRun, Mute, Severity
from auditor.core.private_files import write_private_text
from auditor.core.registry import Registry, build_registry
from auditor.engine.progress import Progress, choose_progress
from auditor.engine.runner import AuditResult, audit, exit_code, select_checks
from auditor.store.database import Store
from reports import (
    ReportView,
    RunCounts,
    build_view,
    check_infos,
    count_run,
    iter_html,
    render_email,
    render_ocsf,
)
from reports import RunSummary as TrendPoint
from reports.csv_report import iter_csv
from reports.incidents import incidents_of
from reports.json_report import iter_json
from reports.listing import render_markdown, render_table
from reports.panels import source_state

if TYPE_CHECKING:
    from auditor.store.schema import RunSummary

FORMATS = ("html", "json", "csv", "ocsf")
"""Report files ``--format`` writes under ``--out`` (``ocsf``: ``findings.ocsf.json``)."""

LISTINGS = ("table", "markdown", "json")
"""Formats of the findings listing ``-o`` writes (``json``: the whole ``report.json``)."""


@dataclass(frozen=True)
class RunOptions:
    """What one ``run`` does, after flags and the config's profile are combined."""

    only: tuple[str, ...]
    """Check ids or categories (empty: all)."""
    fail_on: Severity | None
    """Exit 1 threshold; None never fails on findings."""
    formats: tuple[str, ...]
    """Report files to write under the ``--out`` folder."""
    listing: str | None = None
    """The findings listing (table, markdown, json) to write to ``listing_to``, if any."""
    listing_to: str | None = None
    """``-`` (stdout) or a file for the listing."""
    min_severity: Severity = Severity.LOW
    """The listing shows open findings at or above this severity."""


def resolve_options(args: argparse.Namespace, config: AppConfig) -> RunOptions:
    """Flags first, then the named profile, then defaults (all checks, fail on high)."""
    profile = None
    if args.profile:
        profile = config.model.profiles.get(args.profile)
        if profile is None:
            known = ", ".join(sorted(config.model.profiles)) or "none defined"
            raise UserError(f"unknown profile {args.profile!r} (known: {known})", field="--profile")
    only = split_list(args.only) or (tuple(profile.only) if profile else ())
    if args.fail_on:
        fail_on = None if args.fail_on == "none" else Severity(args.fail_on)
    else:
        fail_on = profile.fail_on if profile and profile.fail_on else Severity.HIGH
    formats, listing, listing_to = _outputs(args)
    return RunOptions(
        only=only,
        fail_on=fail_on,
        formats=formats,
        listing=listing,
        listing_to=listing_to,
        min_severity=Severity(args.min_severity),
    )


def _outputs(args: argparse.Namespace) -> tuple[tuple[str, ...], str | None, str | None]:
    """(report files under ``--out``, listing format, listing target) from ``--out``,
    ``--format`` and ``-o``. With ``-o``, ``--format`` names the listing (table, markdown or
    json; default table) and ``--out`` gets the default files; without ``-o``, ``--format``
    names the files (default html,json,csv); with neither ``--out`` nor ``-o``, a table goes to
    stdout."""
    out, target = args.out, args.output
    if out is not None and out.strip() in ("-", ""):
        raise UserError("expected a folder; for the findings on stdout use -o -", field="--out")
    asked = split_list([args.format]) if args.format else ()
    default_files = ("html", "json", "csv")
    if target is not None:
        listing = asked[0] if len(asked) == 1 and asked[0] in LISTINGS else None
        if asked and listing is None:
            raise UserError(
                f"with -o, expected one of {', '.join(LISTINGS)}, got {args.format!r}",
                field="--format",
            )
        return (default_files if out else ()), listing or "table", target
    unknown = [f for f in asked if f not in FORMATS]
    if unknown:
        hint = " (table and markdown go to -o FILE or -o -)" if set(unknown) & set(LISTINGS) else ""
        raise UserError(
            f"expected a comma list of {', '.join(FORMATS)}, got {args.format!r}{hint}",
            field="--format",
        )
    if out is None:
        if asked:
            raise UserError("report files need a folder: add --out DIR", field="--format")
        return (), "table", "-"
    return asked or default_files, None, None


def open_store(path: Path, config: AppConfig) -> Store:
    """The store at ``path``; a :class:`StoreError` names the config field that chose it."""
    try:
        return Store(path)
    except StoreError as exc:
        raise UserError(str(exc), file=str(config.path), field="storage.path") from None


def load_registry() -> Registry:
    """The registry of every check in the catalog."""
    import checks

    return build_registry(checks.ALL_CHECKS)


def run_command(args: argparse.Namespace) -> int:
    """``brand-audit run``."""
    config = load_config(Path(args.config))
    options = resolve_options(args, config)
    store_path = config.resolve(config.model.storage.path)
    out = Path(args.out) if args.out else None
    return execute(config, options, store_path, out, email=args.email, quiet=args.quiet)


def demo_command(args: argparse.Namespace) -> int:
    """``brand-audit demo``: the demo estate against the local sandbox (a week ago first, on a
    fresh ``--out``), with ``run``'s exit codes; see :mod:`auditor.cli.demo`. The store (named as
    the config names it) always goes under ``--out``, so a demo never writes into the
    repository."""
    from auditor.cli.demo import run_demo

    return run_demo(args)


def execute(
    config: AppConfig,
    options: RunOptions,
    store_path: Path,
    out: Path | None,
    *,
    email: bool,
    quiet: bool,
) -> int:
    """Build the parts, audit, write the reports and the listing, mail them, and return the
    exit code."""
    if email and config.model.mail is None:
        raise UserError("--email needs a 'mail' section in the config", file=str(config.path))
    folder = out if out is not None else Path()
    done = audit_and_write(config, options, store_path, folder, quiet=quiet, want_view=email)
    result, counts, view, written = done.result, done.counts, done.view, done.written
    to_stdout = options.listing_to == "-"
    if options.listing and options.listing_to:
        text = render_listing(result.run, counts, options.listing, options.min_severity)
        if to_stdout:
            sys.stdout.write(text)
        else:
            written.append(_write_listing(Path(options.listing_to), text))
    print_summary(result, counts, written, sys.stderr if to_stdout else sys.stdout)
    if email and view is not None:
        html_report = folder / "report.html"
        send_email(view, config, html_report if html_report in written else None)
    return exit_code(result.run, options.fail_on)


def render_listing(run: AuditRun, counts: RunCounts, listing: str, min_severity: Severity) -> str:
    """The findings listing in ``listing`` format (table, markdown, json)."""
    if listing == "markdown":
        return render_markdown(run, counts, min_severity)
    if listing == "json":
        return "".join(iter_json(run, counts))
    return render_table(run, counts, min_severity)


def _write_listing(path: Path, text: str) -> Path:
    try:
        return write_private_text(path, text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            f"cannot write the listing ({reason})", file=str(path), field="-o"
        ) from None


@dataclass(frozen=True)
class AuditOutput:
    """A finished, persisted audit and the reports written for it."""

    result: AuditResult
    """The run and its evidence."""
    counts: RunCounts
    """Its counts (computed once)."""
    view: ReportView | None
    """The report view model, when HTML or an email was wanted."""
    written: list[Path]
    """The report files written."""


def audit_and_write(
    config: AppConfig,
    options: RunOptions,
    store_path: Path,
    out: Path,
    *,
    quiet: bool,
    want_view: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> AuditOutput:
    """The composition ``run``, ``demo`` and the scheduler share: registry, collectors and store
    built here, :func:`auditor.engine.runner.audit`, then the reports under ``out``. ``run_id`` names
    the stored run (the scheduler's firing id); by default the runner makes one."""
    from auditor.collectors import build_collectors
    from auditor.collectors.records.sources import preflight

    registry = load_registry()
    select_checks(registry, options.only)
    preflight(config)
    # the collectors are where they are used: the platforms' tokens and each account's own
    config = config.with_secrets(*COLLECTOR_SECRETS)
    collectors = build_collectors(config)
    with open_store(store_path, config) as store:
        result = audit(
            config,
            registry=registry,
            collectors=collectors,
            store=store,
            only=options.only,
            now=now,
            progress=progress or choose_progress(sys.stderr, quiet=quiet),
            run_id=run_id,
        )
        history = [h for h in store.history(result.run.estate_name, 13) if h.id != result.run.id]
        mutes = list(store.list_mutes().values())
    counts = count_run(result.run)
    view = _view(result, history, mutes, config) if "html" in options.formats or want_view else None
    try:
        written = write_reports(result, counts, view, registry, out, formats=options.formats)
    except OSError as exc:
        where = exc.filename or out
        raise UserError(
            f"cannot write the reports ({exc.strerror or type(exc).__name__})",
            file=str(where),
            field="--out",
        ) from None
    return AuditOutput(result, counts, view, written)


def _view(
    result: AuditResult,
    history: Sequence[RunSummary],
    mutes: Sequence[Mute],
    config: AppConfig,
) -> ReportView:
    """The report view model (computed once for the HTML report and the email)."""
    trend = [
        TrendPoint.from_counts(h.id, h.finished_at, h.counts) for h in history if h.status == "ok"
    ]
    return build_view(result.run, trend, mutes, estate=config.estate, evidence=result.evidence)


def write_reports(
    result: AuditResult,
    counts: RunCounts,
    view: ReportView | None,
    registry: Registry,
    out: Path,
    *,
    formats: Sequence[str],
) -> list[Path]:
    """Write the asked formats under ``out`` (atomic, 0600); returns the files written."""
    run = result.run
    written: list[Path] = []
    if "json" in formats:
        written.append(write_private_text(out / "report.json", iter_json(run, counts)))
    if "csv" in formats:
        written.append(write_private_text(out / "report.csv", iter_csv(run)))
    if "ocsf" in formats:
        written.append(write_private_text(out / "findings.ocsf.json", render_ocsf(run)))
    if "html" in formats and view is not None:
        html = iter_html(view, check_infos(registry.specs))
        written.append(write_private_text(out / "report.html", html))
        written.append(write_private_text(out / "email.html", render_email(view).html))
    return written


def send_email(view: ReportView, config: AppConfig, report: Path | None) -> None:
    """Deliver the email summary (SMTP or outbox, as ``mail`` says) with the report attached."""
    from auditor.service.mailer import MailContent, deliver

    mail = config.with_secrets("mail").model.mail
    if mail is None:
        raise UserError("--email needs a 'mail' section in the config", file=str(config.path))
    rendered = render_email(view)
    content = MailContent(rendered.subject, rendered.text, rendered.html, report=report)
    delivery = deliver(mail, content, base_dir=config.base_dir)
    where = f" ({delivery.path})" if delivery.path else ""
    print(f"Emailed {', '.join(delivery.recipients)} by {delivery.method}{where}")


def demo_mail(config: AppConfig, out: Path) -> AppConfig:
    """The demo never sends real mail: its email goes to an outbox folder under ``--out``."""
    from auditor.config.loading import ConfigModel, MailModel

    org = config.estate.organization
    domain = org.email_domains[0] if org.email_domains else "example.com"
    current = config.model.mail
    mail = MailModel.model_validate(
        {
            "from": current.sender if current else f"brand-audit@{domain}",
            "to": list(current.to) if current else [f"leadership@{domain}"],
            "outbox": str(out.resolve() / "outbox"),
        }
    )
    model: ConfigModel = config.model.model_copy(update={"mail": mail})
    return config.with_model(model)


COLLECTOR_SECRETS = ("platforms", "accounts", "businesses", "sources")
"""The config sections whose secrets the collectors read (mail is read only to send)."""


def print_summary(
    result: AuditResult,
    counts: RunCounts,
    written: Sequence[Path],
    stream: TextIO | None = None,
) -> None:
    """A few plain lines (on stderr when the listing goes to stdout): counts, incidents, gaps
    and where the reports are."""
    stream = stream or sys.stdout
    run = result.run
    sev = counts.open_by_severity
    for incident in incidents_of(run):
        print(
            one_line(
                f"INCIDENT: {incident.what} on {incident.account} since {incident.since}:"
                f" {incident.first_action}"
            ),
            file=stream,
        )
    print(
        f"Audit {run.id} of {run.estate_name}: {counts.open_total} open"
        f" ({sev['critical']} critical, {sev['high']} high, {sev['medium']} medium,"
        f" {sev['low']} low), {counts.by_status['not_verified']} not verified,"
        f" {counts.by_status['muted']} muted; {counts.new} new, {counts.resolved} resolved;"
        f" risk score {counts.risk_score}",
        file=stream,
    )
    for source in run.sources:
        state = source_state(source)
        if state is not SourceStatus.COMPLETE:
            kinds = ", ".join(sorted({p.kind for p in source.problems})) or "no detail"
            print(f"Evidence gap: {source.name} {state.value} ({kinds})", file=stream)
    for path in written:
        print(f"Wrote {path}", file=stream)
