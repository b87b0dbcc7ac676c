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
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from auditor.cli.arguments import one_line

EXIT_USAGE = 2
"""Usage, config, input or store error."""

SEVERITIES = ("low", "medium", "high", "critical")
"""Names accepted by ``--fail-on`` (besides ``none``)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_run(sub: argparse._SubParsersAction[_Parser]) -> None:
    run = sub.add_parser("run", help="audit the estate of a config and write the reports")
    run.add_argument("--config", required=True, help="the YAML config file")
    run.add_argument("--out", required=True, help="folder for report.html/json/csv")
    run.add_argument("--format", default="html,json,csv", help="comma list of html,json,csv,ocsf")
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
        help="use run's exit codes (default: exit 0 once the reports are written)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress display")
    demo.add_argument(
        "--watch", action="store_true", help="then show a hijack found and alerted by the watch"
    )
    demo.set_defaults(command="demo", format="html,json,csv", only=None, profile=None)


def _add_admin(sub: argparse._SubParsersAction[_Parser]) -> None:
    validate = sub.add_parser("validate", help="check a config file and exit")
    validate.add_argument("--config", required=True)
    validate.set_defaults(command="validate")
    checks = sub.add_parser("checks", help="list the checks; 'checks explain ID' documents one")
    checks.add_argument("words", nargs="*", metavar="explain ID")
    checks.set_defaults(command="checks")
    history = sub.add_parser("history", help="list earlier runs of the config's estate")
    history.add_argument("--config", required=True)
    history.add_argument("--limit", type=int, default=20)
    history.add_argument(
        "--keep", type=int, metavar="N", help="first delete all but the N latest runs"
    )
    history.set_defaults(command="history")
    mute = sub.add_parser("mute", help="accept a finding until a date, with a reason and owner")
    mute.add_argument("fingerprint")
    mute.add_argument("--reason", required=True)
    mute.add_argument("--owner", required=True)
    mute.add_argument("--expires", required=True, help="YYYY-MM-DD (last day the mute holds)")
    mute.add_argument("--config", required=True)
    mute.set_defaults(command="mute")
    mutes = sub.add_parser("mutes", help="list the recorded mutes (active and expired)")
    mutes.add_argument("--config", required=True)
    mutes.set_defaults(command="mutes")
    baseline = sub.add_parser("baseline", help="accept the current profiles as the baseline")
    baseline.add_argument("action", choices=("accept",))
    baseline.add_argument("--config", required=True)
    baseline.add_argument("--account", help="platform:handle (default: every account)")
    baseline.add_argument("--reason", required=True)
    baseline.add_argument("--by", help="who accepts (default: the login name)")
    baseline.set_defaults(command="baseline")


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


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    if command in ("run", "demo"):
        from auditor.cli import run as cli_run

        return cli_run.run_command if command == "run" else cli_run.demo_command
    if command in ("schedule", "status"):
        from auditor.cli import schedule as cli_schedule

        return (
            cli_schedule.schedule_command if command == "schedule" else cli_schedule.status_command
        )
    if command == "watch":
        from auditor.cli import watch as cli_watch

        return cli_watch.watch_command
    from auditor.cli import admin as cli_admin

    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "validate": cli_admin.validate_command,
        "checks": cli_admin.checks_command,
        "history": cli_admin.history_command,
        "mute": cli_admin.mute_command,
        "mutes": cli_admin.mutes_command,
        "baseline": cli_admin.baseline_command,
        "sandbox": cli_admin.sandbox_command,
        "prelaunch": cli_admin.prelaunch_command,
        "rdap-refresh": cli_admin.rdap_refresh_command,
    }
    return handlers[command]


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
