"""Benchmark: a generated Bitwarden export of N login items, from file to secret-free facts.

Usage: ``.venv/bin/python bench/records.py [N]`` (default 5,000). Passwords are random
(generator-style, 16-24 characters) except that 10% reuse another item's password and 5% are
company-word passwords, like a real company vault. No breach lookup (that is network time).
Prints parse time, facts time and the total, twice: with every item scored by zxcvbn (no
inventory), and as the vault collector runs it, scoring only the items a 1,000-account
inventory links to (``accounts[].vault_item``; see :mod:`auditor.collectors.records.vault_facts`).

Usage: ``.venv/bin/python bench/records.py [N] [LINKED]``.
"""

from __future__ import annotations

import json
import random
import string
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from auditor.collectors.records.bitwarden import parse_bitwarden
from auditor.collectors.records.sources import linked_items, user_inputs
from auditor.collectors.records.vault_facts import derive_facts
from auditor.core.estate import AccountSpec, Estate, Organization
from auditor.core.evidence import VaultItem

ALPHABET = string.ascii_letters + string.digits + "!@#$%^&*"


def generate(count: int, rng: random.Random) -> dict[str, object]:
    """A Bitwarden organization export with ``count`` login items."""
    passwords: list[str] = []
    items = []
    for n in range(count):
        roll = rng.random()
        if passwords and roll < 0.10:
            password = rng.choice(passwords)
        elif roll < 0.15:
            password = f"Northwind{rng.randint(2015, 2026)}{rng.choice('!#$')}"
        else:
            password = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(16, 24)))
        passwords.append(password)
        items.append(
            {
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "type": 1,
                "name": f"Service {n}",
                "collectionIds": ["c1"],
                "login": {
                    "uris": [{"uri": f"https://service{n}.example/login"}],
                    "username": f"user{n % 50}@northwind.example",
                    "password": password,
                    "totp": "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP" if n % 7 == 0 else None,
                },
                "passwordHistory": [{"lastUsedDate": "2025-05-01T00:00:00.000Z", "password": "x"}]
                if n % 3 == 0
                else None,
                "revisionDate": "2026-01-01T00:00:00.000Z",
                "creationDate": "2020-01-01T00:00:00.000Z",
            }
        )
    return {"encrypted": False, "collections": [{"id": "c1", "name": "All"}], "items": items}


def main() -> None:
    """Generate, parse, derive (all items scored, then linked items only), print timings."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    linked = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    org = Organization(name="Northwind Outfitters", email_domains=("northwind.example",))
    accounts = tuple(
        AccountSpec("x", f"brand{n}", vault_item=f"Service {n}") for n in range(min(linked, count))
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vault.json"
        path.write_text(json.dumps(generate(count, random.Random(7))), encoding="utf-8")
        for estate, label in (
            (Estate(organization=org), "every item scored"),
            (Estate(organization=org, accounts=accounts), f"{len(accounts)} linked items scored"),
        ):
            started = time.perf_counter()
            logins = parse_bitwarden(path)
            parsed = time.perf_counter()
            facts = derive_facts(
                logins,
                user_inputs=user_inputs(estate),
                judged=linked_items(estate) if estate.accounts else None,
            )
            done = time.perf_counter()
            scored = sum(1 for i in facts.items if i.strength_score is not None)
            print(
                f"{count} items ({_distinct(facts.items)} distinct passwords, {scored} scored; "
                f"{label}) at {datetime.now(UTC):%Y-%m-%d %H:%M}Z: parse {parsed - started:.2f} s, "
                f"facts {done - parsed:.2f} s, total {done - started:.2f} s"
            )


def _distinct(items: tuple[VaultItem, ...]) -> int:
    return len({i.item_id for i in items if not i.reused_with}) + len(
        {frozenset((i.item_id, *i.reused_with)) for i in items if i.reused_with}
    )


if __name__ == "__main__":
    main()
