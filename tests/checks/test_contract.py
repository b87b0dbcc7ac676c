"""The catalog contract: every check in ``checks.ALL_CHECKS`` has valid metadata, is listed in
CHECKS.md with its default severity, and has a fail, a pass and a not_verified test named after it
(``test_<slug>_fail*``, ``test_<slug>_pass*``, ``test_<slug>_not_verified*`` in
``tests/checks/test_<category>.py`` or ``tests/checks/test_<category>_*.py``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from auditor.core.models import Severity
from auditor.core.registry import build_registry
from checks import ALL_CHECKS

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests" / "checks"
CATALOG = ROOT.parent / "shared" / "CHECKS.md"
ROW = re.compile(r"^\|\s*([a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*)\s*\|\s*([^|]+?)\s*\|", re.MULTILINE)
REGISTRY = build_registry(ALL_CHECKS)
KINDS = ("fail", "pass", "not_verified")


def catalog() -> dict[str, str]:
    """Check id -> severity column of CHECKS.md."""
    return {m.group(1): m.group(2) for m in ROW.finditer(CATALOG.read_text(encoding="utf-8"))}


def _test_names(category: str) -> set[str]:
    names: set[str] = set()
    for path in [*TESTS.glob(f"test_{category}.py"), *TESTS.glob(f"test_{category}_*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
    return names


def test_registry_builds_and_ids_are_unique():
    ids = [spec.id for spec in REGISTRY.specs]
    assert len(ids) == len(set(ids)) == len(ALL_CHECKS)


@pytest.mark.parametrize("spec", REGISTRY.specs, ids=lambda s: s.id)
def test_metadata_is_complete(spec):
    assert spec.id.startswith(spec.category.value + ".")
    assert spec.title.strip() and spec.rationale.strip() and spec.remediation.strip()
    assert spec.needs
    assert spec.func.__doc__ and spec.func.__doc__.strip()
    module_doc = spec.documentation.split("\n\n", 1)[-1]
    assert "placeholder" not in module_doc.lower(), f"{spec.func.__module__} docstring"


@pytest.mark.parametrize("spec", REGISTRY.specs, ids=lambda s: s.id)
def test_every_check_has_fail_pass_and_not_verified_tests(spec):
    slug = spec.id.split(".", 1)[1].replace("-", "_")
    names = _test_names(spec.category.value)
    missing = [k for k in KINDS if not any(n.startswith(f"test_{slug}_{k}") for n in names)]
    assert missing == [], f"{spec.id}: no test_{slug}_<{'|'.join(missing)}> test"


@pytest.mark.skipif(not CATALOG.is_file(), reason="../shared/CHECKS.md is not beside the repo")
def test_every_registered_check_is_in_the_catalog_with_its_severity():
    listed = catalog()
    assert listed, "no rows parsed from CHECKS.md"
    problems = []
    for spec in REGISTRY.specs:
        if spec.id not in listed:
            problems.append(f"{spec.id}: not in CHECKS.md")
            continue
        first = listed[spec.id].split()[0].strip(",")
        # rows with tiers ("critical ≤14 days, high ≤30, ...") are not compared
        single = len(listed[spec.id].split()) == 1
        if single and first in {s.value for s in Severity} and first != spec.severity.value:
            problems.append(f"{spec.id}: severity {spec.severity.value}, CHECKS.md {first}")
    assert problems == []


@pytest.mark.skipif(not CATALOG.is_file(), reason="../shared/CHECKS.md is not beside the repo")
def test_catalog_parser_reads_every_category():
    categories = {check_id.split(".")[0] for check_id in catalog()}
    assert categories == {
        "ownership",
        "access",
        "auth",
        "content",
        "domain",
        "impersonation",
        "coverage",
    }


@pytest.mark.skipif(not CATALOG.is_file(), reason="../shared/CHECKS.md is not beside the repo")
def test_every_catalog_check_is_registered():
    registered = {spec.id for spec in REGISTRY.specs}
    assert sorted(set(catalog()) - registered) == []
