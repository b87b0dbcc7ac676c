"""What the report says about each check: its title, the risk it addresses and the fix.

The CLI builds the mapping from the registry (:func:`check_infos`) and passes it to
:func:`reports.write_html`; the report prints each check's rationale once, in its check
reference, and every finding links to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditor.core.registry import CheckSpec


@dataclass(frozen=True)
class CheckInfo:
    """A check as the report explains it."""

    title: str
    """One-line title."""
    rationale: str
    """The risk it addresses."""
    remediation: str
    """What to do when it fails."""
    category: str
    """Category value."""


def check_infos(specs: Iterable[CheckSpec]) -> dict[str, CheckInfo]:
    """Check id to :class:`CheckInfo` for the given specs (e.g. ``registry.specs``)."""
    return {s.id: CheckInfo(s.title, s.rationale, s.remediation, s.category.value) for s in specs}


def reference(
    check_ids: Iterable[str], checks: Mapping[str, CheckInfo], fallback: Mapping[str, CheckInfo]
) -> tuple[tuple[str, CheckInfo], ...]:
    """The check reference: each id with its info, the registry's when known, else the
    fallback built from the findings themselves."""
    return tuple((cid, checks.get(cid) or fallback[cid]) for cid in check_ids)
