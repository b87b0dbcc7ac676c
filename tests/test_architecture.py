"""The dependency rules of DESIGN.md, enforced by reading every module's imports (AST).

- ``checks/`` imports only ``auditor.models``, ``auditor.evidence``, ``auditor.estate`` and
  ``auditor.registry`` from the core, never an SDK or network/storage module (``urllib.parse``,
  plain parsing, is allowed; ``urllib.request`` is not), and never reads the
  clock (``datetime.now``/``date.today``/``time.time``): checks use ``ctx.now``.
- ``reports/`` imports the same four core modules, its own package, the standard library,
  jinja2, css_inline and markupsafe; never an SDK.
- Nothing in ``auditor/`` except the composition root (``cli.py``, ``cli_*.py``) imports
  ``checks`` or ``reports``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_ALLOWED = {"auditor.models", "auditor.evidence", "auditor.estate", "auditor.registry"}
SDKS = {
    "requests",
    "tweepy",
    "whois",
    "socket",
    "urllib",
    "urllib.request",
    "urllib.error",
    "urllib3",
    "http",
    "httpx",
    "aiohttp",
    "smtplib",
    "ssl",
    "sqlite3",
    "sqlalchemy",
    "subprocess",
    "dnstwist",
    "apscheduler",
}
REPORT_LIBS = {"jinja2", "css_inline", "markupsafe"}
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "__future__":
                continue
            if "." in module:
                yield node.lineno, module
            else:  # "from auditor import models" names the module auditor.models
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}"


def top(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def is_sdk(module: str) -> bool:
    """An SDK, network, storage or process module (``urllib.parse`` is plain parsing: allowed)."""
    if module.startswith("urllib.") and module not in SDKS:
        return False
    return any(module == s or module.startswith(s + ".") for s in SDKS)


def core_ok(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in CORE_ALLOWED)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _violations_checks() -> list[str]:
    bad = []
    for path in modules("checks"):
        for line, module in imports(path):
            first = top(module)
            if is_sdk(module):
                bad.append(f"{rel(path)}:{line} imports the SDK/IO module {module}")
            elif (first == "auditor" and not core_ok(module)) or first == "reports":
                bad.append(f"{rel(path)}:{line} imports {module}")
    return bad


def test_checks_import_only_the_core_contracts_and_no_sdk():
    assert _violations_checks() == []


def test_checks_never_read_the_clock():
    bad = []
    for path in modules("checks"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in CLOCK_CALLS
            ):
                bad.append(f"{rel(path)}:{node.lineno} calls {node.func.value.id}.{node.func.attr}")
    assert bad == []


def test_reports_import_only_core_contracts_their_libs_and_stdlib():
    bad = []
    for path in modules("reports"):
        for line, module in imports(path):
            first = top(module)
            if is_sdk(module):
                bad.append(f"{rel(path)}:{line} imports the SDK/IO module {module}")
            elif first == "auditor":
                if not core_ok(module):
                    bad.append(f"{rel(path)}:{line} imports {module}")
            elif first not in {"reports", *REPORT_LIBS} and first not in sys.stdlib_module_names:
                bad.append(f"{rel(path)}:{line} imports {module}")
    assert bad == []


def test_only_the_composition_root_imports_checks_or_reports():
    bad = []
    for path in modules("auditor"):
        if path.parent == ROOT / "auditor" and (
            path.name == "cli.py" or path.name.startswith("cli_")
        ):
            continue
        for line, module in imports(path):
            if top(module) in {"checks", "reports"}:
                bad.append(f"{rel(path)}:{line} imports {module}")
    assert bad == []


@pytest.mark.parametrize("package", ["auditor", "checks", "reports"])
def test_every_module_has_a_docstring(package):
    missing = [
        rel(p)
        for p in modules(package)
        if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
        and p.read_text(encoding="utf-8").strip()
    ]
    assert missing == []


def test_the_rules_catch_a_violation(tmp_path, monkeypatch):
    fake_root = tmp_path
    (fake_root / "checks").mkdir()
    (fake_root / "checks" / "bad.py").write_text(
        '"""Bad."""\nimport requests\nfrom auditor.collectors import x\nfrom auditor.models import Asset\n'
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    found = _violations_checks()
    assert len(found) == 2
    assert "requests" in found[0]
    assert "auditor.collectors" in found[1]
