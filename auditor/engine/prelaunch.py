"""Pre-launch claim list: before a product name is announced, what is still free to claim?

``run_prelaunch`` looks the name up (in handle form: ``Trail Pro`` → ``trailpro``) on every
platform that can resolve a handle (X and Mastodon when configured, Bluesky and GitHub always
through their public endpoints; or only the platforms asked for), checks ``<name>.<tld>`` for each TLD (default :data:`DEFAULT_TLDS`), and lists the
lookalikes of ``<name>.<first tld>`` that are already registered (the closest
``policy.lookalike_cap``). It writes ``prelaunch.json`` and a plain-text ``prelaunch.md`` to the
output folder and prints a summary.

Exit code: 0 everything is free; 1 a handle or domain is taken or a lookalike is registered;
3 nothing is taken but some lookups failed. A bad name or TLD raises
:class:`~auditor.core.errors.UserError` (the CLI's exit 2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.collectors.impersonation.handle_variants import handle_form
from auditor.collectors.impersonation.handles import Resolver, probe_clients, qualified
from auditor.collectors.impersonation.lookalikes import rank
from auditor.collectors.registration.lookup import DomainLookup, build_lookup
from auditor.collectors.registration.public_suffix import PublicSuffixList
from auditor.core.errors import CollectionError, UserError
from auditor.core.private_files import write_private

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig

DEFAULT_TLDS = ("com", "net", "org", "io", "co", "app", "dev", "shop", "store", "online")
"""TLDs checked when none are given."""

PUBLIC_LOOKUPS = ("bluesky", "github")
"""Platforms looked up even when the config does not set them up (public endpoints)."""

SCHEMA_VERSION = 1
"""Version of ``prelaunch.json``."""

_TLD = re.compile(r"^[a-z0-9-]{2,63}(\.[a-z0-9-]{2,63})?$")


@dataclass(frozen=True)
class HandleStatus:
    """One platform's answer for the name."""

    platform: str
    """Platform."""
    handle: str
    """Handle looked up."""
    status: str
    """``available``, ``taken`` or ``unknown``."""
    account_id: str | None = None
    """Holder's id when taken."""
    display_name: str | None = None
    """Holder's display name when taken."""
    error: str | None = None
    """Why the lookup failed (error kind)."""


@dataclass(frozen=True)
class DomainStatus:
    """One domain's registration."""

    domain: str
    """The domain."""
    status: str
    """``available``, ``taken`` or ``unknown``."""
    registrar: str | None = None
    """Registrar when taken."""
    expires_at: str | None = None
    """Expiry (ISO 8601) when taken."""
    error: str | None = None
    """Why the lookup failed (error kind)."""


def _handles(name: str, resolvers: dict[str, Resolver]) -> list[HandleStatus]:
    def one(platform: str) -> HandleStatus:
        handle = qualified(platform, name)
        try:
            found = resolvers[platform](handle)
        except CollectionError as exc:
            return HandleStatus(platform, handle, "unknown", error=exc.kind.value)
        if not found.exists:
            return HandleStatus(platform, handle, "available")
        return HandleStatus(platform, handle, "taken", found.account_id, found.display_name)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, sorted(resolvers)))


def _domains(domains: Sequence[str], lookup: DomainLookup, now: datetime) -> list[DomainStatus]:
    def one(domain: str) -> DomainStatus:
        try:
            ev = lookup.lookup(domain, now)
        except CollectionError as exc:
            return DomainStatus(domain, "unknown", error=exc.kind.value)
        if ev.registered is None:
            return DomainStatus(domain, "unknown", error="unknown")
        if not ev.registered:
            return DomainStatus(domain, "available")
        expires = ev.expires_at.isoformat() if ev.expires_at else None
        return DomainStatus(domain, "taken", ev.registrar, expires)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, domains))


def _clean_tlds(tlds: Sequence[str]) -> list[str]:
    cleaned = [t.strip().lower().lstrip(".") for t in tlds if t.strip()]
    bad = [t for t in cleaned if not _TLD.match(t)]
    if bad:
        raise UserError(f"expected TLDs like com or co.uk, got {', '.join(bad)}", field="--tlds")
    return list(dict.fromkeys(cleaned)) or list(DEFAULT_TLDS)


def _lookalikes(
    base: str, config: AppConfig, lookup: DomainLookup, when: datetime
) -> tuple[list[dict[str, Any]], list[DomainStatus], int]:
    """Registered lookalikes of ``base`` among the closest ``policy.lookalike_cap``."""
    candidates, generated = rank(base, config.policy.lookalike_cap, (), PublicSuffixList.bundled())
    checked = _domains([c.domain for c in candidates], lookup, when)
    fuzzers = {c.domain: c for c in candidates}
    taken = [
        {
            **asdict(d),
            "fuzzer": fuzzers[d.domain].fuzzer,
            "similarity": fuzzers[d.domain].similarity,
        }
        for d in checked
        if d.status == "taken"
    ]
    return taken, checked, generated


def run_prelaunch(
    config: AppConfig,
    *,
    name: str,
    tlds: Sequence[str] = (),
    platforms: Sequence[str] = (),
    out: Path,
    now: datetime | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Check the name everywhere, write ``out/prelaunch.json`` and ``out/prelaunch.md``, print a
    summary; the exit code (module docstring)."""
    handle = handle_form(name).replace("_", "")
    if len(handle) < 2:
        raise UserError(
            "expected a product name with at least two letters or digits", field="--name"
        )
    when = (now or datetime.now(UTC)).astimezone(UTC)
    chosen = _clean_tlds(tlds)
    resolvers = probe_clients(config, include=platforms or PUBLIC_LOOKUPS)
    if platforms:
        unknown = sorted(set(platforms) - set(resolvers))
        if unknown:
            raise UserError(
                f"cannot look handles up on {', '.join(unknown)} (configure one of x, mastodon, "
                "bluesky, github)",
                field="--platforms",
            )
        resolvers = {p: r for p, r in resolvers.items() if p in platforms}
    lookup = build_lookup(config)
    handles = _handles(handle, resolvers)
    domains = _domains([f"{handle}.{t}" for t in chosen], lookup, when)
    lookalikes, checked, generated = _lookalikes(f"{handle}.{chosen[0]}", config, lookup, when)
    report = {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "handle": handle,
        "checked_at": when.isoformat(),
        "handles": [asdict(h) for h in handles],
        "domains": [asdict(d) for d in domains],
        "lookalikes": lookalikes,
        "lookalikes_checked": len(checked),
        "lookalikes_generated": generated,
        "lookalikes_unknown": sum(1 for d in checked if d.status == "unknown"),
    }
    _write(out, report)
    echo(summary(report))
    return exit_code(report)


def exit_code(report: dict[str, Any]) -> int:
    """0 all free, 1 something taken, 3 only failed lookups."""
    rows = [*report["handles"], *report["domains"]]
    if report["lookalikes"] or any(r["status"] == "taken" for r in rows):
        return 1
    if report["lookalikes_unknown"] or any(r["status"] == "unknown" for r in rows):
        return 3
    return 0


def _cell(value: object) -> str:
    """Fetched text made safe for one plain-text table cell."""
    text = "" if value is None else str(value)
    text = "".join(c if c.isprintable() else " " for c in text)
    return text.replace("|", "/").replace("`", "'")[:80]


def render_text(report: dict[str, Any]) -> str:
    """The report as a plain-text (Markdown-compatible) document."""
    lines = [f"# Pre-launch claim list: {_cell(report['name'])}", ""]
    lines += [f"Checked {report['checked_at']} for handle `{report['handle']}`.", ""]
    lines += ["## Handles", "", "| platform | handle | status | holder |", "|---|---|---|---|"]
    for h in report["handles"]:
        holder = h["display_name"] or h["account_id"] or h["error"] or ""
        lines.append(
            f"| {h['platform']} | {_cell(h['handle'])} | {h['status']} | {_cell(holder)} |"
        )
    lines += [
        "",
        "## Domains",
        "",
        "| domain | status | registrar | expires |",
        "|---|---|---|---|",
    ]
    for d in report["domains"]:
        lines.append(
            f"| {d['domain']} | {d['status']} | {_cell(d['registrar'] or d['error'])} | "
            f"{_cell(d['expires_at'])} |"
        )
    lines += ["", f"## Lookalikes already registered ({len(report['lookalikes'])} of "]
    lines[-1] += f"{report['lookalikes_checked']} closest checked)"
    lines += ["", "| domain | kind | similarity | registrar |", "|---|---|---|---|"]
    for row in report["lookalikes"]:
        lines.append(
            f"| {row['domain']} | {row['fuzzer']} | {row['similarity']:.2f} | {_cell(row['registrar'])} |"
        )
    return "\n".join(lines) + "\n"


def summary(report: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    free_h = [h["platform"] for h in report["handles"] if h["status"] == "available"]
    free_d = [d["domain"] for d in report["domains"] if d["status"] == "available"]
    taken = [h["platform"] for h in report["handles"] if h["status"] == "taken"]
    taken += [d["domain"] for d in report["domains"] if d["status"] == "taken"]
    return "\n".join(
        [
            f"Pre-launch check for {_cell(report['name'])} (handle {report['handle']}):",
            f"  free to claim: {', '.join(free_h + free_d) or 'nothing'}",
            f"  already taken: {', '.join(taken) or 'nothing'}",
            f"  lookalikes registered: {len(report['lookalikes'])} of {report['lookalikes_checked']} checked",
            *_unchecked(report),
        ]
    )


def _unchecked(report: dict[str, Any]) -> list[str]:
    """A line naming what could not be looked up (never read as free), when anything."""
    failed = [
        f"{h['platform']} ({h['error']})" for h in report["handles"] if h["status"] == "unknown"
    ]
    failed += [
        f"{d['domain']} ({d['error']})" for d in report["domains"] if d["status"] == "unknown"
    ]
    if report["lookalikes_unknown"]:
        failed.append(f"{report['lookalikes_unknown']} lookalike(s)")
    return [f"  could not check: {', '.join(failed)}"] if failed else []


def _write(out: Path, report: dict[str, Any]) -> None:
    """Both files, owner-only (a claim list says what the company has not secured yet)."""
    try:
        write_private(out / "prelaunch.json", (json.dumps(report, indent=2) + "\n").encode())
        write_private(out / "prelaunch.md", render_text(report).encode("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot write ({exc.__class__.__name__})", file=str(out)) from None
