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


def test_defect_deeply_nested_yaml_escapes_as_recursion_error(tmp_path: Path) -> None:
    """DEFECT auditor/config.py load_config: catches only yaml.YAMLError, so PyYAML's
    RecursionError on deep nesting escapes main() as a traceback."""
    assert _validate(tmp_path, _with_raw("policy.max_full_admins", "[" * 3000 + "]" * 3000)) == []


def test_defect_huge_integer_escapes_as_value_error(tmp_path: Path) -> None:
    """DEFECT auditor/config.py load_config: a 4,301+ digit integer makes PyYAML's int()
    raise ValueError (int max str digits), not caught: traceback."""
    assert _validate(tmp_path, _with_raw("version", "9" * 5000)) == []


@pytest.mark.parametrize("bare", ["2026-13-01", "2026-02-30", "2026-00-10T10:00:00Z"])
def test_defect_bare_impossible_date_escapes_as_value_error(tmp_path: Path, bare: str) -> None:
    """DEFECT auditor/config.py load_config: an unquoted impossible date is claimed by PyYAML's
    timestamp resolver, whose datetime() raises ValueError: traceback, not one line."""
    assert _validate(tmp_path, _with_raw("launches.0.embargo_until", bare)) == []


@pytest.mark.parametrize("key", ["a\\nb", "\\e[31mred", "x\\x85y"])
def test_defect_control_characters_of_a_key_reach_the_error_line(tmp_path: Path, key: str) -> None:
    """DEFECT auditor/config.py _one_line: the pydantic location is printed raw, so a key
    holding a newline splits the error into two lines and ESC/C1 characters reach the terminal."""
    data = dump(base.base_config()) + f'"{key}": 1\n'.encode()
    assert _validate(tmp_path, data) == []


def test_defect_nul_in_a_record_path_escapes_as_value_error(tmp_path: Path) -> None:
    """DEFECT auditor/collectors/record_file.py read_text: Path.stat() raises ValueError
    ('embedded null byte') for a path with NUL; only OSError is caught: traceback."""
    data = dump(base.base_config()).replace(b"people.csv", b'"a\\0b"')
    case = Case("nul record path", "config", data, True)
    config = write_case(case, tmp_path)
    outcome = call_main(["validate", "--config", str(config)], tmp_path)
    assert violations(case, outcome, "a\\x00b") == []


def test_defect_nul_in_the_store_path_escapes_from_run(tmp_path: Path) -> None:
    """DEFECT auditor/store.py Store._connect: os.open() raises ValueError for a NUL in
    storage.path; only OSError/sqlite3.Error are caught: traceback from 'run'."""
    data = dump(base.base_config()).replace(b"audit.db", b'"a\\0b.db"')
    case = Case("nul store", "config", data, True)
    config = write_case(case, tmp_path)
    outcome = call_main(["run", "--config", str(config), "--out", str(tmp_path / "o")], tmp_path)
    assert violations(case, outcome, "config.yaml") == []


def test_defect_yaml_alias_bomb_is_not_refused_quickly(tmp_path: Path) -> None:
    """DEFECT auditor/config.py _resolve_env: aliases are expanded into copies (exponential);
    an 8-level alias bomb of 1 KB takes ~30 s and ~1.5 GB instead of a one-line refusal."""
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
