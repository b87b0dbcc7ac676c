"""``brand-audit init``: a minimal, commented config from a few answers.

The company name, its domains and its accounts (``platform:handle``) come from flags, or from
questions on a terminal. The file is validated by the same loader every command uses before it
is written (atomically, mode 0600), and an existing file is never replaced without ``--force``.
Every platform named gets its ``platforms`` entry with the token as an ``${ENV}`` reference,
never a value: ``brand-audit doctor`` then says which scopes the tokens have.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from auditor.cli.arguments import split_list
from auditor.config.loading import PLATFORMS, load_config
from auditor.core.errors import ConfigError, UserError
from auditor.core.private_files import write_private_text

API_OF = {"instagram": "meta"}
"""Accounts whose API entry is another platform's (Instagram is read through Meta's Graph)."""

TOKEN_VARIABLE = {
    "x": "X_BEARER_TOKEN",
    "meta": "META_ACCESS_TOKEN",
    "linkedin": "LINKEDIN_ACCESS_TOKEN",
    "youtube": "YOUTUBE_API_KEY",
    "github": "GITHUB_TOKEN",
    "mastodon": "MASTODON_ACCESS_TOKEN",
    "bluesky": "BLUESKY_APP_PASSWORD",
}
"""The environment variable each API's token is read from (``${NAME}`` in the config)."""

EXTRA_SETTINGS = {
    "meta": 'business_id: ""        # the Business Manager id that owns the pages',
    "github": 'organization: ""     # the GitHub organization to audit',
}
"""Settings a platform needs beside its token, written as commented-out lines."""


def _accounts(values: Sequence[str]) -> list[dict[str, str]]:
    accounts: list[dict[str, str]] = []
    for value in values:
        platform, sep, handle = value.partition(":")
        platform = platform.strip().lower()
        if not sep or platform not in PLATFORMS or not handle.strip():
            raise UserError(
                f"expected platform:handle with a platform of {', '.join(PLATFORMS)},"
                f" got {value!r}",
                field="--account",
            )
        accounts.append({"platform": platform, "handle": handle.strip().lstrip("@")})
    return accounts


def _ask(prompt: str, ask: Callable[[str], str]) -> list[str]:
    return list(split_list([ask(prompt)]))


def render_config(name: str, domains: Sequence[str], accounts: Sequence[dict[str, str]]) -> str:
    """The commented YAML of a minimal config."""
    org = {"name": name, "email_domains": list(domains)}
    apis = sorted({API_OF.get(a["platform"], a["platform"]) for a in accounts})
    lines = [
        "# brand-auditor config written by 'brand-audit init'. Check it with",
        "#   brand-audit validate --config THIS_FILE",
        "# and the tokens' scopes with 'brand-audit doctor --config THIS_FILE'.",
        "# Relative paths are relative to this file's folder. Secrets are written ${ENV_NAME}",
        "# and read from the environment only by the commands that use them.",
        "version: 1",
        "",
        "# Addresses at these domains (and their subdomains) are company mailboxes.",
        yaml.safe_dump({"organization": org}, sort_keys=False).rstrip(),
        "",
        "# The inventory: one entry per brand account. Add 'id' (the immutable platform id),",
        "# 'owner', 'registered_email', 'vault_item', 'two_factor' and 'expected_admins'",
        "# as you learn them: checks that need them report 'not verified' until then.",
        yaml.safe_dump({"accounts": list(accounts)}, sort_keys=False).rstrip(),
        "",
        "# Brand domains: registration, expiry, transfer lock, lookalike registrations.",
        yaml.safe_dump({"domains": [{"name": d} for d in domains]}, sort_keys=False).rstrip(),
        "",
        "# One entry per API, the token as an ${ENV} reference (see the README's table of",
        "# required scopes and where to create each token).",
    ]
    if apis:
        lines.append("platforms:")
        for api in apis:
            lines += [f"  {api}:", f'    token: "${{{TOKEN_VARIABLE[api]}}}"']
            if api in EXTRA_SETTINGS:
                lines.append(f"    # {EXTRA_SETTINGS[api]}")
    else:
        lines.append("platforms: {}")
    lines += [
        "",
        "# The SQLite store of every run (mode 0600), beside this file.",
        "storage:",
        "  path: brand-audit.db",
        "",
        "# Accepted risk as code: uncomment and list entries in mutes.yaml (see the README).",
        "# mutes: mutes.yaml",
        "",
    ]
    return "\n".join(lines)


def init_command(args: argparse.Namespace, ask: Callable[[str], str] = input) -> int:
    """Write the config to ``--out`` (default ``brand-audit.yaml``)."""
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UserError("the file exists: add --force to replace it", file=str(out))
    interactive = sys.stdin.isatty()
    name = args.name or (ask("Company name: ").strip() if interactive else "")
    if not name:
        raise UserError("expected the company name", field="--name")
    domains = list(split_list(args.domain)) or (
        _ask("Brand domains (comma separated, e.g. acme.com): ", ask) if interactive else []
    )
    if not domains:
        raise UserError("expected at least one domain", field="--domain")
    wanted = list(split_list(args.account)) or (
        _ask("Accounts as platform:handle (comma separated, e.g. x:acme): ", ask)
        if interactive
        else []
    )
    text = render_config(name, [d.lower() for d in domains], _accounts(wanted))
    with tempfile.TemporaryDirectory(prefix="brand-audit-init-") as tmp:
        trial = Path(tmp) / out.name
        trial.write_text(text, encoding="utf-8")
        try:
            load_config(trial, {})  # valid before it is written where it belongs
        except ConfigError as exc:
            raise UserError(exc.message, file=str(out), field=exc.field) from None
    try:
        write_private_text(out, text)
    except OSError as exc:
        raise UserError(
            f"cannot write the config ({exc.strerror or type(exc).__name__})", file=str(out)
        ) from None
    print(f"wrote {out}: {len(wanted)} account(s), {len(domains)} domain(s)")
    print(f"next: brand-audit validate --config {out} && brand-audit doctor --config {out}")
    return 0
