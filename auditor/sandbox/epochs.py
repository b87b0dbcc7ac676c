"""World epochs: the estate as it stands now, and as it stood some time before.

A world file may carry a top-level ``previous`` overlay describing an earlier state of the same
estate (the demo uses it for "a week ago", so change-based checks have a real previous run)::

    previous:
      ago: 7d                          # how long before now that state was
      x:
        users:                         # a mapping over a list: items by identity
          "1500000000000000001":       # the item whose id (did, login, person, email ...) is this
            verified: true             # ... gets these keys merged in
            tweets: [...]              # a list replaces the whole list
      meta:
        pages:
          "200000000000001":
            assigned_users:
              "3000009": null          # null removes the item

Merge rules: a mapping merges into a mapping key by key; a mapping over a list merges into the
list's items by identity (an unknown identity appends the value, ``null`` removes the item); any
other value replaces. After the merge, every list item with a post-like time (``created_at``,
``created_time``, ``published``, ``timestamp``) later than ``now - ago`` is dropped: nothing
posted since existed then. Times keep their meaning in both epochs (relative times count back
from the moment the sandbox starts), so an item present in both has one timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from auditor.core.errors import InputFileError
from auditor.sandbox.world import when

Epoch = Literal["current", "previous"]
"""Which state of the world the sandbox serves."""

EPOCHS: tuple[Epoch, ...] = ("current", "previous")
"""Every epoch, in time order reversed (now first)."""

PREVIOUS = "previous"
"""The top-level key of the overlay."""

TIME_KEYS = ("created_at", "created_time", "published", "timestamp")
"""Keys whose time says when a list item (a post, an account) came into being."""

IDENTITY_FIELDS = ("id", "did", "login", "person", "email", "username", "rkey", "name")
"""Keys that identify a list item for the overlay's mapping-over-list merge."""


def previous_age(raw: Mapping[str, Any], file: str = "<world>") -> timedelta:
    """How long before now the ``previous`` overlay's state was (its ``ago``)."""
    overlay = raw.get(PREVIOUS)
    if not isinstance(overlay, Mapping):
        raise InputFileError("the world has no 'previous' overlay", file=file, field=PREVIOUS)
    ago = str(overlay.get("ago", "")).strip().lstrip("-")
    base = datetime(2000, 1, 1, tzinfo=UTC)
    try:
        age = base - when("-" + ago, base)
    except ValueError:
        age = timedelta(0)
    if age <= timedelta(0):
        raise InputFileError(
            "expected an age like 7d or 36h", file=file, field=f"{PREVIOUS}.ago"
        ) from None
    return age


def apply_epoch(
    raw: Mapping[str, Any], epoch: Epoch, now: datetime, file: str = "<world>"
) -> dict[str, Any]:
    """The world's sections as they are in ``epoch`` (the overlay key itself removed)."""
    sections = {k: v for k, v in raw.items() if k != PREVIOUS}
    found = raw.get(PREVIOUS)
    overlay = {k: v for k, v in found.items() if k != "ago"} if isinstance(found, Mapping) else {}
    for key in overlay:
        if key not in sections:
            raise InputFileError(
                "the overlay names a section the world lacks", file=file, field=f"{PREVIOUS}.{key}"
            )
    if epoch == "current":
        return sections
    age = previous_age(raw, file)
    merged = merge(sections, overlay, PREVIOUS)
    dropped = _drop_after(merged, now - age)
    if not isinstance(dropped, dict):  # pragma: no cover - merge of two mappings is a mapping
        raise InputFileError("expected a mapping of sections", file=file)
    return dropped


def merge(base: Any, overlay: Any, where: str) -> Any:
    """``overlay`` merged into ``base`` by the rules in the module docstring."""
    if isinstance(overlay, Mapping) and isinstance(base, Mapping):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = merge(base.get(key), value, f"{where}.{key}") if key in base else value
        return out
    if isinstance(overlay, Mapping) and isinstance(base, list):
        return _merge_items(base, overlay, where)
    return overlay


def _identity(item: Any, key: str) -> bool:
    return isinstance(item, Mapping) and any(
        f in item and str(item[f]) == key for f in IDENTITY_FIELDS
    )


def _merge_items(base: list[Any], overlay: Mapping[Any, Any], where: str) -> list[Any]:
    items = list(base)
    for raw_key, value in overlay.items():
        key = str(raw_key)
        index = next((i for i, item in enumerate(items) if _identity(item, key)), None)
        if value is None:
            if index is not None:
                del items[index]
        elif index is not None:
            items[index] = merge(items[index], value, f"{where}.{key}")
        elif isinstance(value, Mapping):
            items.append(dict(value))
        else:
            raise InputFileError("expected a mapping for a new list item", field=f"{where}.{key}")
    return items


def _born_after(item: Mapping[str, Any], clock: datetime) -> bool:
    for key in TIME_KEYS:
        if key in item and isinstance(item[key], (str, datetime)):
            try:
                return when(item[key]) > clock
            except ValueError:
                return False
    return False


def _drop_after(value: Any, clock: datetime) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_after(v, clock) for k, v in value.items()}
    if isinstance(value, list):
        kept = [v for v in value if not (isinstance(v, Mapping) and _born_after(v, clock))]
        return [_drop_after(v, clock) for v in kept]
    return value
