"""The rules of DESIGN.md that are not import direction, and the import-linter contract itself.

The dependency direction (``cli -> service -> engine -> collectors/store/checks/reports -> http
-> config -> core``; checks and reports read only the core and no SDK) is an import-linter
contract in ``pyproject.toml``, run by ``.ci/run`` as ``lint-imports``. Here: the contract holds
on the tree and breaks on a deliberately wrong import; checks never read the clock; checks and
reports import no standard-library network, storage or process module; every module has a
docstring.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB_IO = {"socket", "ssl", "smtplib", "sqlite3", "subprocess", "http", "urllib.request"}
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def modules(package: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def imported(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contract_holds():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "wrong_import"),
    [
        ("checks/domain.py", "from auditor.collectors.registration import whois\n"),
        ("auditor/core/models.py", "from auditor.engine import runner\n"),
        ("reports/view.py", "import requests\n"),
    ],
)
def test_the_import_contract_breaks_on_a_wrong_import(tmp_path, module, wrong_import):
    for part in ("auditor", "checks", "reports"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + wrong_import, encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


@pytest.mark.parametrize("package", ["checks", "reports"])
def test_checks_and_reports_import_no_stdlib_io(package):
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(package)
        for line, name in imported(path)
        if name in STDLIB_IO or name.split(".")[0] in STDLIB_IO
    ]
    assert bad == []


def test_checks_never_read_the_clock():
    bad = []
    for path in modules("checks"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in CLOCK_CALLS
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {node.func.attr}")
    assert bad == []


@pytest.mark.parametrize("package", ["auditor", "checks", "reports"])
def test_every_module_has_a_docstring(package):
    missing = [
        str(p.relative_to(ROOT))
        for p in modules(package)
        if p.read_text(encoding="utf-8").strip()
        and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert missing == []
