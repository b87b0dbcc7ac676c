"""``brand-audit forget``: counts only, refusal while a run holds the store, cache files."""

from __future__ import annotations

import json

from auditor.cli.main import main
from auditor.engine.runner import audit
from auditor.store.database import Store
from tests.auditor.engine.privacy_fakes import CUSTOMER, account
from tests.auditor.engine_fakes import T0, FakeCollector, config, registry, write_config


def stored(tmp_path) -> None:
    with Store(tmp_path / "audit.db") as store:
        collectors = [FakeCollector(name="x", items=[account()])]
        audit(config(tmp_path), registry=registry(), collectors=collectors, store=store, now=T0)


def test_forget_prints_counts_never_the_person(tmp_path, capsys) -> None:
    stored(tmp_path)
    legacy = tmp_path / "audit.platforms.http-cache.json"
    legacy.write_text(json.dumps({"version": 1, "entries": {"a": {}, "b": {}}}))
    path = write_config(tmp_path)
    code = main(["forget", "--config", str(path), "--person", f"@{CUSTOMER}", "--by", "dpo"])
    out = capsys.readouterr().out
    assert code == 0
    assert out == "erased: 2 cache entries, 1 posts, 1 snapshots changed\n"
    assert CUSTOMER not in out and not legacy.exists()
    with Store(tmp_path / "audit.db") as store:
        [(_, by, counts)] = store.erasures()
    assert by == "dpo" and counts == {"cache entries": 2, "posts": 1, "snapshots changed": 1}
    assert main(["forget", "--config", str(path), "--log"]) == 0
    logged = capsys.readouterr().out
    assert logged.endswith("asked by dpo: 2 cache entries, 1 posts, 1 snapshots changed\n")
    assert CUSTOMER not in logged


def test_forget_refuses_while_a_run_holds_the_store(tmp_path, capsys) -> None:
    stored(tmp_path)
    path = write_config(tmp_path)
    with Store(tmp_path / "audit.db") as running, running.holding():
        code = main(["forget", "--config", str(path), "--person", f"@{CUSTOMER}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "a run is using the audit store" in err and len(err.strip().splitlines()) == 1


def test_forget_without_a_store_or_with_a_bad_person(tmp_path, capsys) -> None:
    path = write_config(tmp_path)
    assert main(["forget", "--config", str(path), "--person", "someone@example.org"]) == 0
    assert capsys.readouterr().out == "no store yet: nothing to erase\n"
    assert main(["forget", "--config", str(path), "--person", "@"]) == 2
    assert "--person" in capsys.readouterr().err
    assert main(["forget", "--config", str(path), "--person", "@ACME"]) == 2
    assert "estate's own accounts" in capsys.readouterr().err
