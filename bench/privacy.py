"""Privacy benchmark: what the tool writes about a customer, and what ``forget`` leaves.

Plants unique markers (a phone number, an e-mail address, a card number, a customer handle and a
street address) in replies of a copy of the demo world (a reply seen by every audit of the
current estate and cited by content.pii-exposed, a recent unregistered reply cited by
content.unapproved-post and content.pii-exposed, and a reply deleted since the week-old audit,
cited by content.posts-deleted from the stored, minimised snapshot), runs ``brand-audit demo --email`` twice
(three audits: the estate a week ago, now, and now again) with every log line at DEBUG level
captured as the service writes it, then scans every byte written (the store and its WAL, key
and lock files, any HTTP cache file, the reports, the e-mail outbox decoded, the log):

- markers in clear (must be 0 everywhere);
- masked occurrences (expected where a finding cites them);
- keyed digests the bench can derive (the planted texts and the person under the store key).

Then ``brand-audit forget --person @<handle>`` and the store is scanned again: nothing of the
customer in any form (clear, masked or digest). The reports written before the erasure are
documents already delivered; they are listed, not erased.

    .venv/bin/python bench/privacy.py [--quick]

``--quick`` (used by the CI test) skips the e-mail and the third audit.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import io
import logging
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import yaml

from auditor.cli import demo as cli_demo
from auditor.cli.main import main as cli_main
from auditor.sandbox.world import DEMO_WORLD
from auditor.service.run_log import configure_logging, remove_handler
from auditor.store.privacy import key_path, keyed_digest, person_digest

HANDLE = "quinnmarker77"
PHONE = "(646) 555-0173"
EMAIL = "quinn.marker7@gmail.com"
CARD = "4929 3813 3266 4295"
STREET = "1742 Evergreen Terrace"

CLEAR = {
    "phone": [PHONE, "646-555-0173", "6465550173", "+16465550173", "646) 555-0173"],
    "email": [EMAIL, "quinn.marker7"],
    "card": [CARD, CARD.replace(" ", ""), "3813 3266", "38133266"],
    "handle": [HANDLE],
    "street": [STREET, "Evergreen Terrace"],
}
"""Every clear form a marker could take (case-insensitive)."""

MASKED = {
    "phone": ["+1 *** *** 0173"],
    "email": ["q***@g***.com"],
    "card": ["**** **** **** 4295"],
    "handle": ["@q***"],
    "street": ["[street address]"],
}
"""The masked forms the detectors write."""

SEEN_TWICE = (
    f"@{HANDLE} sorry for the wait! The courier goes to {STREET}; we will call you at {PHONE} "
    f"or write to {EMAIL}."
)
RECENT = f"@{HANDLE} your refund went to the card {CARD}, see you at {STREET}!"
DELETED = f"@{HANDLE} we will drop the parcel at {STREET} tomorrow."


def planted_world(dest: Path) -> Path:
    """A copy of the demo world with the markers planted in @northwind's replies."""
    raw = yaml.safe_load(DEMO_WORLD.read_text(encoding="utf-8"))
    flagship = next(u for u in raw["x"]["users"] if u["username"] == "northwind")
    reply = {"reply_to": "1700000000000000999", "reply_to_tweet": "1860000000000000999"}
    flagship["tweets"] += [
        {"id": "1800000000000000901", "text": SEEN_TWICE, "created_at": "-10d", **reply}
        | {"source": "Northwind Publisher"},
        {"id": "1800000000000000902", "text": RECENT, "created_at": "-5h", **reply},
    ]
    previous = raw["previous"]["x"]["users"]["1500000000000000001"]
    previous["tweets"].append(
        {"id": "1800000000000000903", "text": DELETED, "created_at": "-9d", **reply}
    )
    path = dest / "world.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Scan:
    """What one scan found, by file."""

    clear: dict[str, list[str]] = field(default_factory=dict)
    """File -> markers found in clear."""
    masked: dict[str, int] = field(default_factory=dict)
    """File -> masked occurrences."""
    digests: dict[str, int] = field(default_factory=dict)
    """File -> derivable digests found."""

    @property
    def clear_total(self) -> int:
        return sum(len(v) for v in self.clear.values())


def readable(path: Path) -> Iterator[str]:
    """The bytes of ``path`` as text, plus every decoded part when it is an e-mail."""
    data = path.read_bytes()
    yield data.decode("utf-8", "replace")
    if path.suffix == ".eml":
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                yield payload.decode("utf-8", "replace")


def scan(files: list[Path], digests: list[str]) -> Scan:
    """Markers in clear, masked forms and digests in ``files``."""
    found = Scan()
    for path in files:
        texts = list(readable(path))
        lowered = [t.lower() for t in texts]
        clear = sorted(
            {
                kind
                for kind, forms in CLEAR.items()
                for f in forms
                for t in lowered
                if f.lower() in t
            }
        )
        masked = sum(t.count(m) for forms in MASKED.values() for m in forms for t in texts[:1])
        derived = sum(t.count(d.split(":", 1)[1]) for d in digests for t in texts[:1])
        name = str(path)
        if clear:
            found.clear[name] = clear
        if masked:
            found.masked[name] = masked
        if derived:
            found.digests[name] = derived
    return found


def written(folder: Path) -> list[Path]:
    """Every file under ``folder``."""
    return sorted(p for p in folder.rglob("*") if p.is_file())


def derivable(store: Path) -> list[str]:
    """The digests anyone holding the key and the planted data could compute."""
    key_file = key_path(store)
    if not key_file.is_file():
        return []
    key = bytes.fromhex(key_file.read_text().strip())
    texts = [keyed_digest(key, t) for t in (SEEN_TWICE, RECENT, DELETED)]
    return [*texts, person_digest(key, HANDLE), person_digest(key, EMAIL)]


def demo(out: Path, world: Path, log: io.StringIO, *, email_too: bool) -> int:
    """One ``brand-audit demo`` on the planted world, logging at DEBUG into ``log``."""
    handler = configure_logging(log, "json", logging.DEBUG)
    args = ["demo", "--out", str(out), "--quiet", "--fail-on", "none"]
    try:
        with (
            mock.patch.dict(cli_demo.DEMO_WORLDS, {"northwind": (cli_demo.DEMO_CONFIG, world)}),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            return cli_main(args + (["--email"] if email_too else []))
    finally:
        remove_handler(handler)


def report(title: str, found: Scan) -> None:
    """Print one scan."""
    print(
        f"{title}: {found.clear_total} marker(s) in clear, "
        f"{sum(found.masked.values())} masked occurrence(s), "
        f"{sum(found.digests.values())} derivable digest(s)"
    )
    for name, kinds in sorted(found.clear.items()):
        print(f"  IN CLEAR {name}: {', '.join(kinds)}")
    for name, n in sorted(found.masked.items()):
        print(f"  masked   {Path(name).name}: {n}")
    for name, n in sorted(found.digests.items()):
        print(f"  digest   {Path(name).name}: {n}")


def run(quick: bool) -> tuple[Scan, Scan]:
    """The whole bench; returns the scan after the audits and the store's after ``forget``."""
    with tempfile.TemporaryDirectory(prefix="bench-privacy-") as tmp:
        root = Path(tmp)
        world = planted_world(root)
        out = root / "out"
        log = io.StringIO()
        for _ in range(1 if quick else 2):
            code = demo(out, world, log, email_too=not quick)
            if code == 2:
                raise SystemExit(f"the demo exited {code}")
        (out / "service.log").write_text(log.getvalue(), encoding="utf-8")
        store = out / "brand-audit-demo.db"
        digests = derivable(store)
        before = scan(written(out), digests)
        config = root / "forget.yaml"
        config.write_text(
            f"version: 1\norganization: {{name: Northwind Outfitters, email_domains: [northwind.example]}}\n"
            f"storage: {{path: {store}}}\n",
            encoding="utf-8",
        )
        with contextlib.redirect_stdout(io.StringIO()) as said:
            cli_main(["forget", "--config", str(config), "--person", f"@{HANDLE}", "--by", "bench"])
        print(f"forget: {said.getvalue().strip()}")
        stored = [p for p in written(out) if p.name.startswith(store.name) or "cache" in p.name]
        after = scan(stored, digests)
    return before, after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one demo, no e-mail (CI)")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    # bench/reports.py must not shadow the reports package when run as "python bench/privacy.py"
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    before, after = run(args.quick)
    report("after the audits, every file written", before)
    report("after forget, the store and cache", after)
    after_any = after.clear_total + sum(after.masked.values()) + sum(after.digests.values())
    ok = before.clear_total == 0 and after_any == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
