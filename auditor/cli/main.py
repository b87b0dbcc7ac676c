"""The ``brand-audit`` command line: the one composition root.

This module only parses arguments and dispatches; each command family lives in its own module of :mod:`auditor.cli`
(part of the composition root: the only modules in ``auditor/`` that import ``checks`` and
``reports``). Every import beyond argparse happens inside the command, so ``brand-audit --help``
starts fast.

Exit codes: 0 done and nothing open at or above ``--fail-on``; 1 findings at or above it;
2 usage, config or input error (one line on stderr, no traceback); 3 the audit ran but some
evidence could not be collected (only when nothing worse applies).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from auditor.cli.arguments import EXIT_USAGE, one_line, positive_int

SEVERITIES = ("low", "medium", "high", "critical")
"""Names accepted by ``--fail-on`` (besides ``none``)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_run(sub: argparse._SubParsersAction[_Parser]) -> None:
    run = sub.add_parser("run", help="audit the estate of a config and write the reports")
    run.add_argument("--config", required=True, help="the YAML config file")
    run.add_argument("--out", help="folder for the report files (html, json, csv, ocsf)")
    run.add_argument(
        "--format",
        default=None,
        help="comma list of html,json,csv,ocsf (files under --out; default html,json,csv) and"
        " table or markdown (the findings listing for -o; default table)",
    )
    run.add_argument(
        "-o",
        "--output",
        metavar="-|FILE",
        help="write the findings listing (table, markdown or json) to FILE or '-' (stdout);"
        " default without --out: a table on stdout",
    )
    run.add_argument(
        "--min-severity",
        choices=SEVERITIES,
        default="low",
        help="the listing shows open findings at or above this severity (default low)",
    )
    run.add_argument(
        "--only",
        action="append",
        help="check ids or categories, comma separated (repeatable); default: all",
    )
    run.add_argument(
        "--fail-on",
        choices=(*SEVERITIES, "none"),
        help="exit 1 when an open finding is at or above this severity (default high)",
    )
    run.add_argument("--email", action="store_true", help="email the report (config 'mail')")
    run.add_argument("--profile", help="a named profile from the config's 'profiles'")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    run.set_defaults(command="run")
    demo = sub.add_parser("demo", help="audit the demo estate against the local sandbox")
    demo.add_argument("--out", required=True, help="folder for the reports and the demo store")
    demo.add_argument("--email", action="store_true", help="email the report (demo outbox)")
    demo.add_argument(
        "--fail-on",
        choices=(*SEVERITIES, "none"),
        help="exit 1 when an open finding is at or above this severity (default high: the demo"
        " plants high and critical risks, so it exits 1 once the reports are written)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress display")
    demo.add_argument(
        "--world",
        choices=("northwind", "clinic"),
        default="northwind",
        help="which demo estate: northwind (default) or clinic (a second company)",
    )
    demo.add_argument(
        "--watch", action="store_true", help="then show a hijack found and alerted by the watch"
    )
    demo.set_defaults(
        command="demo",
        format="html,json,csv",
        only=None,
        profile=None,
        output=None,
        min_severity="low",
    )


def _add_admin(sub: argparse._SubParsersAction[_Parser]) -> None:
    validate = sub.add_parser("validate", help="check a config file and exit")
    validate.add_argument("--config", required=True)
    validate.add_argument(
        "--resolve-secrets",
        action="store_true",
        help="also read every ${ENV} secret (unset or empty is an error)",
    )
    validate.set_defaults(command="validate")
    checks = sub.add_parser("checks", help="list the checks; 'checks explain ID' documents one")
    checks.add_argument("words", nargs="*", metavar="explain ID")
    checks.add_argument(
        "--coverage",
        action="store_true",
        help="print the check x platform table: which checks each platform lets us verify",
    )
    checks.add_argument("--json", action="store_true", help="the catalog as JSON")
    checks.set_defaults(command="checks")
    history = sub.add_parser("history", help="list earlier runs of the config's estate")
    history.add_argument("--config", required=True)
    history.add_argument("--limit", type=positive_int, default=20)
    history.add_argument(
        "--keep", type=positive_int, metavar="N", help="first delete all but the N latest runs"
    )
    history.set_defaults(command="history")
    mute = sub.add_parser("mute", help="accept a finding until a date, with a reason and owner")
    mute.add_argument("fingerprint")
    mute.add_argument("--reason", required=True)
    mute.add_argument("--owner", required=True)
    mute.add_argument("--expires", required=True, help="YYYY-MM-DD (last day the mute holds)")
    mute.add_argument("--config", required=True)
    mute.add_argument(
        "--replace", action="store_true", help="replace an existing mute of this fingerprint"
    )
    mute.add_argument(
        "--preemptive",
        action="store_true",
        help="mute a result that is not failing now (it would hide a future failure)",
    )
    mute.set_defaults(command="mute")
    ack = sub.add_parser("ack", help="acknowledge a finding (a change event): close it, with why")
    ack.add_argument("fingerprint")
    ack.add_argument("--reason", required=True)
    ack.add_argument("--by", required=True, help="who acted on it")
    ack.add_argument("--config", required=True)
    ack.set_defaults(command="ack")
    unmute = sub.add_parser("unmute", help="end a recorded mute now")
    unmute.add_argument("fingerprint")
    unmute.add_argument("--config", required=True)
    unmute.set_defaults(command="unmute")
    mutes = sub.add_parser(
        "mutes", help="list the mutes (config file and database) and acknowledgements"
    )
    mutes.add_argument("--config", required=True)
    mutes.set_defaults(command="mutes")
    baseline = sub.add_parser("baseline", help="accept the current profiles as the baseline")
    baseline.add_argument("action", choices=("accept",))
    baseline.add_argument("--config", required=True)
    baseline.add_argument("--account", help="platform:handle (default: every account)")
    baseline.add_argument("--reason", required=True)
    baseline.add_argument("--by", help="who accepts (default: the login name)")
    baseline.set_defaults(command="baseline")
    forget = sub.add_parser("forget", help="erase one person's data from the store")
    forget.add_argument("--config", required=True)
    which = forget.add_mutually_exclusive_group(required=True)
    which.add_argument("--person", metavar="EMAIL|HANDLE")
    which.add_argument("--log", action="store_true", help="list the recorded erasures")
    forget.add_argument("--by", help="who asked for the erasure (default: the login name)")
    forget.set_defaults(command="forget")


def _add_tools(sub: argparse._SubParsersAction[_Parser]) -> None:
    sandbox = sub.add_parser("sandbox", help="serve the fake platforms of a world file")
    sandbox.add_argument("--world", required=True)
    sandbox.add_argument("--port", type=int, default=0)
    sandbox.set_defaults(command="sandbox")
    pre = sub.add_parser("prelaunch", help="check a new brand name's domains and handles")
    pre.add_argument("--name", required=True)
    pre.add_argument("--tlds", nargs="+", default=None, help="e.g. com net io (or comma list)")
    pre.add_argument("--platforms", nargs="+", default=None, help="e.g. x github (or comma list)")
    pre.add_argument("--out", required=True)
    pre.add_argument("--config")
    pre.set_defaults(command="prelaunch")
    rdap = sub.add_parser(
        "rdap-refresh", help="store the live IANA RDAP bootstrap beside the audit database"
    )
    rdap.add_argument("--config", required=True, help="the YAML config file")
    rdap.add_argument("--url", help="fetch the bootstrap from this URL (default: IANA's dns.json)")
    rdap.set_defaults(command="rdap-refresh")
    look = sub.add_parser(
        "lookup", help="what the tool sees for domains: normalised RDAP/WHOIS registration data"
    )
    look.add_argument("domains", nargs="+", metavar="DOMAIN")
    look.add_argument("--json", action="store_true", help="one JSON object per domain per line")
    look.add_argument("--replies", help="read saved replies (NAME.json, NAME.whois) from a folder")
    look.add_argument("--config", help="use this config's RDAP and WHOIS settings")
    look.set_defaults(command="lookup")
    doctor = sub.add_parser(
        "doctor", help="ask each configured token who it is and which scopes it has"
    )
    doctor.add_argument("--config", required=True, help="the YAML config file")
    doctor.set_defaults(command="doctor")
    init = sub.add_parser("init", help="write a minimal commented config from a few answers")
    init.add_argument("--out", default="brand-audit.yaml", help="the file to write")
    init.add_argument("--name", help="the company name")
    init.add_argument("--domain", action="append", help="a brand domain (repeatable, or a list)")
    init.add_argument(
        "--account", action="append", help="platform:handle (repeatable, or a comma list)"
    )
    init.add_argument("--force", action="store_true", help="replace an existing file")
    init.set_defaults(command="init")


def _add_service(sub: argparse._SubParsersAction[_Parser]) -> None:
    schedule = sub.add_parser("schedule", help="run the config's schedules as a service")
    schedule.add_argument("--config", required=True, help="the YAML config file")
    schedule.add_argument("--list", action="store_true", help="print the next firings and exit")
    schedule.add_argument("--run-now", metavar="NAME", help="run one schedule now and exit")
    schedule.add_argument(
        "--out", help="folder for each schedule's latest reports (default: reports/ by the store)"
    )
    schedule.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="stderr log lines: text, or JSON with time, level, message, run_id, schedule",
    )
    schedule.set_defaults(command="schedule")
    watch = sub.add_parser("watch", help="watch accounts for takeovers: webhooks, polls, alerts")
    watch.add_argument("--config", required=True, help="the YAML config file")
    watch.add_argument("--plan", action="store_true", help="print budgets and intervals and exit")
    watch.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="stderr log lines: text, or JSON with time, level, message, run_id, schedule",
    )
    watch.set_defaults(command="watch")
    status = sub.add_parser("status", help="each schedule's last and next run")
    status.add_argument("--config", required=True, help="the YAML config file")
    status.set_defaults(command="status")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = _Parser(
        prog="brand-audit",
        description="Audit a company's brand accounts and domains for takeover, impersonation "
        "and leak risk.",
        epilog="exit codes: 0 clean, 1 findings at/above --fail-on, 2 usage/config error, "
        "3 some evidence could not be collected",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    _add_run(sub)
    _add_admin(sub)
    _add_tools(sub)
    _add_service(sub)
    return parser


COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("auditor.cli.run", "run_command"),
    "demo": ("auditor.cli.run", "demo_command"),
    "init": ("auditor.cli.init", "init_command"),
    "schedule": ("auditor.cli.schedule", "schedule_command"),
    "status": ("auditor.cli.schedule", "status_command"),
    "forget": ("auditor.cli.forget", "forget_command"),
    "lookup": ("auditor.cli.lookup", "lookup_command"),
    "watch": ("auditor.cli.watch", "watch_command"),
}
"""Command -> (module, function); every other command is ``auditor.cli.admin``'s
``<command>_command``. Modules are imported only when their command runs, so ``--help`` stays
fast."""


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    default = ("auditor.cli.admin", command.replace("-", "_") + "_command")
    module_name, function = COMMANDS.get(command, default)
    handler: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(module_name), function
    )
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, dispatch, and turn every user-facing error into one line and exit 2."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version of argparse, or a usage error (one line)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.version:
        from auditor import __version__

        print(f"brand-audit {__version__}")
        return 0
    command = getattr(args, "command", None)
    if command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from auditor.core.errors import MailError, StoreError, UserError

    try:
        return _handler(command)(args)
    except (UserError, StoreError, MailError) as exc:
        print(f"brand-audit: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("brand-audit: interrupted", file=sys.stderr)
        return 130
