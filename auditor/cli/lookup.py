"""``brand-audit lookup DOMAIN...``: what the tool sees for a domain, like ``whois`` but the
normalised evidence a run would use.

For each domain: the protocol and server that answered, the decision (``registered``,
``available`` or ``unknown`` with the reason: throttled, reserved, invalid, unreadable, or the
network error), expiry, creation, registrar (name and IANA id), statuses, DNSSEC, registrant
organisation and name servers. ``--json`` prints one JSON object per domain per line.
``--replies DIR`` reads saved replies (``DIR/NAME.json`` RDAP, ``DIR/NAME.whois`` port-43 text)
instead of the network, through the same lookup, classification and parsing as a run.

Exit codes: 0 every domain got a certain answer (registered or available); 3 some answer is
unknown; 2 a bad argument (an invalid name, a missing ``--replies`` folder, a bad config).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.collectors.registration.lookup import DomainLookup, build_lookup
from auditor.collectors.registration.public_suffix import PublicSuffixList
from auditor.config.loading import AppConfig, load_config
from auditor.core.completeness import Facet, facet_status
from auditor.core.errors import CollectionError, UserError
from auditor.core.evidence import DomainEvidence

EXIT_UNKNOWN = 3
"""Some domain's registration could not be decided."""


def _config(path: str | None) -> AppConfig:
    if path is not None:
        return load_config(Path(path))
    from auditor.config.loading import ConfigModel

    model = ConfigModel.model_validate(
        {"organization": {"name": "lookup", "email_domains": ["example.invalid"]}}
    )
    return AppConfig(model, Path.cwd() / "lookup.yaml")


def _names(raw: Sequence[str], psl: PublicSuffixList) -> list[str]:
    names: list[str] = []
    for value in raw:
        text = value.strip().rstrip(".").lower()
        try:
            ascii_name = text.encode("idna").decode("ascii")
        except UnicodeError:
            raise UserError(f"{value!r} is not a domain name", field="DOMAIN") from None
        domain = psl.registrable(ascii_name)
        if domain is None:
            raise UserError(f"{value!r} is not a registrable domain name", field="DOMAIN")
        names.append(domain)
    return list(dict.fromkeys(names))


def describe(domain: str, found: DomainEvidence | CollectionError) -> dict[str, Any]:
    """One domain's lookup as a JSON-ready mapping."""
    if isinstance(found, CollectionError):
        return {
            "domain": domain,
            "decision": "unknown",
            "answer": "error",
            "reason": f"{found.kind.value}: {found.detail}",
            "protocol": None,
            "server": None,
        }
    state = facet_status(found, Facet.REGISTRATION)
    decision = (
        "unknown"
        if not state.is_complete or found.registered is None
        else "registered"
        if found.registered
        else "available"
    )
    return {
        "domain": found.domain,
        "decision": decision,
        "answer": found.answer.value if found.answer else None,
        "reason": None if decision != "unknown" else state.reason or "no answer",
        "protocol": found.source,
        "server": found.server,
        "expires_at": found.expires_at.isoformat() if found.expires_at else None,
        "created_at": found.created_at.isoformat() if found.created_at else None,
        "registrar": found.registrar,
        "registrar_iana_id": found.registrar_iana_id,
        "statuses": list(found.statuses) if found.statuses is not None else None,
        "dnssec": found.dnssec,
        "registrant_org": found.registrant_org,
        "name_servers": list(found.name_servers),
    }


def _printable(text: str) -> str:
    """Fetched text without control characters (a reply must not drive the terminal)."""
    return "".join(c if unicodedata.category(c) not in {"Cc", "Cf"} else "?" for c in text)


def _text(row: dict[str, Any]) -> str:
    lines = [str(row["domain"])]
    via = ", ".join(str(v) for v in (row.get("protocol"), row.get("server")) if v)
    decision = row["decision"] if row["decision"] != "unknown" else f"unknown ({row['reason']})"
    lines.append(f"  decision:    {decision}" + (f" [{via}]" if via else ""))
    if row["decision"] == "registered":
        registrar = row["registrar"] or "not named"
        if row["registrar_iana_id"]:
            registrar += f" (IANA id {row['registrar_iana_id']})"
        dnssec = {True: "signed", False: "unsigned", None: "not stated"}[row["dnssec"]]
        statuses = row["statuses"]
        lines += [
            f"  expires:     {row['expires_at'] or 'not stated'}",
            f"  created:     {row['created_at'] or 'not stated'}",
            f"  registrar:   {registrar}",
            f"  statuses:    {', '.join(statuses) if statuses else 'none listed'}",
            f"  dnssec:      {dnssec}",
            f"  registrant:  {row['registrant_org'] or 'redacted or not published'}",
        ]
        if row["name_servers"]:
            lines.append(f"  nameservers: {', '.join(row['name_servers'])}")
    return "\n".join(_printable(line) for line in lines)


def _one(lookup: DomainLookup, domain: str, now: datetime) -> dict[str, Any]:
    try:
        return describe(domain, lookup.lookup(domain, now))
    except CollectionError as exc:
        return describe(domain, exc)


def lookup_command(args: argparse.Namespace) -> int:
    """Look the domains up and print what a run would see."""
    replies = Path(args.replies) if args.replies else None
    if replies is not None and not replies.is_dir():
        raise UserError("expected a folder of saved replies", file=str(replies), field="--replies")
    config = _config(args.config)
    names = _names(args.domains, PublicSuffixList.bundled())
    lookup = build_lookup(config, replies=replies, auto_refresh=args.config is not None)
    now = datetime.now(UTC)
    try:
        with ThreadPoolExecutor(max_workers=min(8, len(names))) as pool:
            rows = list(pool.map(lambda d: _one(lookup, d, now), names))
    finally:
        lookup.close()
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else _text(row))
    sys.stdout.flush()
    return EXIT_UNKNOWN if any(r["decision"] == "unknown" for r in rows) else 0
