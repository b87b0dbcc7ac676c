"""Item 5, secrets: unique markers planted in every secret field must never leave memory.

Markers go into the platform tokens (as ``${ENV}`` references), the SMTP password, the vault
passwords (current and history) and the TOTP seeds of a Bitwarden export. One audit runs
in-process over the sandbox with breach lookups on and ``--email`` to an outbox; a second one
mails through an SMTP server that refuses the connection (the error path). Searched for every
marker, and for the SHA-1 hex (both cases) and base64 forms of each: every report (JSON, CSV,
HTML, email HTML, OCSF), every part of the ``.eml`` (decoded), every row of every store table,
the raw bytes of the store, its ``-wal`` and ``-shm`` and the HTTP cache, every log record at
DEBUG (the sandbox's too), stdout and stderr. The Pwned Passwords route must have seen only
five-hex-digit prefixes.
"""

from __future__ import annotations

import base64
import contextlib
import email
import hashlib
import io
import json
import logging
import os
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

from auditor.sandbox import start_sandbox
from auditor.store.database import Store
from bench.reliability_faults import RecordingPlan
from bench.reliability_tally import Tally
from bench.reliability_world import (
    GenAccount,
    config_document,
    make_accounts,
    world_document,
    write_yaml,
)

PLATFORM_ENV = {
    "x": "REL_SECRET_X",
    "mastodon": "REL_SECRET_MASTODON",
    "youtube": "REL_SECRET_YOUTUBE",
    "linkedin": "REL_SECRET_LINKEDIN",
}
"""Environment variables holding the platform token markers."""


def markers() -> dict[str, str]:
    """A fresh marker per secret field."""
    tag = uuid.uuid4().hex[:12]
    names = [*PLATFORM_ENV, "smtp", "vault0", "vault1", "history0", "totp0", "totp1"]
    return {name: f"RelSecret{name}{tag}Q9" for name in names}


def forms(marker: str) -> list[str]:
    """The marker and its derived forms that must not appear either."""
    digest = hashlib.sha1(marker.encode()).hexdigest()
    encoded = base64.b64encode(marker.encode()).decode()
    return [marker, digest, digest.upper(), encoded, marker[:14] + marker[-6:]]


def vault_document(planted: dict[str, str], accounts: list[GenAccount]) -> dict[str, Any]:
    """A Bitwarden export whose passwords, history and TOTP seeds are markers."""
    items = []
    for n in range(2):
        items.append(
            {
                "id": f"00000000-0000-4000-8000-00000000000{n}",
                "type": 1,
                "name": f"{accounts[n].platform} - {accounts[n].handle}",
                "revisionDate": "2026-09-14T10:02:11.000Z",
                "creationDate": "2021-03-02T09:00:00.000Z",
                "passwordHistory": [
                    {"lastUsedDate": "2026-01-01T00:00:00.000Z", "password": planted["history0"]}
                ],
                "login": {
                    "username": "social@acme.example",
                    "password": planted[f"vault{n}"],
                    "totp": f"otpauth://totp/Acme?secret={planted[f'totp{n}']}",
                    "uris": [{"uri": "https://acme.example"}],
                },
            }
        )
    return {"encrypted": False, "items": items}


@contextlib.contextmanager
def _captured_logs() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(exc_text)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _texts(root: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every file under ``root``: raw bytes, decoded mail parts, SQL rows."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        yield str(path.relative_to(root)), raw.decode("latin-1")
        if path.suffix == ".eml":
            message = email.message_from_bytes(raw, policy=policy.default)
            for part in message.walk():
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    yield (
                        f"{path.name} part {part.get_content_type()}",
                        payload.decode("utf-8", "replace"),
                    )
        if path.suffix == ".db":
            yield from _rows(path)


def _rows(db: Path) -> Iterator[tuple[str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            yield f"{db.name} table {table}", json.dumps(rows, default=str)
    finally:
        conn.close()


def _scan(tally: Tally, where: str, text: str, planted: dict[str, str]) -> None:
    found = [name for name, marker in planted.items() for f in forms(marker) if f in text]
    tally.check(not found, "a secret reached an output", f"{where}: {sorted(set(found))}")


def _audit(config: Path, out: Path) -> tuple[int, str, str]:
    from auditor.cli.main import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["run", "--config", str(config), "--out", str(out), "--email", "--quiet"])
    return code, stdout.getvalue(), stderr.getvalue()


def _ocsf(config: Path, out: Path) -> None:
    """An OCSF export of one more run (the CLI writes none): the report writer's own output."""
    from auditor.cli.run import RunOptions, audit_and_write
    from auditor.config.loading import load_config
    from auditor.core.private_files import write_private_text
    from reports import render_ocsf

    app = load_config(config)
    options = RunOptions(only=(), fail_on=None, formats=("json",))
    done = audit_and_write(app, options, app.resolve(app.model.storage.path), out, quiet=True)
    write_private_text(out / "findings.ocsf.json", render_ocsf(done.result.run))


@contextlib.contextmanager
def _planted_env(planted: dict[str, str]) -> Iterator[None]:
    """The token and SMTP markers in the environment (restored afterwards)."""
    values = {env: planted[platform] for platform, env in PLATFORM_ENV.items()}
    values["REL_SECRET_SMTP"] = planted["smtp"]
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _config(root: Path, generated: list[GenAccount], urls: dict[str, str]) -> dict[str, Any]:
    """The config: tokens and the SMTP password as ``${ENV}``, the vault, breach lookups on."""
    smtp = {
        "host": "127.0.0.1",
        "port": 9,
        "security": "none",
        "username": "audit",
        "password": "${REL_SECRET_SMTP}",
        "timeout_s": 2,
    }
    mail = {
        "from": "audit@acme.example",
        "to": ["ciso@acme.example"],
        "outbox": "outbox",
        "smtp": smtp,
    }
    tokens = {p: "${" + env + "}" for p, env in PLATFORM_ENV.items()}
    doc = config_document(
        generated, urls, tokens=tokens, store="store/audit.db", extra={"mail": mail}
    )
    doc["sources"] = {"vault": {"bitwarden": "vault.json"}}
    doc["platforms"]["hibp"] = {"base_url": urls["hibp"]}
    return doc


def _runs(tally: Tally, root: Path, doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The outbox run, an OCSF export and the failing-SMTP run; returns their streams."""
    config = write_yaml(root / "cfg" / "config.yaml", doc)
    code, out, err = _audit(config, root / "out")
    outputs = [("stdout", out), ("stderr", err)]
    tally.check(code in (0, 1, 3), "the secrets run failed", f"exit {code}: {err}")
    _ocsf(config, root / "ocsf")
    del doc["mail"]["outbox"]
    code, out, err = _audit(write_yaml(root / "cfg" / "smtp.yaml", doc), root / "smtp-out")
    outputs += [("stdout (smtp)", out), ("stderr (smtp)", err)]
    one_line = code == 2 and err.count("\n") == 1
    tally.check(one_line, "SMTP failure is not one line", f"exit {code}: {err[-200:]!r}")
    return outputs


def secrets(accounts: int = 8) -> Tally:
    """Item 5."""
    tally = Tally("5 secrets")
    planted = markers()
    generated = make_accounts(accounts)
    plan = RecordingPlan()
    inputs = ("vault.json", "config.yaml", "smtp.yaml", "world.yaml")
    with tempfile.TemporaryDirectory(prefix="rel-secrets-") as tmp, _captured_logs() as logs:
        root = Path(tmp)
        world_doc = world_document(generated)
        world_doc["hibp"] = {"words": ["password"], "decoys": 3}
        world = write_yaml(root / "world.yaml", world_doc)
        (root / "cfg").mkdir()
        vault_text = json.dumps(vault_document(planted, generated))
        (root / "cfg" / "vault.json").write_text(vault_text, encoding="utf-8")
        db = root / "cfg" / "store" / "audit.db"
        Store(db).close()
        # a connection held open through the runs keeps the -wal (with their writes) and -shm
        with (
            _planted_env(planted),
            start_sandbox(world, faults=plan) as running,
            contextlib.closing(sqlite3.connect(db)) as holder,
        ):
            holder.execute("SELECT COUNT(*) FROM runs").fetchall()
            outputs = _runs(tally, root, _config(root, generated, dict(running.base_urls)))
            tally.check(Path(f"{db}-wal").stat().st_size > 0, "no WAL content to scan", "-wal")
            for where, text in _texts(root):
                if not where.endswith(inputs):
                    _scan(tally, where, text, planted)
        outputs.append(("logs (DEBUG)", logs.getvalue()))
        for where, text in outputs:
            _scan(tally, where, text, planted)
        _hibp(tally, plan, planted)
    hibp = sum(1 for platform, _, _ in plan.log if platform == "hibp")
    tally.notes.append(
        f"{len(planted)} markers x {len(forms('x'))} forms searched in "
        f"{tally.tried} outputs; {hibp} range requests"
    )
    return tally


def _hibp(tally: Tally, plan: RecordingPlan, planted: dict[str, str]) -> None:
    seen = [url for platform, url, _ in plan.log if platform == "hibp"]
    tally.check(bool(seen), "the Pwned Passwords route was never asked", "no /range requests")
    for url in seen:
        tally.check(
            re.fullmatch(r"/range/[0-9A-Fa-f]{5}", url) is not None,
            "HIBP saw more than a 5-character prefix",
            url,
        )
    digests = {
        hashlib.sha1(planted[k].encode()).hexdigest()[:5].upper() for k in ("vault0", "vault1")
    }
    asked = {url.rsplit("/", 1)[-1].upper() for url in seen}
    tally.check(
        digests <= asked,
        "a vault password's prefix was not looked up",
        f"{sorted(digests - asked)}",
    )
