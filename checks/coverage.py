"""coverage checks (placeholder: the owning helper replaces this docstring with the family's user
documentation)."""

from __future__ import annotations

from auditor.registry import CheckFunc

CHECKS: tuple[CheckFunc, ...] = ()
"""The coverage checks in catalog order."""
