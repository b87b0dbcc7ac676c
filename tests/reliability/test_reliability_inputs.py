"""Bad input through the real CLI: generated cases (a small sample of bench item 1) and the
precise defects the bench found, one test each."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import reliability_inputs_base as base
from bench.reliability_input_cases import RAW, Case, dump
from bench.reliability_inputs import (
    FILES,
    bad_input,
    call_main,
    call_subprocess,
    violations,
    write_case,
)


def _validate(
    tmp_path: Path, data: bytes, invalid: bool = True, target: str = "config"
) -> list[str]:
    case = Case("test", target, data, invalid)
    config = write_case(case, tmp_path)
    outcome = call_main(["validate", "--config", str(config)], tmp_path)
    return violations(case, outcome, FILES[target])


def _with_raw(path: str, raw: str) -> bytes:
    doc = base.base_config()
    node = doc
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[parts[-1]] = RAW
    return dump(doc, raw)


def test_generated_bad_input_gives_one_line_and_exit_2() -> None:
    tally = bad_input(60, subprocess_cases=0)
    assert tally.tried == 60
    assert tally.failures == []


def test_valid_base_config_and_records_pass_validate(tmp_path: Path) -> None:
    assert _validate(tmp_path, dump(base.base_config()), invalid=False) == []


def test_misspelled_key_is_one_line_naming_file_and_field(tmp_path: Path) -> None:
    doc = base.base_config()
    doc["accounts"][0]["handel"] = doc["accounts"][0].pop("handle")
    case = Case("t", "config", dump(doc), True, "handel|handle")
    outcome = call_main(["validate", "--config", str(write_case(case, tmp_path))], tmp_path)
    assert outcome.code == 2
    assert violations(case, outcome, "config.yaml") == []


def test_deeply_nested_yaml_is_one_line(tmp_path: Path) -> None:
    """Was a traceback (fixed in auditor/config.py load_config): PyYAML's RecursionError."""
    assert _validate(tmp_path, _with_raw("policy.max_full_admins", "[" * 3000 + "]" * 3000)) == []


def test_huge_integer_is_one_line(tmp_path: Path) -> None:
    """Was a traceback (fixed in load_config): PyYAML's int() raises ValueError past 4,300 digits."""
    assert _validate(tmp_path, _with_raw("version", "9" * 5000)) == []


@pytest.mark.parametrize("bare", ["2026-13-01", "2026-02-30", "2026-00-10T10:00:00Z"])
def test_bare_impossible_date_is_one_line_with_its_line(tmp_path: Path, bare: str) -> None:
    """Was a traceback (fixed in load_config): PyYAML's timestamp resolver raises ValueError."""
    assert _validate(tmp_path, _with_raw("launches.0.embargo_until", bare)) == []


@pytest.mark.parametrize("key", ["a\\nb", "\\e[31mred", "x\\x85y"])
def test_control_characters_of_a_key_are_escaped(tmp_path: Path, key: str) -> None:
    """Was raw ESC/C1 characters (and a newline) on the terminal: fixed in auditor/errors.py
    UserError.line and auditor/config.py _one_line."""
    data = dump(base.base_config()) + f'"{key}": 1\n'.encode()
    assert _validate(tmp_path, data) == []


def test_nul_in_a_record_path_is_one_line(tmp_path: Path) -> None:
    """Was a traceback (fixed in auditor/collectors/record_file.py read_text): ValueError for NUL."""
    data = dump(base.base_config()).replace(b"people.csv", b'"a\\0b"')
    case = Case("nul record path", "config", data, True)
    config = write_case(case, tmp_path)
    outcome = call_main(["validate", "--config", str(config)], tmp_path)
    assert violations(case, outcome, "a\\x00b") == []


def test_nul_in_the_store_path_is_one_line_from_run(tmp_path: Path) -> None:
    """Was a traceback from 'run' (os.open() raises ValueError for a NUL in storage.path);
    fixed by ENGINE in auditor/store.py Store._connect."""
    data = dump(base.base_config()).replace(b"audit.db", b'"a\\0b.db"')
    case = Case("nul store", "config", data, True)
    config = write_case(case, tmp_path)
    outcome = call_main(["run", "--config", str(config), "--out", str(tmp_path / "o")], tmp_path)
    assert violations(case, outcome, "a\\x00b.db") == []


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """Was ~30 s and ~1.5 GB for a 1 KB file (fixed in load_config: expanded size is counted on the
    composed node graph first)."""
    lines = ["k0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"k{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
    case = Case("bomb", "config", "\n".join(lines).encode(), True)
    config = write_case(case, tmp_path)
    outcome = call_subprocess(
        ["validate", "--config", str(config)], tmp_path, memory_mb=700, timeout_s=8
    )
    assert violations(case, outcome, "config.yaml") == []


def test_python_yaml_tags_never_run(tmp_path: Path) -> None:
    data = _with_raw("organization.name", "!!python/object/apply:os.system ['touch PWNED']")
    assert _validate(tmp_path, data) == []
    assert not (tmp_path / "PWNED").exists()
